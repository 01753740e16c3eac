import { describe, expect, it } from 'vitest'
import { usePaged, type Page } from '../src/composables/paged'

// A connection of `total` numbered items, paged by cursor as the server does.
function server(total: number) {
  const calls: Array<{ first: number; after?: string }> = []
  const fetch = async (first: number, after: string | undefined): Promise<Page<number>> => {
    calls.push({ first, after })
    const from = after ? Number(after) : 0
    const nodes = Array.from({ length: Math.max(0, Math.min(first, total - from)) }, (_, i) => from + i + 1)
    return { totalCount: total, pageInfo: { hasNextPage: from + nodes.length < total, endCursor: String(from + nodes.length) }, edges: nodes.map((node) => ({ node })) }
  }
  return { calls, fetch, setTotal: (n: number) => (total = n) }
}

describe('usePaged', () => {
  it('reads the first page, appends the next after the last cursor, and stops at the end', async () => {
    const s = server(25)
    const p = usePaged(s.fetch, 10)
    await p.refresh()
    expect(p.items.value).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(p.total.value).toBe(25)
    expect(p.hasMore.value).toBe(true)
    await p.loadMore()
    await p.loadMore()
    expect(p.items.value).toHaveLength(25)
    expect(p.items.value.at(-1)).toBe(25)
    expect(p.hasMore.value).toBe(false)
    expect(s.calls).toEqual([{ first: 10, after: undefined }, { first: 10, after: '10' }, { first: 10, after: '20' }])
    await p.loadMore() // nothing more to read
    expect(s.calls).toHaveLength(3)
  })

  it('re-reads as far as it had read, with the total of the latest answer', async () => {
    const s = server(250)
    const p = usePaged(s.fetch, 60)
    await p.refresh()
    await p.loadMore()
    await p.loadMore() // 180 shown
    s.setTotal(251)
    s.calls.length = 0
    await p.refresh()
    expect(p.items.value).toHaveLength(180)
    expect(p.total.value).toBe(251)
    expect(s.calls).toEqual([{ first: 100, after: undefined }, { first: 80, after: '100' }])
    expect(p.hasMore.value).toBe(true)
  })

  it('drops a page that was asked for before a refresh', async () => {
    const s = server(30)
    let slow: (() => void) | undefined
    const p = usePaged(async (first, after) => {
      if (after) await new Promise<void>((r) => (slow = r))
      return s.fetch(first, after)
    }, 10)
    await p.refresh()
    const more = p.loadMore()
    await Promise.resolve()
    p.reset()
    slow?.()
    await more
    expect(p.items.value).toEqual([])
    expect(p.total.value).toBe(0)
  })
})

describe('usePaged on a connection that says there is more but brings nothing', () => {
  it('stops instead of asking again for ever', async () => {
    let calls = 0
    const p = usePaged(async () => {
      calls++
      return { totalCount: 5, pageInfo: { hasNextPage: true, endCursor: null }, edges: [] }
    }, 10)
    await p.refresh()
    expect(calls).toBe(1)
    expect(p.items.value).toEqual([])
    await p.refresh()
    expect(calls).toBe(2)
  })
})
