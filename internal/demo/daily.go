package demo

import (
	"context"
	"fmt"

	"cogov/internal/booking"
	"cogov/internal/clock"
	"cogov/internal/notify"
	"cogov/internal/store"
)

// loadDaily gives the demo accounts their daily loop, once they exist:
// hnig-admin is told of each pending request for the 2,000 m² space (they
// are in its inbox anyway) and the committees of its approved bookings of
// the approvals; the committee of community 5 waits for the first approved
// window there. It runs in LoadAccounts' transaction.
func loadDaily(ctx context.Context, st *store.Store, unitID string, party map[string]string) error {
	bs, err := st.Bookings(ctx, []string{unitID}, store.BookingFilter{Scope: booking.Scope{All: true}, By: store.BookingsOfUnit,
		Statuses: "APPROVED,PENDING"}, store.Page{First: store.MaxPage})
	if err != nil {
		return err
	}
	c := bs[unitID]
	if c == nil || len(c.Items) == 0 {
		return fmt.Errorf("no bookings of the demo unit")
	}
	now, err := st.Now(ctx)
	if err != nil {
		return err
	}
	notes := notify.NewService(st, clock.Fixed(now))
	var waitFor *booking.Booking
	for i, b := range c.Items {
		n := notify.Note{SubdistrictID: b.SubdistrictID, Kind: notify.BookingRequested, ObjectType: "Booking", ObjectID: b.ID, Text: b.Purpose, Demo: true,
			To: notify.Audience{Units: []string{unitID}}}
		if b.Status == booking.Approved {
			n.Kind, n.Text, n.To = notify.BookingApproved, b.DecisionNote, notify.Audience{Committees: []string{b.CommitteeID}}
			if waitFor == nil && b.CommitteeID != party["c05"] && b.Start.After(now.Add(booking.DefaultOfferHold)) {
				waitFor = &c.Items[i]
			}
		}
		if err := notes.Add(ctx, n); err != nil {
			return err
		}
	}
	if waitFor == nil {
		return nil
	}
	svc := booking.NewService(st, clock.Fixed(now))
	_, err = svc.JoinWaitlist(ctx, booking.WaitRequest{VenueID: waitFor.VenueID, CommitteeID: party["c05"], Start: waitFor.Start,
		End: waitFor.End, Purpose: "社区文艺汇演", ExpectedAttendees: 120, Demo: true})
	if err != nil {
		return fmt.Errorf("demo waitlist entry: %w", err)
	}
	return nil
}
