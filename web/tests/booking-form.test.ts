// The booking form against a stand-in GraphQL client: what it sends, and
// where it shows what the server answers.
import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createI18n } from 'vue-i18n'
import urql, { Client, type Exchange, type Operation } from '@urql/vue'
import { filter, fromValue, mergeMap, pipe } from 'wonka'
import { makeResult } from '@urql/core'
import BookingForm from '../src/components/BookingForm.vue'
import zhCN from '../src/i18n/zh-CN.json'
import en from '../src/i18n/en.json'
import { setToken, setViewer, type Viewer } from '../src/session'

const committee = { id: 'C1', name: '侯家塘社区大党委', kind: 'COMMUNITY_PARTY_COMMITTEE' }
const conflict = { code: 'BOOKING_CONFLICT', field: ['input', 'startsAt'], message: '该时段场地已被预订（含场地整理时间）' }

// The stand-in client answers in a microtask; a little more for the DOM.
const settle = async () => {
  await flushPromises()
  await new Promise((r) => setTimeout(r, 150))
}

function setup(answers: Array<Record<string, unknown>>) {
  const sent: Operation[] = []
  const exchange: Exchange = () => (ops$) =>
    pipe(
      ops$,
      filter((op) => op.kind !== 'teardown'),
      mergeMap((op) => {
        const name = op.query.definitions.map((d) => ('name' in d ? d.name?.value : '')).join()
        let data: Record<string, unknown> | undefined
        if (name === 'Committees') data = { subdistrict: { id: 'S', committees: { edges: [{ node: committee }] } } }
        else if (name === 'Labels') data = { BookingStatus: [{ value: 'PENDING', label: '待审批' }], UserErrorCode: [] }
        else if (name === 'RequestBooking') {
          sent.push(op)
          data = { requestBooking: answers.shift() }
        }
        return fromValue(makeResult(op, { data }))
      }),
    )
  const client = new Client({ url: '/graphql', exchanges: [exchange] })
  setToken('t')
  setViewer({ account: null, roles: [{ kind: 'COMMITTEE_ADMIN', scope: { id: 'C1', __typename: 'Committee', name: committee.name } }] } as unknown as Viewer)
  const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN, en } })
  const w = mount(BookingForm, {
    props: { venueId: 'V1', date: '2027-02-08', from: '10:00', to: '12:00', people: 150 },
    global: { plugins: [i18n, [urql, client]], stubs: { transition: false, 'transition-group': false } },
    attachTo: document.body,
  })
  return { w, sent }
}

const input = (op: Operation) => (op.variables as { input: Record<string, unknown> }).input

describe('BookingForm', () => {
  it('shows a conflict by the time, keeps the idempotency key for the same request, and a new one after success', async () => {
    const booked = { bookings: [{ id: 'B1', status: 'PENDING', startsAt: '2027-02-08T10:00:00+08:00', endsAt: '2027-02-08T12:00:00+08:00', venue: { id: 'V1' }, committee: { id: 'C1' } }], skipped: [], userErrors: [] }
    const { w, sent } = setup([{ bookings: [], skipped: [], userErrors: [conflict] }, { ...booked }, { ...booked }])
    await flushPromises()
    await w.find('#b-purpose').setValue('议事会')
    await w.find('form').trigger('submit')
    await settle()
    expect(w.find('[data-test=when] [data-test=field-error]').text()).toBe(conflict.message)
    expect(input(sent[0])).toMatchObject({
      venueId: 'V1', committeeId: 'C1', startsAt: '2027-02-08T10:00:00+08:00', endsAt: '2027-02-08T12:00:00+08:00', purpose: '议事会', expectedAttendees: 150,
    })
    expect(input(sent[0]).recurrence).toBeUndefined()

    // Sent again unchanged (a retry): the same key. It succeeds: PENDING.
    await w.find('form').trigger('submit')
    await settle()
    expect(input(sent[1]).idempotencyKey).toBe(input(sent[0]).idempotencyKey)
    expect(w.find('[data-test=when] [data-test=field-error]').exists()).toBe(false)
    expect(w.find('[data-test=booking-result] [data-status=PENDING]').text()).toContain('待审批')

    // The next request is a new one.
    await w.find('form').trigger('submit')
    await settle()
    expect(input(sent[2]).idempotencyKey).not.toBe(input(sent[1]).idempotencyKey)
    w.unmount()
  }, 30000)
})
