package booking

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"cogov/internal/access"
	"cogov/internal/clock"
	"cogov/internal/notify"
	"cogov/internal/page"
	"cogov/internal/problem"
	"cogov/internal/structure"
)

// Schedule is what the service needs to know about a venue over a stretch
// of time to check a booking or draw its calendar.
type Schedule struct {
	Hours      []Hours
	Exceptions []Exception
	Closures   []Closure
	Bookings   []Booking   // PENDING, APPROVED and COMPLETED bookings overlapping the stretch (by held range)
	Waiting    []WaitEntry // WAITING and OFFERED waitlist entries overlapping the stretch, in the order they joined
}

// StoredRequest is a booking request as recorded, for idempotent replays.
type StoredRequest struct {
	ID          string
	Fingerprint string
	Skipped     []Skip
	Bookings    []Booking
}

// Locked is what LockForRequest read under its lock.
type Locked struct {
	Venue      Venue
	VenueFound bool
	Committee  *structure.Committee // nil when there is none
	Prev       *StoredRequest       // the request with the idempotency key, if any
}

// NewRequest is a request to record with its bookings.
type NewRequest struct {
	SubdistrictID, VenueID, CommitteeID string
	IdempotencyKey                      string
	Fingerprint                         string
	Recurring                           bool
	Skipped                             []Skip
	RequestedBy                         *string
	Demo                                bool
}

// VenueUpdate is a change to a venue that Store.UpdateVenue writes in one
// transaction: the venue itself and, when set, its weekly hours, exceptions,
// a closure to add or one to remove.
type VenueUpdate struct {
	Venue           Venue
	Hours           *[]Hours
	Exceptions      *[]Exception
	AddClosure      *Closure
	RemoveClosureID string
}

// VenueUpdated is what UpdateVenue wrote: the venue, a closure it added and
// the bookings that closure hits (now marked affected by it, unless an
// earlier closure already was), and the bookings a removed closure no
// longer hits (no other closure does either: their mark is cleared).
type VenueUpdated struct {
	Venue    Venue
	Closure  *Closure
	Affected []Booking
	Cleared  []Booking
}

// Store is what the service needs from persistence. Writes run in one
// audited transaction each; the update methods lock the records, call apply
// and write the result, and apply's error aborts the transaction.
type Store interface {
	Venue(ctx context.Context, id string) (Venue, error)
	Venues(ctx context.Context, f VenueFilter, p page.Page) (*page.Conn[Venue], error)
	Exceptions(ctx context.Context, venueID string, fromDay, toDay time.Time) ([]Exception, error)
	Closures(ctx context.Context, venueID string, from, to time.Time) ([]Closure, error)
	UnitSubdistrict(ctx context.Context, unitID string) (string, error)
	CommunitySubdistrict(ctx context.Context, communityID string) (string, error)
	CommitteeSubdistricts(ctx context.Context, committeeIDs []string) (map[string]string, error)
	Closure(ctx context.Context, id string) (Closure, error)
	Schedule(ctx context.Context, venueID string, from, to time.Time) (Schedule, error)
	RequestByKey(ctx context.Context, subdistrictID, key string) (StoredRequest, bool, error)

	CreateVenue(ctx context.Context, v Venue) (Venue, error)
	UpdateVenue(ctx context.Context, id, action, note string, apply func(*VenueUpdate) error) (VenueUpdated, error)
	// CreateBookings records a request and its bookings. With skipRaced a
	// booking that a concurrent one beat to the slot is left out and
	// returned in raced; without it the whole request fails with
	// BOOKING_CONFLICT. ErrKeyTaken means the key was used concurrently.
	CreateBookings(ctx context.Context, r NewRequest, bs []Booking, skipRaced bool) (created, raced []Booking, err error)
	// ChangeBookings locks the booking id and, with series, the other
	// bookings of its series; apply changes them in place (the first is the
	// booking id) and those whose state changed are written with the next
	// version; it returns them all as they are now, the booking id first.
	ChangeBookings(ctx context.Context, id string, series bool, action, note string, apply func([]*Booking) error) ([]Booking, error)
	// InTx runs fn with every store call in one transaction.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// InTxAll is InTx for a transaction that fails as a whole when any of
	// its writes fails (fn returns every error): its writes take no
	// savepoint. action is the audit trail's action it begins with.
	InTxAll(ctx context.Context, action string, fn func(ctx context.Context) error) error
	// LockForRequest holds, until the transaction ends, a lock that
	// serializes requests of one committee for one venue, and reads under
	// it the venue, the committee and, when key is not empty, the request
	// of the venue's sub-district with that idempotency key.
	LockForRequest(ctx context.Context, venueID, committeeID, key string) (Locked, error)

	BookingsByID(ctx context.Context, ids []string) (map[string]Booking, error)
	NoShows(ctx context.Context, ids []string, byCommittee bool, from, to time.Time) (map[string]int, error)
	CreateWaitEntry(ctx context.Context, e WaitEntry) (WaitEntry, error)
	// WaitEntries returns the venue's WAITING and OFFERED entries whose
	// window overlaps [from, to), in the order they joined; with lock, locked
	// until the transaction ends.
	WaitEntries(ctx context.Context, venueID string, from, to time.Time, lock bool) ([]WaitEntry, error)
	// ChangeWaitEntry locks an entry, lets apply change it and writes it.
	ChangeWaitEntry(ctx context.Context, id, action string, apply func(*WaitEntry) error) (WaitEntry, error)
}

