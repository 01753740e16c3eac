package jobs_test

import (
	"testing"
	"time"

	"cogov/internal/clock"
	"cogov/internal/jobs"
	"cogov/internal/testworld"
)

// TestVenueShutJob: River rolls the venue search's kept horizon to the time
// of the jobs' clock (once as soon as its leader starts), so a window a few
// days past the old horizon's end is inside the new one, with the venues'
// closed hours of the new days.
func TestVenueShutJob(t *testing.T) {
	t.Parallel()
	tw := testworld.NewTown(t)
	v := tw.VenueHours(testworld.AllWeek(8*60, 20*60))
	later := tw.Now().Add(5 * 24 * time.Hour)
	end := later.AddDate(0, 0, 118) // past the horizon kept now, inside the one of later
	inside := func() bool {
		var ok bool
		tw.SysRow(`SELECT bool_and(k.covered @> tstzrange($1, $2)) FROM venue_shut_kept k WHERE k.subdistrict_id IN ($3, $4)`,
			end, end.Add(time.Hour), tw.SD, tw.OtherSD).Scan(&ok)
		return ok
	}
	if inside() {
		t.Fatal("the window is inside the horizon before the job ran")
	}
	j, err := jobs.New(tw.DB.Pool, tw.Store, clock.Fixed(later), jobs.Options{VenueShutEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	start(t, j)
	deadline := clock.Wall()().Add(20 * time.Second)
	for clock.Wall()().Before(deadline) {
		if inside() {
			// The venue's nights of the new days are kept: one or two in a day.
			if n := tw.Count(`SELECT count(*) FROM venue_shut o WHERE o.venue_id = $1 AND o.during && tstzrange($2, $3)`,
				v, end, end.Add(24*time.Hour)); n < 1 || n > 2 {
				t.Errorf("the venue open 08:00–20:00 is shut in %d ranges of a new day", n)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Error("the periodic job did not roll the horizon")
}
