package lists

import (
	"context"
	"fmt"
	"time"

	"cogov/internal/access"
	"cogov/internal/notify"
	"cogov/internal/problem"
)

// overdueBatch is how many projects one transaction of NotifyOverdue tells.
const overdueBatch = 200

// NotifyOverdue tells of every active project past its due day at now
// (the day's end in the sub-district's time zone) that was not told of yet
// for that due day: PROJECT_OVERDUE to the administrators of its owner
// (unit or committee) and of its sub-district, who also find it in their
// inboxes. Each project is told once per due day however often and however
// many times at once this runs (the claim commits with the notifications);
// a project whose due day is moved later is told again when that one
// passes. Only the platform runs it (the periodic job of internal/jobs).
// It returns how many projects it told of.
func (s *Service) NotifyOverdue(ctx context.Context, now time.Time) (int, error) {
	if !access.From(ctx).System {
		return 0, problem.New(problem.Forbidden, "only the platform tells of overdue projects")
	}
	if s.Notes == nil {
		return 0, nil // nothing to tell with: claim nothing
	}
	total := 0
	for {
		var n int
		err := s.store.InTx(ctx, func(ctx context.Context) error {
			ps, err := s.store.ClaimOverdueProjects(ctx, now, overdueBatch)
			if err != nil {
				return err
			}
			n = len(ps)
			notes := make([]notify.Note, 0, len(ps))
			for _, p := range ps {
				to := notify.Audience{Subdistricts: []string{p.SubdistrictID}}
				if p.OwnerUnitID != nil {
					to.Units = []string{*p.OwnerUnitID}
				}
				if p.OwnerCommitteeID != nil {
					to.Committees = []string{*p.OwnerCommitteeID}
				}
				notes = append(notes, notify.Note{SubdistrictID: p.SubdistrictID, To: to, Kind: notify.ProjectIsOverdue,
					ObjectType: "Project", ObjectID: p.ID, Demo: p.Demo,
					Text: fmt.Sprintf("%s，%s 到期，进度 %d%%", p.Title, p.DueOn.Format(time.DateOnly), p.ProgressPercent)})
			}
			return s.Notes.Add(ctx, notes...)
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < overdueBatch {
			return total, nil
		}
	}
}
