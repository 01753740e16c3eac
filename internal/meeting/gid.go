package meeting

import "cogov/internal/gid"

// Global ids: each type answers its own (internal/gid), so the GraphQL
// layer resolves `id` in line instead of through a resolver per object.

// GlobalID is the JointMeeting global id of the record.
func (m *Meeting) GlobalID() string { return gid.Encode("JointMeeting", m.ID) }

// GlobalID is the Invitation global id of the record.
func (i *Invitation) GlobalID() string { return gid.Encode("Invitation", i.ID) }

// GlobalID is the Resolution global id of the record.
func (r *Resolution) GlobalID() string { return gid.Encode("Resolution", r.ID) }
