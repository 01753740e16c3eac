package structure

import (
	"context"
	"errors"
	"regexp"
	"time"

	"cogov/internal/access"
	"cogov/internal/clock"
	"cogov/internal/page"
	"cogov/internal/problem"
)

// Store is what the service needs from persistence. Update methods load the
// record, lock it, call apply and write the result, all in one transaction
// that also records the change in the audit log; apply's error aborts it.
type Store interface {
	Subdistrict(ctx context.Context, id string) (Subdistrict, error)
	SubdistrictByCode(ctx context.Context, code string) (Subdistrict, error)
	Subdistricts(ctx context.Context, p page.Page) (*page.Conn[Subdistrict], error)
	Community(ctx context.Context, id string) (Community, error)
	Unit(ctx context.Context, id string) (Unit, error)
	Committee(ctx context.Context, id string) (Committee, error)
	Person(ctx context.Context, id string) (Person, error)
	People(ctx context.Context, ids []string) ([]Person, error)

	CreateSubdistrict(ctx context.Context, s Subdistrict) (Subdistrict, error)
	UpdateSubdistrict(ctx context.Context, id string, apply func(*Subdistrict) error) (Subdistrict, error)
	CreateCommunity(ctx context.Context, c Community) (Community, error)
	UpdateCommunity(ctx context.Context, id string, apply func(*Community) error) (Community, error)
	CreateGrid(ctx context.Context, g Grid, staff []GridStaff) (Grid, error)
	UpdateGrid(ctx context.Context, id string, apply func(*Grid) (StaffUpdate, error)) (Grid, error)
	CreateUnit(ctx context.Context, u Unit) (Unit, error)
	UpdateUnit(ctx context.Context, id string, apply func(*Unit) error) (Unit, error)
	CreateCommittee(ctx context.Context, c Committee) (Committee, error)
	UpdateCommittee(ctx context.Context, id string, apply func(*Committee) error) (Committee, error)
	CreatePerson(ctx context.Context, p Person) (Person, error)
	UpdatePerson(ctx context.Context, id string, apply func(*Person) error) (Person, error)
	CreateMembership(ctx context.Context, m Membership) (Membership, error)
	UpdateMembership(ctx context.Context, id string, apply func(*Membership) error) (Membership, error)
}

// Service applies the structure's rules to changes.
type Service struct {
	store Store
	now   clock.Clock
}

// NewService returns a Service over store that tells the time by now.
func NewService(store Store, now clock.Clock) *Service { return &Service{store: store, now: now} }

const maxName = 200

var codePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

// NewSubdistrict is the input of CreateSubdistrict.
type NewSubdistrict struct {
	Code, Name, TimeZone string
	AreaKm2              *float64
	ResidentPopulation   *int
	Demo                 bool
}

// SubdistrictChanges is the input of UpdateSubdistrict; nil fields stay.
type SubdistrictChanges struct {
	Name, TimeZone     *string
	AreaKm2            *float64
	ResidentPopulation *int
}

func checkFigures(l *problem.List, area *float64, pop *int) {
	if area != nil && !(*area > 0 && *area < 1e6) {
		l.Add(problem.InvalidInput, "areaKm2 must be a positive number", "areaKm2")
	}
	if pop != nil && *pop < 0 {
		l.Add(problem.InvalidInput, "residentPopulation must not be negative", "residentPopulation")
	}
}

func checkTimeZone(l *problem.List, tz string) {
	if tz == "" || tz == "Local" {
		l.Add(problem.InvalidInput, "timeZone must be an IANA time zone such as Asia/Shanghai", "timeZone")
		return
	}
	if _, err := time.LoadLocation(tz); err != nil {
		l.Add(problem.InvalidInput, "timeZone is not a known IANA time zone", "timeZone")
	}
}

