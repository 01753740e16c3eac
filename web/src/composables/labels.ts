// The server's labels of enum values in the page's language (enumLabels),
// so a status reads 待审批 rather than PENDING. Every enum the pages show
// comes in one query, asked once per visit.
import { computed } from 'vue'
import { useQuery } from '@urql/vue'
import { LabelsDocument, type LabelsQuery } from '../gql/graphql'

export function useLabels(enumName: Exclude<keyof LabelsQuery, '__typename'>) {
  const q = useQuery({ query: LabelsDocument, requestPolicy: 'cache-first' })
  const map = computed(() => new Map((q.data.value?.[enumName] ?? []).map((l) => [l.value, l.label])))
  return (v: string | null | undefined) => (v ? (map.value.get(v) ?? v) : '')
}
