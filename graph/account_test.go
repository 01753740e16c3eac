package graph_test

import (
	"bytes"
	"net/http"
	"testing"
)

const accountOps = `
mutation CreateAccount($input: CreateAccountInput!) { createAccount(input: $input) { account { id username roles { kind } } userErrors { code field message } } }
mutation GrantRole($input: GrantRoleInput!) { grantRole(input: $input) { role { id kind scope { id __typename } } userErrors { code field message } } }
mutation RevokeRole($input: RevokeRoleInput!) { revokeRole(input: $input) { role { id kind } userErrors { code field message } } }
mutation RevokeSessions($input: RevokeSessionsInput!) { revokeSessions(input: $input) { revokedCount userErrors { code field message } } }
mutation SignOut($input: SignOutInput!) { signOut(input: $input) { revokedCount userErrors { code field message } } }
`

type viewerData struct {
	Viewer struct {
		Account *struct {
			ID       string `json:"id"`
			Username string `json:"username"`
		} `json:"account"`
		Roles []struct {
			Kind  string `json:"kind"`
			Scope *struct {
				ID       string `json:"id"`
				Typename string `json:"__typename"`
			} `json:"scope"`
		} `json:"roles"`
	} `json:"viewer"`
}

// payload runs a named operation of doc with an input and returns its single payload.
func (e *env) payload(doc, name string, input map[string]any) map[string]any {
	e.t.Helper()
	var data map[string]map[string]any
	e.doOp(doc, name, map[string]any{"input": input}, &data)
	for _, p := range data {
		return p
	}
	return nil
}

func errCodes(p map[string]any) []string {
	var out []string
	for _, ue := range p["userErrors"].([]any) {
		out = append(out, ue.(map[string]any)["code"].(string))
	}
	return out
}

func TestSignInAndViewer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	doc := op(t, "booking.graphql", "Viewer")

	var anon viewerData
	e.doOp(doc, "Viewer", nil, &anon)
	if anon.Viewer.Account != nil || len(anon.Viewer.Roles) != 0 {
		t.Errorf("anonymous viewer = %+v", anon.Viewer)
	}

	for _, c := range []struct{ user, kind, scope string }{
		{"street-admin", "SUBDISTRICT_ADMIN", "Subdistrict"},
		{"hnig-admin", "UNIT_ADMIN", "Unit"},
		{"water-admin", "UNIT_ADMIN", "Unit"},
		{"community-1-admin", "COMMITTEE_ADMIN", "Committee"},
		{"community-12-admin", "COMMITTEE_ADMIN", "Committee"},
	} {
		s := e.signIn(c.user, "cogov-demo")
		var v viewerData
		s.doOp(doc, "Viewer", nil, &v)
		if v.Viewer.Account == nil || v.Viewer.Account.Username != c.user {
			t.Errorf("%s: viewer account %+v", c.user, v.Viewer.Account)
			continue
		}
		if len(v.Viewer.Roles) != 1 || v.Viewer.Roles[0].Kind != c.kind || v.Viewer.Roles[0].Scope == nil || v.Viewer.Roles[0].Scope.Typename != c.scope {
			t.Errorf("%s: roles %+v, want one %s over a %s", c.user, v.Viewer.Roles, c.kind, c.scope)
		}
	}

	// Wrong password, unknown user: the same answer, and no viewer.
	signIn := op(t, "booking.graphql", "SignIn")
	for _, cred := range [][2]string{{"street-admin", "wrong-password"}, {"no-such-user", "cogov-demo"}} {
		p := e.payload(signIn, "SignIn", map[string]any{"username": cred[0], "password": cred[1]})
		if p["token"] != nil || p["viewer"] != nil || len(errCodes(p)) != 1 || errCodes(p)[0] != "INVALID_CREDENTIALS" {
			t.Errorf("sign in %v: %v", cred, p)
		}
	}
}