// Service applies the booking rules.
type Service struct {
	store Store
	// Now tells the time.
	Now clock.Clock
	// Notes, when set, records the notifications of each change in the
	// change's transaction, and queues its timers.
	Notes *notify.Service
	// Reminders are the lead times of reminders before an approved booking;
	// DefaultReminders when nil.
	Reminders []time.Duration
	// OfferHold is how long a freed window is held for the first waiting
	// committee; DefaultOfferHold when zero.
	OfferHold time.Duration
}

// tell notifies an audience about booking b, in the transaction of ctx.
func (s *Service) tell(ctx context.Context, b Booking, kind notify.Kind, to notify.Audience, text string) error {
	return s.Notes.Add(ctx, notify.Note{SubdistrictID: b.SubdistrictID, To: to, Kind: kind, ObjectType: "Booking", ObjectID: b.ID,
		Text: text, Demo: b.Demo})
}

// NewService returns a Service over store that tells the time by now.
func NewService(store Store, now clock.Clock) *Service { return &Service{store: store, Now: now} }

const (
	maxName        = 200
	maxText        = 2000
	maxReason      = 500
	maxFacilities  = 50
	maxPhotos      = 20
	maxWindow      = 62 * 24 * time.Hour
	maxAttendees   = 100000
	maxRangesDay   = 8
	maxExceptions  = 400
	maxIdempotency = 200
)

func forbidden(what string) error { return problem.New(problem.Forbidden, "you may not "+what) }

// notFoundAs turns problem.ErrNotFound into a NOT_FOUND problem on field.
func notFoundAs[T any](v T, err error, field string) (T, error) {
	if errors.Is(err, problem.ErrNotFound) {
		return v, problem.New(problem.NotFound, "no such record", field)
	}
	return v, err
}

// ---- venues ----

// NewVenue is the input of CreateVenue.
type NewVenue struct {
	UnitID, CommunityID string
	Name                string
	Kind                VenueKind
	Address             string
	AreaSqm             *float64
	Capacity            int
	Facilities          []string
	Description         string
	PhotoURLs           []string
	Demo                bool
}

// VenueChanges is the input of UpdateVenue; nil fields stay.
type VenueChanges struct {
	CommunityID *string
	Name        *string
	Kind        *VenueKind
	Address     *string
	AreaSqm     *float64
	Capacity    *int
	Facilities  *[]string
	Description *string
	PhotoURLs   *[]string
	Active      *bool
}

