package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
)

// icaljs is the directory of the ical.js check (graph/testdata/icaljs), with
// its pinned package installed once per test run.
var icaljs = nodeTool("icaljs", "ical.js")

// icalEvent is an event as ical.js reads it.
type icalEvent struct {
	UID, Summary string
	Start, End   time.Time
}

// TestCalendarFeedsByTheStandard reads the venue and committee feeds byte by
// byte — every line ends with CRLF and is at most 75 octets of whole UTF-8
// characters (RFC 5545 3.1) — and parses them with a second, independent
// parser, ical.js (as calendar apps use), which must see the same events as
// the Go library.
func TestCalendarFeedsByTheStandard(t *testing.T) {
	t.Parallel()
	_, d, hnig, srv := calendarFixture(t)
	owner := d.unitAdmin(t, hnig.Unit.ID, "hnig-admin")
	committee := d.committeeAdmin(t, 0)
	for _, c := range []struct {
		path   string
		viewer any
	}{
		{"/calendar/venues/" + hnig.ID + ".ics", nil},
		{"/calendar/venues/" + hnig.ID + ".ics", owner},
		{"/calendar/committees/" + d.parties[0] + ".ics", committee},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+c.path, nil)
		if c.viewer != nil {
			b, _ := json.Marshal(c.viewer)
			req.Header.Set(testViewerHeader, string(b))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", c.path, resp.StatusCode)
		}
		if !bytes.HasSuffix(body, []byte("END:VCALENDAR\r\n")) {
			t.Errorf("%s does not end with END:VCALENDAR and CRLF", c.path)
		}
		for i, line := range bytes.Split(bytes.TrimSuffix(body, []byte("\r\n")), []byte("\r\n")) {
			switch {
			case bytes.ContainsAny(line, "\r\n"):
				t.Errorf("%s line %d has a bare CR or LF: %q", c.path, i+1, line)
			case len(line) > 75:
				t.Errorf("%s line %d is %d octets long", c.path, i+1, len(line))
			case !utf8.Valid(line):
				t.Errorf("%s line %d splits a UTF-8 character: %q", c.path, i+1, line)
			}
		}
		cal, err := ics.ParseCalendar(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		theirs := parseWithICALjs(t, body)
		if len(theirs) != len(cal.Events()) || len(theirs) == 0 {
			t.Fatalf("%s: ical.js reads %d events, the Go library %d", c.path, len(theirs), len(cal.Events()))
		}
		for i, ev := range cal.Events() {
			start, _ := ev.GetStartAt()
			end, _ := ev.GetEndAt()
			summary := ev.GetProperty(ics.ComponentPropertySummary).Value
			if o := theirs[i]; o.UID != ev.Id() || o.Summary != summary || !o.Start.Equal(start) || !o.End.Equal(end) {
				t.Errorf("%s event %d: ical.js reads %+v, the Go library %s %q %v–%v", c.path, i, o, ev.Id(), summary, start, end)
			}
		}
	}
}

func parseWithICALjs(t *testing.T, feed []byte) []icalEvent {
	t.Helper()
	dir, err := icaljs()
	if err != nil {
		t.Fatalf("ical.js: %v", err)
	}
	cmd := exec.Command("node", "check.mjs")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(feed)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ical.js: %v: %s", err, stderr.String())
	}
	var parsed struct{ Events []icalEvent }
	if err := json.Unmarshal(out, &parsed); err != nil {
		t.Fatalf("ical.js output %s: %v", out, err)
	}
	return parsed.Events
}
