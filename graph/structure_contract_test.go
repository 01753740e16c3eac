package graph_test

import (
	"testing"
)

type overview struct {
	Subdistrict struct {
		ID                 string  `json:"id"`
		Name               string  `json:"name"`
		TimeZone           string  `json:"timeZone"`
		AreaKm2            float64 `json:"areaKm2"`
		ResidentPopulation int     `json:"residentPopulation"`
		Communities        struct {
			TotalCount int `json:"totalCount"`
			Edges      []struct {
				Node struct {
					ID    string `json:"id"`
					Name  string `json:"name"`
					Grids struct {
						TotalCount int `json:"totalCount"`
					} `json:"grids"`
					PartyCommittee struct {
						ID   string `json:"id"`
						Kind string `json:"kind"`
					} `json:"partyCommittee"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"communities"`
		WorkingCommittee struct {
			ID          string `json:"id"`
			Kind        string `json:"kind"`
			Memberships struct {
				TotalCount int `json:"totalCount"`
				Edges      []struct {
					Node struct {
						ID        string  `json:"id"`
						Role      string  `json:"role"`
						PartTime  bool    `json:"partTime"`
						TermStart string  `json:"termStart"`
						TermEnd   *string `json:"termEnd"`
						Person    struct {
							ID   string `json:"id"`
							Name string `json:"name"`
						} `json:"person"`
						Unit *struct {
							ID   string `json:"id"`
							Name string `json:"name"`
							Kind string `json:"kind"`
						} `json:"unit"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"memberships"`
		} `json:"workingCommittee"`
		Committees struct {
			TotalCount int `json:"totalCount"`
			Edges      []struct {
				Node struct {
					ID          string `json:"id"`
					Name        string `json:"name"`
					Memberships struct {
						TotalCount int `json:"totalCount"`
					} `json:"memberships"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"committees"`
		Units struct {
			TotalCount int `json:"totalCount"`
			Edges      []struct {
				Node struct {
					ID   string `json:"id"`
					Name string `json:"name"`
					Kind string `json:"kind"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"units"`
	} `json:"subdistrict"`
}

// TestStructureContract runs contract/structure.graphql against the demo
// data and checks the counts its comments promise.
func TestStructureContract(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true).signIn("street-admin", "cogov-demo")
	doc := operation(t, "structure.graphql")

	var o overview
	e.doOp(doc, "SubdistrictOverview", map[string]any{"code": "houjiatang"}, &o)
	s := o.Subdistrict
	if s.Name != "侯家塘街道" || s.TimeZone != "Asia/Shanghai" || s.AreaKm2 != 1.78 || s.ResidentPopulation != 100000 {
		t.Errorf("sub-district = %q %q %v %d", s.Name, s.TimeZone, s.AreaKm2, s.ResidentPopulation)
	}
	if s.Communities.TotalCount != 12 || len(s.Communities.Edges) != 12 {
		t.Errorf("communities: total %d, edges %d; want 12", s.Communities.TotalCount, len(s.Communities.Edges))
	}
	grids := 0
	for _, c := range s.Communities.Edges {
		grids += c.Node.Grids.TotalCount
		if c.Node.PartyCommittee.Kind != "COMMUNITY_PARTY_COMMITTEE" {
			t.Errorf("community %s: party committee kind %q", c.Node.Name, c.Node.PartyCommittee.Kind)
		}
	}
	if grids != 34 {
		t.Errorf("grids in all = %d, want 34", grids)
	}
	wc := s.WorkingCommittee
	if wc.Kind != "SUBDISTRICT_WORKING_COMMITTEE" {
		t.Errorf("working committee kind = %q", wc.Kind)
	}
	if wc.Memberships.TotalCount != 11 || len(wc.Memberships.Edges) != 11 {
		t.Errorf("working committee part-time members: total %d, edges %d; want 11", wc.Memberships.TotalCount, len(wc.Memberships.Edges))
	}
	units := map[string]bool{}
	for _, m := range wc.Memberships.Edges {
		n := m.Node
		if !n.PartTime || n.Unit == nil {
			t.Errorf("membership %s: partTime %v unit %v", n.ID, n.PartTime, n.Unit)
			continue
		}
		if n.Unit.Kind != "PROVINCIAL_AGENCY" && n.Unit.Kind != "MUNICIPAL_AGENCY" {
			t.Errorf("%s represents %s of kind %s", n.Person.Name, n.Unit.Name, n.Unit.Kind)
		}
		units[n.Unit.ID] = true
	}
	if len(units) != 11 {
		t.Errorf("the 11 part-time members represent %d different units", len(units))
	}
	if s.Committees.TotalCount != 12 {
		t.Errorf("community party committees = %d, want 12", s.Committees.TotalCount)
	}
	partTime := 0
	for _, c := range s.Committees.Edges {
		partTime += c.Node.Memberships.TotalCount
	}
	if partTime != 46 {
		t.Errorf("part-time members of community party committees = %d, want 46", partTime)
	}
	if s.Units.TotalCount != 57 {
		t.Errorf("units = %d, want 57 (11 agencies and 46 local units)", s.Units.TotalCount)
	}

	// Every id the overview returned resolves through node() to its type.
	for id, typ := range map[string]string{
		s.ID: "Subdistrict", s.Communities.Edges[0].Node.ID: "Community", wc.ID: "Committee",
		wc.Memberships.Edges[0].Node.ID: "Membership", wc.Memberships.Edges[0].Node.Person.ID: "Person",
		wc.Memberships.Edges[0].Node.Unit.ID: "Unit",
	} {
		var n struct {
			Node *struct {
				ID       string `json:"id"`
				Typename string `json:"__typename"`
			} `json:"node"`
		}
		e.doOp(doc, "NodeById", map[string]any{"id": id}, &n)
		if n.Node == nil || n.Node.ID != id || n.Node.Typename != typ {
			t.Errorf("node(%s) = %+v, want a %s", id, n.Node, typ)
		}
	}
}

// TestUnknownAndMalformed checks that bad requests get clear errors and that
// the server keeps serving.
func TestUnknownAndMalformed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true).signIn("street-admin", "cogov-demo")
	doc := operation(t, "structure.graphql")

	var n struct {
		Node *struct{ ID string } `json:"node"`
	}
	for _, id := range []string{"nonsense", "Q29tbXVuaXR5OjEyMw", "Q29tbXVuaXR5OjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA"} {
		e.doOp(doc, "NodeById", map[string]any{"id": id}, &n)
		if n.Node != nil {
			t.Errorf("node(%q) = %+v, want null", id, n.Node)
		}
	}

	cases := []struct {
		name, query string
		vars        map[string]any
		code        string
	}{
		{"malformed query", `{ subdistrict(code: "houjiatang") { name `, nil, "GRAPHQL_PARSE_FAILED"},
		{"unknown field", `{ subdistrict(code: "houjiatang") { nonsense } }`, nil, "GRAPHQL_VALIDATION_FAILED"},
		{"wrong-typed variable", `query($f: Int!) { subdistrict(code: "houjiatang") { communities(first: $f) { totalCount } } }`, map[string]any{"f": "ten"}, "GRAPHQL_VALIDATION_FAILED"},
		{"object for a string", `query($c: String!) { subdistrict(code: $c) { name } }`, map[string]any{"c": map[string]any{"x": 1}}, "GRAPHQL_VALIDATION_FAILED"},
		{"first above 100", `{ subdistrict(code: "houjiatang") { communities(first: 101) { totalCount } } }`, nil, "BAD_USER_INPUT"},
		{"bad cursor", `{ subdistrict(code: "houjiatang") { communities(first: 5, after: "zzz") { totalCount } } }`, nil, "BAD_USER_INPUT"},
		{"bad date", `{ subdistrict(code: "houjiatang") { workingCommittee { memberships(first: 5, currentOn: "2026-13-01") { totalCount } } } }`, nil, "BAD_USER_INPUT"},
	}
	for _, c := range cases {
		r := e.post(c.query, c.vars)
		if len(r.Errors) == 0 {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if got := r.Errors[0].Extensions["code"]; got != c.code {
			t.Errorf("%s: code %v, want %s (%s)", c.name, got, c.code, r.Errors[0].Message)
		}
		if r.Errors[0].Message == "" || r.Errors[0].Message == "internal error" {
			t.Errorf("%s: message %q is not clear", c.name, r.Errors[0].Message)
		}
	}

	var o overview
	e.doOp(doc, "SubdistrictOverview", map[string]any{"code": "houjiatang"}, &o)
	if o.Subdistrict.Communities.TotalCount != 12 {
		t.Errorf("after bad requests the server answers %d communities", o.Subdistrict.Communities.TotalCount)
	}
	var none struct {
		Subdistrict *struct{ ID string } `json:"subdistrict"`
	}
	e.doOp(doc, "SubdistrictOverview", map[string]any{"code": "nowhere"}, &none)
	if none.Subdistrict != nil {
		t.Errorf("subdistrict(nowhere) = %+v, want null", none.Subdistrict)
	}
}
