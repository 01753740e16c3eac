package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/internal/access"
	"cogov/internal/account"
	"cogov/internal/problem"
)

const accountCols = `a.id, a.username, a.subdistrict_id, a.person_id, a.disabled, a.demo`

func accountFields(v *account.Account) []any {
	return []any{&v.ID, &v.Username, &v.SubdistrictID, &v.PersonID, &v.Disabled, &v.Demo}
}

const roleCols = `r.id, r.account_id, r.kind, r.scope_id, r.subdistrict_id`

func roleFields(v *account.Role) []any {
	return []any{&v.ID, &v.AccountID, &v.Kind, &v.ScopeID, &v.SubdistrictID}
}

// Credentials fetches an account by username with its password hash.
func (s *Store) Credentials(ctx context.Context, username string) (_ account.Credentials, err error) {
	defer wrap(&err, "store.Credentials(%q)", username)
	var c account.Credentials
	err = s.read(ctx, func(tx querier) error {
		var err error
		c, err = one(ctx, tx, problem.ErrNotFound, func(v *account.Credentials) []any {
			return append(accountFields(&v.Account), &v.PasswordHash)
		}, `SELECT `+accountCols+`, a.password_hash FROM account a WHERE a.username = $1`, username)
		return err
	})
	return c, err
}

// RecordSignInFailure writes a failed sign-in to the audit log with the
// address and user agent, and the account if the username names one.
func (s *Store) RecordSignInFailure(ctx context.Context, username, addr, userAgent, reason string) (err error) {
	defer wrap(&err, "store.RecordSignInFailure(%q)", username)
	return s.write(ctx, "sign-in.failed", "", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT audit_sign_in_failed($1, $2, $3, $4)`, username, addr, userAgent, reason)
		return err
	})
}

// CreateSession opens a session: a sign-in, which the audit log records
// with the address and user agent.
func (s *Store) CreateSession(ctx context.Context, accountID string, tokenHash []byte, expires time.Time, addr, userAgent string) (_ account.Session, err error) {
	defer wrap(&err, "store.CreateSession(%q)", accountID)
	sess := account.Session{AccountID: accountID, ExpiresAt: expires}
	err = s.write(ctx, "sign-in", "", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO session (account_id, token_hash, expires_at, remote_addr, user_agent)
			VALUES ($1, $2, $3, $4, left($5, 300)) RETURNING id`, accountID, tokenHash, expires, addr, userAgent).Scan(&sess.ID)
	})
	return sess, err
}

// SessionViewer finds the live session with this token hash, its account and roles.
func (s *Store) SessionViewer(ctx context.Context, tokenHash []byte, now time.Time) (_ account.Session, _ account.Account, _ []account.Role, err error) {
	defer wrap(&err, "store.SessionViewer")
	var sess account.Session
	var a account.Account
	var roles []account.Role
	// One statement (the session, its account and roles joined): it runs
	// before every signed-in request. It goes to the pool as it is, without
	// the viewer set first: session, account and account_role have no
	// row-level security, and a request has no viewer before this answers.
	// Run once more on a fresh connection when the pooled one was lost (as
	// after a restart): it only reads.
	_, err = retryOnce(ctx, s.pool, func() (struct{}, error) {
		sess, a, roles = account.Session{}, account.Account{}, nil
		return struct{}{}, s.sessionViewer(ctx, tokenHash, now, &sess, &a, &roles)
	})
	return sess, a, roles, err
}

// sessionViewer reads a live session's account and roles.
func (s *Store) sessionViewer(ctx context.Context, tokenHash []byte, now time.Time, sess *account.Session, a *account.Account, roles *[]account.Role) error {
	rows, err := s.pool.Query(ctx, `SELECT s.id, s.account_id, s.expires_at, `+accountCols+`, `+roleCols+`
		FROM session s JOIN account a ON a.id = s.account_id LEFT JOIN account_role r ON r.account_id = a.id
		WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND NOT a.disabled
		ORDER BY r.created_at, r.id`, tokenHash, now)
	if err != nil {
		return err
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		var r account.Role
		var id, accountID, kind *string // NULL when the account has no role
		if err := rows.Scan(append(append([]any{&sess.ID, &sess.AccountID, &sess.ExpiresAt}, accountFields(a)...),
			&id, &accountID, &kind, &r.ScopeID, &r.SubdistrictID)...); err != nil {
			return err
		}
		found = true
		if id != nil {
			r.ID, r.AccountID, r.Kind = *id, *accountID, access.RoleKind(*kind)
			*roles = append(*roles, r)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if !found {
		return problem.ErrNotFound
	}
	return nil
}

// RevokeSession ends one session: a sign-out.
func (s *Store) RevokeSession(ctx context.Context, sessionID string) (err error) {
	defer wrap(&err, "store.RevokeSession(%q)", sessionID)
	return s.write(ctx, "sign-out", "", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE session SET revoked_at = cogov_now() WHERE id = $1 AND revoked_at IS NULL`, sessionID)
		return err
	})
}

// RevokeSessions ends every live session of an account and counts them.
func (s *Store) RevokeSessions(ctx context.Context, accountID string) (_ int, err error) {
	defer wrap(&err, "store.RevokeSessions(%q)", accountID)
	var n int64
	err = s.write(ctx, "session.revoke-all", "", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE session SET revoked_at = cogov_now() WHERE account_id = $1 AND revoked_at IS NULL`, accountID)
		n = tag.RowsAffected()
		return err
	})
	return int(n), err
}

