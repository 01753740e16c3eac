package graph_test

// The rows of the authorization matrix for the daily loop. Any signed-in
// account marks its own notifications read (only its own: TestNotifications);
// a unit's delivery channels are its administrators' (and the sub-district's).

const dailyOps = `
mutation MarkNotificationsRead($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) { markedCount unreadCount userErrors { code field message } } }
mutation AddDeliveryChannel($input: AddDeliveryChannelInput!) { addDeliveryChannel(input: $input) { channel { id kind target } secret userErrors { code field message } } }
mutation RemoveDeliveryChannel($input: RemoveDeliveryChannelInput!) { removeDeliveryChannel(input: $input) { removedChannelId userErrors { code field message } } }
`

var signedIn = []matrixRole{rolePlatform, roleSubdistrict, roleOtherSD, roleCommitteeAdmin, roleUnitAdmin, roleMember}

func init() {
	mutationDoc += dailyOps
	rows := map[string]matrixCase{
		"markNotificationsRead": {allowed: signedIn, input: func(m *matrixEnv) map[string]any { return map[string]any{"all": true} }},
		"addDeliveryChannel": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any {
			return map[string]any{"ownerId": m.unit, "kind": "WEBHOOK", "target": "https://hooks.example.org/" + m.unique("h")}
		}},
		"removeDeliveryChannel": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any {
			p := m.e.system().payload(dailyOps, "AddDeliveryChannel", map[string]any{"ownerId": m.unit, "kind": "WECOM",
				"target": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + m.unique("k")})
			return map[string]any{"channelId": p["channel"].(map[string]any)["id"]}
		}},
	}
	for k, v := range rows {
		matrix[k] = v
	}
}
