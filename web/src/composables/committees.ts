// The committees the viewer may act for: those they administer, or every
// committee of the sub-district for its administrators.
import { computed } from 'vue'
import { useQuery } from '@urql/vue'
import { CommitteesDocument } from '../gql/graphql'
import { session, adminCommitteeIds, isSubdistrictAdmin } from '../session'
import { committeesVars } from '../prefetch'

export function useMyCommittees() {
  const q = useQuery({ query: CommitteesDocument, variables: computed(committeesVars), pause: computed(() => !session.token) })
  const mine = computed(() => {
    const all = q.data.value?.subdistrict?.committees.edges.map((e) => e.node) ?? []
    return isSubdistrictAdmin() ? all : all.filter((c) => adminCommitteeIds().includes(c.id))
  })
  return { mine, subdistrictId: computed(() => q.data.value?.subdistrict?.id) }
}
