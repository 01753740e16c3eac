package account_test

import (
	"context"
	"sync"
	"testing"

	"cogov/internal/access"
	"cogov/internal/account"
	"cogov/internal/testworld"
)

// admins is a Town with accounts that may hold its SUBDISTRICT_ADMIN role.
type admins struct {
	*testworld.Town
}

// account creates an account of the Town's sub-district.
func (a admins) account(name string) account.Account {
	a.T.Helper()
	acct, err := a.Accounts.CreateAccount(a.Admin, account.NewAccount{Username: name, Password: "long-enough-1", SubdistrictID: &a.SD})
	a.Must(err)
	return acct
}

// grant makes the account an administrator of the sub-district.
func (a admins) grant(acct account.Account) account.Role {
	a.T.Helper()
	r, err := a.Accounts.GrantRole(a.Admin, acct.ID, access.SubdistrictAdmin, &a.SD)
	a.Must(err)
	return r
}

// as acts as the account, signed in with the sub-district's administrator role.
func (a admins) as(acct account.Account) context.Context {
	return testworld.As(access.Viewer{AccountID: acct.ID, Username: acct.Username,
		Roles: []access.Role{{Kind: access.SubdistrictAdmin, ScopeID: a.SD, SubdistrictID: a.SD}}})
}

// left counts the sub-district's administrator roles.
func (a admins) left() int {
	return a.Count(`SELECT count(*) FROM account_role WHERE kind = 'SUBDISTRICT_ADMIN' AND subdistrict_id = $1`, a.SD)
}

// TestLastAdministrator: the last administrator of a sub-district cannot
// revoke their own role, nor can a platform administrator take it; with a
// second administrator either may go; a disabled account does not count.
func TestLastAdministrator(t *testing.T) {
	t.Parallel()
	a := admins{testworld.NewTown(t)}
	alice, bob := a.account("alice"), a.account("bob")
	aliceRole := a.grant(alice)
	platform := testworld.As(access.Viewer{AccountID: "00000000-0000-0000-0000-00000000beef", Username: "platform",
		Roles: []access.Role{{Kind: access.PlatformAdmin}}})

	before := a.AuditCount()
	_, err := a.Accounts.RevokeRole(a.as(alice), aliceRole.ID)
	testworld.WantFirst(t, "the last administrator revokes her own role", err, account.LastAdministrator)
	_, err = a.Accounts.RevokeRole(platform, aliceRole.ID)
	testworld.WantFirst(t, "a platform administrator revokes the last administrator's role", err, account.LastAdministrator)
	if a.AuditCount() != before || a.left() != 1 {
		t.Errorf("a refused revocation wrote something: %d audit rows more, %d administrators", a.AuditCount()-before, a.left())
	}

	// Her other roles are hers to give up.
	unitRole, err := a.Accounts.GrantRole(a.Admin, alice.ID, access.UnitAdmin, &a.Unit)
	a.Must(err)
	_, err = a.Accounts.RevokeRole(a.as(alice), unitRole.ID)
	testworld.WantFirst(t, "the last administrator gives up another role", err, "")

	// With a second administrator she may step down; then he is the last.
	bobRole := a.grant(bob)
	_, err = a.Accounts.RevokeRole(a.as(alice), aliceRole.ID)
	testworld.WantFirst(t, "one of two administrators steps down", err, "")
	_, err = a.Accounts.RevokeRole(a.as(bob), bobRole.ID)
	testworld.WantFirst(t, "the remaining administrator steps down", err, account.LastAdministrator)

	// An administrator whose account is disabled cannot sign in to act: the
	// sub-district would have no administrator in fact.
	a.grant(alice)
	if _, err := a.DB.Pool.Exec(context.Background(), `UPDATE account SET disabled = true WHERE id = $1`, alice.ID); err != nil {
		t.Fatal(err)
	}
	_, err = a.Accounts.RevokeRole(a.as(bob), bobRole.ID)
	testworld.WantFirst(t, "the last enabled administrator steps down", err, account.LastAdministrator)
	if a.left() != 2 {
		t.Errorf("%d administrator roles, want 2", a.left())
	}
}

// TestLastAdministratorRace: two administrators revoke each other's role at
// the same moment, several times over: each time exactly one revocation
// succeeds and the sub-district keeps an administrator. Without the lock
// both would count one other administrator and both would go.
func TestLastAdministratorRace(t *testing.T) {
	t.Parallel()
	a := admins{testworld.NewTown(t)}
	alice, bob := a.account("alice"), a.account("bob")
	roles := map[string]account.Role{alice.ID: a.grant(alice), bob.ID: a.grant(bob)}
	for round := range 8 {
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, 2)
		for i, pair := range [][2]account.Account{{alice, bob}, {bob, alice}} {
			wg.Go(func() {
				<-start
				_, errs[i] = a.Accounts.RevokeRole(a.as(pair[0]), roles[pair[1].ID].ID)
			})
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch testworld.Code(err) {
			case "":
				ok++
			case account.LastAdministrator:
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if ok != 1 || a.left() != 1 {
			t.Fatalf("round %d: %d revocations succeeded, %d administrators left; want 1 and 1", round, ok, a.left())
		}
		// Give the revoked one the role back for the next round.
		for _, acct := range []account.Account{alice, bob} {
			if a.Count(`SELECT count(*) FROM account_role WHERE id = $1`, roles[acct.ID].ID) == 0 {
				roles[acct.ID] = a.grant(acct)
			}
		}
	}
}
