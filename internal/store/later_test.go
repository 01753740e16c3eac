package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/internal/booking"
	"cogov/internal/store"
	"cogov/internal/testworld"
)

// venueSignals listens on cogov_venue through the store and returns the
// payloads as they arrive, once the signals of the world's set-up are sent
// and the listener is seen to receive: a plain pg_notify from outside the
// store is sent until it comes through.
func venueSignals(t *testing.T, w *testworld.World) <-chan string {
	t.Helper()
	// The set-up's own signals go first, before anyone listens.
	w.Must(w.Store.FlushSignals(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan string, 1000)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = w.Store.ListenVenueChanges(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), func(id string) { got <- id })
	}()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.After(10 * time.Second)
	for {
		if _, err := w.DB.Pool.Exec(ctx, `SELECT pg_notify('cogov_venue', 'ready')`); err != nil {
			t.Fatal(err)
		}
		select {
		case id := <-got:
			if id == "ready" {
				for len(got) > 0 { // further readies
					<-got
				}
				return got
			}
			t.Fatalf("signal %q before any write", id)
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatal("the listener received nothing in 10 s")
		}
	}
}

// next is the next signal, or a failure after 10 s.
func next(t *testing.T, got <-chan string) string {
	t.Helper()
	select {
	case id := <-got:
		return id
	case <-time.After(10 * time.Second):
		t.Fatal("no signal in 10 s")
		return ""
	}
}

// rename changes a venue's name through the store, in ctx's transaction if it carries one.
func rename(w *testworld.World, ctx context.Context, id, name string) error {
	_, err := w.Store.UpdateVenue(ctx, id, "venue.update", "", func(u *booking.VenueUpdate) error {
		u.Venue.Name = name
		return nil
	})
	return err
}

// TestSignalsAfterCommit checks that a write transaction of the store
// gathers its live-update signals instead of notifying inside the
// transaction (each once, however many rows changed), sends them once it
// committed, and sends nothing for a transaction that rolled back; and that
// the signals of many concurrent transactions all arrive.
func TestSignalsAfterCommit(t *testing.T) {
	w := testworld.New(t)
	_, _, venues := placeWithVenues(w, "later", "Asia/Shanghai", 2)
	a, b := venues[0].ID, venues[1].ID
	got := venueSignals(t, w)

	err := w.Store.InTxAll(w.Sys, "test", func(ctx context.Context) error {
		for _, name := range []string{"甲", "乙"} {
			if err := rename(w, ctx, a, name); err != nil {
				return err
			}
		}
		later, err := store.Gathered(ctx, w.Store)
		if err != nil {
			return err
		}
		if want := "cogov_venue " + a + "\n"; later != want {
			t.Errorf("gathered %q in the transaction, want %q", later, want)
		}
		return nil
	})
	w.Must(err)
	if id := next(t, got); id != a {
		t.Fatalf("signal %q after the commit, want %q", id, a)
	}

	// Rolled back: no signal for b. The next signal is a's, written after.
	stop := errors.New("stop")
	err = w.Store.InTxAll(w.Sys, "test", func(ctx context.Context) error {
		if err := rename(w, ctx, b, "丙"); err != nil {
			return err
		}
		return stop
	})
	if !errors.Is(err, stop) {
		t.Fatalf("rolled back with %v, want %v", err, stop)
	}
	w.Must(rename(w, w.Sys, a, "丁"))
	if id := next(t, got); id != a {
		t.Fatalf("signal %q, want %q: the rolled-back write signalled", id, a)
	}

	// Many writers at once (names placeWithVenues does not use): every venue
	// they changed is signalled.
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() { errs <- rename(w, w.Sys, venues[i%2].ID, w.Unique("改名厅")) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		w.Must(err)
	}
	seen := map[string]bool{}
	for !seen[a] || !seen[b] {
		seen[next(t, got)] = true
	}
}

// TestSignalGathering checks cogov_signal, the triggers' way to signal: a
// transaction without cogov.notify_later notifies at its commit (psql, a
// migration); with it, each signal is gathered once and not notified, a
// savepoint rolled back takes its signals with it, and past 32 KiB gathered
// a signal is notified at the commit instead.
func TestSignalGathering(t *testing.T) {
	w := testworld.New(t)
	got := venueSignals(t, w)
	ctx := context.Background()
	var overflow []string // the signals past the cap, in order
	err := pgx.BeginFunc(ctx, w.DB.Pool, func(tx pgx.Tx) error {
		later := func() string {
			var s string
			w.Must(tx.QueryRow(ctx, `SELECT coalesce(current_setting('cogov.later', true), '')`).Scan(&s))
			return s
		}
		signal := func(payload string) {
			_, err := tx.Exec(ctx, `SELECT cogov_signal('cogov_venue', $1)`, payload)
			w.Must(err)
		}
		signal("direct")
		if s := later(); s != "" {
			t.Errorf("gathered %q without cogov.notify_later", s)
		}
		if _, err := tx.Exec(ctx, `SELECT set_config('cogov.notify_later', 'on', true)`); err != nil {
			return err
		}
		signal("x")
		signal("y")
		signal("x")
		if _, err := tx.Exec(ctx, `SAVEPOINT s`); err != nil {
			return err
		}
		signal("z")
		if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT s`); err != nil {
			return err
		}
		if s, want := later(), "cogov_venue x\ncogov_venue y\n"; s != want {
			t.Errorf("gathered %q, want %q", s, want)
		}
		// Past 32 KiB gathered, a signal is notified at once instead.
		line := len("cogov_venue ") + 103 + 1
		for i := range 400 {
			payload := fmt.Sprintf("%03d%s", i, strings.Repeat("p", 100))
			signal(payload)
			if !strings.Contains(later(), " "+payload+"\n") {
				overflow = append(overflow, payload)
			} else if len(overflow) > 0 {
				t.Fatalf("%.3s gathered after %.3s went past the cap", payload, overflow[0])
			}
		}
		if n := len(later()); n > 32768 || n+line <= 32768 {
			t.Errorf("gathered %d bytes, want up to 32 KiB, with no room for one line more", n)
		}
		return nil
	})
	w.Must(err)
	if len(overflow) == 0 {
		t.Fatal("nothing went past the cap")
	}
	for _, want := range append([]string{"direct"}, overflow...) {
		if id := next(t, got); id != want {
			t.Fatalf("signal %.20q, want %.20q: notified at once at the commit", id, want)
		}
	}
	// The gathered ones were not notified: the next signal is a later one.
	_, err = w.DB.Pool.Exec(ctx, `SELECT pg_notify('cogov_venue', 'end')`)
	w.Must(err)
	if id := next(t, got); id != "end" {
		t.Fatalf("signal %q, want none of the gathered ones", id)
	}
}
