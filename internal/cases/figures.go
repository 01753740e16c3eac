package cases

import (
	"context"
	"time"

	"cogov/internal/access"
	"cogov/internal/problem"
)

// Rates are the counts the rates of a scope (the sub-district, a community,
// a grid) are made of, for a period [from, to):
//
//   - Reported: cases reported in the period.
//   - AcceptMeasured / AcceptedOnTime: of those, the ones accepted, or whose
//     time to accept at the level they were reported to is over; and the
//     ones accepted within it.
//   - Resolved / ResolvedOnTime / SettledInGrid: cases resolved in the
//     period; within the time limit of the level that resolved them; at the
//     grid level (小事不出网格).
//   - MediationsConcluded / MediationsReached: mediations concluded in the
//     period; with an agreement.
//   - Visited / Satisfied: return visits in the period; with the resident
//     satisfied or basically satisfied.
type Rates struct {
	Reported, AcceptMeasured, AcceptedOnTime                         int
	Resolved, ResolvedOnTime, SettledInGrid                          int
	MediationsConcluded, MediationsReached, Visited, Satisfied, Open int
}

func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	r := float64(n) / float64(d)
	return &r
}

// OnTimeAcceptance is AcceptedOnTime / AcceptMeasured; nil when nothing was measured.
func (r Rates) OnTimeAcceptance() *float64 { return ratio(r.AcceptedOnTime, r.AcceptMeasured) }

// OnTimeResolution is ResolvedOnTime / Resolved.
func (r Rates) OnTimeResolution() *float64 { return ratio(r.ResolvedOnTime, r.Resolved) }

// MediationSuccess is MediationsReached / MediationsConcluded.
func (r Rates) MediationSuccess() *float64 { return ratio(r.MediationsReached, r.MediationsConcluded) }

// SettledInGridShare is SettledInGrid / Resolved.
func (r Rates) SettledInGridShare() *float64 { return ratio(r.SettledInGrid, r.Resolved) }

// Satisfaction is Satisfied / Visited.
func (r Rates) Satisfaction() *float64 { return ratio(r.Satisfied, r.Visited) }

// Count is the number of cases with one value of a dimension.
type Count struct {
	Key   string // the source, category id, level or status
	Count int
}

// ScopeRates are the rates of one community or grid.
type ScopeRates struct {
	ID          string // the community or grid
	CommunityID string
	Rates       Rates
}

// Figures are a sub-district's grid-affairs figures for a period.
type Figures struct {
	From, To time.Time
	Total    Rates
	// BySource, ByCategory and ByStatus count the cases reported in the
	// period (ByStatus as they stand now); BySettledLevel the cases resolved
	// in it, by the level that settled them ("UNIT" for a unit).
	BySource, ByCategory, ByStatus, BySettledLevel []Count
	Communities                                    []ScopeRates
	Grids                                          []ScopeRates
}

// FiguresStore computes the figures in SQL.
type FiguresStore interface {
	CaseFigures(ctx context.Context, sd string, from, to time.Time) (Figures, error)
}

// ReadFigures returns the figures of sub-district sd for [from, to); those
// who work in the sub-district may read them.
func ReadFigures(ctx context.Context, st FiguresStore, sd string, from, to time.Time) (Figures, error) {
	if !CanSee(access.From(ctx), sd) {
		return Figures{}, problem.ErrNotFound
	}
	if !to.After(from) || to.Sub(from) > 366*24*time.Hour*5 {
		return Figures{}, problem.New(problem.InvalidInput, "a period ends after it starts and lasts at most five years", "to")
	}
	return st.CaseFigures(ctx, sd, from, to)
}

// Figures returns the figures of sub-district sd, whose time zone is tz,
// for the days from..to (ReadDays).
func (s *Service) Figures(ctx context.Context, sd, tz string, from, to time.Time) (Figures, error) {
	return ReadDays(ctx, s.store, sd, tz, from, to)
}

// ReadDays is ReadFigures for the days from..to (dates, inclusive) in the
// sub-district's time zone tz; to must not be before from nor more than 366
// days after it.
func ReadDays(ctx context.Context, st FiguresStore, sd, tz string, from, to time.Time) (Figures, error) {
	if to.Before(from) || to.Sub(from) > 366*24*time.Hour {
		return Figures{}, problem.New(problem.InvalidInput, "to must not be before from, and at most 366 days after it", "to")
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return Figures{}, err
	}
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	end := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)
	return ReadFigures(ctx, st, sd, start, end)
}
