// Package jobs runs the platform's background work on River, the job queue
// kept in PostgreSQL: deliveries of notifications beyond the page
// (webhooks, WeCom group robots, SMS). Jobs are inserted in the transaction
// of the change that causes them, so a change that commits cannot lose its
// deliveries and a change that is refused queues none; River retries a
// failed delivery with backoff and keeps the one that fails for good
// (discarded), which the sub-district's administrators read as
// Subdistrict.failedDeliveries. Timers (reminders, no-show checks, offer
// expiries) are jobs scheduled at their time; the periodic job
// cogov_project_overdue tells of projects past their due day, and
// cogov_venue_shut_roll moves the venue search's kept horizon with the clock.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"cogov/internal/access"
	"cogov/internal/clock"
	"cogov/internal/notify"
	"cogov/internal/store"
)

// Options configure the job client; zero fields take the defaults.
type Options struct {
	Log         *slog.Logger
	HTTP        *http.Client // for webhooks; 10 s timeout by default
	SMS         SMSSender    // LogSMS by default
	MaxAttempts int          // per delivery; 8 by default (River's backoff: about 1 s, 16 s, 81 s, 4 min, ... ~1.6 h in all)
	Workers     int          // deliveries worked at once; 4 by default
	// RetryPolicy replaces River's exponential backoff (tests make it fast).
	RetryPolicy river.ClientRetryPolicy
	// Timers runs due timers (notify.Timer) in their domains; nil ignores them.
	Timers Runner
	// Overdue tells of overdue projects as of now (lists.Service.NotifyOverdue),
	// every OverdueEvery (15 minutes by default) on the replica River elects
	// leader, and once when a leader starts; nil runs no such job.
	Overdue      OverdueRunner
	OverdueEvery time.Duration
	// VenueShutEvery rolls the venue search's kept horizon forward
	// (store.RollVenueShut) to the time of the jobs' clock, every
	// VenueShutEvery on the leader and once when a leader starts; 0 runs no
	// such job (the search stays exact without it, only slower beyond the
	// horizon kept).
	VenueShutEvery time.Duration
}

// Jobs is the River client with the platform's workers.
type Jobs struct {
	Client *river.Client[pgx.Tx]
	st     *store.Store
	max    int
}

// New returns the job client over pool; Start works the jobs, Stop ends it.
// Without Start it only inserts (a replica that serves no jobs).
func New(pool *pgxpool.Pool, st *store.Store, now clock.Clock, o Options) (*Jobs, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if o.SMS == nil {
		o.SMS = LogSMS{Log: o.Log}
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = 8
	}
	if o.Workers == 0 {
		o.Workers = 4
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &DeliverWorker{store: st, http: o.HTTP, sms: o.SMS, now: now})
	if o.Timers == nil {
		o.Timers = func(context.Context, notify.Timer) error { return nil }
	}
	river.AddWorker(workers, &TimerWorker{run: o.Timers})
	var periodic []*river.PeriodicJob
	if o.Overdue != nil {
		if o.OverdueEvery == 0 {
			o.OverdueEvery = 15 * time.Minute
		}
		river.AddWorker(workers, NewOverdueWorker(o.Overdue, now))
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(o.OverdueEvery),
			func() (river.JobArgs, *river.InsertOpts) { return OverdueArgs{}, nil },
			&river.PeriodicJobOpts{ID: OverdueArgs{}.Kind(), RunOnStart: true}))
	}
	if o.VenueShutEvery > 0 {
		river.AddWorker(workers, &VenueShutWorker{store: st, now: now})
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(o.VenueShutEvery),
			func() (river.JobArgs, *river.InsertOpts) { return VenueShutArgs{}, nil },
			&river.PeriodicJobOpts{ID: VenueShutArgs{}.Kind(), RunOnStart: true}))
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}},
		Workers:      workers,
		PeriodicJobs: periodic,
		Logger:       o.Log,
		MaxAttempts:  o.MaxAttempts,
		RetryPolicy:  o.RetryPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return &Jobs{Client: client, st: st, max: o.MaxAttempts}, nil
}

// Start works jobs until Stop.
func (j *Jobs) Start(ctx context.Context) error { return j.Client.Start(ctx) }

// Stop lets running jobs finish (until ctx ends) and stops.
func (j *Jobs) Stop(ctx context.Context) error { return j.Client.Stop(ctx) }

