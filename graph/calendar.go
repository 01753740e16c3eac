package graph

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"cogov/internal/access"
	"cogov/internal/booking"
	"cogov/internal/problem"
	"cogov/internal/store"
	"cogov/internal/structure"
)

// Calendar feeds cover this much of the past and the future.
const (
	feedPast   = 90 * 24 * time.Hour
	feedFuture = 400 * 24 * time.Hour
)

// CalendarHandler serves iCalendar (RFC 5545) feeds of approved bookings,
// for people to subscribe to from their phone calendars:
//
//	GET /calendar/venues/{id}.ics      a venue's approved and completed bookings
//	GET /calendar/committees/{id}.ics  a committee's approved and completed bookings
//
// ids are the GraphQL global ids. A venue's feed is public but, like
// Venue.availability, says who booked and why only to viewers who may see
// the booking; a committee's feed names who booked throughout, so only the
// committee's administrators (and the sub-district's) may read it, signed in
// or with the token of an address made by createCalendarFeed.
func CalendarHandler(r *Resolver, st *store.Store, log *slog.Logger) http.Handler {
	c := calendarFeeds{r: r, st: st, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /calendar/venues/{file}", c.venue)
	mux.HandleFunc("GET /calendar/committees/{file}", c.committee)
	return CheckURL(mux)
}

type calendarFeeds struct {
	r   *Resolver
	st  *store.Store
	log *slog.Logger
}

// feedID returns the uuid of the global id of type typ named by {file}.
func feedID(req *http.Request, typ string) string {
	gid, ok := strings.CutSuffix(req.PathValue("file"), ".ics")
	if !ok {
		return ""
	}
	return localID(typ, gid)
}

func (c calendarFeeds) fail(w http.ResponseWriter, req *http.Request, err error) {
	failHTTP(w, req, c.log, "calendar feed", err)
}

func (c calendarFeeds) venue(w http.ResponseWriter, req *http.Request) {
	ctx := req.Context()
	id := feedID(req, typeVenue)
	if id == "" {
		http.NotFound(w, req)
		return
	}
	v, err := c.st.Venue(ctx, id)
	if errors.Is(err, problem.ErrNotFound) {
		http.NotFound(w, req)
		return
	}
	if err != nil {
		c.fail(w, req, err)
		return
	}
	now := c.r.Bookings.Now()
	bs, err := c.st.CalendarBookings(ctx, v.ID, false, now.Add(-feedPast), now.Add(feedFuture))
	if err != nil {
		c.fail(w, req, err)
		return
	}
	committees, err := c.committees(req, bs)
	if err != nil {
		c.fail(w, req, err)
		return
	}
	viewer := access.From(ctx)
	cal := newFeed(v.Name, v.TimeZone)
	for _, b := range bs {
		summary := "已预订 (booked)"
		if booking.CanSee(viewer, b) {
			summary = b.Purpose + " · " + committees[b.CommitteeID].Name
		}
		addEvent(cal, b, summary, v)
	}
	serve(w, req, cal, c)
}

func (c calendarFeeds) committee(w http.ResponseWriter, req *http.Request) {
	ctx := req.Context()
	id := feedID(req, typeCommittee)
	if id == "" {
		http.NotFound(w, req)
		return
	}
	m, err := c.st.CommitteesByID(ctx, []string{id})
	if err != nil {
		c.fail(w, req, err)
		return
	}
	k, ok := m[id]
	if !ok {
		http.NotFound(w, req)
		return
	}
	if token := req.URL.Query().Get("token"); token != "" && c.r.Feeds != nil {
		v, err := c.r.Feeds.Viewer(ctx, k.ID, token)
		if errors.Is(err, booking.ErrFeedToken) {
			http.Error(w, "this calendar address is not valid (it may have been revoked)", http.StatusForbidden)
			return
		}
		if err != nil {
			c.fail(w, req, err)
			return
		}
		ctx = access.With(ctx, v)
	}
	if !access.From(ctx).AdministersCommittee(k.ID, k.SubdistrictID) {
		http.Error(w, "you may not read this committee's calendar", http.StatusForbidden)
		return
	}
	now := c.r.Bookings.Now()
	bs, err := c.st.CalendarBookings(ctx, k.ID, true, now.Add(-feedPast), now.Add(feedFuture))
	if err != nil {
		c.fail(w, req, err)
		return
	}
	ids := make([]string, len(bs))
	for i, b := range bs {
		ids[i] = b.VenueID
	}
	venues, err := c.st.VenuesByID(ctx, ids)
	if err != nil {
		c.fail(w, req, err)
		return
	}
	tz := ""
	for _, v := range venues {
		tz = v.TimeZone
	}
	cal := newFeed(k.Name, tz)
	for _, b := range bs {
		addEvent(cal, b, b.Purpose, venues[b.VenueID])
	}
	serve(w, req, cal, c)
}

func (c calendarFeeds) committees(req *http.Request, bs []booking.Booking) (map[string]structure.Committee, error) {
	ids := make([]string, len(bs))
	for i, b := range bs {
		ids[i] = b.CommitteeID
	}
	return c.st.CommitteesByID(req.Context(), ids)
}

func newFeed(name, tz string) *ics.Calendar {
	cal := ics.NewCalendarFor("cogov")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName(name)
	cal.SetXWRCalName(name)
	if tz != "" {
		cal.SetXWRTimezone(tz)
	}
	// Calendar apps poll a subscription; once an hour keeps it fresh enough.
	cal.SetRefreshInterval("PT1H")
	cal.SetXPublishedTTL("PT1H")
	return cal
}

// addEvent adds a booking with times in UTC, which every client reads
// without a VTIMEZONE block.
func addEvent(cal *ics.Calendar, b booking.Booking, summary string, v booking.Venue) {
	e := cal.AddEvent(b.ID + "@cogov")
	e.SetDtStampTime(b.CreatedAt.UTC())
	e.SetStartAt(b.Start.UTC())
	e.SetEndAt(b.End.UTC())
	e.SetSummary(summary)
	loc := v.Name
	if v.Address != "" {
		loc += ", " + v.Address
	}
	e.SetLocation(loc)
	e.SetStatus(ics.ObjectStatusConfirmed)
}

func serve(w http.ResponseWriter, req *http.Request, cal *ics.Calendar, c calendarFeeds) {
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	if err := cal.SerializeTo(w, ics.WithNewLineWindows); err != nil { // RFC 5545 3.1: lines end with CRLF
		c.log.ErrorContext(req.Context(), "calendar feed", "err", fmt.Errorf("serialize: %w", err))
	}
}
