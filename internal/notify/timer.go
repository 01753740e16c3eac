package notify

import (
	"context"
	"time"
)

// Timer is work due at a time: a reminder before a booking or meeting, a
// no-show check after a booking's start, a waitlist offer's expiry. It is
// queued as a scheduled job in the transaction of the change that sets it
// (Service.Later), and the domain that set it runs it when it is due; the
// runner reads the record's current state, so a timer of a booking that
// moved or was cancelled does nothing (the move sets new timers).
type Timer struct {
	Kind          string    // e.g. "booking.reminder"; the prefix names the domain that runs it
	SubdistrictID string    // whose figures and failures it belongs to
	ObjectID      string    // the record
	At            time.Time // when it is due
	Expect        time.Time // the record's start when it was set: a record that moved since ignores it
	Place         string    `json:",omitempty"` // the record's place when it was set (a booking's venue): a record moved elsewhere ignores it
	Lead          time.Duration
}

// Later queues timers in the transaction ctx carries. Without a scheduler
// (tests of one domain, a replica that only inserts) nothing is queued.
func (s *Service) Later(ctx context.Context, ts ...Timer) error {
	if s == nil || s.Schedule == nil || len(ts) == 0 {
		return nil
	}
	return s.Schedule(ctx, ts)
}

// Forget drops the timers not yet run of the records objectIDs, in the
// transaction ctx carries: a cancelled or rejected booking's reminders and
// no-show check. A timer already running finds its record changed and does
// nothing. Without an unscheduler nothing is dropped.
func (s *Service) Forget(ctx context.Context, objectIDs ...string) error {
	if s == nil || s.Unschedule == nil || len(objectIDs) == 0 {
		return nil
	}
	return s.Unschedule(ctx, objectIDs)
}
