// The server's labels of enum values in the page's language (enumLabels),
// so a status reads 待审批 rather than PENDING.
import { computed } from 'vue'
import { useQuery } from '@urql/vue'
import { LabelsDocument } from '../gql/graphql'

export function useLabels(enumName: string) {
  const q = useQuery({
    query: LabelsDocument,
    variables: { enum: enumName },
    requestPolicy: 'cache-first',
  })
  const map = computed(() => new Map((q.data.value?.enumLabels ?? []).map((l) => [l.value, l.label])))
  return (v: string | null | undefined) => (v ? (map.value.get(v) ?? v) : '')
}