// CreateSubdistrict validates and creates a sub-district.
func (s *Service) CreateSubdistrict(ctx context.Context, in NewSubdistrict) (Subdistrict, error) {
	if !access.From(ctx).AdministersPlatform() {
		return Subdistrict{}, problem.New(problem.Forbidden, "only platform administrators may create sub-districts")
	}
	var l problem.List
	if !codePattern.MatchString(in.Code) {
		l.Add(problem.InvalidInput, "code must be 2 to 40 lower-case letters, digits or hyphens", "code")
	}
	name := l.RequireText(in.Name, maxName, "name")
	checkTimeZone(&l, in.TimeZone)
	checkFigures(&l, in.AreaKm2, in.ResidentPopulation)
	if err := l.Err(); err != nil {
		return Subdistrict{}, err
	}
	return s.store.CreateSubdistrict(ctx, Subdistrict{Code: in.Code, Name: name, TimeZone: in.TimeZone,
		AreaKm2: in.AreaKm2, ResidentPopulation: in.ResidentPopulation, Demo: in.Demo})
}

// UpdateSubdistrict validates and applies changes to a sub-district.
func (s *Service) UpdateSubdistrict(ctx context.Context, id string, in SubdistrictChanges) (Subdistrict, error) {
	return notFoundAs(s.store.UpdateSubdistrict(ctx, id, func(sd *Subdistrict) error {
		if err := guard(ctx, sd.ID); err != nil {
			return err
		}
		var l problem.List
		if in.Name != nil {
			sd.Name = l.RequireText(*in.Name, maxName, "name")
		}
		if in.TimeZone != nil {
			checkTimeZone(&l, *in.TimeZone)
			sd.TimeZone = *in.TimeZone
		}
		checkFigures(&l, in.AreaKm2, in.ResidentPopulation)
		if in.AreaKm2 != nil {
			sd.AreaKm2 = in.AreaKm2
		}
		if in.ResidentPopulation != nil {
			sd.ResidentPopulation = in.ResidentPopulation
		}
		return l.Err()
	}))
}

// guard refuses unless the viewer administers the sub-district sd.
func guard(ctx context.Context, sd string) error {
	if !access.From(ctx).AdministersSubdistrict(sd) {
		return problem.New(problem.Forbidden, "only the sub-district's administrators may change its structure")
	}
	return nil
}

// notFoundAs turns problem.ErrNotFound of the record being changed into a NOT_FOUND problem on input.id.
func notFoundAs[T any](v T, err error) (T, error) {
	if errors.Is(err, problem.ErrNotFound) {
		return v, problem.New(problem.NotFound, "no such record", "id")
	}
	return v, err
}

// NewCommunity is the input of CreateCommunity.
type NewCommunity struct {
	SubdistrictID, Code, Name string
	Demo                      bool
}

// CreateCommunity validates and creates a community.
func (s *Service) CreateCommunity(ctx context.Context, in NewCommunity) (Community, error) {
	var l problem.List
	if err := s.requireSubdistrict(ctx, &l, in.SubdistrictID, "subdistrictId"); err != nil {
		return Community{}, err
	}
	if !codePattern.MatchString(in.Code) {
		l.Add(problem.InvalidInput, "code must be 2 to 40 lower-case letters, digits or hyphens", "code")
	}
	name := l.RequireText(in.Name, maxName, "name")
	if err := l.Err(); err != nil {
		return Community{}, err
	}
	return s.store.CreateCommunity(ctx, Community{SubdistrictID: in.SubdistrictID, Code: in.Code, Name: name, Demo: in.Demo})
}

// CommunityChanges is the input of UpdateCommunity; nil fields stay.
type CommunityChanges struct{ Code, Name *string }

// UpdateCommunity validates and applies changes to a community.
func (s *Service) UpdateCommunity(ctx context.Context, id string, in CommunityChanges) (Community, error) {
	return notFoundAs(s.store.UpdateCommunity(ctx, id, func(c *Community) error {
		if err := guard(ctx, c.SubdistrictID); err != nil {
			return err
		}
		var l problem.List
		if in.Code != nil {
			if !codePattern.MatchString(*in.Code) {
				l.Add(problem.InvalidInput, "code must be 2 to 40 lower-case letters, digits or hyphens", "code")
			}
			c.Code = *in.Code
		}
		if in.Name != nil {
			c.Name = l.RequireText(*in.Name, maxName, "name")
		}
		return l.Err()
	}))
}

