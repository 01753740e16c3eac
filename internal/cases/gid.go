package cases

import "cogov/internal/gid"

// Global ids: each type answers its own (internal/gid), so the GraphQL
// layer resolves `id` in line instead of through a resolver per object.

// GlobalID is the Case global id of the record.
func (c Case) GlobalID() string { return gid.Encode("Case", c.ID) }

// GlobalID is the CaseCategory global id of the record.
func (c *Category) GlobalID() string { return gid.Encode("CaseCategory", c.ID) }

// GlobalID is the Mediation global id of the record.
func (m *Mediation) GlobalID() string { return gid.Encode("Mediation", m.ID) }

// GlobalID is the IntakeKey global id of the record.
func (i *IntakeKey) GlobalID() string { return gid.Encode("IntakeKey", i.ID) }
