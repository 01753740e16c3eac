package account

import "cogov/internal/gid"

// Global ids: each type answers its own (internal/gid), so the GraphQL
// layer resolves `id` in line instead of through a resolver per object.

// GlobalID is the Account global id of the record.
func (a *Account) GlobalID() string { return gid.Encode("Account", a.ID) }

// GlobalID is the Role global id of the record.
func (r *Role) GlobalID() string { return gid.Encode("Role", r.ID) }
