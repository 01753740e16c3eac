package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"cogov/internal/problem"
	"cogov/internal/structure"
)

// update loads a record FOR UPDATE, lets apply change it and writes it back
// with save, all inside one audited transaction.
func update[T any](ctx context.Context, s *Store, action, cols, from, lockExpr string, fields func(*T) []any,
	id string, apply func(*T) error, save func(pgx.Tx, T) error) (T, error) {
	var v T
	if !IsUUID(id) {
		return v, problem.ErrNotFound
	}
	err := s.write(ctx, action, "", func(tx pgx.Tx) error {
		var err error
		v, err = one(ctx, tx, problem.ErrNotFound, fields, `SELECT `+cols+` FROM `+from+` WHERE `+lockExpr+` = $1 FOR UPDATE OF `+strings.SplitN(lockExpr, ".", 2)[0], id)
		if err != nil {
			return err
		}
		if err := apply(&v); err != nil {
			return err
		}
		return save(tx, v)
	})
	return v, err
}

// CreateSubdistrict inserts a sub-district.
func (s *Store) CreateSubdistrict(ctx context.Context, v structure.Subdistrict) (_ structure.Subdistrict, err error) {
	defer wrap(&err, "store.CreateSubdistrict")
	err = s.write(ctx, "subdistrict.create", "", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO subdistrict (code, name, time_zone, area_km2, resident_population, demo)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, v.Code, v.Name, v.TimeZone, v.AreaKm2, v.ResidentPopulation, v.Demo).Scan(&v.ID)
	})
	return v, err
}

// UpdateSubdistrict changes a sub-district.
func (s *Store) UpdateSubdistrict(ctx context.Context, id string, apply func(*structure.Subdistrict) error) (_ structure.Subdistrict, err error) {
	defer wrap(&err, "store.UpdateSubdistrict(%q)", id)
	return update(ctx, s, "subdistrict.update", subdistrictCols, "subdistrict s", "s.id", subdistrictFields, id, apply,
		func(tx pgx.Tx, v structure.Subdistrict) error {
			_, err := tx.Exec(ctx, `UPDATE subdistrict SET name = $2, time_zone = $3, area_km2 = $4, resident_population = $5,
				updated_at = cogov_now() WHERE id = $1`, v.ID, v.Name, v.TimeZone, v.AreaKm2, v.ResidentPopulation)
			return err
		})
}

// CreateCommunity inserts a community.
func (s *Store) CreateCommunity(ctx context.Context, v structure.Community) (_ structure.Community, err error) {
	defer wrap(&err, "store.CreateCommunity")
	err = s.write(ctx, "community.create", "", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO community (subdistrict_id, code, name, demo) VALUES ($1, $2, $3, $4) RETURNING id`,
			v.SubdistrictID, v.Code, v.Name, v.Demo).Scan(&v.ID)
	})
	return v, err
}

// UpdateCommunity changes a community.
func (s *Store) UpdateCommunity(ctx context.Context, id string, apply func(*structure.Community) error) (_ structure.Community, err error) {
	defer wrap(&err, "store.UpdateCommunity(%q)", id)
	return update(ctx, s, "community.update", communityCols, "community c", "c.id", communityFields, id, apply,
		func(tx pgx.Tx, v structure.Community) error {
			_, err := tx.Exec(ctx, `UPDATE community SET code = $2, name = $3, updated_at = cogov_now() WHERE id = $1`, v.ID, v.Code, v.Name)
			return err
		})
}

func writeStaff(ctx context.Context, tx pgx.Tx, g structure.Grid, rows []structure.GridStaff, replace map[structure.GridStaffRole]bool) error {
	for role := range replace {
		if _, err := tx.Exec(ctx, `DELETE FROM grid_staff WHERE grid_id = $1 AND role = $2`, g.ID, role); err != nil {
			return err
		}
	}
	if len(rows) == 0 {
		return nil
	}
	var grid, person, role []string
	var pos []int32
	for i, r := range rows {
		grid = append(grid, g.ID)
		person = append(person, r.PersonID)
		role = append(role, string(r.Role))
		pos = append(pos, int32(i))
	}
	_, err := tx.Exec(ctx, `INSERT INTO grid_staff (subdistrict_id, grid_id, person_id, role, position)
		SELECT $1, g, p, r, n FROM unnest($2::text[]::uuid[], $3::text[]::uuid[], $4::text[], $5::int[]) AS t(g, p, r, n)`,
		g.SubdistrictID, grid, person, role, pos)
	return err
}

// CreateGrid inserts a grid and its staff.
func (s *Store) CreateGrid(ctx context.Context, v structure.Grid, staff []structure.GridStaff) (_ structure.Grid, err error) {
	defer wrap(&err, "store.CreateGrid")
	err = s.write(ctx, "grid.create", "", func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO grid (subdistrict_id, community_id, name, demo) VALUES ($1, $2, $3, $4) RETURNING id`,
			v.SubdistrictID, v.CommunityID, v.Name, v.Demo).Scan(&v.ID); err != nil {
			return err
		}
		return writeStaff(ctx, tx, v, staff, nil)
	})
	return v, err
}

// UpdateGrid changes a grid and replaces the staff of the roles apply names.
func (s *Store) UpdateGrid(ctx context.Context, id string, apply func(*structure.Grid) (structure.StaffUpdate, error)) (_ structure.Grid, err error) {
	defer wrap(&err, "store.UpdateGrid(%q)", id)
	var su structure.StaffUpdate
	return update(ctx, s, "grid.update", gridCols, "grid g", "g.id", gridFields, id,
		func(g *structure.Grid) error {
			var err error
			su, err = apply(g)
			return err
		},
		func(tx pgx.Tx, v structure.Grid) error {
			if _, err := tx.Exec(ctx, `UPDATE grid SET name = $2, updated_at = cogov_now() WHERE id = $1`, v.ID, v.Name); err != nil {
				return err
			}
			return writeStaff(ctx, tx, v, su.Rows, su.Replace)
		})
}

