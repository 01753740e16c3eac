// The units the viewer may act for (post offers, own projects): those they
// administer, or every unit of the sub-district for its administrators.
import { computed } from 'vue'
import { useQuery } from '@urql/vue'
import { UnitsDocument } from '../gql/graphql'
import { session, rolesOf, isSubdistrictAdmin } from '../session'

export function useMyUnits() {
  const all = useQuery({ query: UnitsDocument, variables: computed(() => ({ code: session.code })), pause: computed(() => !session.token || !isSubdistrictAdmin()) })
  const mine = computed(() => {
    if (isSubdistrictAdmin()) return all.data.value?.subdistrict?.units.edges.map((e) => e.node) ?? []
    return rolesOf('UNIT_ADMIN').flatMap((r) => (r.scope && 'name' in r.scope ? [{ id: r.scope.id, name: String(r.scope.name) }] : []))
  })
  return { mine }
}
