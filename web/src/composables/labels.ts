// The server's labels of enum values in the page's language (enumLabels),
// so a status reads 待审批 rather than PENDING.
import { computed } from 'vue'
import { useQuery } from '@urql/vue'
import { LabelsDocument } from '../gql/graphql'

function useEnumLabels(enumName: string) {
  return useQuery({
    query: LabelsDocument,
    variables: { enum: enumName },
    requestPolicy: 'cache-first',
  })
}

export function useLabels(enumName: string) {
  const q = useEnumLabels(enumName)
  const map = computed(() => new Map((q.data.value?.enumLabels ?? []).map((l) => [l.value, l.label])))
  return (v: string | null | undefined) => (v ? (map.value.get(v) ?? v) : '')
}

/** An enum's values with their labels, in the schema's order: a form's options. */
export function useLabelOptions<V extends string>(enumName: string) {
  const q = useEnumLabels(enumName)
  return computed(() => (q.data.value?.enumLabels ?? []).map((l) => ({ value: l.value as V, label: l.label })))
}
