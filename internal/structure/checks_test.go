package structure

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"cogov/internal/problem"
)

// The structure's pure checks, each a table: what a change is checked
// against before the store sees it.

func problems(code problem.Code, message string, field ...string) problem.List {
	var l problem.List
	l.Add(code, message, field...)
	return l
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestCheckTerm(t *testing.T) {
	t.Parallel()
	end := func(s string) *time.Time { d := day(s); return &d }
	reversed := problems(problem.TermReversed, "a term cannot end before it starts", "termEnd")
	cases := []struct {
		name  string
		start time.Time
		end   *time.Time
		want  problem.List
	}{
		{"open-ended", day("2024-01-01"), nil, nil},
		{"ends later", day("2024-01-01"), end("2024-12-31"), nil},
		{"a term of one day", day("2024-01-01"), end("2024-01-01"), nil},
		{"ends the day before it starts", day("2024-01-01"), end("2023-12-31"), reversed},
		{"ends years before", day("2025-01-01"), end("2024-01-01"), reversed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var l problem.List
			checkTerm(&l, c.start, c.end, "termEnd")
			if diff := cmp.Diff(c.want, l, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckFigures(t *testing.T) {
	t.Parallel()
	area := problems(problem.InvalidInput, "areaKm2 must be a positive number", "areaKm2")
	pop := problems(problem.InvalidInput, "residentPopulation must not be negative", "residentPopulation")
	f := func(v float64) *float64 { return &v }
	n := func(v int) *int { return &v }
	cases := []struct {
		name string
		area *float64
		pop  *int
		want problem.List
	}{
		{"none given", nil, nil, nil},
		{"plausible", f(2.5), n(30000), nil},
		{"nobody lives there", f(0.1), n(0), nil},
		{"no area", f(0), nil, area},
		{"negative area", f(-1), nil, area},
		{"a million square kilometres", f(1e6), nil, area},
		{"not a number", f(math.NaN()), nil, area},
		{"negative population", nil, n(-1), pop},
		{"both wrong, area first", f(-1), n(-1), append(append(problem.List{}, area...), pop...)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var l problem.List
			checkFigures(&l, c.area, c.pop)
			if diff := cmp.Diff(c.want, l, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckTimeZone(t *testing.T) {
	t.Parallel()
	notIANA := problems(problem.InvalidInput, "timeZone must be an IANA time zone such as Asia/Shanghai", "timeZone")
	unknown := problems(problem.InvalidInput, "timeZone is not a known IANA time zone", "timeZone")
	cases := []struct {
		tz   string
		want problem.List
	}{
		{"Asia/Shanghai", nil},
		{"Asia/Urumqi", nil},
		{"UTC", nil},
		{"", notIANA},
		{"Local", notIANA},
		{"Mars/Olympus", unknown},
		{"asia/shanghai", unknown},
		{"+08:00", unknown},
	}
	for _, c := range cases {
		t.Run(c.tz, func(t *testing.T) {
			t.Parallel()
			var l problem.List
			checkTimeZone(&l, c.tz)
			if diff := cmp.Diff(c.want, l, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCodePattern(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"testsd": true, "c1": true, "houjiatang": true, "sd-2": true, "9a": true,
		"a": false, "": false, "Bad Code": false, "UPPER": false, "-lead": false, "x_y": false, "社区": false,
		strings.Repeat("a", 40): true, strings.Repeat("a", 41): false,
	}
	for code, ok := range cases {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			if got := codePattern.MatchString(code); got != ok {
				t.Errorf("codePattern matches %q: %v, want %v", code, got, ok)
			}
		})
	}
}

func TestToday(t *testing.T) {
	t.Parallel()
	instant := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return v
	}
	cases := []struct {
		name, tz string
		now      time.Time
		want     time.Time
	}{
		{"Shanghai is ahead of UTC", "Asia/Shanghai", instant("2027-02-06T23:30:00Z"), day("2027-02-07")},
		{"the same day before 16:00 UTC", "Asia/Shanghai", instant("2027-02-06T15:59:59Z"), day("2027-02-06")},
		{"midnight in Shanghai", "Asia/Shanghai", instant("2027-02-06T16:00:00Z"), day("2027-02-07")},
		{"a leap day", "Asia/Shanghai", instant("2028-02-29T02:00:00Z"), day("2028-02-29")},
		{"new year's eve in UTC is new year in Shanghai", "Asia/Shanghai", instant("2026-12-31T16:30:00Z"), day("2027-01-01")},
		{"New York is behind", "America/New_York", instant("2027-02-07T03:00:00Z"), day("2027-02-06")},
		{"an unknown zone counts as UTC", "Mars/Olympus", instant("2027-02-06T23:30:00Z"), day("2027-02-06")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(c.want, Today(c.tz, c.now)); diff != "" {
				t.Errorf("Today(%s, %s) (-want +got):\n%s", c.tz, c.now, diff)
			}
		})
	}
}

func TestCommitteeKinds(t *testing.T) {
	t.Parallel()
	type row struct{ Valid, AtCommunityLevel bool }
	got := map[CommitteeKind]row{}
	for _, k := range []CommitteeKind{WorkingCommittee, CommunityPartyCommittee, CompoundPartyBranch, "PARTY_GROUP", ""} {
		got[k] = row{k.Valid(), k.AtCommunityLevel()}
	}
	want := map[CommitteeKind]row{
		WorkingCommittee:        {true, false},
		CommunityPartyCommittee: {true, true},
		CompoundPartyBranch:     {true, true},
		"PARTY_GROUP":           {false, true},
		"":                      {false, true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
}