// CreateUnit inserts a unit.
func (s *Store) CreateUnit(ctx context.Context, v structure.Unit) (_ structure.Unit, err error) {
	defer wrap(&err, "store.CreateUnit")
	err = s.write(ctx, "unit.create", "", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO unit (subdistrict_id, community_id, name, kind, address, demo)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, v.SubdistrictID, v.CommunityID, v.Name, v.Kind, v.Address, v.Demo).Scan(&v.ID)
	})
	return v, err
}

// UpdateUnit changes a unit.
func (s *Store) UpdateUnit(ctx context.Context, id string, apply func(*structure.Unit) error) (_ structure.Unit, err error) {
	defer wrap(&err, "store.UpdateUnit(%q)", id)
	return update(ctx, s, "unit.update", unitCols, "unit u", "u.id", unitFields, id, apply,
		func(tx pgx.Tx, v structure.Unit) error {
			_, err := tx.Exec(ctx, `UPDATE unit SET name = $2, kind = $3, address = $4, community_id = $5, updated_at = cogov_now()
				WHERE id = $1`, v.ID, v.Name, v.Kind, v.Address, v.CommunityID)
			return err
		})
}

// CreateCommittee inserts a committee.
func (s *Store) CreateCommittee(ctx context.Context, v structure.Committee) (_ structure.Committee, err error) {
	defer wrap(&err, "store.CreateCommittee")
	err = s.write(ctx, "committee.create", "", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO committee (subdistrict_id, community_id, kind, name, demo)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, v.SubdistrictID, v.CommunityID, v.Kind, v.Name, v.Demo).Scan(&v.ID)
	})
	return v, err
}

// UpdateCommittee changes a committee.
func (s *Store) UpdateCommittee(ctx context.Context, id string, apply func(*structure.Committee) error) (_ structure.Committee, err error) {
	defer wrap(&err, "store.UpdateCommittee(%q)", id)
	return update(ctx, s, "committee.update", committeeCols, "committee k", "k.id", committeeFields, id, apply,
		func(tx pgx.Tx, v structure.Committee) error {
			_, err := tx.Exec(ctx, `UPDATE committee SET name = $2, updated_at = cogov_now() WHERE id = $1`, v.ID, v.Name)
			return err
		})
}

// CreatePerson inserts a person.
func (s *Store) CreatePerson(ctx context.Context, v structure.Person) (_ structure.Person, err error) {
	defer wrap(&err, "store.CreatePerson")
	err = s.write(ctx, "person.create", "", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO person (subdistrict_id, name, demo) VALUES ($1, $2, $3) RETURNING id`,
			v.SubdistrictID, v.Name, v.Demo).Scan(&v.ID)
	})
	return v, err
}

// UpdatePerson changes a person.
func (s *Store) UpdatePerson(ctx context.Context, id string, apply func(*structure.Person) error) (_ structure.Person, err error) {
	defer wrap(&err, "store.UpdatePerson(%q)", id)
	return update(ctx, s, "person.update", personCols, "person p", "p.id", personFields, id, apply,
		func(tx pgx.Tx, v structure.Person) error {
			_, err := tx.Exec(ctx, `UPDATE person SET name = $2, updated_at = cogov_now() WHERE id = $1`, v.ID, v.Name)
			return err
		})
}

// CreateMembership inserts a membership.
func (s *Store) CreateMembership(ctx context.Context, v structure.Membership) (_ structure.Membership, err error) {
	defer wrap(&err, "store.CreateMembership")
	var out structure.Membership
	err = s.write(ctx, "membership.create", "", func(tx pgx.Tx) error {
		var id string
		if err := tx.QueryRow(ctx, `INSERT INTO membership (subdistrict_id, committee_id, person_id, role, part_time, unit_id, title,
			term_start, term_end, demo) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			v.SubdistrictID, v.CommitteeID, v.PersonID, v.Role, v.PartTime, v.UnitID, v.Title, v.TermStart, v.TermEnd, v.Demo).Scan(&id); err != nil {
			return err
		}
		var err error
		out, err = one(ctx, tx, problem.ErrNotFound, membershipFields, `SELECT `+membershipCols+` FROM `+membershipFrom+` WHERE m.id = $1`, id)
		return err
	})
	return out, err
}

// UpdateMembership changes a membership.
func (s *Store) UpdateMembership(ctx context.Context, id string, apply func(*structure.Membership) error) (_ structure.Membership, err error) {
	defer wrap(&err, "store.UpdateMembership(%q)", id)
	var out structure.Membership
	_, err = update(ctx, s, "membership.update", membershipCols, membershipFrom, "m.id", membershipFields, id, apply,
		func(tx pgx.Tx, v structure.Membership) error {
			if _, err := tx.Exec(ctx, `UPDATE membership SET role = $2, unit_id = $3, title = $4, term_start = $5, term_end = $6,
				updated_at = cogov_now() WHERE id = $1`, v.ID, v.Role, v.UnitID, v.Title, v.TermStart, v.TermEnd); err != nil {
				return err
			}
			var err error
			out, err = one(ctx, tx, problem.ErrNotFound, membershipFields, `SELECT `+membershipCols+` FROM `+membershipFrom+` WHERE m.id = $1`, id)
			return err
		})
	if err != nil {
		return structure.Membership{}, fmt.Errorf("update membership: %w", err)
	}
	return out, nil
}
