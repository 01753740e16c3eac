package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/internal/booking"
	"cogov/internal/problem"
)

// venueCols needs the venue as v joined with its sub-district as vs (venueFrom).
const venueCols = `v.id, v.subdistrict_id, v.unit_id, v.community_id, vs.time_zone, v.name, v.kind, v.address, v.area_sqm::float8,
	v.capacity, v.facilities, v.description, v.photo_urls, v.active, v.requires_approval, v.min_duration_minutes,
	v.max_duration_minutes, v.min_notice_minutes, v.max_days_ahead, v.buffer_minutes, v.eligibility,
	coalesce((SELECT array_agg(ec.committee_id::text ORDER BY ec.committee_id) FROM venue_eligible_committee ec WHERE ec.venue_id = v.id), '{}'),
	v.weekly_quota_minutes, v.demo, v.no_show_grace_minutes`

const venueFrom = `venue v JOIN subdistrict vs ON vs.id = v.subdistrict_id`

func venueFields(v *booking.Venue) []any {
	r := &v.Rules
	return []any{&v.ID, &v.SubdistrictID, &v.UnitID, &v.CommunityID, &v.TimeZone, &v.Name, &v.Kind, &v.Address, &v.AreaSqm,
		&v.Capacity, &v.Facilities, &v.Description, &v.PhotoURLs, &v.Active, &r.RequiresApproval, &r.MinDurationMinutes,
		&r.MaxDurationMinutes, &r.MinNoticeMinutes, &r.MaxDaysAhead, &r.BufferMinutes, &r.Eligibility,
		&r.EligibleCommitteeIDs, &r.WeeklyQuotaMinutes, &v.Demo, &r.NoShowGraceMinutes}
}

// bookingCols needs the booking as b joined with its venue as bv (bookingFrom).
const bookingCols = `b.id, b.subdistrict_id, b.venue_id, b.committee_id, b.request_id, b.series_id, lower(b.during), upper(b.during),
	upper(b.held), b.purpose, b.expected_attendees, b.status, b.actual_attendees, b.decision_note, b.version, b.requested_by,
	b.created_at, b.demo, bv.unit_id, b.checked_in_at, b.affected_by, b.affected_at`

const bookingFrom = `booking b JOIN venue bv ON bv.id = b.venue_id`

// scheduleBookingCols is bookingCols for bookings of the one venue $1, from
// booking b alone: the venue's unit is a subquery PostgreSQL runs once.
var scheduleBookingCols = strings.Replace(bookingCols, "bv.unit_id", "(SELECT sv.unit_id FROM venue sv WHERE sv.id = $1)", 1)

func bookingFields(b *booking.Booking) []any {
	return []any{&b.ID, &b.SubdistrictID, &b.VenueID, &b.CommitteeID, &b.RequestID, &b.SeriesID, &b.Start, &b.End,
		&b.HeldEnd, &b.Purpose, &b.ExpectedAttendees, &b.Status, &b.ActualAttendees, &b.DecisionNote, &b.Version, &b.RequestedBy,
		&b.CreatedAt, &b.Demo, &b.VenueUnitID, &b.CheckedInAt, &b.AffectedBy, &b.AffectedAt}
}

const closureCols = `c.id, c.subdistrict_id, c.venue_id, lower(c.during), upper(c.during), c.reason, c.demo`

func closureFields(c *booking.Closure) []any {
	return []any{&c.ID, &c.SubdistrictID, &c.VenueID, &c.Start, &c.End, &c.Reason, &c.Demo}
}

func hoursFields(h *booking.Hours) []any { return []any{&h.Weekday, &h.Opens, &h.Closes} }

func exceptionFields(e *booking.Exception) []any {
	return []any{&e.Day, &e.Closed, &e.Opens, &e.Closes, &e.Note}
}

// VenuesByID fetches venues by id.
func (s *Store) VenuesByID(ctx context.Context, ids []string) (_ map[string]booking.Venue, err error) {
	defer wrap(&err, "store.VenuesByID(%d ids)", len(ids))
	return readMap(ctx, s, `SELECT `+venueCols+` FROM `+venueFrom+` WHERE v.id = ANY($1::text[]::uuid[])`, venueFields,
		func(v booking.Venue) string { return v.ID }, okIDs(ids))
}

// Venue fetches one venue.
func (s *Store) Venue(ctx context.Context, id string) (_ booking.Venue, err error) {
	defer wrap(&err, "store.Venue(%q)", id)
	m, err := s.VenuesByID(ctx, []string{id})
	return pick(m, err, id, problem.ErrNotFound)
}