// requireSubdistrict checks the sub-district id exists and that the viewer
// administers it; a refusal is returned as the only problem.
func (s *Service) requireSubdistrict(ctx context.Context, l *problem.List, id, field string) error {
	if id == "" {
		l.Add(problem.NotFound, "no such sub-district", field)
		return nil
	}
	if _, err := s.store.Subdistrict(ctx, id); errors.Is(err, problem.ErrNotFound) {
		l.Add(problem.NotFound, "no such sub-district", field)
		return nil
	} else if err != nil {
		return err
	}
	return guard(ctx, id)
}

// lookup fetches a referenced record and checks it lies in the sub-district sd
// (when sd is not empty); it records problems on field and returns ok.
func lookup[T any](ctx context.Context, l *problem.List, get func(context.Context, string) (T, error),
	sdOf func(T) string, id, sd, what, field string) (T, bool, error) {
	var zero T
	if id == "" {
		l.Add(problem.NotFound, "no such "+what, field)
		return zero, false, nil
	}
	v, err := get(ctx, id)
	if errors.Is(err, problem.ErrNotFound) {
		l.Add(problem.NotFound, "no such "+what, field)
		return zero, false, nil
	}
	if err != nil {
		return zero, false, err
	}
	if sd != "" && sdOf(v) != sd {
		l.Add(problem.WrongSubdistrict, "the "+what+" belongs to another sub-district", field)
		return zero, false, nil
	}
	return v, true, nil
}

func communitySD(c Community) string { return c.SubdistrictID }
func unitSD(u Unit) string           { return u.SubdistrictID }
func committeeSD(c Committee) string { return c.SubdistrictID }
func personSD(p Person) string       { return p.SubdistrictID }

// StaffChanges names the grid's staff; a nil field leaves that role as it is.
type StaffChanges struct {
	HeadID        *string
	DeputyHeadIDs *[]string
	WorkerIDs     *[]string
}

// NewGrid is the input of CreateGrid.
type NewGrid struct {
	CommunityID, Name string
	Staff             StaffChanges
	Demo              bool
}

// staff checks the people named in c and returns the rows to write and which roles they replace.
func (s *Service) staff(ctx context.Context, l *problem.List, sd string, c StaffChanges) ([]GridStaff, map[GridStaffRole]bool, error) {
	var rows []GridStaff
	replace := map[GridStaffRole]bool{}
	seen := map[string]bool{}
	add := func(role GridStaffRole, ids []string, field string) error {
		replace[role] = true
		for _, id := range ids {
			if seen[id] {
				l.Add(problem.InvalidInput, "a person can hold only one post in a grid", field)
				continue
			}
			seen[id] = true
			if _, ok, err := lookup(ctx, l, s.store.Person, personSD, id, sd, "person", field); err != nil || !ok {
				if err != nil {
					return err
				}
				continue
			}
			rows = append(rows, GridStaff{PersonID: id, Role: role})
		}
		return nil
	}
	if c.HeadID != nil {
		if err := add(GridHead, []string{*c.HeadID}, "headId"); err != nil {
			return nil, nil, err
		}
	}
	if c.DeputyHeadIDs != nil {
		if err := add(GridDeputyHead, *c.DeputyHeadIDs, "deputyHeadIds"); err != nil {
			return nil, nil, err
		}
	}
	if c.WorkerIDs != nil {
		if err := add(GridWorker, *c.WorkerIDs, "workerIds"); err != nil {
			return nil, nil, err
		}
	}
	return rows, replace, nil
}

// CreateGrid validates and creates a grid with its staff.
func (s *Service) CreateGrid(ctx context.Context, in NewGrid) (Grid, error) {
	var l problem.List
	c, ok, err := lookup(ctx, &l, s.store.Community, communitySD, in.CommunityID, "", "community", "communityId")
	if err != nil {
		return Grid{}, err
	}
	if ok {
		if err := guard(ctx, c.SubdistrictID); err != nil {
			return Grid{}, err
		}
	}
	name := l.RequireText(in.Name, maxName, "name")
	var staff []GridStaff
	if ok {
		if staff, _, err = s.staff(ctx, &l, c.SubdistrictID, in.Staff); err != nil {
			return Grid{}, err
		}
	}
	if err := l.Err(); err != nil {
		return Grid{}, err
	}
	return s.store.CreateGrid(ctx, Grid{SubdistrictID: c.SubdistrictID, CommunityID: c.ID, Name: name, Demo: in.Demo}, staff)
}

