// What the venue page needs first, asked for as the route is entered, while
// its code is still loading: the page's queries then find their answers in
// flight or in the cache instead of starting once the page's code has run.
import type { RouteLocationNormalized } from 'vue-router'
import { client } from './client'
import { session } from './session'
import { CommitteesDocument, VenueCalendarDocument, VenuePageDocument } from './gql/graphql'
import { addDays, mondayOf, rfc3339, today } from './time'

const param = (to: RouteLocationNormalized, k: string) => (typeof to.query[k] === 'string' ? (to.query[k] as string) : '')

/** The day the venue page opens on: ?date=, else tomorrow. */
export const venueDate = (to: RouteLocationNormalized) => param(to, 'date') || addDays(today(), 1)

/** The variables of the venue page's week calendar. */
export const calendarVars = (id: string, monday: string) => ({ id, from: rfc3339(monday, '00:00'), to: rfc3339(addDays(monday, 7), '00:00') })

/** The committees the viewer may book for (useMyCommittees). */
export const committeesVars = () => ({ code: session.code })

export function prefetch(to: RouteLocationNormalized) {
  if (to.name !== 'venue') return
  const id = String(to.params.id)
  const ask = (op: Parameters<typeof client.query>[0], vars: object) => void client.query(op, vars).toPromise()
  ask(VenueCalendarDocument, calendarVars(id, mondayOf(venueDate(to))))
  ask(VenuePageDocument, { id })
  if (session.token) ask(CommitteesDocument, committeesVars())
}