// BookingsByID fetches bookings by id.
func (s *Store) BookingsByID(ctx context.Context, ids []string) (_ map[string]booking.Booking, err error) {
	defer wrap(&err, "store.BookingsByID(%d ids)", len(ids))
	return readMap(ctx, s, `SELECT `+bookingCols+` FROM `+bookingFrom+` WHERE b.id = ANY($1::text[]::uuid[])`, bookingFields,
		func(b booking.Booking) string { return b.ID }, okIDs(ids))
}

type idSD struct{ ID, SD string }

func idSDFields(v *idSD) []any { return []any{&v.ID, &v.SD} }

func (s *Store) subdistrictsOf(ctx context.Context, table string, ids []string) (map[string]string, error) {
	m, err := readMap(ctx, s, `SELECT id, subdistrict_id FROM `+table+` WHERE id = ANY($1::text[]::uuid[])`, idSDFields,
		func(v idSD) string { return v.ID }, okIDs(ids))
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v.SD
	}
	return out, err
}

// UnitSubdistrict returns the sub-district of a unit.
func (s *Store) UnitSubdistrict(ctx context.Context, id string) (_ string, err error) {
	defer wrap(&err, "store.UnitSubdistrict(%q)", id)
	m, err := s.subdistrictsOf(ctx, "unit", []string{id})
	return pick(m, err, id, problem.ErrNotFound)
}

// CommunitySubdistrict returns the sub-district of a community.
func (s *Store) CommunitySubdistrict(ctx context.Context, id string) (_ string, err error) {
	defer wrap(&err, "store.CommunitySubdistrict(%q)", id)
	m, err := s.subdistrictsOf(ctx, "community", []string{id})
	return pick(m, err, id, problem.ErrNotFound)
}

// CommitteeSubdistricts returns the sub-district of each committee that exists.
func (s *Store) CommitteeSubdistricts(ctx context.Context, ids []string) (_ map[string]string, err error) {
	defer wrap(&err, "store.CommitteeSubdistricts(%d ids)", len(ids))
	return s.subdistrictsOf(ctx, "committee", ids)
}

// Closure fetches one closure.
func (s *Store) Closure(ctx context.Context, id string) (_ booking.Closure, err error) {
	defer wrap(&err, "store.Closure(%q)", id)
	m, err := s.ClosuresByID(ctx, []string{id})
	return pick(m, err, id, problem.ErrNotFound)
}

// ClosuresByID fetches closures by id.
func (s *Store) ClosuresByID(ctx context.Context, ids []string) (_ map[string]booking.Closure, err error) {
	defer wrap(&err, "store.ClosuresByID(%d ids)", len(ids))
	return readMap(ctx, s, `SELECT `+closureCols+` FROM venue_closure c WHERE c.id = ANY($1::text[]::uuid[])`, closureFields,
		func(c booking.Closure) string { return c.ID }, okIDs(ids))
}

// HoursOf fetches the weekly hours of each venue, by weekday and time.
func (s *Store) HoursOf(ctx context.Context, venueIDs []string) (_ map[string][]booking.Hours, err error) {
	defer wrap(&err, "store.HoursOf(%d venueIDs)", len(venueIDs))
	type row struct {
		venue string
		h     booking.Hours
	}
	out := map[string][]booking.Hours{}
	err = s.read(ctx, func(tx querier) error {
		rows, err := collect(ctx, tx, func(r *row) []any { return append([]any{&r.venue}, hoursFields(&r.h)...) },
			`SELECT venue_id, weekday, opens_min, closes_min FROM venue_hours WHERE venue_id = ANY($1::text[]::uuid[])
			ORDER BY venue_id, weekday, opens_min`, okIDs(venueIDs))
		for _, r := range rows {
			out[r.venue] = append(out[r.venue], r.h)
		}
		return err
	})
	return out, err
}

// Exceptions fetches a venue's dated exceptions between two days, inclusive.
func (s *Store) Exceptions(ctx context.Context, venueID string, fromDay, toDay time.Time) (_ []booking.Exception, err error) {
	defer wrap(&err, "store.Exceptions(%q)", venueID)
	var out []booking.Exception
	err = s.read(ctx, func(tx querier) error {
		var err error
		out, err = collect(ctx, tx, exceptionFields, `SELECT day, closed, opens_min, closes_min, note FROM venue_exception
			WHERE venue_id = $1 AND day BETWEEN $2::date AND $3::date ORDER BY day, closed DESC, opens_min`, venueID, fromDay, toDay)
		return err
	})
	return out, err
}

