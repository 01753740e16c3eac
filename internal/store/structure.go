package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/internal/problem"
	"cogov/internal/structure"
)

const subdistrictCols = `s.id, s.code, s.name, s.time_zone, s.area_km2::float8, s.resident_population, s.demo`

func subdistrictFields(v *structure.Subdistrict) []any {
	return []any{&v.ID, &v.Code, &v.Name, &v.TimeZone, &v.AreaKm2, &v.ResidentPopulation, &v.Demo}
}

const communityCols = `c.id, c.subdistrict_id, c.code, c.name, c.demo`

func communityFields(v *structure.Community) []any {
	return []any{&v.ID, &v.SubdistrictID, &v.Code, &v.Name, &v.Demo}
}

const gridCols = `g.id, g.subdistrict_id, g.community_id, g.name, g.demo`

func gridFields(v *structure.Grid) []any {
	return []any{&v.ID, &v.SubdistrictID, &v.CommunityID, &v.Name, &v.Demo}
}

const unitCols = `u.id, u.subdistrict_id, u.community_id, u.name, u.kind, u.address, u.demo`

func unitFields(v *structure.Unit) []any {
	return []any{&v.ID, &v.SubdistrictID, &v.CommunityID, &v.Name, &v.Kind, &v.Address, &v.Demo}
}

const committeeCols = `k.id, k.subdistrict_id, k.community_id, k.kind, k.name, k.demo`

func committeeFields(v *structure.Committee) []any {
	return []any{&v.ID, &v.SubdistrictID, &v.CommunityID, &v.Kind, &v.Name, &v.Demo}
}

const personCols = `p.id, p.subdistrict_id, p.name, p.demo`

func personFields(v *structure.Person) []any {
	return []any{&v.ID, &v.SubdistrictID, &v.Name, &v.Demo}
}

// membershipCols needs the membership as m joined with its sub-district as ms.
const membershipCols = `m.id, m.subdistrict_id, m.committee_id, m.person_id, m.role, m.part_time, m.unit_id, m.title,
	m.term_start, m.term_end,
	(m.term_start <= (cogov_now() AT TIME ZONE ms.time_zone)::date AND (m.term_end IS NULL OR m.term_end >= (cogov_now() AT TIME ZONE ms.time_zone)::date)),
	m.demo`

func membershipFields(v *structure.Membership) []any {
	return []any{&v.ID, &v.SubdistrictID, &v.CommitteeID, &v.PersonID, &v.Role, &v.PartTime, &v.UnitID, &v.Title,
		&v.TermStart, &v.TermEnd, &v.Current, &v.Demo}
}

const membershipFrom = `membership m JOIN subdistrict ms ON ms.id = m.subdistrict_id`

// SubdistrictsByID fetches sub-districts by id.
func (s *Store) SubdistrictsByID(ctx context.Context, ids []string) (_ map[string]structure.Subdistrict, err error) {
	defer wrap(&err, "store.SubdistrictsByID(%d ids)", len(ids))
	return byIDs(ctx, s, subdistrictCols, "subdistrict s", "s.id", subdistrictFields, func(v structure.Subdistrict) string { return v.ID }, ids)
}

// CommunitiesByID fetches communities by id.
func (s *Store) CommunitiesByID(ctx context.Context, ids []string) (_ map[string]structure.Community, err error) {
	defer wrap(&err, "store.CommunitiesByID(%d ids)", len(ids))
	return byIDs(ctx, s, communityCols, "community c", "c.id", communityFields, func(v structure.Community) string { return v.ID }, ids)
}

// GridsByID fetches grids by id.
func (s *Store) GridsByID(ctx context.Context, ids []string) (_ map[string]structure.Grid, err error) {
	defer wrap(&err, "store.GridsByID(%d ids)", len(ids))
	return byIDs(ctx, s, gridCols, "grid g", "g.id", gridFields, func(v structure.Grid) string { return v.ID }, ids)
}

// UnitsByID fetches units by id.
func (s *Store) UnitsByID(ctx context.Context, ids []string) (_ map[string]structure.Unit, err error) {
	defer wrap(&err, "store.UnitsByID(%d ids)", len(ids))
	return byIDs(ctx, s, unitCols, "unit u", "u.id", unitFields, func(v structure.Unit) string { return v.ID }, ids)
}