func checkVenue(l *problem.List, v *Venue) {
	v.Name = l.RequireText(v.Name, maxName, "name")
	if !v.Kind.Valid() {
		l.Add(problem.InvalidInput, "unknown venue kind", "kind")
	}
	if len([]rune(v.Address)) > 500 {
		l.Add(problem.InvalidInput, "address is too long", "address")
	}
	if v.AreaSqm != nil && !(*v.AreaSqm > 0 && *v.AreaSqm < 1e7) {
		l.Add(problem.InvalidInput, "areaSqm must be a positive number", "areaSqm")
	}
	if v.Capacity < 1 || v.Capacity > maxAttendees {
		l.Add(problem.InvalidInput, "capacity must be between 1 and 100000", "capacity")
	}
	if len([]rune(v.Description)) > maxText {
		l.Add(problem.InvalidInput, "description is too long", "description")
	}
	v.Facilities = normaliseFacilities(l, v.Facilities)
	if len(v.PhotoURLs) > maxPhotos {
		l.Add(problem.InvalidInput, "at most 20 photos", "photoUrls")
	}
	for _, p := range v.PhotoURLs {
		u, err := url.Parse(p)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(p) > 2000 {
			l.Add(problem.InvalidInput, "a photo must be an http(s) URL", "photoUrls")
			break
		}
	}
	if v.PhotoURLs == nil {
		v.PhotoURLs = []string{}
	}
}

// normaliseFacilities trims, drops blanks and duplicates, so that a filter
// on facilities matches what people typed.
func normaliseFacilities(l *problem.List, in []string) []string {
	out := []string{}
	for _, f := range in {
		f = strings.TrimSpace(f)
		if f == "" || slices.Contains(out, f) {
			continue
		}
		if len([]rune(f)) > 50 {
			l.Add(problem.InvalidInput, "a facility name is at most 50 characters", "facilities")
			continue
		}
		out = append(out, f)
	}
	if len(out) > maxFacilities {
		l.Add(problem.InvalidInput, "at most 50 facilities", "facilities")
	}
	return out
}

// CreateVenue registers a venue offered by a unit; the unit's administrator may.
func (s *Service) CreateVenue(ctx context.Context, in NewVenue) (Venue, error) {
	var l problem.List
	unitSD, err := s.store.UnitSubdistrict(ctx, in.UnitID)
	if errors.Is(err, problem.ErrNotFound) {
		return Venue{}, problem.New(problem.NotFound, "no such unit", "unitId")
	}
	if err != nil {
		return Venue{}, err
	}
	if !access.From(ctx).AdministersUnit(in.UnitID, unitSD) {
		return Venue{}, forbidden("register venues for this unit")
	}
	commSD, err := s.store.CommunitySubdistrict(ctx, in.CommunityID)
	switch {
	case errors.Is(err, problem.ErrNotFound):
		l.Add(problem.NotFound, "no such community", "communityId")
	case err != nil:
		return Venue{}, err
	case commSD != unitSD:
		l.Add(problem.WrongSubdistrict, "the community belongs to another sub-district", "communityId")
	}
	v := Venue{SubdistrictID: unitSD, UnitID: in.UnitID, CommunityID: in.CommunityID, Name: in.Name, Kind: in.Kind,
		Address: strings.TrimSpace(in.Address), AreaSqm: in.AreaSqm, Capacity: in.Capacity, Facilities: in.Facilities,
		Description: strings.TrimSpace(in.Description), PhotoURLs: in.PhotoURLs, Active: true, Rules: DefaultRules(), Demo: in.Demo}
	checkVenue(&l, &v)
	if err := l.Err(); err != nil {
		return Venue{}, err
	}
	return s.store.CreateVenue(ctx, v)
}

