// A Relay connection read a page at a time ("load more"): the first page,
// then each next one after the last endCursor, appended. refresh() reads the
// list again from the start, as far as it had been read (a new item at the
// top does not push the user back to one page), and totalCount, the number
// for a badge, is always that of the latest answer.
import { computed, ref, shallowRef, type Ref } from 'vue'

export type Page<N> = {
  totalCount: number
  pageInfo: { hasNextPage: boolean; endCursor?: string | null }
  edges: ReadonlyArray<{ node: N }>
}

/** The most a connection returns at once (the API's maximum `first`). */
export const MAX_PAGE = 100

type NodeOf<P> = P extends Page<infer N> ? N : never

// fetchPage may answer more than the connection (e.g. an unread count read
// with it): `last` is the latest answer taken.
export function usePaged<P extends Page<unknown>>(
  fetchPage: (first: number, after: string | undefined) => Promise<P | null | undefined>,
  pageSize = 20,
) {
  type N = NodeOf<P>
  const items = shallowRef<N[]>([])
  const last = shallowRef<P | null>(null)
  const total = ref(0)
  const cursor = ref<string | undefined>()
  const hasMore = ref(false)
  const loading = ref(false)
  const failed = ref(false)
  // A refresh makes the answers of reads begun before it stale.
  let generation = 0

  async function read(first: number, after: string | undefined, gen: number) {
    const p = await fetchPage(first, after)
    if (gen !== generation) return null
    if (!p) {
      failed.value = true
      return null
    }
    failed.value = false
    last.value = p
    total.value = p.totalCount
    cursor.value = p.pageInfo.endCursor ?? undefined
    hasMore.value = p.pageInfo.hasNextPage
    return p.edges.map((e) => e.node as N)
  }

  async function refresh() {
    const gen = ++generation
    const want = Math.max(pageSize, items.value.length)
    loading.value = true
    try {
      const out: N[] = []
      let after: string | undefined
      do {
        const got = await read(Math.min(MAX_PAGE, want - out.length), after, gen)
        if (!got) return
        out.push(...got)
        // A page that brings nothing, or does not move the cursor on, ends
        // the read (it would otherwise ask for the same page for ever).
        if (!got.length || !cursor.value || cursor.value === after) break
        after = cursor.value
      } while (out.length < want && hasMore.value)
      items.value = out
    } finally {
      if (gen === generation) loading.value = false
    }
  }

  async function loadMore() {
    if (!hasMore.value || loading.value) return
    const gen = generation
    loading.value = true
    try {
      const got = await read(pageSize, cursor.value, gen)
      if (got) items.value = [...items.value, ...got]
    } finally {
      if (gen === generation) loading.value = false
    }
  }

  function reset() {
    generation++
    items.value = []
    last.value = null
    total.value = 0
    cursor.value = undefined
    hasMore.value = false
    loading.value = false
  }

  return {
    items: items as Readonly<Ref<N[]>>,
    total,
    last,
    hasMore,
    loading,
    failed,
    shown: computed(() => items.value.length),
    refresh,
    loadMore,
    reset,
  }
}