// Deliver queues one delivery job per channel of each note's units and
// committees, in the transaction ctx carries: notify.Service.Deliver.
func (j *Jobs) Deliver(ctx context.Context, notes []notify.Note) error {
	var params []river.InsertManyParams
	for _, n := range notes {
		chs, err := j.st.ChannelsFor(ctx, n.To.Units, n.To.Committees, n.To.Communities)
		if err != nil {
			return err
		}
		for _, c := range chs {
			params = append(params, river.InsertManyParams{Args: DeliverArgs{SubdistrictID: n.SubdistrictID, ChannelID: c.ID,
				ChannelKind: c.Kind, NoteKind: n.Kind, ObjectType: n.ObjectType, ObjectID: n.ObjectID, Text: n.Text}})
		}
	}
	return j.st.InsertJobs(ctx, j.Client, params)
}

// TimerArgs is a notify.Timer as a River job, scheduled at its time.
type TimerArgs struct {
	Timer notify.Timer `json:"timer"`
}

// Kind is the River job kind.
func (TimerArgs) Kind() string { return "cogov_timer" }

// Runner runs a due timer in the domain that set it.
type Runner func(ctx context.Context, t notify.Timer) error

// TimerWorker runs timers when River finds them due.
type TimerWorker struct {
	river.WorkerDefaults[TimerArgs]
	run Runner
}

// Work runs the timer as the platform itself.
func (w *TimerWorker) Work(ctx context.Context, job *river.Job[TimerArgs]) error {
	return w.run(access.With(ctx, access.System("timers")), job.Args.Timer)
}

// Unschedule deletes the timer jobs of the records objectIDs that have not
// started, in the transaction ctx carries: notify.Service.Unschedule.
func (j *Jobs) Unschedule(ctx context.Context, objectIDs []string) error {
	return j.st.DropTimerJobs(ctx, TimerArgs{}.Kind(), objectIDs)
}

// Schedule queues timers as River jobs scheduled at their times, in the
// transaction ctx carries: notify.Service.Schedule.
func (j *Jobs) Schedule(ctx context.Context, ts []notify.Timer) error {
	params := make([]river.InsertManyParams, len(ts))
	for i, t := range ts {
		params[i] = river.InsertManyParams{Args: TimerArgs{Timer: t}, InsertOpts: &river.InsertOpts{ScheduledAt: t.At}}
	}
	return j.st.InsertJobs(ctx, j.Client, params)
}

// OverdueArgs is the periodic job that tells of overdue projects.
type OverdueArgs struct{}

// Kind is the River job kind.
func (OverdueArgs) Kind() string { return "cogov_project_overdue" }

// OverdueRunner tells of the projects overdue at now and says how many.
type OverdueRunner func(ctx context.Context, now time.Time) (int, error)

// OverdueWorker runs the periodic overdue check as the platform, at the
// time of the clock it was given. It may run twice at once (a retry, a
// leader change) and a run may fail halfway: the runner tells of each
// project once whatever happens.
type OverdueWorker struct {
	river.WorkerDefaults[OverdueArgs]
	run OverdueRunner
	now clock.Clock
}

// NewOverdueWorker returns the worker of OverdueArgs over run on the clock now.
func NewOverdueWorker(run OverdueRunner, now clock.Clock) *OverdueWorker {
	return &OverdueWorker{run: run, now: now}
}

// Work tells of the projects overdue now.
func (w *OverdueWorker) Work(ctx context.Context, _ *river.Job[OverdueArgs]) error {
	_, err := w.run(access.With(ctx, access.System("overdue")), w.now())
	return err
}

// VenueShutArgs is the periodic job that rolls the venue search's kept
// horizon forward.
type VenueShutArgs struct{}

// Kind is the River job kind.
func (VenueShutArgs) Kind() string { return "cogov_venue_shut_roll" }

// VenueShutWorker rolls the horizon to the time of its clock, as the
// platform. Two runs at once wait for each other (the horizon's rows are
// locked) and the second finds nothing to do.
type VenueShutWorker struct {
	river.WorkerDefaults[VenueShutArgs]
	store *store.Store
	now   clock.Clock
}

// Work rolls the horizon.
func (w *VenueShutWorker) Work(ctx context.Context, _ *river.Job[VenueShutArgs]) error {
	_, err := w.store.RollVenueShut(access.With(ctx, access.System("venue_shut")), w.now())
	return err
}