// Closures fetches a venue's closures that overlap [from, to).
func (s *Store) Closures(ctx context.Context, venueID string, from, to time.Time) (_ []booking.Closure, err error) {
	defer wrap(&err, "store.Closures(%q)", venueID)
	var out []booking.Closure
	err = s.read(ctx, func(tx querier) error {
		var err error
		out, err = collect(ctx, tx, closureFields, `SELECT `+closureCols+` FROM venue_closure c
			WHERE c.venue_id = $1 AND c.during && tstzrange($2, $3) ORDER BY lower(c.during)`, venueID, from, to)
		return err
	})
	return out, err
}

// Schedule reads what decides whether a venue can be booked in [from, to):
// its hours, the exceptions of the days around, its closures and the
// bookings whose held range overlaps (all through indexes on venue_id).
func (s *Store) Schedule(ctx context.Context, venueID string, from, to time.Time) (_ booking.Schedule, err error) {
	defer wrap(&err, "store.Schedule(%q)", venueID)
	var sch booking.Schedule
	// Days are local; two days of margin cover any time zone.
	const hoursSQL = `SELECT weekday, opens_min, closes_min FROM venue_hours WHERE venue_id = $1`
	const exceptionsSQL = `SELECT day, closed, opens_min, closes_min, note FROM venue_exception
			WHERE venue_id = $1 AND day BETWEEN ($2::timestamptz AT TIME ZONE 'UTC')::date - 2 AND ($3::timestamptz AT TIME ZONE 'UTC')::date + 2`
	const closuresSQL = `SELECT ` + closureCols + ` FROM venue_closure c WHERE c.venue_id = $1 AND c.during && tstzrange($2, $3)`
	// Every booking here is of venue $1: its unit is read once (an InitPlan)
	// rather than joined per row, which a generic plan did as a scan of venue
	// per booking — 37 venue rows read for each booking of the week, most of
	// a booking request's PostgreSQL time at 50 bookings a venue-week.
	bookingsSQL := `SELECT ` + scheduleBookingCols + ` FROM booking b
			WHERE b.venue_id = $1 AND b.held && tstzrange($2, $3) AND b.status IN ('PENDING', 'APPROVED', 'COMPLETED')
			ORDER BY lower(b.during)`
	err = s.read(ctx, func(tx querier) error {
		var err error
		if bq, ok := tx.(batcher); ok {
			// In a transaction (a booking request's) or a read session: the
			// four statements in one round trip.
			b := &pgx.Batch{}
			b.Queue(hoursSQL, venueID)
			b.Queue(exceptionsSQL, venueID, from, to)
			b.Queue(closuresSQL, venueID, from, to)
			b.Queue(bookingsSQL, venueID, from, to)
			b.Queue(waitingSQL, venueID, from, to)
			br := bq.SendBatch(ctx, b)
			defer br.Close()
			rows, err := br.Query()
			if sch.Hours, err = collectRows(rows, err, hoursFields); err != nil {
				return err
			}
			rows, err = br.Query()
			if sch.Exceptions, err = collectRows(rows, err, exceptionFields); err != nil {
				return err
			}
			rows, err = br.Query()
			if sch.Closures, err = collectRows(rows, err, closureFields); err != nil {
				return err
			}
			rows, err = br.Query()
			if sch.Bookings, err = collectRows(rows, err, bookingFields); err != nil {
				return err
			}
			rows, err = br.Query()
			if sch.Waiting, err = collectRows(rows, err, waitFields); err != nil {
				return err
			}
			return br.Close()
		}
		if sch.Hours, err = collect(ctx, tx, hoursFields, hoursSQL, venueID); err != nil {
			return err
		}
		if sch.Exceptions, err = collect(ctx, tx, exceptionFields, exceptionsSQL, venueID, from, to); err != nil {
			return err
		}
		if sch.Closures, err = collect(ctx, tx, closureFields, closuresSQL, venueID, from, to); err != nil {
			return err
		}
		if sch.Bookings, err = collect(ctx, tx, bookingFields, bookingsSQL, venueID, from, to); err != nil {
			return err
		}
		sch.Waiting, err = collect(ctx, tx, waitFields, waitingSQL, venueID, from, to)
		return err
	})
	if err != nil {
		return sch, fmt.Errorf("schedule: %w", err)
	}
	return sch, nil
}