// GridChanges is the input of UpdateGrid.
type GridChanges struct {
	Name  *string
	Staff StaffChanges
}

// UpdateGrid validates and applies changes to a grid and its staff.
func (s *Service) UpdateGrid(ctx context.Context, id string, in GridChanges) (Grid, error) {
	return notFoundAs(s.store.UpdateGrid(ctx, id, func(g *Grid) (StaffUpdate, error) {
		if err := guard(ctx, g.SubdistrictID); err != nil {
			return StaffUpdate{}, err
		}
		var l problem.List
		if in.Name != nil {
			g.Name = l.RequireText(*in.Name, maxName, "name")
		}
		rows, replace, err := s.staff(ctx, &l, g.SubdistrictID, in.Staff)
		if err != nil {
			return StaffUpdate{}, err
		}
		return StaffUpdate{Rows: rows, Replace: replace}, l.Err()
	}))
}

// StaffUpdate is the grid staff to write: the roles in Replace lose their
// old holders and get the people in Rows.
type StaffUpdate struct {
	Rows    []GridStaff
	Replace map[GridStaffRole]bool
}

// NewUnit is the input of CreateUnit.
type NewUnit struct {
	SubdistrictID, Name, Address string
	Kind                         UnitKind
	CommunityID                  *string
	Demo                         bool
}

// CreateUnit validates and registers a unit.
func (s *Service) CreateUnit(ctx context.Context, in NewUnit) (Unit, error) {
	var l problem.List
	if err := s.requireSubdistrict(ctx, &l, in.SubdistrictID, "subdistrictId"); err != nil {
		return Unit{}, err
	}
	name := l.RequireText(in.Name, maxName, "name")
	if !in.Kind.Valid() {
		l.Add(problem.InvalidInput, "unknown unit kind", "kind")
	}
	if len([]rune(in.Address)) > 500 {
		l.Add(problem.InvalidInput, "address is too long", "address")
	}
	if in.CommunityID != nil {
		if _, _, err := lookup(ctx, &l, s.store.Community, communitySD, *in.CommunityID, in.SubdistrictID, "community", "communityId"); err != nil {
			return Unit{}, err
		}
	}
	if err := l.Err(); err != nil {
		return Unit{}, err
	}
	return s.store.CreateUnit(ctx, Unit{SubdistrictID: in.SubdistrictID, Name: name, Kind: in.Kind,
		Address: in.Address, CommunityID: in.CommunityID, Demo: in.Demo})
}

// UnitChanges is the input of UpdateUnit; nil fields stay.
type UnitChanges struct {
	Name, Address, CommunityID *string
	Kind                       *UnitKind
}

// UpdateUnit validates and applies changes to a unit.
func (s *Service) UpdateUnit(ctx context.Context, id string, in UnitChanges) (Unit, error) {
	return notFoundAs(s.store.UpdateUnit(ctx, id, func(u *Unit) error {
		if err := guard(ctx, u.SubdistrictID); err != nil {
			return err
		}
		var l problem.List
		if in.Name != nil {
			u.Name = l.RequireText(*in.Name, maxName, "name")
		}
		if in.Kind != nil {
			if !in.Kind.Valid() {
				l.Add(problem.InvalidInput, "unknown unit kind", "kind")
			}
			u.Kind = *in.Kind
		}
		if in.Address != nil {
			if len([]rune(*in.Address)) > 500 {
				l.Add(problem.InvalidInput, "address is too long", "address")
			}
			u.Address = *in.Address
		}
		if in.CommunityID != nil {
			if _, _, err := lookup(ctx, &l, s.store.Community, communitySD, *in.CommunityID, u.SubdistrictID, "community", "communityId"); err != nil {
				return err
			}
			u.CommunityID = in.CommunityID
		}
		return l.Err()
	}))
}

// NewCommittee is the input of CreateCommittee.
type NewCommittee struct {
	SubdistrictID, Name string
	Kind                CommitteeKind
	CommunityID         *string
	Demo                bool
}

