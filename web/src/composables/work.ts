// The data of "My work": the bookings of the committees the viewer
// administers and the requests waiting for the units they administer. Until
// the daily-loop work lists (Committee.bookings, Unit.bookingRequests) are in
// the schema, both come from the venues' bookings over a window; this
// composable is the one place to switch.
import { computed } from 'vue'
import { useQuery } from '@urql/vue'
import { SearchOptionsDocument, WorkBookingsDocument, type WorkBookingsQuery } from '../gql/graphql'
import { session, adminCommitteeIds, adminUnitIds } from '../session'
import { addDays, rfc3339, today } from '../time'

type VenueNode = WorkBookingsQuery['venues']['edges'][number]['node']
export type WorkBooking = VenueNode['bookings']['edges'][number]['node'] & { venue: { id: string; name: string; unit: { id: string; name: string } } }

export function useWork() {
  const opts = useQuery({ query: SearchOptionsDocument, variables: computed(() => ({ code: session.code })) })
  const sdId = computed(() => opts.data.value?.subdistrict?.id)
  const from = addDays(today(), -7)
  const q = useQuery({
    query: WorkBookingsDocument,
    variables: computed(() => ({ filter: { subdistrictId: sdId.value }, from: rfc3339(from, '00:00'), to: rfc3339(addDays(from, 97), '00:00') })),
    pause: computed(() => !sdId.value),
    requestPolicy: 'network-only',
  })
  const all = computed<WorkBooking[]>(() =>
    (q.data.value?.venues.edges ?? []).flatMap((v) =>
      v.node.bookings.edges.map((b) => ({ ...b.node, venue: { id: v.node.id, name: v.node.name, unit: v.node.unit } })),
    ),
  )
  const committeeBookings = computed(() => {
    const ids = adminCommitteeIds()
    return all.value.filter((b) => ids.includes(b.committee.id)).sort((a, b) => a.startsAt.localeCompare(b.startsAt))
  })
  const pendingRequests = computed(() => {
    const ids = adminUnitIds()
    return all.value.filter((b) => b.status === 'PENDING' && ids.includes(b.venue.unit.id)).sort((a, b) => a.startsAt.localeCompare(b.startsAt))
  })
  return { committeeBookings, pendingRequests, fetching: q.fetching, refresh: () => q.executeQuery({ requestPolicy: 'network-only' }) }
}