// RequestByKey finds the request recorded under an idempotency key, with
// its bookings as they now are.
func (s *Store) RequestByKey(ctx context.Context, subdistrictID, key string) (_ booking.StoredRequest, _ bool, err error) {
	defer wrap(&err, "store.RequestByKey(%q)", subdistrictID)
	var r booking.StoredRequest
	found := false
	err = s.read(ctx, func(tx querier) error {
		var err error
		found, r, err = requestByKey(ctx, tx, subdistrictID, key)
		return err
	})
	return r, found, err
}

func requestByKey(ctx context.Context, tx querier, sd, key string) (bool, booking.StoredRequest, error) {
	var r booking.StoredRequest
	var skipped []byte
	err := tx.QueryRow(ctx, `SELECT id, fingerprint, skipped FROM booking_request WHERE subdistrict_id = $1 AND idempotency_key = $2`,
		sd, key).Scan(&r.ID, &r.Fingerprint, &skipped)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, r, nil
	}
	if err != nil {
		return false, r, err
	}
	if err := json.Unmarshal(skipped, &r.Skipped); err != nil {
		return false, r, fmt.Errorf("skipped of request %s: %w", r.ID, err)
	}
	r.Bookings, err = requestBookings(ctx, tx, r.ID)
	return true, r, err
}

// requestBookings are the bookings of request id, in time order.
func requestBookings(ctx context.Context, q querier, id string) ([]booking.Booking, error) {
	return collect(ctx, q, bookingFields, `SELECT `+bookingCols+` FROM `+bookingFrom+` WHERE b.request_id = $1
		ORDER BY lower(b.during)`, id)
}

// VenueFilter is what the venue directory looks for (booking.VenueFilter).
type VenueFilter = booking.VenueFilter

// venueSearch returns the list of the venue directory for f.
func venueSearch(f VenueFilter) listSpec[booking.Venue] {
	var fb filterBuilder
	var with string
	if !f.IncludeInactive {
		fb.conds = append(fb.conds, "v.active")
	}
	if f.SubdistrictID != "" {
		fb.add("v.subdistrict_id = %s::uuid", f.SubdistrictID)
	}
	if f.CommunityID != "" {
		fb.add("v.community_id = %s::uuid", f.CommunityID)
	}
	if f.UnitID != "" {
		fb.add("v.unit_id = %s::uuid", f.UnitID)
	}
	if f.MinCapacity > 0 {
		fb.add("v.capacity >= %s", f.MinCapacity)
		if f.MinCapacity < 1e7 {
			// The same bound on the order (venueSort pads capacities to
			// seven digits), so that the search starts in the order index
			// at the first venue that holds enough people.
			fb.add("("+venueSort+`) COLLATE "C" >= lpad(%s::int::text, 7, '0')`, f.MinCapacity)
		}
	}
	if f.MinAreaSqm > 0 {
		fb.add("v.area_sqm >= %s", f.MinAreaSqm)
	}
	if len(f.Facilities) > 0 {
		fb.add("v.facilities @> %s::text[]", f.Facilities)
	}
	if f.Text != "" {
		fb.add("(strpos(lower(v.name), lower(%[1]s)) > 0 OR strpos(lower(v.address), lower(%[1]s)) > 0)", f.Text)
	}
	if !f.AvailableFrom.IsZero() {
		fb.args = append(fb.args, f.AvailableFrom, f.AvailableTo)
		from, to := fmt.Sprintf("$%d::timestamptz", 3+len(fb.args)), fmt.Sprintf("$%d::timestamptz", 4+len(fb.args))
		w := `tstzrange(` + from + `, ` + to + `)`
		// Free: no holding booking within the window widened by the
		// buffer a new booking would take — no booking whose reach (its
		// held range widened at the start by the venue's buffer,
		// migration 00020) overlaps the window. The venues taken are one
		// probe of venue_busy_reach_idx, taken once for the page and its
		// count (the CTE busy) and hashed (PostgreSQL's hashed SubPlan),
		// so a candidate venue costs a hash lookup, not an index probe.
		//
		// Open and not closed: inside the horizon its sub-district keeps
		// (migration 00022), no venue_shut row of the venue overlaps the
		// window — again one probe, hashed once. Outside it (the past, or
		// beyond venue_shut_days) the weekly hours, dated exceptions and
		// closures themselves.
		with = `busy AS MATERIALIZED (SELECT b.venue_id FROM venue_busy b WHERE b.reach && ` + w + `)`
		fb.conds = append(fb.conds,
			`v.id NOT IN (SELECT venue_id FROM busy)`,
			`CASE WHEN v.subdistrict_id IN (SELECT k.subdistrict_id FROM venue_shut_kept k WHERE k.covered @> `+w+`)
			THEN v.id NOT IN (SELECT o.venue_id FROM venue_shut o WHERE o.during && `+w+`)
			ELSE v.id NOT IN (SELECT c.venue_id FROM venue_closure c WHERE c.during && `+w+`)
				AND (`+openFast(from, to)+` OR venue_open_hours(v.id, `+from+`, `+to+`, vs.time_zone) @> `+w+`) END`)
	}
	return listSpec[booking.Venue]{cols: venueCols, from: venueFrom, parent: "'" + noParent + "'::uuid",
		// The smallest venue that fits first, then by name.
		sort: venueSort, id: "v.id", where: fb.where(), with: with, args: fb.args, fields: venueFields}
}

