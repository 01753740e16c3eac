package lists

import "cogov/internal/gid"

// Global ids: each type answers its own (internal/gid), so the GraphQL
// layer resolves `id` in line instead of through a resolver per object.

// GlobalID is the Need global id of the record.
func (n *Need) GlobalID() string { return gid.Encode("Need", n.ID) }

// GlobalID is the Offer global id of the record.
func (o *Offer) GlobalID() string { return gid.Encode("Offer", o.ID) }

// GlobalID is the Project global id of the record.
func (p *Project) GlobalID() string { return gid.Encode("Project", p.ID) }