// CreateCommittee validates and creates a committee; its kind must fit its level.
func (s *Service) CreateCommittee(ctx context.Context, in NewCommittee) (Committee, error) {
	var l problem.List
	if err := s.requireSubdistrict(ctx, &l, in.SubdistrictID, "subdistrictId"); err != nil {
		return Committee{}, err
	}
	name := l.RequireText(in.Name, maxName, "name")
	switch {
	case !in.Kind.Valid():
		l.Add(problem.InvalidInput, "unknown committee kind", "kind")
	case in.Kind.AtCommunityLevel() && in.CommunityID == nil:
		l.Add(problem.KindMismatch, "a community party committee or compound party branch needs a community", "communityId")
	case !in.Kind.AtCommunityLevel() && in.CommunityID != nil:
		l.Add(problem.KindMismatch, "the sub-district working committee belongs to no community", "communityId")
	case in.CommunityID != nil:
		if _, _, err := lookup(ctx, &l, s.store.Community, communitySD, *in.CommunityID, in.SubdistrictID, "community", "communityId"); err != nil {
			return Committee{}, err
		}
	}
	if err := l.Err(); err != nil {
		return Committee{}, err
	}
	return s.store.CreateCommittee(ctx, Committee{SubdistrictID: in.SubdistrictID, Name: name, Kind: in.Kind,
		CommunityID: in.CommunityID, Demo: in.Demo})
}

// UpdateCommittee renames a committee.
func (s *Service) UpdateCommittee(ctx context.Context, id string, name *string) (Committee, error) {
	return notFoundAs(s.store.UpdateCommittee(ctx, id, func(c *Committee) error {
		if err := guard(ctx, c.SubdistrictID); err != nil {
			return err
		}
		var l problem.List
		if name != nil {
			c.Name = l.RequireText(*name, maxName, "name")
		}
		return l.Err()
	}))
}

// NewPerson is the input of CreatePerson.
type NewPerson struct {
	SubdistrictID, Name string
	Demo                bool
}

// CreatePerson validates and records a person.
func (s *Service) CreatePerson(ctx context.Context, in NewPerson) (Person, error) {
	var l problem.List
	if err := s.requireSubdistrict(ctx, &l, in.SubdistrictID, "subdistrictId"); err != nil {
		return Person{}, err
	}
	name := l.RequireText(in.Name, 100, "name")
	if err := l.Err(); err != nil {
		return Person{}, err
	}
	return s.store.CreatePerson(ctx, Person{SubdistrictID: in.SubdistrictID, Name: name, Demo: in.Demo})
}

// UpdatePerson renames a person.
func (s *Service) UpdatePerson(ctx context.Context, id string, name *string) (Person, error) {
	return notFoundAs(s.store.UpdatePerson(ctx, id, func(p *Person) error {
		if err := guard(ctx, p.SubdistrictID); err != nil {
			return err
		}
		var l problem.List
		if name != nil {
			p.Name = l.RequireText(*name, 100, "name")
		}
		return l.Err()
	}))
}

// NewMembership is the input of CreateMembership.
type NewMembership struct {
	CommitteeID, PersonID string
	Role                  Role
	PartTime              bool
	UnitID                *string
	Title                 string
	TermStart             time.Time
	TermEnd               *time.Time
	Demo                  bool
}

func checkTerm(l *problem.List, start time.Time, end *time.Time, field string) {
	if end != nil && end.Before(start) {
		l.Add(problem.TermReversed, "a term cannot end before it starts", field)
	}
}