// venueSort orders the venue directory: the smallest venue that fits first,
// then by name (the index venue_order_idx, migration 00012).
const venueSort = "lpad(v.capacity::text, 7, '0') || v.name"

// VenueCountCap is where the venue directory stops counting the matches of
// a search with an availability window: each match costs index probes of
// its own, so an exact count would grow with the city. The schema's
// VenueConnection.totalCount says so.
const VenueCountCap = 200

// openFast is a cheap sufficient condition for a venue being open for the
// whole window: the window lies within one local day that has no closed
// exception, inside one weekly range or one extra opening of that day. Most
// searches ask for such windows; the others fall through to
// venue_open_hours, which merges ranges across days and exceptions.
func openFast(from, to string) string {
	lf := `(` + from + ` AT TIME ZONE vs.time_zone)`
	lt := `(` + to + ` AT TIME ZONE vs.time_zone)`
	fm := `(extract(epoch FROM ` + lf + ` - date_trunc('day', ` + lf + `)) / 60)`
	tm := `(CASE WHEN ` + lt + `::date > ` + lf + `::date THEN 1440 ELSE extract(epoch FROM ` + lt + ` - date_trunc('day', ` + lt + `)) / 60 END)`
	sameDay := `(` + lt + `::date = ` + lf + `::date OR (` + lt + ` = date_trunc('day', ` + lt + `) AND ` + lt + `::date = ` + lf + `::date + 1))`
	return `(` + sameDay + `
		AND NOT EXISTS (SELECT 1 FROM venue_exception e WHERE e.venue_id = v.id AND e.day = ` + lf + `::date AND e.closed)
		AND (EXISTS (SELECT 1 FROM venue_hours h WHERE h.venue_id = v.id AND h.weekday = extract(isodow FROM ` + lf + `)::int
				AND h.opens_min <= ` + fm + ` AND h.closes_min >= ` + tm + `)
			OR EXISTS (SELECT 1 FROM venue_exception e WHERE e.venue_id = v.id AND e.day = ` + lf + `::date AND NOT e.closed
				AND e.opens_min <= ` + fm + ` AND e.closes_min >= ` + tm + `)))`
}

// Venues lists the venue directory.
func (s *Store) Venues(ctx context.Context, f VenueFilter, p Page) (_ *Conn[booking.Venue], err error) {
	defer wrap(&err, "store.Venues")
	spec := venueSearch(f)
	if f.AvailableFrom.IsZero() {
		m, err := runList(ctx, s, spec, []string{noParent}, p)
		if err != nil {
			return nil, err
		}
		return orEmpty(m[noParent]), nil
	}
	var c *Conn[booking.Venue]
	err = s.read(ctx, func(tx querier) error {
		var err error
		c, err = topList(ctx, tx, spec, p, VenueCountCap)
		return err
	})
	return c, err
}

// BookingParent says what a list of bookings is listed under.
type BookingParent int

// Booking list parents.
const (
	BookingsOfVenue     BookingParent = iota // Venue.bookings
	BookingsOfCommittee                      // Committee.bookings
	BookingsOfUnit                           // Unit.bookingRequests: the bookings of the unit's venues
)

// BookingFilter narrows the bookings of a venue, committee or unit: a
// window, statuses and what the viewer may see (booking.ScopeAt).
type BookingFilter struct {
	From, To time.Time     // zero for no bound
	Scope    booking.Scope // which bookings the viewer may see
	By       BookingParent // what the list is under
	Statuses string        // comma-separated statuses; "" for all (a string, so that the filter can key a batch)
}

