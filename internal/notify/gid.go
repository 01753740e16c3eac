package notify

import "cogov/internal/gid"

// Global ids: each type answers its own (internal/gid), so the GraphQL
// layer resolves `id` in line instead of through a resolver per object.

// GlobalID is the Notification global id of the record.
func (n *Notification) GlobalID() string { return gid.Encode("Notification", n.ID) }

// GlobalID is the DeliveryChannel global id of the record.
func (c *Channel) GlobalID() string { return gid.Encode("DeliveryChannel", c.ID) }
