package booking

import "cogov/internal/gid"

// Global ids: each type answers its own (internal/gid), so the GraphQL
// layer resolves `id` in line instead of through a resolver per object.

// GlobalID is the Venue global id of the record.
func (v Venue) GlobalID() string { return gid.Encode("Venue", v.ID) }

// GlobalID is the Closure global id of the record.
func (c *Closure) GlobalID() string { return gid.Encode("Closure", c.ID) }

// GlobalID is the Booking global id of the record.
func (b *Booking) GlobalID() string { return gid.Encode("Booking", b.ID) }

// GlobalID is the WaitlistEntry global id of the record.
func (e WaitEntry) GlobalID() string { return gid.Encode("WaitlistEntry", e.ID) }
