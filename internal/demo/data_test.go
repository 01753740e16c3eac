package demo

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

var validKinds = map[string]bool{
	"PROVINCIAL_AGENCY":   true,
	"MUNICIPAL_AGENCY":    true,
	"STATE_ENTERPRISE":    true,
	"PRIVATE_ENTERPRISE":  true,
	"INSTITUTION":         true,
	"PROPERTY_MANAGEMENT": true,
	"SOCIAL_ORGANIZATION": true,
	"LAW_FIRM":            true,
	"SCHOOL":              true,
	"HOSPITAL":            true,
	"OTHER":               true,
}

var validRoles = map[string]bool{
	"SECRETARY":        true,
	"DEPUTY_SECRETARY": true,
	"MEMBER":           true,
	"PART_TIME_MEMBER": true,
}

// communityPartTimeKinds are the unit kinds that may send part-time members
// to a community big party committee.
var communityPartTimeKinds = map[string]bool{
	"STATE_ENTERPRISE":    true,
	"PRIVATE_ENTERPRISE":  true,
	"INSTITUTION":         true,
	"PROPERTY_MANAGEMENT": true,
	"SCHOOL":              true,
	"HOSPITAL":            true,
	"LAW_FIRM":            true,
	"SOCIAL_ORGANIZATION": true,
}

