package store_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"cogov/internal/booking"
	"cogov/internal/structure"
	"cogov/internal/testworld"
)

// TestFiguresPeriods checks the period arithmetic of the figures, which is
// SQL (SubdistrictStats and Contributions): the days from..to are the
// instants from the first day's midnight to the midnight after the last day
// in the sub-district's time zone, however long its days are; a booking
// counts in the period it starts in, and its hours only inside the period.
// graph's TestFiguresByHand checks every figure of one period end to end.
func TestFiguresPeriods(t *testing.T) {
	t.Parallel()
	w := testworld.New(t)
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	type place struct{ sd, unit, venue, committee string }
	// build makes a sub-district in tz with a unit offering a venue open
	// around the clock, and a committee that books it.
	build := func(code, tz string) place {
		s := w.Structure
		sd, err := s.CreateSubdistrict(w.Sys, structure.NewSubdistrict{Code: code, Name: code, TimeZone: tz})
		w.Must(err)
		c, err := s.CreateCommunity(w.Sys, structure.NewCommunity{SubdistrictID: sd.ID, Code: "c1", Name: "一社区"})
		w.Must(err)
		u, err := s.CreateUnit(w.Sys, structure.NewUnit{SubdistrictID: sd.ID, Name: "单位", Kind: structure.UnitOther})
		w.Must(err)
		k, err := s.CreateCommittee(w.Sys, structure.NewCommittee{SubdistrictID: sd.ID, Name: "支部", Kind: structure.CompoundPartyBranch, CommunityID: &c.ID})
		w.Must(err)
		v, err := w.Bookings.CreateVenue(w.Sys, booking.NewVenue{UnitID: u.ID, CommunityID: c.ID, Name: "厅", Kind: booking.KindHall, Capacity: 100})
		w.Must(err)
		_, err = w.Bookings.SetOpeningHours(w.Sys, v.ID, testworld.AllWeek(0, 24*60), nil)
		w.Must(err)
		return place{sd.ID, u.ID, v.ID, k.ID}
	}
	sh, ny := build("sh", "Asia/Shanghai"), build("ny", "America/New_York")
	// book writes a completed booking as the demo loader does, past the rules.
	book := func(p place, start, end time.Time, came int) {
		t.Helper()
		b := booking.Booking{SubdistrictID: p.sd, VenueID: p.venue, CommitteeID: p.committee, Start: start, End: end, HeldEnd: end,
			Purpose: "活动", ExpectedAttendees: came, Status: booking.Completed, ActualAttendees: &came}
		_, _, err := w.Store.CreateBookings(w.Sys, booking.NewRequest{SubdistrictID: p.sd, VenueID: p.venue, CommitteeID: p.committee,
			Fingerprint: "test"}, []booking.Booking{b}, false)
		w.Must(err)
	}
	local := func(loc *time.Location, y int, m time.Month, d, h int) time.Time {
		return time.Date(y, m, d, h, 0, 0, 0, loc)
	}
	// Shanghai: 2028-02-28 22:00 to 02-29 02:00 (4 h, 3 came) and 02-29
	// 23:00 to 03-01 01:00 (2 h, 5 came).
	book(sh, local(shanghai, 2028, 2, 28, 22), local(shanghai, 2028, 2, 29, 2), 3)
	book(sh, local(shanghai, 2028, 2, 29, 23), local(shanghai, 2028, 3, 1, 1), 5)
	// New York: 2026-03-07 23:00 EST to 03-08 03:00 EDT, 3 h since 02:00
	// does not happen (7 came); 2026-11-01 00:00 EDT to 03:00 EST, 4 h since
	// 01:00–02:00 happens twice (11 came).
	book(ny, local(newYork, 2026, 3, 7, 23), local(newYork, 2026, 3, 8, 3), 7)
	book(ny, local(newYork, 2026, 11, 1, 0), local(newYork, 2026, 11, 1, 3), 11)

	type figures struct {
		OpenHours, BookedHours float64
		Bookings, Attendees    int
		// What the unit's venue hosted: the same figures, by unit.
		HostedHours                  float64
		HostedBookings, HostedPeople int
	}
	day := testworld.Day
	cases := []struct {
		name     string
		at       place
		from, to string
		want     figures
	}{
		{"a day in Shanghai", sh, "2028-02-29", "2028-02-29",
			figures{OpenHours: 24, BookedHours: 2 + 1, Bookings: 1, Attendees: 5, HostedHours: 3, HostedBookings: 1, HostedPeople: 5}},
		{"the day before keeps the booking that starts in it", sh, "2028-02-28", "2028-02-28",
			figures{OpenHours: 24, BookedHours: 2, Bookings: 1, Attendees: 3, HostedHours: 2, HostedBookings: 1, HostedPeople: 3}},
		{"a leap February", sh, "2028-02-01", "2028-02-29",
			figures{OpenHours: 29 * 24, BookedHours: 4 + 1, Bookings: 2, Attendees: 8, HostedHours: 5, HostedBookings: 2, HostedPeople: 8}},
		{"the day after has an hour of a booking and none of its people", sh, "2028-03-01", "2028-03-01",
			figures{OpenHours: 24, BookedHours: 1, HostedHours: 1}},
		{"a year", sh, "2027-01-01", "2027-12-31", figures{OpenHours: 365 * 24}},
		{"New York springs forward: a day of 23 hours", ny, "2026-03-08", "2026-03-08",
			figures{OpenHours: 23, BookedHours: 2, HostedHours: 2}},
		{"the day before in New York", ny, "2026-03-07", "2026-03-07",
			figures{OpenHours: 24, BookedHours: 1, Bookings: 1, Attendees: 7, HostedHours: 1, HostedBookings: 1, HostedPeople: 7}},
		{"New York falls back: a day of 25 hours", ny, "2026-11-01", "2026-11-01",
			figures{OpenHours: 25, BookedHours: 4, Bookings: 1, Attendees: 11, HostedHours: 4, HostedBookings: 1, HostedPeople: 11}},
		{"March in New York loses an hour", ny, "2026-03-01", "2026-03-31",
			figures{OpenHours: 31*24 - 1, BookedHours: 3, Bookings: 1, Attendees: 7, HostedHours: 3, HostedBookings: 1, HostedPeople: 7}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			from, to := day(c.from), day(c.to)
			st, err := w.Store.SubdistrictStats(w.Sys, c.at.sd, from, to)
			if err != nil {
				t.Fatal(err)
			}
			cs, err := w.Store.Contributions(w.Sys, []string{c.at.unit}, from, to)
			if err != nil {
				t.Fatal(err)
			}
			u := cs[c.at.unit]
			got := figures{OpenHours: st.OpenHours, BookedHours: st.BookedHours, Bookings: st.BookingsApproved, Attendees: st.Attendees,
				HostedHours: u.HostedHours, HostedBookings: u.HostedBookings, HostedPeople: u.Attendees}
			if diff := cmp.Diff(c.want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("figures of %s..%s (-want +got):\n%s", c.from, c.to, diff)
			}
		})
	}
}

var shanghai = testworld.Shanghai