// CreateMembership validates and seats a person on a committee. A part-time
// member must represent a unit of the committee's sub-district; a full-time
// one represents none.
func (s *Service) CreateMembership(ctx context.Context, in NewMembership) (Membership, error) {
	var l problem.List
	c, ok, err := lookup(ctx, &l, s.store.Committee, committeeSD, in.CommitteeID, "", "committee", "committeeId")
	if err != nil {
		return Membership{}, err
	}
	if ok {
		if err := guard(ctx, c.SubdistrictID); err != nil {
			return Membership{}, err
		}
	}
	sd := ""
	if ok {
		sd = c.SubdistrictID
	}
	if _, _, err := lookup(ctx, &l, s.store.Person, personSD, in.PersonID, sd, "person", "personId"); err != nil {
		return Membership{}, err
	}
	if !in.Role.Valid() {
		l.Add(problem.InvalidInput, "unknown role", "role")
	}
	switch {
	case in.PartTime && in.UnitID == nil:
		l.Add(problem.InvalidInput, "a part-time member must represent a unit", "unitId")
	case !in.PartTime && in.UnitID != nil:
		l.Add(problem.InvalidInput, "only part-time members represent a unit", "unitId")
	case in.UnitID != nil:
		if _, _, err := lookup(ctx, &l, s.store.Unit, unitSD, *in.UnitID, sd, "unit", "unitId"); err != nil {
			return Membership{}, err
		}
	}
	if len([]rune(in.Title)) > maxName {
		l.Add(problem.InvalidInput, "title is too long", "title")
	}
	checkTerm(&l, in.TermStart, in.TermEnd, "termEnd")
	if err := l.Err(); err != nil {
		return Membership{}, err
	}
	return s.store.CreateMembership(ctx, Membership{SubdistrictID: sd, CommitteeID: in.CommitteeID, PersonID: in.PersonID,
		Role: in.Role, PartTime: in.PartTime, UnitID: in.UnitID, Title: in.Title, TermStart: in.TermStart,
		TermEnd: in.TermEnd, Demo: in.Demo})
}

// MembershipChanges is the input of UpdateMembership; nil fields stay.
type MembershipChanges struct {
	Role      *Role
	UnitID    *string
	Title     *string
	TermStart *time.Time
	TermEnd   *time.Time
}

// UpdateMembership validates and applies changes to a seat.
func (s *Service) UpdateMembership(ctx context.Context, id string, in MembershipChanges) (Membership, error) {
	return notFoundAs(s.store.UpdateMembership(ctx, id, func(m *Membership) error {
		if err := guard(ctx, m.SubdistrictID); err != nil {
			return err
		}
		var l problem.List
		if in.Role != nil {
			if !in.Role.Valid() {
				l.Add(problem.InvalidInput, "unknown role", "role")
			}
			m.Role = *in.Role
		}
		if in.UnitID != nil {
			if !m.PartTime {
				l.Add(problem.InvalidInput, "only part-time members represent a unit", "unitId")
			} else if _, _, err := lookup(ctx, &l, s.store.Unit, unitSD, *in.UnitID, m.SubdistrictID, "unit", "unitId"); err != nil {
				return err
			}
			m.UnitID = in.UnitID
		}
		if in.Title != nil {
			if len([]rune(*in.Title)) > maxName {
				l.Add(problem.InvalidInput, "title is too long", "title")
			}
			m.Title = *in.Title
		}
		if in.TermStart != nil {
			m.TermStart = *in.TermStart
		}
		if in.TermEnd != nil {
			m.TermEnd = in.TermEnd
		}
		field := "termEnd"
		if in.TermEnd == nil {
			field = "termStart"
		}
		checkTerm(&l, m.TermStart, m.TermEnd, field)
		return l.Err()
	}))
}

// EndMembership ends a seat's term on the day end, or today in the
// sub-district's time zone when end is nil. A term already ended earlier
// cannot be ended again.
func (s *Service) EndMembership(ctx context.Context, id string, end *time.Time) (Membership, error) {
	return notFoundAs(s.store.UpdateMembership(ctx, id, func(m *Membership) error {
		if err := guard(ctx, m.SubdistrictID); err != nil {
			return err
		}
		day := end
		if day == nil {
			sd, err := s.store.Subdistrict(ctx, m.SubdistrictID)
			if err != nil {
				return err
			}
			t := Today(sd.TimeZone, s.now())
			day = &t
		}
		if m.TermEnd != nil && m.TermEnd.Before(*day) {
			return problem.New(problem.InvalidState, "the term already ended", "termEnd")
		}
		var l problem.List
		checkTerm(&l, m.TermStart, day, "termEnd")
		m.TermEnd = day
		return l.Err()
	}))
}

// Today returns the calendar day of now in the time zone tz, at midnight UTC.
func Today(tz string, now time.Time) time.Time {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	y, mo, d := now.In(loc).Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}