func checkText(t *testing.T, what, s string) {
	t.Helper()
	if strings.TrimSpace(s) == "" {
		t.Errorf("%s is blank", what)
	} else if strings.TrimSpace(s) != s {
		t.Errorf("%s %q is not trimmed", what, s)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func unitMap(t *testing.T) map[string]Unit {
	t.Helper()
	m := make(map[string]Unit, len(Units))
	for _, u := range Units {
		m[u.Key] = u
	}
	return m
}

func TestCommunitiesAndGrids(t *testing.T) {
	if got := len(Communities); got != 12 {
		t.Fatalf("communities = %d, want 12", got)
	}
	var grids, heads, deputies, workers int
	codes := map[string]bool{}
	names := map[string]bool{}
	for i, c := range Communities {
		checkText(t, "community code", c.Code)
		checkText(t, "community name", c.Name)
		if want := fmt.Sprintf("c%02d", i+1); c.Code != want {
			t.Errorf("community %d code = %q, want %q", i, c.Code, want)
		}
		if !isASCII(c.Code) {
			t.Errorf("community code %q is not ascii", c.Code)
		}
		if !strings.HasSuffix(c.Name, "社区") {
			t.Errorf("community name %q does not end in 社区", c.Name)
		}
		if codes[c.Code] {
			t.Errorf("duplicate community code %q", c.Code)
		}
		codes[c.Code] = true
		if names[c.Name] {
			t.Errorf("duplicate community name %q", c.Name)
		}
		names[c.Name] = true
		if len(c.Grids) == 0 {
			t.Errorf("community %s has no grids", c.Name)
		}
		gridNames := map[string]bool{}
		for _, g := range c.Grids {
			checkText(t, "grid name", g.Name)
			if gridNames[g.Name] {
				t.Errorf("community %s: duplicate grid name %q", c.Name, g.Name)
			}
			gridNames[g.Name] = true
			grids++
			if g.Head != "" {
				heads++
			}
			if len(g.Deputies) != 2 {
				t.Errorf("%s %s: %d deputies, want 2", c.Name, g.Name, len(g.Deputies))
			}
			if len(g.Workers) != 7 {
				t.Errorf("%s %s: %d workers, want 7", c.Name, g.Name, len(g.Workers))
			}
			deputies += len(g.Deputies)
			workers += len(g.Workers)
		}
	}
	if grids != 34 {
		t.Errorf("grids = %d, want 34", grids)
	}
	if heads != 34 {
		t.Errorf("grid heads = %d, want 34", heads)
	}
	if deputies != 68 {
		t.Errorf("deputy grid heads = %d, want 68", deputies)
	}
	if workers != 238 {
		t.Errorf("grid workers = %d, want 238", workers)
	}
}

func TestUnits(t *testing.T) {
	keys := map[string]bool{}
	names := map[string]bool{}
	for _, u := range Units {
		checkText(t, "unit key", u.Key)
		checkText(t, "unit name", u.Name)
		checkText(t, "unit address", u.Address)
		if !isASCII(u.Key) {
			t.Errorf("unit key %q is not ascii", u.Key)
		}
		if keys[u.Key] {
			t.Errorf("duplicate unit key %q", u.Key)
		}
		keys[u.Key] = true
		if names[u.Name] {
			t.Errorf("duplicate unit name %q", u.Name)
		}
		names[u.Name] = true
		if !validKinds[u.Kind] {
			t.Errorf("unit %s: invalid kind %q", u.Key, u.Kind)
		}
		if !strings.HasPrefix(u.Address, "长沙市雨花区") {
			t.Errorf("unit %s: address %q is not in 长沙市雨花区", u.Key, u.Address)
		}
		if u.CommunityIndex < -1 || u.CommunityIndex >= len(Communities) {
			t.Errorf("unit %s: community index %d out of range", u.Key, u.CommunityIndex)
		}
	}
	m := unitMap(t)
	for key, name := range map[string]string{"hnig": "湖南省核工业地质局", "water": "湖南省水利厅"} {
		u, ok := m[key]
		if !ok {
			t.Errorf("unit %q missing", key)
			continue
		}
		if u.Name != name || u.Kind != "PROVINCIAL_AGENCY" {
			t.Errorf("unit %q = %q %s, want %q PROVINCIAL_AGENCY", key, u.Name, u.Kind, name)
		}
	}
}

func checkCommittee(t *testing.T, what string, ms []Member, units map[string]Unit) {
	t.Helper()
	var secretaries, deputies int
	for _, m := range ms {
		checkText(t, what+" member name", m.Person)
		if !validRoles[m.Role] {
			t.Errorf("%s: %s has invalid role %q", what, m.Person, m.Role)
		}
		if m.Title != "" {
			checkText(t, what+" member title", m.Title)
		}
		switch m.Role {
		case "SECRETARY":
			secretaries++
		case "DEPUTY_SECRETARY":
			deputies++
		}
		if m.Role == "PART_TIME_MEMBER" {
			if _, ok := units[m.UnitKey]; !ok {
				t.Errorf("%s: %s represents unknown unit %q", what, m.Person, m.UnitKey)
			}
			checkText(t, what+" part-time member title", m.Title)
		} else if m.UnitKey != "" {
			t.Errorf("%s: non-part-time member %s has unit key %q", what, m.Person, m.UnitKey)
		}
	}
	if secretaries != 1 {
		t.Errorf("%s: %d secretaries, want 1", what, secretaries)
	}
	if deputies < 1 {
		t.Errorf("%s: no deputy secretary", what)
	}
}

func TestWorkingCommittee(t *testing.T) {
	units := unitMap(t)
	checkCommittee(t, "working committee", WorkingCommittee, units)
	var partTime, fullTime int
	seen := map[string]bool{}
	for _, m := range WorkingCommittee {
		if m.Role == "MEMBER" {
			fullTime++
		}
		if m.Role != "PART_TIME_MEMBER" {
			continue
		}
		partTime++
		if seen[m.UnitKey] {
			t.Errorf("working committee: unit %q represented twice", m.UnitKey)
		}
		seen[m.UnitKey] = true
		u := units[m.UnitKey]
		if u.Kind != "PROVINCIAL_AGENCY" && u.Kind != "MUNICIPAL_AGENCY" {
			t.Errorf("working committee: unit %q has kind %s, want a provincial or municipal agency", u.Key, u.Kind)
		}
	}
	if partTime != 11 {
		t.Errorf("working committee part-time members = %d, want 11", partTime)
	}
	if fullTime < 1 {
		t.Errorf("working committee has no full-time members")
	}
	for _, key := range []string{"hnig", "water"} {
		if !seen[key] {
			t.Errorf("working committee: no part-time member from %q", key)
		}
	}
}

func TestCommunityCommittees(t *testing.T) {
	units := unitMap(t)
	var partTime int
	seen := map[string]bool{}
	for i, c := range Communities {
		checkCommittee(t, c.Name, c.Committee, units)
		var fullTime int
		for _, m := range c.Committee {
			switch m.Role {
			case "MEMBER":
				fullTime++
			case "PART_TIME_MEMBER":
				partTime++
				if seen[m.UnitKey] {
					t.Errorf("%s: unit %q already represented on a community committee", c.Name, m.UnitKey)
				}
				seen[m.UnitKey] = true
				u := units[m.UnitKey]
				if !communityPartTimeKinds[u.Kind] {
					t.Errorf("%s: unit %q has kind %s, not allowed on a community committee", c.Name, u.Key, u.Kind)
				}
				if u.CommunityIndex != i {
					t.Errorf("%s: unit %q lies in community %d, want %d", c.Name, u.Key, u.CommunityIndex, i)
				}
			}
		}
		if fullTime < 2 || fullTime > 3 {
			t.Errorf("%s: %d full-time members, want 2-3", c.Name, fullTime)
		}
	}
	if partTime != 46 {
		t.Errorf("community part-time members = %d, want 46", partTime)
	}
}

func TestPersonNamesUnique(t *testing.T) {
	seen := map[string]string{}
	add := func(name, where string) {
		checkText(t, "person name at "+where, name)
		if n := len([]rune(name)); n < 2 || n > 3 {
			t.Errorf("person name %q at %s has %d characters, want 2-3", name, where, n)
		}
		if prev, ok := seen[name]; ok {
			t.Errorf("person %q appears twice: %s and %s", name, prev, where)
		}
		seen[name] = where
	}
	for i, m := range WorkingCommittee {
		add(m.Person, fmt.Sprintf("working committee #%d", i))
	}
	for _, c := range Communities {
		for i, m := range c.Committee {
			add(m.Person, fmt.Sprintf("%s committee #%d", c.Name, i))
		}
		for _, g := range c.Grids {
			add(g.Head, c.Name+g.Name+" head")
			for i, d := range g.Deputies {
				add(d, fmt.Sprintf("%s%s deputy #%d", c.Name, g.Name, i))
			}
			for i, w := range g.Workers {
				add(w, fmt.Sprintf("%s%s worker #%d", c.Name, g.Name, i))
			}
		}
	}
	if len(seen) < 400 {
		t.Errorf("only %d distinct people, expected 400+", len(seen))
	}
}

func TestNameGenerator(t *testing.T) {
	// The whole period of the generator yields distinct names.
	period := len(surnames) * len(givenNames)
	seen := make(map[string]bool, period)
	for i := 0; i < period; i++ {
		n := personName(i)
		if seen[n] {
			t.Fatalf("personName(%d) = %q repeats", i, n)
		}
		seen[n] = true
	}
	// The working committee must not run into the community names.
	if len(WorkingCommittee) > communityNamesStart {
		t.Errorf("working committee uses %d names, more than the %d reserved", len(WorkingCommittee), communityNamesStart)
	}
}

func TestDeterministic(t *testing.T) {
	if !reflect.DeepEqual(workingCommittee(), WorkingCommittee) {
		t.Error("workingCommittee() differs between calls")
	}
	if !reflect.DeepEqual(communities(), Communities) {
		t.Error("communities() differs between calls")
	}
}