// TestSignInPayloadViewer: the viewer of signIn's payload is the account
// that has just signed in — its account, person, sub-district and roles —
// though the request that signs in is anonymous.
func TestSignInPayloadViewer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	var out struct {
		SignIn struct {
			Token  *string
			Viewer *struct {
				Account *struct {
					Username    string
					Subdistrict *struct{ Name string }
				}
				Roles []struct {
					Kind  string
					Scope *struct {
						Typename string `json:"__typename"`
					}
				}
			}
			UserErrors []userError
		} `json:"signIn"`
	}
	for _, c := range []struct{ user, kind, scope string }{
		{"street-admin", "SUBDISTRICT_ADMIN", "Subdistrict"},
		{"community-1-admin", "COMMITTEE_ADMIN", "Committee"},
	} {
		e.do(`mutation($input: SignInInput!) { signIn(input: $input) {
			token
			viewer { account { username subdistrict { name } } roles { kind scope { __typename } } }
			userErrors { code field message }
		} }`, map[string]any{"input": map[string]any{"username": c.user, "password": "cogov-demo"}}, &out)
		s := out.SignIn
		if s.Token == nil || s.Viewer == nil || s.Viewer.Account == nil || s.Viewer.Account.Username != c.user ||
			s.Viewer.Account.Subdistrict == nil || s.Viewer.Account.Subdistrict.Name == "" {
			t.Errorf("%s: signIn = %+v, want its viewer's account", c.user, s)
			continue
		}
		if len(s.Viewer.Roles) != 1 || s.Viewer.Roles[0].Kind != c.kind || s.Viewer.Roles[0].Scope == nil || s.Viewer.Roles[0].Scope.Typename != c.scope {
			t.Errorf("%s: roles %+v, want one %s over a %s", c.user, s.Viewer.Roles, c.kind, c.scope)
		}
	}

	// The contract's SignIn operation reads it too.
	p := e.payload(op(t, "booking.graphql", "SignIn"), "SignIn", map[string]any{"username": "member-demo", "password": "cogov-demo"})
	if v, _ := p["viewer"].(map[string]any); v == nil || v["account"] == nil || v["account"].(map[string]any)["username"] != "member-demo" {
		t.Errorf("SignIn as member-demo: viewer %v", p["viewer"])
	}
}

func TestSessionsEnd(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	s := e.signIn("community-2-admin", "cogov-demo")
	other := e.signIn("community-2-admin", "cogov-demo")

	p := s.payload(accountOps, "SignOut", map[string]any{})
	if p["revokedCount"].(float64) != 1 {
		t.Errorf("signOut = %v", p)
	}
	if r := s.post(`{ viewer { account { id } } }`, nil); r.status != http.StatusUnauthorized || r.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
		t.Errorf("after signOut: status %d errors %+v", r.status, r.Errors)
	}
	// The other session still works until an administrator ends them all.
	var v viewerData
	other.do(`{ viewer { account { id username } } }`, nil, &v)
	admin := e.signIn("street-admin", "cogov-demo")
	p = admin.payload(accountOps, "RevokeSessions", map[string]any{"accountId": v.Viewer.Account.ID})
	if p["revokedCount"].(float64) != 1 {
		t.Errorf("revokeSessions = %v", p)
	}
	if r := other.post(`{ viewer { account { id } } }`, nil); r.status != http.StatusUnauthorized {
		t.Errorf("after revokeSessions: status %d", r.status)
	}
	// A community administrator cannot end the street administrator's sessions.
	var sv viewerData
	admin.do(`{ viewer { account { id } } }`, nil, &sv)
	p = e.signIn("community-3-admin", "cogov-demo").payload(accountOps, "RevokeSessions", map[string]any{"accountId": sv.Viewer.Account.ID})
	if c := errCodes(p); len(c) != 1 || (c[0] != "FORBIDDEN" && c[0] != "NOT_FOUND") {
		t.Errorf("community admin revoking street admin: %v", p)
	}

	// An expired session is refused.
	e3 := e.signIn("community-4-admin", "cogov-demo")
	var n int
	e.sysScan(`WITH u AS (UPDATE session SET expires_at = now() - interval '1 second' WHERE revoked_at IS NULL
		AND account_id = (SELECT id FROM account WHERE username = 'community-4-admin') RETURNING 1) SELECT count(*) FROM u`, &n)
	if n != 1 {
		t.Fatalf("expired %d sessions", n)
	}
	if r := e3.post(`{ viewer { account { id } } }`, nil); r.status != http.StatusUnauthorized {
		t.Errorf("expired session: status %d", r.status)
	}
	// Garbage tokens and other schemes are refused too.
	for _, h := range []string{"Bearer nonsense", "Basic abc", "Bearer "} {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL, bytes.NewReader([]byte(`{"query":"{ viewer { roles { kind } } }"}`)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", h)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("Authorization %q: status %d", h, resp.StatusCode)
		}
	}
}

func TestSignInThrottled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	signIn := op(t, "booking.graphql", "SignIn")
	var last map[string]any
	for i := 0; i < 7; i++ {
		last = e.payload(signIn, "SignIn", map[string]any{"username": "water-admin", "password": "guess"})
	}
	if c := errCodes(last); len(c) != 1 || c[0] != "RATE_LIMITED" {
		t.Errorf("7th failed sign-in: %v", last)
	}
	// Even the right password waits now.
	p := e.payload(signIn, "SignIn", map[string]any{"username": "water-admin", "password": "cogov-demo"})
	if c := errCodes(p); len(c) != 1 || c[0] != "RATE_LIMITED" {
		t.Errorf("right password while throttled: %v", p)
	}
	// Another username is not affected by water-admin's failures.
	e.signIn("hnig-admin", "cogov-demo")
}

