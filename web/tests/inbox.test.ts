// My work's inbox and the header's bell page through their connections: the
// first page, "load more", and badges that are the server's latest count.
import { describe, expect, it } from 'vitest'
import MyWork from '../src/pages/MyWork.vue'
import NotificationBell from '../src/components/NotificationBell.vue'
import { mountWith, settle, signInAs, standIn } from './standin'

const booking = (i: number) => ({
  kind: 'BOOKING_TO_APPROVE', since: '2027-02-01T09:00:00+08:00', deadline: null,
  object: { id: `B${i}`, __typename: 'Booking', status: 'PENDING', startsAt: '2027-02-08T10:00:00+08:00', endsAt: '2027-02-08T12:00:00+08:00', purpose: `议事会${i}`, venue: { name: '服务空间' }, committee: { name: '大党委' } },
})
function conn<N>(all: N[], first: number, after: unknown) {
  const from = after ? Number(after) : 0
  const page = all.slice(from, from + first)
  return { totalCount: all.length, pageInfo: { hasNextPage: from + page.length < all.length, endCursor: String(from + page.length) }, edges: page.map((node, i) => ({ cursor: String(from + i + 1), node })) }
}

describe('My work inbox', () => {
  it('shows 20, loads the rest on "load more", and reads as far again when a notification arrives', async () => {
    const items = Array.from({ length: 27 }, (_, i) => booking(i + 1))
    const s = standIn({
      Inbox: (v) => ({ viewer: { inbox: conn(items, Number(v.first), v.after) } }),
      WorkUnitRequests: () => ({ node: null }),
      Notifications: (v) => ({ viewer: { unreadNotificationCount: 0, notifications: conn([], Number(v.first), v.after) } }),
    })
    signInAs([{ kind: 'UNIT_ADMIN', id: 'U1', name: '核工业地质局' }])
    const w = mountWith(MyWork, s.client)
    await settle()
    expect(w.findAll('[data-test=inbox-item]')).toHaveLength(20)
    expect(w.find('[data-test=inbox]').attributes('data-total')).toBe('27')
    expect(w.find('[data-test=inbox-shown]').text()).toBe('已显示 20 / 27 项')
    expect(w.find('#w-inbox .el-badge__content').text()).toBe('27')

    await w.find('[data-test=inbox-more]').trigger('click')
    await settle()
    expect(w.findAll('[data-test=inbox-item]')).toHaveLength(27)
    expect(w.find('[data-test=inbox-more]').exists()).toBe(false)
    expect(s.named('Inbox').map((op) => op.variables)).toEqual([{ first: 20, after: undefined }, { first: 20, after: '20' }])

    // A new request arrives (notificationAdded): the inbox is read again as
    // far as it was shown, and the badge counts 28.
    items.unshift(booking(28))
    s.push({ notificationAdded: { id: 'N1', kind: 'BOOKING_REQUESTED', message: '新的申请', detail: '', createdAt: '2027-02-01T09:00:00+08:00', object: null } })
    await settle()
    expect(s.named('Inbox').at(-1)?.variables).toEqual({ first: 27, after: undefined })
    expect(w.findAll('[data-test=inbox-item]')).toHaveLength(27)
    expect(w.find('[data-test=inbox-item]').attributes('data-id')).toBe('B28')
    expect(w.find('#w-inbox .el-badge__content').text()).toBe('28')
    expect(w.find('[data-test=inbox-more]').exists()).toBe(true)
    w.unmount()
  }, 30000)
})

describe('NotificationBell', () => {
  it('pages the notifications ten at a time; the badge is the unread count of the latest answer', async () => {
    let unread = 12
    const notes = Array.from({ length: 12 }, (_, i) => ({ id: `N${i}`, kind: 'BOOKING_REQUESTED', message: `申请 ${i}`, detail: '', createdAt: '2027-02-01T09:00:00+08:00', readAt: null, object: { id: `B${i}`, __typename: 'Booking' } }))
    const s = standIn({
      Notifications: (v) => ({ viewer: { unreadNotificationCount: unread, notifications: conn(notes, Number(v.first), v.after) } }),
      MarkNotificationsRead: () => ({ markNotificationsRead: { markedCount: 12, unreadCount: 0, userErrors: [] } }),
    })
    signInAs([{ kind: 'UNIT_ADMIN', id: 'U1', name: '核工业地质局' }])
    const w = mountWith(NotificationBell, s.client)
    await settle()
    expect(w.find('[data-test=bell]').attributes('data-unread')).toBe('12')
    await w.find('[data-test=bell-button]').trigger('click')
    expect(w.findAll('[data-test=notification]')).toHaveLength(10)
    await w.find('[data-test=bell-more]').trigger('click')
    await settle()
    expect(w.findAll('[data-test=notification]')).toHaveLength(12)
    expect(w.find('[data-test=bell-more]').exists()).toBe(false)

    unread = 0
    await w.find('[data-test=bell-read-all]').trigger('click')
    await settle()
    expect(w.find('[data-test=bell]').attributes('data-unread')).toBe('0')
    expect(w.findAll('[data-test=notification]')).toHaveLength(12) // still as far as it was read
    w.unmount()
  }, 30000)
})
