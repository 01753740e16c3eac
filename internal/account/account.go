// Package account describes who signs in to the platform. It is a stub that
// the booking history needs to name an actor: the accounts issue replaces it
// with the real thing (credentials, sessions, roles).
package account

// Account is a user of the platform as the audit log knows it.
type Account struct {
	ID       string
	Username string
}