// changeVenue runs apply on the venue id after checking the viewer
// administers its unit.
func (s *Service) changeVenue(ctx context.Context, id, action, note string, apply func(*VenueUpdate) error) (VenueUpdated, error) {
	r, err := s.store.UpdateVenue(ctx, id, action, note, func(u *VenueUpdate) error {
		if !access.From(ctx).AdministersUnit(u.Venue.UnitID, u.Venue.SubdistrictID) {
			return forbidden("change this venue")
		}
		return apply(u)
	})
	return notFoundAs(r, err, "venueId")
}

// UpdateVenue changes a venue's description, size or state.
func (s *Service) UpdateVenue(ctx context.Context, id string, in VenueChanges) (Venue, error) {
	r, err := s.changeVenue(ctx, id, "venue.update", "", func(u *VenueUpdate) error {
		var l problem.List
		v := &u.Venue
		if in.CommunityID != nil && *in.CommunityID != v.CommunityID {
			sd, err := s.store.CommunitySubdistrict(ctx, *in.CommunityID)
			switch {
			case errors.Is(err, problem.ErrNotFound):
				l.Add(problem.NotFound, "no such community", "communityId")
			case err != nil:
				return err
			case sd != v.SubdistrictID:
				l.Add(problem.WrongSubdistrict, "the community belongs to another sub-district", "communityId")
			}
			v.CommunityID = *in.CommunityID
		}
		set(&v.Name, in.Name)
		set(&v.Kind, in.Kind)
		set(&v.Address, in.Address)
		set(&v.Capacity, in.Capacity)
		set(&v.Facilities, in.Facilities)
		set(&v.Description, in.Description)
		set(&v.PhotoURLs, in.PhotoURLs)
		set(&v.Active, in.Active)
		if in.AreaSqm != nil {
			v.AreaSqm = in.AreaSqm
		}
		checkVenue(&l, v)
		return l.Err()
	})
	return r.Venue, err
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// DeactivateVenue stops a venue taking bookings; existing bookings stay.
func (s *Service) DeactivateVenue(ctx context.Context, id string) (Venue, error) {
	r, err := s.changeVenue(ctx, id, "venue.deactivate", "", func(u *VenueUpdate) error {
		u.Venue.Active = false
		return nil
	})
	return r.Venue, err
}

// SetOpeningHours replaces a venue's weekly hours and, when exceptions is
// not nil, its dated exceptions.
func (s *Service) SetOpeningHours(ctx context.Context, venueID string, hours []Hours, exceptions *[]Exception) (Venue, error) {
	var l problem.List
	checkHours(&l, hours)
	if exceptions != nil {
		checkExceptions(&l, *exceptions)
	}
	if err := l.Err(); err != nil {
		return Venue{}, err
	}
	r, err := s.changeVenue(ctx, venueID, "venue.hours", "", func(u *VenueUpdate) error {
		u.Hours, u.Exceptions = &hours, exceptions
		return nil
	})
	return r.Venue, err
}

func checkHours(l *problem.List, hours []Hours) {
	perDay := map[int][]Hours{}
	for _, h := range hours {
		if h.Weekday < 1 || h.Weekday > 7 || h.Opens < 0 || h.Opens > 1439 || h.Closes > 1440 || h.Closes <= h.Opens {
			l.Add(problem.InvalidInput, "each range must open before it closes, between 00:00 and 24:00", "weekly")
			return
		}
		for _, o := range perDay[h.Weekday] {
			if h.Opens < o.Closes && o.Opens < h.Closes {
				l.Add(problem.InvalidInput, "ranges of one day must not overlap", "weekly")
				return
			}
		}
		perDay[h.Weekday] = append(perDay[h.Weekday], h)
		if len(perDay[h.Weekday]) > maxRangesDay {
			l.Add(problem.InvalidInput, "at most 8 ranges a day", "weekly")
			return
		}
	}
}

func checkExceptions(l *problem.List, exs []Exception) {
	if len(exs) > maxExceptions {
		l.Add(problem.InvalidInput, "at most 400 exceptions", "exceptions")
		return
	}
	for i := range exs {
		e := &exs[i]
		e.Note = strings.TrimSpace(e.Note)
		if len([]rune(e.Note)) > maxReason {
			l.Add(problem.InvalidInput, "an exception's note is too long", "exceptions")
			return
		}
		if e.Closed {
			if e.Opens != nil || e.Closes != nil {
				l.Add(problem.InvalidInput, "a closed day has no opening range; add a separate exception for special hours", "exceptions")
				return
			}
			continue
		}
		if e.Opens == nil || e.Closes == nil || *e.Opens < 0 || *e.Opens > 1439 || *e.Closes > 1440 || *e.Closes <= *e.Opens {
			l.Add(problem.InvalidInput, "an extra opening needs opens before closes", "exceptions")
			return
		}
	}
}

// SetBookingRules replaces a venue's booking rules.
func (s *Service) SetBookingRules(ctx context.Context, venueID string, r Rules) (Venue, error) {
	var l problem.List
	if r.MinDurationMinutes < 1 || r.MinDurationMinutes > 24*60*7 {
		l.Add(problem.InvalidInput, "minDurationMinutes must be between 1 and 10080", "minDurationMinutes")
	}
	if r.MaxDurationMinutes < r.MinDurationMinutes || r.MaxDurationMinutes > 24*60*7 {
		l.Add(problem.InvalidInput, "maxDurationMinutes must be at least minDurationMinutes and at most 10080", "maxDurationMinutes")
	}
	if r.MinNoticeMinutes < 0 || r.MinNoticeMinutes > 60*24*365 {
		l.Add(problem.InvalidInput, "minNoticeMinutes is out of range", "minNoticeMinutes")
	}
	if r.MaxDaysAhead < 1 || r.MaxDaysAhead > 730 {
		l.Add(problem.InvalidInput, "maxDaysAhead must be between 1 and 730", "maxDaysAhead")
	}
	if r.BufferMinutes < 0 || r.BufferMinutes > 1440 {
		l.Add(problem.InvalidInput, "bufferMinutes must be between 0 and 1440", "bufferMinutes")
	}
	if !r.Eligibility.Valid() {
		l.Add(problem.InvalidInput, "unknown eligibility", "eligibility")
	}
	if r.NoShowGraceMinutes != nil && (*r.NoShowGraceMinutes < 1 || *r.NoShowGraceMinutes > 1440) {
		l.Add(problem.InvalidInput, "noShowGraceMinutes must be between 1 and 1440, or 0 for never", "noShowGraceMinutes")
	}
	if r.WeeklyQuotaMinutes != nil && (*r.WeeklyQuotaMinutes < 1 || *r.WeeklyQuotaMinutes > 7*24*60) {
		l.Add(problem.InvalidInput, "weeklyQuotaHours must be positive and at most a week", "weeklyQuotaHours")
	}
	if r.Eligibility == AllCommittees {
		r.EligibleCommitteeIDs = nil
	}
	r.EligibleCommitteeIDs = slices.Compact(slices.Sorted(slices.Values(r.EligibleCommitteeIDs)))
	if err := l.Err(); err != nil {
		return Venue{}, err
	}
	res, err := s.changeVenue(ctx, venueID, "venue.rules", "", func(u *VenueUpdate) error {
		if len(r.EligibleCommitteeIDs) > 0 {
			sds, err := s.store.CommitteeSubdistricts(ctx, r.EligibleCommitteeIDs)
			if err != nil {
				return err
			}
			for _, id := range r.EligibleCommitteeIDs {
				if sd, ok := sds[id]; !ok {
					return problem.New(problem.NotFound, "no such committee", "eligibleCommitteeIds")
				} else if sd != u.Venue.SubdistrictID {
					return problem.New(problem.WrongSubdistrict, "a committee belongs to another sub-district", "eligibleCommitteeIds")
				}
			}
		}
		u.Venue.Rules = r
		return nil
	})
	return res.Venue, err
}

// AddClosure blacks out a venue for maintenance and reports the bookings
// that hold the venue during it; they stay for the owner to settle.
func (s *Service) AddClosure(ctx context.Context, venueID string, start, end time.Time, reason string) (VenueUpdated, error) {
	var l problem.List
	if !end.After(start) {
		l.Add(problem.InvalidInput, "a closure must end after it starts", "end")
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > maxReason {
		l.Add(problem.InvalidInput, "reason is too long", "reason")
	}
	if err := l.Err(); err != nil {
		return VenueUpdated{}, err
	}
	var out VenueUpdated
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.changeVenue(ctx, venueID, "venue.closure.add", reason, func(u *VenueUpdate) error {
			u.AddClosure = &Closure{SubdistrictID: u.Venue.SubdistrictID, VenueID: u.Venue.ID, Start: start, End: end, Reason: reason}
			return nil
		})
		if err != nil {
			return err
		}
		// The bookings the closure hits are the committees' to move or
		// cancel: each committee hears of it with the closure's reason.
		for _, b := range out.Affected {
			if err := s.tell(ctx, b, notify.BookingAffected, notify.Audience{Committees: []string{b.CommitteeID}}, reason); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// RemoveClosure lifts a blackout. The bookings it hit are no longer
// affected, unless another closure of the venue still hits them; the
// committees of those cleared hear that their booking stands.
func (s *Service) RemoveClosure(ctx context.Context, closureID string) (Venue, error) {
	c, err := s.store.Closure(ctx, closureID)
	if err != nil {
		return notFoundAs(Venue{}, err, "closureId")
	}
	var r VenueUpdated
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		r, err = s.changeVenue(ctx, c.VenueID, "venue.closure.remove", "", func(u *VenueUpdate) error {
			u.RemoveClosureID = closureID
			return nil
		})
		if err != nil {
			return err
		}
		for _, b := range r.Cleared {
			if err := s.tell(ctx, b, notify.ClosureLifted, notify.Audience{Committees: []string{b.CommitteeID}},
				liftedNote(c, r.Venue.Location())); err != nil {
				return err
			}
		}
		return nil
	})
	return r.Venue, err
}

// ---- availability ----

// Availability returns the venue's free/busy slots covering [from, to).
func (s *Service) Availability(ctx context.Context, v Venue, from, to time.Time) ([]Slot, error) {
	if !to.After(from) || to.Sub(from) > maxWindow {
		return nil, problem.New(problem.InvalidInput, "the window must end after it starts and span at most 62 days")
	}
	buffer := time.Duration(v.Rules.BufferMinutes) * time.Minute
	sch, err := s.store.Schedule(ctx, v.ID, from.Add(-buffer), to)
	if err != nil {
		return nil, err
	}
	loc := v.Location()
	open := OpenIntervals(loc, sch.Hours, sch.Exceptions, from, to, false)
	if !v.Active {
		open = nil
	}
	return Slots(from, to, open, closureIntervals(sch.Closures), heldIntervals(sch.Bookings)), nil
}

func closureIntervals(cs []Closure) []Interval {
	out := make([]Interval, len(cs))
	for i, c := range cs {
		out[i] = Interval{c.Start, c.End}
	}
	return out
}

func heldIntervals(bs []Booking) []Interval {
	var out []Interval
	for _, b := range bs {
		if b.Status.Holds() {
			out = append(out, Interval{b.Start, b.HeldEnd})
		}
	}
	return out
}

// fingerprint identifies what a request asks for, to tell a replay from a
// different request under the same idempotency key.
func fingerprint(in Request) string {
	b, _ := json.Marshal(struct {
		V, C, P string
		S, E    int64
		N       int
		R       *Recurrence
		Y       ConflictPolicy
	}{V: in.VenueID, C: in.CommitteeID, P: strings.TrimSpace(in.Purpose), S: in.Start.Unix(), E: in.End.Unix(),
		N: in.ExpectedAttendees, R: in.Recurrence, Y: in.policy()})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func fmtTime(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02 15:04") }
