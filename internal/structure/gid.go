package structure

import "cogov/internal/gid"

// Global ids: each type answers its own (internal/gid), so the GraphQL
// layer resolves `id` in line instead of through a resolver per object.

// GlobalID is the Subdistrict global id of the record.
func (s *Subdistrict) GlobalID() string { return gid.Encode("Subdistrict", s.ID) }

// GlobalID is the Community global id of the record.
func (c *Community) GlobalID() string { return gid.Encode("Community", c.ID) }

// GlobalID is the Grid global id of the record.
func (g *Grid) GlobalID() string { return gid.Encode("Grid", g.ID) }

// GlobalID is the Unit global id of the record.
func (u *Unit) GlobalID() string { return gid.Encode("Unit", u.ID) }

// GlobalID is the Committee global id of the record.
func (c *Committee) GlobalID() string { return gid.Encode("Committee", c.ID) }

// GlobalID is the Person global id of the record.
func (p *Person) GlobalID() string { return gid.Encode("Person", p.ID) }

// GlobalID is the Membership global id of the record.
func (m *Membership) GlobalID() string { return gid.Encode("Membership", m.ID) }
