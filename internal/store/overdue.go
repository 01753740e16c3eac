package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/internal/lists"
)

// ClaimOverdueProjects claims, for telling, up to limit active projects
// past their due day at now (the day's end in the sub-district's time zone,
// as the inbox's PROJECT_OVERDUE) that were not told overdue for that due
// day yet, and returns them. The claim (a project_overdue_notice row) is
// written in the transaction ctx carries, so it commits with the
// notifications or not at all; a concurrent claim of the same project waits
// for this one and then skips it.
func (s *Store) ClaimOverdueProjects(ctx context.Context, now time.Time, limit int) (_ []lists.Project, err error) {
	defer wrap(&err, "store.ClaimOverdueProjects(%d)", limit)
	var out []lists.Project
	err = s.write(ctx, "project.overdue", "", func(tx pgx.Tx) error {
		var err error
		out, err = collect(ctx, tx, projectFields, `WITH due AS (
				SELECT p.id, p.due_on, p.subdistrict_id FROM project p JOIN subdistrict s ON s.id = p.subdistrict_id
				WHERE p.status = 'ACTIVE' AND p.due_on IS NOT NULL AND ((p.due_on + 1)::timestamp AT TIME ZONE s.time_zone) <= $1
				  AND NOT EXISTS (SELECT 1 FROM project_overdue_notice n WHERE n.project_id = p.id AND n.due_on = p.due_on)
				ORDER BY p.due_on, p.id LIMIT $2
			), claimed AS (
				INSERT INTO project_overdue_notice (project_id, due_on, subdistrict_id) SELECT id, due_on, subdistrict_id FROM due
				ON CONFLICT DO NOTHING RETURNING project_id
			)
			SELECT `+projectCols+` FROM project p WHERE p.id IN (SELECT project_id FROM claimed) ORDER BY p.due_on, p.id`, now, limit)
		return err
	})
	return out, err
}
