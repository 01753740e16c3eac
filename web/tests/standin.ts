// A stand-in GraphQL server for component tests: answers each operation by
// its name from a table of handlers, records what was sent, and lets a test
// push subscription events (as the server's notificationAdded would).
import { flushPromises, mount } from '@vue/test-utils'
import { createI18n } from 'vue-i18n'
import urql, { Client, type Exchange, type Operation } from '@urql/vue'
import { filter, fromValue, makeSubject, mergeMap, pipe, map } from 'wonka'
import { makeResult } from '@urql/core'
import type { Component } from 'vue'
import zhCN from '../src/i18n/zh-CN.json'
import en from '../src/i18n/en.json'
import { setToken, setViewer, type Viewer } from '../src/session'

export type Handler = (variables: Record<string, unknown>) => Record<string, unknown> | undefined

// The server's Chinese labels of the enums the forms offer.
const LABELS: Record<string, Array<[string, string]>> = {
  Category: [['VENUE', '场地'], ['ELDERLY_CARE', '养老服务'], ['YOUTH', '青少年'], ['OTHER', '其他']],
  Urgency: [['LOW', '一般'], ['NORMAL', '较急'], ['HIGH', '紧急']],
  InboxItemKind: [['BOOKING_TO_APPROVE', '待审批的预订']],
}
// The Labels query asks for every enum at once, each under its own name.
const labels: Handler = () =>
  Object.fromEntries(Object.entries(LABELS).map(([e, vs]) => [e, vs.map(([value, label]) => ({ value, label }))]))

export const opName = (op: Operation) => op.query.definitions.map((d) => ('name' in d ? d.name?.value : '')).join()

export function standIn(handlers: Record<string, Handler>) {
  const sent: Operation[] = []
  const events = makeSubject<Record<string, unknown>>()
  const subscriptions: Operation[] = []
  const exchange: Exchange = () => (ops$) =>
    pipe(
      ops$,
      filter((op) => op.kind !== 'teardown'),
      mergeMap((op) => {
        if (op.kind === 'subscription') {
          subscriptions.push(op)
          return pipe(events.source, map((data) => makeResult(op, { data })))
        }
        sent.push(op)
        const h = { Labels: labels, ...handlers }[opName(op)]
        return fromValue(makeResult(op, { data: h ? h(op.variables as Record<string, unknown>) : undefined }))
      }),
    )
  const client = new Client({ url: '/graphql', exchanges: [exchange] })
  const named = (name: string) => sent.filter((op) => opName(op) === name)
  const input = (op: Operation) => (op.variables as { input: Record<string, unknown> }).input
  return { client, sent, named, input, push: (data: Record<string, unknown>) => events.next(data) }
}

/** Signs the stand-in viewer in with these roles. */
export function signInAs(roles: Array<{ kind: string; id?: string; name?: string }>, person?: { id: string; name: string }) {
  setToken('t')
  setViewer({
    account: { id: 'A1', username: 'demo', subdistrict: { id: 'S', code: 'houjiatang', name: '侯家塘街道' }, person: person ?? null },
    roles: roles.map((r) => ({ kind: r.kind, scope: r.id ? { id: r.id, __typename: 'Committee', name: r.name } : null })),
  } as unknown as Viewer)
}

export function mountWith(component: Component, client: Client, props: Record<string, unknown> = {}) {
  const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN, en } })
  return mount(component, {
    props,
    global: { plugins: [i18n, [urql, client]], stubs: { transition: false, 'transition-group': false, RouterLink: { template: '<a><slot /></a>' } } },
    attachTo: document.body,
  })
}

// Element Plus shows a form item's error after a 100 ms debounce.
export const settle = async () => {
  await flushPromises()
  await new Promise((r) => setTimeout(r, 150))
  await flushPromises()
}

/** Picks the option named `label` of the Element Plus select whose input has this id. */
export async function choose(id: string, label: string) {
  const input = document.getElementById(id)
  if (!input) throw new Error(`no select #${id}`)
  const wrapper = input.closest('.el-select')?.querySelector('.el-select__wrapper') as HTMLElement
  wrapper.click()
  await flushPromises()
  const listbox = document.getElementById(input.getAttribute('aria-controls') ?? '')
  const option = [...(listbox?.querySelectorAll('[role=option]') ?? [])].find((o) => o.textContent?.trim() === label) as HTMLElement | undefined
  if (!option) throw new Error(`no option ${label} in #${id}: ${listbox?.textContent}`)
  option.click()
  await flushPromises()
}
