package graph

import (
	"strings"
	"sync"
)

// Hub fans venue-change notifications out to the subscriptions that watch
// each venue. A subscriber that has not caught up yet is not sent a second
// signal: it will read the venue's current state anyway.
type Hub struct {
	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[string]map[chan struct{}]struct{}{}} }

// Changed signals the subscribers of a venue.
func (h *Hub) Changed(venueID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[venueID] {
		select {
		case ch <- struct{}{}:
		default: // a signal is already pending
		}
	}
}

// Subscribe returns a channel signalled when the venue changes, and the
// function that ends the subscription.
func (h *Hub) Subscribe(venueID string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs[venueID] == nil {
		h.subs[venueID] = map[chan struct{}]struct{}{}
	}
	h.subs[venueID][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[venueID], ch)
		if len(h.subs[venueID]) == 0 {
			delete(h.subs, venueID)
		}
		h.mu.Unlock()
	}
}

// NoteHub fans notification ids out to the notificationAdded
// subscriptions of each account. Every id is sent (a subscriber reads each
// notification once); a subscriber more than noteBacklog behind loses the
// oldest signals rather than holding up the others, and finds them in
// Viewer.notifications.
type NoteHub struct {
	mu   sync.Mutex
	subs map[string]map[chan string]struct{}
}

const noteBacklog = 256

// NewNoteHub returns an empty hub.
func NewNoteHub() *NoteHub { return &NoteHub{subs: map[string]map[chan string]struct{}{}} }

// Added takes a cogov_notification payload, "<account id>:<notification
// id>", and signals the account's subscribers.
func (h *NoteHub) Added(payload string) {
	account, id, ok := strings.Cut(payload, ":")
	if !ok {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[account] {
		select {
		case ch <- id:
		default: // too far behind: drop the oldest, keep the newest
			select {
			case <-ch:
			default:
			}
			select {
			case ch <- id:
			default:
			}
		}
	}
}

// Subscribe returns a channel of the ids of the account's new
// notifications and the function that ends the subscription.
func (h *NoteHub) Subscribe(accountID string) (<-chan string, func()) {
	ch := make(chan string, noteBacklog)
	h.mu.Lock()
	if h.subs[accountID] == nil {
		h.subs[accountID] = map[chan string]struct{}{}
	}
	h.subs[accountID][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[accountID], ch)
		if len(h.subs[accountID]) == 0 {
			delete(h.subs, accountID)
		}
		h.mu.Unlock()
	}
}
