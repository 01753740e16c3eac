// Who is signed in: the token (kept in localStorage, sent as
// `Authorization: Bearer`) and the viewer the server says it is.
import { reactive } from 'vue'
import type { MeQuery } from './gql/graphql'

const KEY = 'cogov.token'

export type Viewer = MeQuery['viewer']

export const session = reactive({
  token: localStorage.getItem(KEY) ?? '',
  viewer: null as Viewer | null,
  // The sub-district the pages show: the account's, or the demo one for visitors.
  code: 'houjiatang',
})

export function setToken(token: string) {
  session.token = token
  if (token) localStorage.setItem(KEY, token)
  else localStorage.removeItem(KEY)
}

export function setViewer(v: Viewer | null) {
  session.viewer = v
  const code = v?.account?.subdistrict?.code
  if (code) session.code = code
}

type Role = Viewer['roles'][number]

/** The viewer's roles of a kind, e.g. the committees they administer. */
export function rolesOf(kind: Role['kind']): Role[] {
  return session.viewer?.roles.filter((r) => r.kind === kind) ?? []
}

/** The committees the viewer administers (by role or as the sub-district's administrator). */
export function adminCommitteeIds(): string[] {
  return rolesOf('COMMITTEE_ADMIN').map((r) => r.scope?.id ?? '').filter(Boolean)
}

export function adminUnitIds(): string[] {
  return rolesOf('UNIT_ADMIN').map((r) => r.scope?.id ?? '').filter(Boolean)
}

export function isSubdistrictAdmin(): boolean {
  return rolesOf('SUBDISTRICT_ADMIN').length > 0 || rolesOf('PLATFORM_ADMIN').length > 0
}
