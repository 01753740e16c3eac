// The server's labels of enum values in the page's language (enumLabels),
// so a status reads 待审批 rather than PENDING. Every enum the pages show
// comes in one query, asked once per visit.
import { computed } from 'vue'
import { useQuery } from '@urql/vue'
import { LabelsDocument, type LabelsQuery } from '../gql/graphql'

type EnumName = Exclude<keyof LabelsQuery, '__typename'>

function useEnumLabels(enumName: EnumName) {
  const q = useQuery({ query: LabelsDocument, requestPolicy: 'cache-first' })
  return computed(() => q.data.value?.[enumName] ?? [])
}

export function useLabels(enumName: EnumName) {
  const labels = useEnumLabels(enumName)
  const map = computed(() => new Map(labels.value.map((l) => [l.value, l.label])))
  return (v: string | null | undefined) => (v ? (map.value.get(v) ?? v) : '')
}

/** An enum's values with their labels, in the schema's order: a form's options. */
export function useLabelOptions<V extends string>(enumName: EnumName) {
  const labels = useEnumLabels(enumName)
  return computed(() => labels.value.map((l) => ({ value: l.value as V, label: l.label })))
}