// CommitteesByID fetches committees by id.
func (s *Store) CommitteesByID(ctx context.Context, ids []string) (_ map[string]structure.Committee, err error) {
	defer wrap(&err, "store.CommitteesByID(%d ids)", len(ids))
	return byIDs(ctx, s, committeeCols, "committee k", "k.id", committeeFields, func(v structure.Committee) string { return v.ID }, ids)
}

// PeopleByID fetches people by id.
func (s *Store) PeopleByID(ctx context.Context, ids []string) (_ map[string]structure.Person, err error) {
	defer wrap(&err, "store.PeopleByID(%d ids)", len(ids))
	return byIDs(ctx, s, personCols, "person p", "p.id", personFields, func(v structure.Person) string { return v.ID }, ids)
}

// MembershipsByID fetches memberships by id.
func (s *Store) MembershipsByID(ctx context.Context, ids []string) (_ map[string]structure.Membership, err error) {
	defer wrap(&err, "store.MembershipsByID(%d ids)", len(ids))
	return byIDs(ctx, s, membershipCols, membershipFrom, "m.id", membershipFields, func(v structure.Membership) string { return v.ID }, ids)
}

// WorkingCommittees fetches the working committee of each sub-district, keyed by sub-district id.
func (s *Store) WorkingCommittees(ctx context.Context, subdistrictIDs []string) (_ map[string]structure.Committee, err error) {
	defer wrap(&err, "store.WorkingCommittees(%d subdistrictIDs)", len(subdistrictIDs))
	return byIDs(ctx, s, committeeCols, "committee k", "k.kind = 'SUBDISTRICT_WORKING_COMMITTEE' AND k.subdistrict_id",
		committeeFields, func(v structure.Committee) string { return v.SubdistrictID }, subdistrictIDs)
}

// PartyCommittees fetches the party committee of each community, keyed by community id.
func (s *Store) PartyCommittees(ctx context.Context, communityIDs []string) (_ map[string]structure.Committee, err error) {
	defer wrap(&err, "store.PartyCommittees(%d communityIDs)", len(communityIDs))
	return byIDs(ctx, s, committeeCols, "committee k", "k.kind = 'COMMUNITY_PARTY_COMMITTEE' AND k.community_id",
		committeeFields, func(v structure.Committee) string { return *v.CommunityID }, communityIDs)
}

// SubdistrictByCode fetches a sub-district by its code.
func (s *Store) SubdistrictByCode(ctx context.Context, code string) (_ structure.Subdistrict, err error) {
	defer wrap(&err, "store.SubdistrictByCode(%q)", code)
	var v structure.Subdistrict
	err = s.read(ctx, func(tx querier) error {
		var err error
		v, err = one(ctx, tx, problem.ErrNotFound, subdistrictFields, `SELECT `+subdistrictCols+` FROM subdistrict s WHERE s.code = $1`, code)
		return err
	})
	return v, err
}

// Subdistrict fetches a sub-district.
func (s *Store) Subdistrict(ctx context.Context, id string) (_ structure.Subdistrict, err error) {
	defer wrap(&err, "store.Subdistrict(%q)", id)
	m, err := s.SubdistrictsByID(ctx, []string{id})
	return pick(m, err, id, problem.ErrNotFound)
}

// Community fetches a community.
func (s *Store) Community(ctx context.Context, id string) (_ structure.Community, err error) {
	defer wrap(&err, "store.Community(%q)", id)
	m, err := s.CommunitiesByID(ctx, []string{id})
	return pick(m, err, id, problem.ErrNotFound)
}

// Unit fetches a unit.
func (s *Store) Unit(ctx context.Context, id string) (_ structure.Unit, err error) {
	defer wrap(&err, "store.Unit(%q)", id)
	m, err := s.UnitsByID(ctx, []string{id})
	return pick(m, err, id, problem.ErrNotFound)
}