// Account fetches an account.
func (s *Store) Account(ctx context.Context, id string) (_ account.Account, err error) {
	defer wrap(&err, "store.Account(%q)", id)
	m, err := s.AccountsByID(ctx, []string{id})
	if err != nil {
		return account.Account{}, err
	}
	a, ok := m[id]
	if !ok {
		return a, problem.ErrNotFound
	}
	return a, nil
}

// AccountsByID fetches accounts by id.
func (s *Store) AccountsByID(ctx context.Context, ids []string) (_ map[string]account.Account, err error) {
	defer wrap(&err, "store.AccountsByID(%d ids)", len(ids))
	return byIDs(ctx, s, accountCols, "account a", "a.id", accountFields, func(v account.Account) string { return v.ID }, ids)
}

// Roles fetches the roles of each account.
func (s *Store) Roles(ctx context.Context, accountIDs []string) (_ map[string][]account.Role, err error) {
	defer wrap(&err, "store.Roles(%d accountIDs)", len(accountIDs))
	out := map[string][]account.Role{}
	err = s.read(ctx, func(tx querier) error {
		rs, err := collect(ctx, tx, roleFields, `SELECT `+roleCols+` FROM account_role r WHERE r.account_id = ANY($1::text[]::uuid[]) ORDER BY r.created_at, r.id`, accountIDs)
		for _, r := range rs {
			out[r.AccountID] = append(out[r.AccountID], r)
		}
		return err
	})
	return out, err
}

// Role fetches a role.
func (s *Store) Role(ctx context.Context, id string) (_ account.Role, err error) {
	defer wrap(&err, "store.Role(%q)", id)
	if !IsUUID(id) {
		return account.Role{}, problem.ErrNotFound
	}
	var r account.Role
	err = s.read(ctx, func(tx querier) error {
		var err error
		r, err = one(ctx, tx, problem.ErrNotFound, roleFields, `SELECT `+roleCols+` FROM account_role r WHERE r.id = $1`, id)
		return err
	})
	return r, err
}

// CreateAccount inserts an account.
func (s *Store) CreateAccount(ctx context.Context, a account.Account, passwordHash string) (_ account.Account, err error) {
	defer wrap(&err, "store.CreateAccount")
	err = s.write(ctx, "account.create", "", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO account (username, password_hash, subdistrict_id, person_id, demo)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, a.Username, passwordHash, a.SubdistrictID, a.PersonID, a.Demo).Scan(&a.ID)
	})
	return a, err
}

// GrantRole inserts a role.
func (s *Store) GrantRole(ctx context.Context, r account.Role) (_ account.Role, err error) {
	defer wrap(&err, "store.GrantRole")
	err = s.write(ctx, "role.grant", "", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO account_role (account_id, kind, scope_id, subdistrict_id) VALUES ($1, $2, $3, $4) RETURNING id`,
			r.AccountID, r.Kind, r.ScopeID, r.SubdistrictID).Scan(&r.ID)
	})
	return r, err
}

// RevokeRole deletes a role.
func (s *Store) RevokeRole(ctx context.Context, id string) (err error) {
	defer wrap(&err, "store.RevokeRole(%q)", id)
	return s.write(ctx, "role.revoke", "", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM account_role WHERE id = $1`, id)
		return err
	})
}

// OtherSubdistrictAdmins counts the enabled accounts, other than the one
// holding role roleID, that administer the sub-district. Inside a
// transaction (InTx) it first locks the sub-district's row, so that
// concurrent revocations of its administrators count one after another: the
// count is a statement of its own, whose snapshot, taken once the lock is
// held, sees what the revocation before it committed.
func (s *Store) OtherSubdistrictAdmins(ctx context.Context, subdistrictID, roleID string) (_ int, err error) {
	defer wrap(&err, "store.OtherSubdistrictAdmins(%q)", subdistrictID)
	var n int
	err = s.read(ctx, func(tx querier) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM subdistrict WHERE id = $1 FOR NO KEY UPDATE`, subdistrictID); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT count(*) FROM account_role r JOIN account a ON a.id = r.account_id
			WHERE r.kind = 'SUBDISTRICT_ADMIN' AND r.subdistrict_id = $1 AND r.id <> $2 AND NOT a.disabled`, subdistrictID, roleID).Scan(&n)
	})
	return n, err
}

// ScopeOf says what kind of record id is (Subdistrict, Committee, Unit or
// Person) and its sub-district, as far as the viewer may see it.
func (s *Store) ScopeOf(ctx context.Context, id string) (_ account.Scope, err error) {
	defer wrap(&err, "store.ScopeOf(%q)", id)
	if !IsUUID(id) {
		return account.Scope{}, problem.ErrNotFound
	}
	var sc account.Scope
	err = s.read(ctx, func(tx querier) error {
		var err error
		sc, err = one(ctx, tx, problem.ErrNotFound, func(v *account.Scope) []any { return []any{&v.Kind, &v.SubdistrictID} },
			`SELECT 'Subdistrict', id FROM subdistrict WHERE id = $1
			 UNION ALL SELECT 'Committee', subdistrict_id FROM committee WHERE id = $1
			 UNION ALL SELECT 'Unit', subdistrict_id FROM unit WHERE id = $1
			 UNION ALL SELECT 'Person', subdistrict_id FROM person WHERE id = $1
			 UNION ALL SELECT 'Grid', subdistrict_id FROM grid WHERE id = $1`, id)
		return err
	})
	return sc, err
}