// Bookings lists the bookings of each venue (or committee, or unit), by start time.
func (s *Store) Bookings(ctx context.Context, parents []string, f BookingFilter, p Page) (_ map[string]*Conn[booking.Booking], err error) {
	defer wrap(&err, "store.Bookings(%d parents)", len(parents))
	var fb filterBuilder
	if !f.From.IsZero() && !f.To.IsZero() {
		fb.args = append(fb.args, f.From, f.To)
		fb.conds = append(fb.conds, fmt.Sprintf("b.during && tstzrange($%d::timestamptz, $%d::timestamptz)", 3+len(fb.args), 4+len(fb.args)))
	}
	if !f.Scope.All {
		var ids []string
		if f.Scope.Committees != "" {
			ids = okIDs(strings.Split(f.Scope.Committees, ","))
		}
		fb.add("b.committee_id = ANY(%s::text[]::uuid[])", ids)
	}
	if f.Statuses != "" {
		fb.add("b.status = ANY(%s::text[])", strings.Split(f.Statuses, ","))
	}
	parent := "b.venue_id"
	switch f.By {
	case BookingsOfCommittee:
		parent = "b.committee_id"
	case BookingsOfUnit:
		parent = "bv.unit_id"
	}
	return runList(ctx, s, listSpec[booking.Booking]{cols: bookingCols, from: bookingFrom, parent: parent,
		sort: "to_char(lower(b.during) AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISS')", id: "b.id", where: fb.where(), args: fb.args,
		fields: bookingFields}, okIDs(parents), p)
}

// CalendarBookings returns the approved and completed bookings of a venue
// (or, with byCommittee, of a committee) in [from, to), by start.
func (s *Store) CalendarBookings(ctx context.Context, id string, byCommittee bool, from, to time.Time) (_ []booking.Booking, err error) {
	defer wrap(&err, "store.CalendarBookings(%q)", id)
	col := "b.venue_id"
	if byCommittee {
		col = "b.committee_id"
	}
	var out []booking.Booking
	err = s.read(ctx, func(tx querier) error {
		var err error
		out, err = collect(ctx, tx, bookingFields, `SELECT `+bookingCols+` FROM `+bookingFrom+` WHERE `+col+` = $1
			AND b.status IN ('APPROVED', 'COMPLETED') AND b.during && tstzrange($2, $3) ORDER BY lower(b.during)`, id, from, to)
		return err
	})
	return out, err
}

// BookingHistory returns the audit trail of each booking, oldest first.
func (s *Store) BookingHistory(ctx context.Context, bookingIDs []string) (_ map[string][]booking.Event, err error) {
	defer wrap(&err, "store.BookingHistory(%d bookingIDs)", len(bookingIDs))
	out := map[string][]booking.Event{}
	err = s.read(ctx, func(tx querier) error {
		evs, err := collect(ctx, tx, func(e *booking.Event) []any {
			return []any{&e.BookingID, &e.At, &e.Action, &e.Note, &e.ActorID, &e.ActorLabel, &e.SubjectType}
		}, `SELECT entity_id, at, action, note, actor_id, actor_label, entity_type FROM audit_log
			WHERE entity_id = ANY($1::text[]::uuid[]) AND entity_type = 'booking' ORDER BY id`, okIDs(bookingIDs))
		for _, e := range evs {
			out[e.BookingID] = append(out[e.BookingID], e)
		}
		return err
	})
	return out, err
}

// The store is the booking service's persistence.
var _ booking.Store = (*Store)(nil)

// BookingsOfSeries fetches the bookings of each series, by start time.
func (s *Store) BookingsOfSeries(ctx context.Context, seriesIDs []string) (_ map[string][]booking.Booking, err error) {
	defer wrap(&err, "store.BookingsOfSeries(%d seriesIDs)", len(seriesIDs))
	out := map[string][]booking.Booking{}
	err = s.read(ctx, func(tx querier) error {
		bs, err := collect(ctx, tx, bookingFields, `SELECT `+bookingCols+` FROM `+bookingFrom+` WHERE b.series_id = ANY($1::text[]::uuid[])
			ORDER BY lower(b.during)`, okIDs(seriesIDs))
		for _, b := range bs {
			out[*b.SeriesID] = append(out[*b.SeriesID], b)
		}
		return err
	})
	return out, err
}
