// The data of "My work", from the daily loop's work lists: the bookings of the
// committees the viewer administers (Committee.bookings, the contract's
// MyCommitteeBookings), the requests waiting for the units they administer
// (Unit.bookingRequests with status [PENDING]) and the inbox (Viewer.inbox,
// the contract's Inbox).
import { computed, ref, watch } from 'vue'
import { useClientHandle, useSubscription } from '@urql/vue'
import {
  InboxDocument,
  NotificationAddedDocument,
  MyCommitteeBookingsDocument,
  WorkCheckedInDocument,
  WorkUnitRequestsDocument,
  type MyCommitteeBookingsQuery,
  type WorkUnitRequestsQuery,
} from '../gql/graphql'
import { session, adminCommitteeIds, adminUnitIds } from '../session'
import { addDays, rfc3339, today } from '../time'
import { usePaged } from './paged'

type Conn<Q, K extends string> = Extract<NonNullable<Q extends { node?: infer N } ? N : never>, Record<K, unknown>>
type CommitteeNode = Conn<MyCommitteeBookingsQuery, 'bookings'>
type UnitNode = Conn<WorkUnitRequestsQuery, 'bookingRequests'>
export type CommitteeBooking = CommitteeNode['bookings']['edges'][number]['node'] & { committee: { id: string; name: string }; checkedInAt: string | null }
export type WorkBooking = UnitNode['bookingRequests']['edges'][number]['node']

/** How many inbox items a page of My work shows at a time. */
export const INBOX_PAGE = 20

const byStart = (a: { startsAt: string }, b: { startsAt: string }) => a.startsAt.localeCompare(b.startsAt)

export function useWork() {
  const client = useClientHandle().client
  const committeeBookings = ref<CommitteeBooking[]>([])
  const pendingRequests = ref<WorkBooking[]>([])
  const fetching = ref(false)
  // A week back (what is being checked in or was missed) to three months ahead.
  const window = () => {
    const from = addDays(today(), -7)
    return { from: rfc3339(from, '00:00'), to: rfc3339(addDays(from, 97), '00:00') }
  }

  async function committees() {
    const w = window()
    const lists = await Promise.all(
      adminCommitteeIds().map(async (committeeId) => {
        const [r, c] = await Promise.all([
          client.query(MyCommitteeBookingsDocument, { committeeId, status: ['PENDING', 'APPROVED'], ...w, first: 100 }, { requestPolicy: 'network-only' }).toPromise(),
          client.query(WorkCheckedInDocument, { committeeId, ...w }, { requestPolicy: 'network-only' }).toPromise(),
        ])
        const n = r.data?.node
        if (!n || !('bookings' in n)) return []
        const cn = c.data?.node
        const checked = new Map((cn && 'bookings' in cn ? cn.bookings.edges : []).map((e) => [e.node.id, e.node.checkedInAt ?? null]))
        return n.bookings.edges.map((e) => ({ ...e.node, committee: { id: committeeId, name: n.name }, checkedInAt: checked.get(e.node.id) ?? null }))
      }),
    )
    committeeBookings.value = lists.flat().sort(byStart)
  }
  async function units() {
    const lists = await Promise.all(
      adminUnitIds().map(async (unitId) => {
        const r = await client.query(WorkUnitRequestsDocument, { unitId, status: ['PENDING'] }, { requestPolicy: 'network-only' }).toPromise()
        const n = r.data?.node
        return n && 'bookingRequests' in n ? n.bookingRequests.edges.map((e) => e.node) : []
      }),
    )
    pendingRequests.value = lists.flat().sort(byStart)
  }
  async function refresh() {
    fetching.value = true
    try {
      await Promise.all([committees(), units(), inbox.refresh()])
    } finally {
      fetching.value = false
    }
  }
  // The inbox a page at a time; its badge is the server's totalCount.
  const inbox = usePaged(async (first, after) => {
    const r = await client.query(InboxDocument, { first, after }, { requestPolicy: 'network-only' }).toPromise()
    return r.data?.viewer.inbox
  }, INBOX_PAGE)
  watch(
    () => session.viewer,
    (v) => (v ? Promise.all([committees(), units(), inbox.refresh()]) : inbox.reset()),
    { immediate: true },
  )
  // A notification (a request, a decision, an invitation) usually means the
  // lists changed: read them again, live.
  useSubscription({ query: NotificationAddedDocument, pause: computed(() => !session.token) }, (_prev, ev) => {
    refresh()
    return ev
  })
  return {
    committeeBookings,
    pendingRequests,
    inboxItems: inbox.items,
    inboxTotal: inbox.total,
    inboxMore: inbox.hasMore,
    inboxLoading: inbox.loading,
    loadMoreInbox: inbox.loadMore,
    fetching,
    refresh,
  }
}