func TestAccountAdministration(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	admin := e.signIn("street-admin", "cogov-demo")
	var o overview
	admin.doOp(operation(t, "structure.graphql"), "SubdistrictOverview", map[string]any{"code": "houjiatang"}, &o)
	sd, committee := o.Subdistrict.ID, o.Subdistrict.Committees.Edges[0].Node.ID

	p := admin.payload(accountOps, "CreateAccount", map[string]any{"username": "new-clerk", "password": "long-enough-1", "subdistrictId": sd})
	if len(errCodes(p)) != 0 {
		t.Fatalf("createAccount: %v", p)
	}
	acct := p["account"].(map[string]any)["id"].(string)
	p = admin.payload(accountOps, "GrantRole", map[string]any{"accountId": acct, "kind": "COMMITTEE_ADMIN", "scopeId": committee})
	if len(errCodes(p)) != 0 || p["role"].(map[string]any)["scope"].(map[string]any)["id"] != committee {
		t.Fatalf("grantRole: %v", p)
	}
	role := p["role"].(map[string]any)["id"].(string)
	clerk := e.signIn("new-clerk", "long-enough-1")
	var v viewerData
	clerk.doOp(op(t, "booking.graphql", "Viewer"), "Viewer", nil, &v)
	if len(v.Viewer.Roles) != 1 || v.Viewer.Roles[0].Scope.ID != committee {
		t.Errorf("clerk roles = %+v", v.Viewer.Roles)
	}

	for _, c := range []struct {
		name, op string
		as       *env
		input    map[string]any
		code     string
	}{
		{"duplicate username", "CreateAccount", admin, map[string]any{"username": "new-clerk", "password": "long-enough-1", "subdistrictId": sd}, "ALREADY_EXISTS"},
		{"short password", "CreateAccount", admin, map[string]any{"username": "x-clerk", "password": "short", "subdistrictId": sd}, "INVALID_INPUT"},
		{"bad username", "CreateAccount", admin, map[string]any{"username": "Has Space", "password": "long-enough-1", "subdistrictId": sd}, "INVALID_INPUT"},
		{"no sub-district", "CreateAccount", admin, map[string]any{"username": "x-clerk", "password": "long-enough-1"}, "FORBIDDEN"},
		{"by a committee admin", "CreateAccount", clerk, map[string]any{"username": "x-clerk", "password": "long-enough-1", "subdistrictId": sd}, "FORBIDDEN"},
		{"grant twice", "GrantRole", admin, map[string]any{"accountId": acct, "kind": "COMMITTEE_ADMIN", "scopeId": committee}, "ALREADY_EXISTS"},
		{"grant wrong scope kind", "GrantRole", admin, map[string]any{"accountId": acct, "kind": "UNIT_ADMIN", "scopeId": committee}, "NOT_FOUND"},
		{"grant platform admin", "GrantRole", admin, map[string]any{"accountId": acct, "kind": "PLATFORM_ADMIN"}, "FORBIDDEN"},
		{"self-promotion", "GrantRole", clerk, map[string]any{"accountId": acct, "kind": "SUBDISTRICT_ADMIN", "scopeId": sd}, "FORBIDDEN"},
		{"revoke by clerk", "RevokeRole", clerk, map[string]any{"roleId": role}, "FORBIDDEN"},
	} {
		before := e.auditCount()
		p := c.as.payload(accountOps, c.op, c.input)
		if codes := errCodes(p); len(codes) == 0 || codes[0] != c.code {
			t.Errorf("%s: %v, want %s", c.name, p["userErrors"], c.code)
		}
		if after := e.auditCount(); after != before {
			t.Errorf("%s: audit log grew", c.name)
		}
	}

	p = admin.payload(accountOps, "RevokeRole", map[string]any{"roleId": role})
	if len(errCodes(p)) != 0 {
		t.Fatalf("revokeRole: %v", p)
	}
	clerk.doOp(op(t, "booking.graphql", "Viewer"), "Viewer", nil, &v)
	if len(v.Viewer.Roles) != 0 {
		t.Errorf("after revokeRole the clerk still has %+v", v.Viewer.Roles)
	}
	var audited int
	e.sysScan(`SELECT count(*) FROM audit_log WHERE action IN ('account.create', 'role.grant', 'role.revoke')
		AND NOT (coalesce(after, before) ? 'password_hash') AND actor_label = 'street-admin'`, &audited)
	if audited != 3 {
		t.Errorf("%d audited account changes by street-admin, want 3", audited)
	}
}
