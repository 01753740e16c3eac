package graph

import "sync"

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