// Committee fetches a committee.
func (s *Store) Committee(ctx context.Context, id string) (_ structure.Committee, err error) {
	defer wrap(&err, "store.Committee(%q)", id)
	m, err := s.CommitteesByID(ctx, []string{id})
	return pick(m, err, id, problem.ErrNotFound)
}

// Person fetches a person.
func (s *Store) Person(ctx context.Context, id string) (_ structure.Person, err error) {
	defer wrap(&err, "store.Person(%q)", id)
	m, err := s.PeopleByID(ctx, []string{id})
	return pick(m, err, id, problem.ErrNotFound)
}

// People fetches people by id, in no particular order.
func (s *Store) People(ctx context.Context, ids []string) (_ []structure.Person, err error) {
	defer wrap(&err, "store.People(%d ids)", len(ids))
	m, err := s.PeopleByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]structure.Person, 0, len(m))
	for _, p := range m {
		out = append(out, p)
	}
	return out, nil
}

// GridCounts counts the grids of each sub-district.
func (s *Store) GridCounts(ctx context.Context, subdistrictIDs []string) (_ map[string]int, err error) {
	defer wrap(&err, "store.GridCounts(%d subdistrictIDs)", len(subdistrictIDs))
	out := make(map[string]int, len(subdistrictIDs))
	err = s.read(ctx, func(tx querier) error {
		rows, err := tx.Query(ctx, `SELECT subdistrict_id::text, count(*) FROM grid WHERE subdistrict_id = ANY($1::text[]::uuid[]) GROUP BY 1`, subdistrictIDs)
		if err != nil {
			return err
		}
		var id string
		var n int
		_, err = pgx.ForEachRow(rows, []any{&id, &n}, func() error { out[id] = n; return nil })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("count grids: %w", err)
	}
	return out, nil
}

// GridStaff fetches the staff of each grid, heads first, in their recorded order.
func (s *Store) GridStaff(ctx context.Context, gridIDs []string) (_ map[string][]structure.GridStaff, err error) {
	defer wrap(&err, "store.GridStaff(%d gridIDs)", len(gridIDs))
	out := make(map[string][]structure.GridStaff, len(gridIDs))
	err = s.read(ctx, func(tx querier) error {
		items, err := collect(ctx, tx, func(v *structure.GridStaff) []any { return []any{&v.GridID, &v.PersonID, &v.Role} },
			`SELECT grid_id, person_id, role FROM grid_staff WHERE grid_id = ANY($1::text[]::uuid[])
			 ORDER BY grid_id, CASE role WHEN 'HEAD' THEN 0 WHEN 'DEPUTY_HEAD' THEN 1 ELSE 2 END, position, person_id`, gridIDs)
		for _, it := range items {
			out[it.GridID] = append(out[it.GridID], it)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("grid staff: %w", err)
	}
	return out, nil
}

// ListFilter narrows a structure list; zero fields do not filter. It is
// comparable so that loaders can batch lists asked with the same filter.
type ListFilter struct {
	Text        string
	Kind        string
	CommunityID string
	Role        string
	PartTime    Tri
	CurrentOn   time.Time // only terms that include this day; zero for any
	Current     bool      // only terms that include today in the sub-district's time zone
	Persons     string    // only these people (comma-separated ids), for viewers who see only themselves
}

// Tri is a filter on a boolean: any, only true or only false.
type Tri int8

// Tri values.
const (
	Any Tri = iota
	OnlyTrue
	OnlyFalse
)

// TriOf turns an optional boolean argument into a Tri.
func TriOf(b *bool) Tri {
	switch {
	case b == nil:
		return Any
	case *b:
		return OnlyTrue
	}
	return OnlyFalse
}

type filterBuilder struct {
	conds []string
	args  []any
}

func (f *filterBuilder) add(cond string, arg any) {
	f.args = append(f.args, arg)
	f.conds = append(f.conds, fmt.Sprintf(cond, fmt.Sprintf("$%d", 4+len(f.args))))
}

func (f *filterBuilder) where() string {
	if len(f.conds) == 0 {
		return ""
	}
	s := f.conds[0]
	for _, c := range f.conds[1:] {
		s += " AND " + c
	}
	return s
}

// textMatch is a condition on a name column containing the text, case-insensitively.
func textMatch(col string) string {
	return `strpos(lower(` + col + `), lower(%s)) > 0`
}

func runList[T any](ctx context.Context, s *Store, spec listSpec[T], parents []string, p Page) (map[string]*Conn[T], error) {
	var out map[string]*Conn[T]
	err := s.read(ctx, func(tx querier) error {
		var err error
		out, err = list(ctx, tx, spec, parents, p)
		return err
	})
	return out, err
}

// Subdistricts lists all sub-districts by name.
func (s *Store) Subdistricts(ctx context.Context, p Page) (_ *Conn[structure.Subdistrict], err error) {
	defer wrap(&err, "store.Subdistricts")
	m, err := runList(ctx, s, listSpec[structure.Subdistrict]{cols: subdistrictCols, from: "subdistrict s",
		parent: "'" + noParent + "'::uuid", sort: "s.name", id: "s.id", fields: subdistrictFields}, []string{noParent}, p)
	if err != nil {
		return nil, err
	}
	return orEmpty(m[noParent]), nil
}

func orEmpty[T any](c *Conn[T]) *Conn[T] {
	if c == nil {
		return &Conn[T]{}
	}
	return c
}

// Communities lists the communities of each sub-district by name.
func (s *Store) Communities(ctx context.Context, subdistrictIDs []string, f ListFilter, p Page) (_ map[string]*Conn[structure.Community], err error) {
	defer wrap(&err, "store.Communities(%d subdistrictIDs)", len(subdistrictIDs))
	var fb filterBuilder
	if f.Text != "" {
		fb.add(textMatch("c.name"), f.Text)
	}
	return runList(ctx, s, listSpec[structure.Community]{cols: communityCols, from: "community c", parent: "c.subdistrict_id",
		sort: "c.name", id: "c.id", where: fb.where(), args: fb.args, fields: communityFields}, subdistrictIDs, p)
}

// Grids lists the grids of each community by name.
func (s *Store) Grids(ctx context.Context, communityIDs []string, p Page) (_ map[string]*Conn[structure.Grid], err error) {
	defer wrap(&err, "store.Grids(%d communityIDs)", len(communityIDs))
	return runList(ctx, s, listSpec[structure.Grid]{cols: gridCols, from: "grid g", parent: "g.community_id",
		sort: "g.name", id: "g.id", fields: gridFields}, communityIDs, p)
}

// GridWorkers lists the grid workers of each grid in their recorded order.
func (s *Store) GridWorkers(ctx context.Context, gridIDs []string, p Page) (_ map[string]*Conn[structure.Person], err error) {
	defer wrap(&err, "store.GridWorkers(%d gridIDs)", len(gridIDs))
	return runList(ctx, s, listSpec[structure.Person]{cols: personCols, from: "grid_staff gs JOIN person p ON p.id = gs.person_id",
		parent: "gs.grid_id", sort: "lpad(gs.position::text, 10, '0')", id: "p.id", where: "gs.role = 'WORKER'", fields: personFields}, gridIDs, p)
}

// Units lists units by name, under their sub-district (byCommunity false) or community.
func (s *Store) Units(ctx context.Context, parentIDs []string, byCommunity bool, f ListFilter, p Page) (_ map[string]*Conn[structure.Unit], err error) {
	defer wrap(&err, "store.Units(%d parentIDs)", len(parentIDs))
	var fb filterBuilder
	if f.Text != "" {
		fb.add(textMatch("u.name"), f.Text)
	}
	if f.Kind != "" {
		fb.add("u.kind = %s", f.Kind)
	}
	if f.CommunityID != "" {
		fb.add("u.community_id = %s::uuid", f.CommunityID)
	}
	parent := "u.subdistrict_id"
	if byCommunity {
		parent = "u.community_id"
	}
	return runList(ctx, s, listSpec[structure.Unit]{cols: unitCols, from: "unit u", parent: parent,
		sort: "u.name", id: "u.id", where: fb.where(), args: fb.args, fields: unitFields}, parentIDs, p)
}

// Committees lists the committees of each sub-district: the working committee first, then by name.
func (s *Store) Committees(ctx context.Context, subdistrictIDs []string, f ListFilter, p Page) (_ map[string]*Conn[structure.Committee], err error) {
	defer wrap(&err, "store.Committees(%d subdistrictIDs)", len(subdistrictIDs))
	var fb filterBuilder
	if f.Text != "" {
		fb.add(textMatch("k.name"), f.Text)
	}
	if f.Kind != "" {
		fb.add("k.kind = %s", f.Kind)
	}
	if f.CommunityID != "" {
		fb.add("k.community_id = %s::uuid", f.CommunityID)
	}
	return runList(ctx, s, listSpec[structure.Committee]{cols: committeeCols, from: "committee k", parent: "k.subdistrict_id",
		sort: "(CASE k.kind WHEN 'SUBDISTRICT_WORKING_COMMITTEE' THEN '0' WHEN 'COMMUNITY_PARTY_COMMITTEE' THEN '1' ELSE '2' END) || k.name",
		id:   "k.id", where: fb.where(), args: fb.args, fields: committeeFields}, subdistrictIDs, p)
}

// PeopleOf lists the people of each sub-district by name.
func (s *Store) PeopleOf(ctx context.Context, subdistrictIDs []string, f ListFilter, p Page) (_ map[string]*Conn[structure.Person], err error) {
	defer wrap(&err, "store.PeopleOf(%d subdistrictIDs)", len(subdistrictIDs))
	var fb filterBuilder
	if f.Text != "" {
		fb.add(textMatch("p.name"), f.Text)
	}
	if f.Persons != "" {
		fb.add("p.id = ANY(%s::text[]::uuid[])", okIDs(strings.Split(f.Persons, ",")))
	}
	return runList(ctx, s, listSpec[structure.Person]{cols: personCols, from: "person p", parent: "p.subdistrict_id",
		sort: "p.name", id: "p.id", where: fb.where(), args: fb.args, fields: personFields}, subdistrictIDs, p)
}

// MembershipParent says which records a membership list hangs under.
type MembershipParent string

// Membership list parents.
const (
	MembershipsOfCommittee MembershipParent = "m.committee_id"
	MembershipsOfPerson    MembershipParent = "m.person_id"
	MembershipsOfUnit      MembershipParent = "m.unit_id"
)

// Memberships lists memberships under committees (secretaries first, then
// full-time before part-time, then by name), people or units (newest term first).
func (s *Store) Memberships(ctx context.Context, parent MembershipParent, parentIDs []string, f ListFilter, p Page) (_ map[string]*Conn[structure.Membership], err error) {
	defer wrap(&err, "store.Memberships(%s, %d parentIDs)", parent, len(parentIDs))
	var fb filterBuilder
	if f.Text != "" {
		fb.add(textMatch("mp.name"), f.Text)
	}
	if f.PartTime != Any {
		fb.add("m.part_time = %s", f.PartTime == OnlyTrue)
	}
	if f.Role != "" {
		fb.add("m.role = %s", f.Role)
	}
	if !f.CurrentOn.IsZero() {
		fb.add("daterange(m.term_start, m.term_end, '[]') @> %s::date", f.CurrentOn)
	}
	if f.Persons != "" {
		fb.add("m.person_id = ANY(%s::text[]::uuid[])", okIDs(strings.Split(f.Persons, ",")))
	}
	if f.Current {
		fb.conds = append(fb.conds, "daterange(m.term_start, m.term_end, '[]') @> (cogov_now() AT TIME ZONE ms.time_zone)::date")
	}
	sort := `(CASE m.role WHEN 'SECRETARY' THEN '0' WHEN 'DEPUTY_SECRETARY' THEN '1' ELSE '2' END) ||
		(CASE WHEN m.part_time THEN '1' ELSE '0' END) || mp.name`
	if parent != MembershipsOfCommittee {
		sort = `lpad((date '9999-12-31' - m.term_start)::text, 8, '0')`
	}
	return runList(ctx, s, listSpec[structure.Membership]{cols: membershipCols, from: membershipFrom + " JOIN person mp ON mp.id = m.person_id",
		parent: string(parent), sort: sort, id: "m.id", where: fb.where(), args: fb.args, fields: membershipFields}, parentIDs, p)
}
