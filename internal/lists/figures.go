package lists

import (
	"context"
	"time"

	"cogov/internal/problem"
)

// The sub-district's figures for any period of days, computed in SQL: what
// its monthly report publishes. They are public aggregates that name nobody.

// Stats are a sub-district's figures for a period.
type Stats struct {
	PartTimeMembers    int
	UnitsSharingVenues int
	SharedAreaSqm      float64
	BookingsApproved   int
	BookedHours        float64
	Attendees          int
	OpenHours          float64
	JointMeetingsHeld  int
	NeedsOpen          int
	NeedsMet           int
	ProjectsActive     int
	ProjectsCompleted  int
}

// Contribution is what a unit's venues hosted in a period.
type Contribution struct {
	UnitID         string
	HostedBookings int
	HostedHours    float64
	Attendees      int
}

// maxPeriod is the longest period the figures cover.
const maxPeriod = 366 * 24 * time.Hour

// CheckPeriod checks a period of days from..to: to not before from, at most
// 366 days after it.
func CheckPeriod(from, to time.Time) error {
	if to.Before(from) || to.Sub(from) > maxPeriod {
		return problem.New(problem.InvalidInput, "to must not be before from, and at most 366 days after it", "to")
	}
	return nil
}

// Figures returns the sub-district's figures for the days from..to in its
// time zone.
func (s *Service) Figures(ctx context.Context, subdistrictID string, from, to time.Time) (Stats, error) {
	if err := CheckPeriod(from, to); err != nil {
		return Stats{}, err
	}
	return s.store.SubdistrictStats(ctx, subdistrictID, from, to)
}
