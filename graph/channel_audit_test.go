package graph_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// TestDeliveryChannelAudit: adding and removing a delivery channel is
// recorded in the audit log, with the webhook's secret as a fingerprint
// only: the secret appears nowhere in the audit log, and the sub-district's
// administrator reads both changes (who, what, the fingerprint) as
// Subdistrict.deliveryChannelChanges, which others read empty.
func TestDeliveryChannelAudit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	street := e.signIn("street-admin", "cogov-demo")
	d := lookupDemo(t, street)
	unit, _ := hnigVenue(t, street)
	h := e.signIn("hnig-admin", "cogov-demo")

	p := h.payload(dailyOps, "AddDeliveryChannel", map[string]any{"ownerId": unit, "kind": "WEBHOOK", "target": "https://hooks.example.org/audit"})
	if len(errCodes(p)) != 0 {
		t.Fatalf("addDeliveryChannel: %v", p)
	}
	secret, _ := p["secret"].(string)
	channel := p["channel"].(map[string]any)["id"].(string)
	if len(secret) < 32 {
		t.Fatalf("secret %q", secret)
	}
	if p := h.payload(dailyOps, "RemoveDeliveryChannel", map[string]any{"channelId": channel}); len(errCodes(p)) != 0 {
		t.Fatalf("removeDeliveryChannel: %v", p)
	}

	var rows, leaks int
	e.sysScan(`SELECT count(*) FILTER (WHERE entity_type = 'delivery_channel'),
		count(*) FILTER (WHERE strpos(coalesce(before::text, '') || coalesce(after::text, '') || note, '`+secret+`') > 0)
		FROM audit_log`, &rows, &leaks)
	if rows != 2 || leaks != 0 {
		t.Errorf("audit log: %d rows of delivery channels, %d holding the secret", rows, leaks)
	}

	sum := sha256.Sum256([]byte(secret))
	fingerprint := "sha256:" + hex.EncodeToString(sum[:])[:12]
	const q = `query($id: ID!) { node(id: $id) { ... on Subdistrict { deliveryChannelChanges(first: 10) { totalCount edges { node {
		action channelId kind target secretFingerprint actor { username } owner { id } } } } } } }`
	type change struct {
		Action            string  `json:"action"`
		ChannelID         string  `json:"channelId"`
		Kind              string  `json:"kind"`
		Target            string  `json:"target"`
		SecretFingerprint *string `json:"secretFingerprint"`
		Actor             *struct {
			Username string `json:"username"`
		} `json:"actor"`
		Owner struct {
			ID string `json:"id"`
		} `json:"owner"`
	}
	var out struct {
		Node struct {
			DeliveryChannelChanges struct {
				TotalCount int `json:"totalCount"`
				Edges      []struct {
					Node change `json:"node"`
				} `json:"edges"`
			} `json:"deliveryChannelChanges"`
		} `json:"node"`
	}
	street.do(q, map[string]any{"id": d.sd}, &out)
	cs := out.Node.DeliveryChannelChanges
	if cs.TotalCount != 2 || len(cs.Edges) != 2 {
		t.Fatalf("deliveryChannelChanges: %+v", cs)
	}
	for i, action := range []string{"channel.remove", "channel.add"} { // the latest first
		c := cs.Edges[i].Node
		if c.Action != action || c.ChannelID != channel || c.Kind != "WEBHOOK" || c.Target != "https://hooks.example.org/audit" ||
			c.SecretFingerprint == nil || *c.SecretFingerprint != fingerprint || c.Actor == nil || c.Actor.Username != "hnig-admin" || c.Owner.ID != unit {
			t.Errorf("change %d: %+v (fingerprint %v, want %s)", i, c, c.SecretFingerprint, fingerprint)
		}
	}
	raw := street.post(q, map[string]any{"id": d.sd})
	if strings.Contains(string(raw.Data), secret) {
		t.Error("the secret is in the answer")
	}
	var other struct {
		Node struct {
			DeliveryChannelChanges struct {
				TotalCount int `json:"totalCount"`
			} `json:"deliveryChannelChanges"`
		} `json:"node"`
	}
	h.do(q, map[string]any{"id": d.sd}, &other)
	if other.Node.DeliveryChannelChanges.TotalCount != 0 {
		t.Errorf("a unit's administrator reads %d channel changes", other.Node.DeliveryChannelChanges.TotalCount)
	}
}
