package graph_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"cogov/graph/generated"
	"cogov/internal/demo"
)

// Who is shown is shown only to those who may see them: every field whose
// type is Account or Person (or an abstract type that may be one), reached
// through the demo data as each demo role, must answer only accounts and
// people that node(id:) answers to that viewer, and answer them as node()
// does. The fields are found in the schema, so a new one is walked without
// changing this test; one that the walk cannot reach fails it.

// targetTypes are the types whose records name people.
var targetTypes = []string{"Account", "Person"}

// hop is one field on the way from the root to an object: field (with its
// arguments) selected on type on.
type hop struct{ on, field, args string }

// found is an object a response held, and the way it was reached.
type found struct {
	typ, id string
	path    []hop
}

// occurrence is an object a target field returned: which field, what it
// said (its type, id and scalar fields).
type occurrence struct {
	field string
	obj   map[string]any
}

// walker builds the selections of the schema and walks responses.
type walker struct {
	t       *testing.T
	schema  *ast.Schema
	now     time.Time
	targets map[string]bool // "Type.field" of every field that may return an Account or a Person
	reach   map[string]bool // types from which a Node can be reached
}

func newWalker(t *testing.T) *walker {
	w := &walker{t: t, schema: generated.NewExecutableSchema(generated.Config{}).Schema(), now: testNow(),
		targets: map[string]bool{}, reach: map[string]bool{}}
	for _, name := range slices.Sorted(maps.Keys(w.schema.Types)) {
		def := w.schema.Types[name]
		if strings.HasPrefix(name, "__") || (def.Kind != ast.Object && def.Kind != ast.Interface) {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") || (name == "Query" && (f.Name == "node" || f.Name == "nodes")) {
				continue // node() and nodes() are what the fields are compared with
			}
			if w.mayBeTarget(f.Type.Name()) {
				w.targets[name+"."+f.Name] = true
			}
		}
	}
	for name := range w.schema.Types {
		w.reaches(name, map[string]bool{})
	}
	return w
}

// mayBeTarget reports whether a value of the named type may be an Account or a Person.
func (w *walker) mayBeTarget(name string) bool {
	def := w.schema.Types[name]
	for _, p := range w.schema.GetPossibleTypes(def) {
		if slices.Contains(targetTypes, p.Name) {
			return true
		}
	}
	return false
}

// isNode reports whether every value of the named type is a Node: node(id:)
// fetches it again.
func (w *walker) isNode(name string) bool {
	def := w.schema.Types[name]
	if def == nil || (def.Kind != ast.Object && def.Kind != ast.Interface && def.Kind != ast.Union) {
		return false
	}
	for _, p := range w.schema.GetPossibleTypes(def) {
		if !slices.Contains(p.Interfaces, "Node") {
			return false
		}
	}
	return true
}

// reaches reports whether a value of the named type leads to a Node.
func (w *walker) reaches(name string, visiting map[string]bool) bool {
	if r, ok := w.reach[name]; ok {
		return r
	}
	def := w.schema.Types[name]
	if def == nil || def.Kind == ast.Scalar || def.Kind == ast.Enum || def.Kind == ast.InputObject || visiting[name] {
		return false
	}
	r := w.isNode(name)
	visiting[name] = true
	for _, f := range def.Fields {
		if !r && !strings.HasPrefix(f.Name, "__") && w.reaches(f.Type.Name(), visiting) {
			r = true
		}
	}
	delete(visiting, name)
	w.reach[name] = r
	return r
}

// args writes the arguments a field is walked with: its required ones, and
// a window of days for the lists that take one.
func (w *walker) args(on string, f *ast.FieldDefinition) string {
	if on == "Mutation" {
		return "" // a mutation's payload is never followed again
	}
	var out []string
	for _, a := range f.Arguments {
		if !a.Type.NonNull || a.DefaultValue != nil {
			continue
		}
		var v string
		switch {
		case a.Name == "first":
			v = "50"
		case on == "Query" && f.Name == "subdistrict" && a.Name == "code":
			v = strconv.Quote(demo.Code)
		case a.Type.Name() == "Date" && a.Name == "from":
			v = strconv.Quote(w.now.AddDate(0, 0, -150).Format(time.DateOnly))
		case a.Type.Name() == "Date" && a.Name == "to":
			v = strconv.Quote(w.now.AddDate(0, 0, 150).Format(time.DateOnly))
		case a.Type.Name() == "DateTime" && a.Name == "from":
			v = strconv.Quote(w.now.AddDate(0, 0, -30).Format(time.RFC3339))
		case a.Type.Name() == "DateTime" && a.Name == "to":
			v = strconv.Quote(w.now.AddDate(0, 0, 30).Format(time.RFC3339))
		case w.schema.Types[a.Type.Name()].Kind == ast.InputObject && !hasRequired(w.schema.Types[a.Type.Name()]):
			v = "{}"
		default:
			w.t.Fatalf("%s.%s: no value for its required argument %s; teach walker.args one", on, f.Name, a.Name)
		}
		out = append(out, a.Name+": "+v)
	}
	if len(out) == 0 {
		return ""
	}
	return "(" + strings.Join(out, ", ") + ")"
}

func hasRequired(def *ast.Definition) bool {
	for _, f := range def.Fields {
		if f.Type.NonNull && f.DefaultValue == nil {
			return true
		}
	}
	return false
}

// scalars are the argument-free scalar fields of an Account or a Person,
// compared with what node() answers.
func (w *walker) scalars(name string) []string {
	if !slices.Contains(targetTypes, name) {
		return nil
	}
	var out []string
	for _, f := range w.schema.Types[name].Fields {
		def := w.schema.Types[f.Type.Name()]
		if (def.Kind == ast.Scalar || def.Kind == ast.Enum) && len(f.Arguments) == 0 && f.Name != "id" {
			out = append(out, f.Name)
		}
	}
	return out
}

// ref selects a Node as a reference: its type and id, and for accounts and
// people what they say about whom.
func (w *walker) ref(name string) string {
	var b strings.Builder
	b.WriteString("__typename id")
	for _, p := range w.schema.GetPossibleTypes(w.schema.Types[name]) {
		if s := w.scalars(p.Name); len(s) > 0 {
			fmt.Fprintf(&b, " ... on %s { %s }", p.Name, strings.Join(s, " "))
		}
	}
	return b.String()
}

// sel selects a value of the named type: a Node as a reference, anything
// else by each of its fields that leads to a Node.
func (w *walker) sel(name string, depth int) string {
	if w.isNode(name) {
		return w.ref(name)
	}
	return w.fields(name, depth)
}

// fields selects each field of the named type that leads to a Node, with
// the values' selections; full adds what a reference holds.
func (w *walker) fields(name string, depth int) string {
	if depth > 8 {
		w.t.Fatalf("the walk of %s goes too deep", name)
	}
	def := w.schema.Types[name]
	parts := []string{"__typename"}
	if w.isNode(name) {
		parts = append(parts, "id")
		parts = append(parts, w.scalars(name)...)
	}
	for _, f := range def.Fields {
		if strings.HasPrefix(f.Name, "__") || (name == "Query" && (f.Name == "node" || f.Name == "nodes")) || !w.reaches(f.Type.Name(), map[string]bool{}) {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s%s { %s }", f.Name, w.args(name, f), w.sel(f.Type.Name(), depth+1)))
	}
	return strings.Join(parts, " ")
}

// walk goes through an object of a response reached by path: it records
// what each target field returned and each Node it meets.
func (w *walker) walk(obj map[string]any, path []hop, occ *[]occurrence, nodes *[]found) {
	typ, _ := obj["__typename"].(string)
	def := w.schema.Types[typ]
	if def == nil {
		w.t.Fatalf("an object without __typename: %v", obj)
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		f := def.Fields.ForName(k)
		if f == nil || k == "id" || strings.HasPrefix(k, "__") {
			continue
		}
		items := flatten(obj[k])
		if len(items) == 0 {
			continue
		}
		if w.targets[typ+"."+k] {
			for _, it := range items {
				*occ = append(*occ, occurrence{field: typ + "." + k, obj: it})
			}
		}
		next := append(slices.Clip(path), hop{on: typ, field: k, args: w.args(typ, f)})
		for _, it := range items {
			t, _ := it["__typename"].(string)
			if w.isNode(t) {
				*nodes = append(*nodes, found{typ: t, id: it["id"].(string), path: next})
			} else {
				w.walk(it, next, occ, nodes)
			}
		}
	}
}

// flatten returns the objects of a value: itself, or the items of a list (of lists).
func flatten(v any) []map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return []map[string]any{x}
	case []any:
		var out []map[string]any
		for _, it := range x {
			out = append(out, flatten(it)...)
		}
		return out
	}
	return nil
}

// pathQuery is the query that follows path and selects inner at its end.
func pathQuery(path []hop, inner string) string {
	s := inner
	for i := len(path) - 1; i >= 0; i-- {
		h := path[i]
		s = fmt.Sprintf("... on %s { %s%s { __typename %s } }", h.on, h.field, h.args, s)
	}
	return "{ " + s + " }"
}

// follow returns the objects at the end of path in a response.
func follow(data map[string]any, path []hop) []map[string]any {
	objs := []map[string]any{data}
	for _, h := range path {
		var next []map[string]any
		for _, o := range objs {
			next = append(next, flatten(o[h.field])...)
		}
		objs = next
	}
	return objs
}

// crawl is one viewer's walk of everything it can reach.
type crawl struct {
	w       *walker
	e       *env
	name    string
	visible map[string]map[string]any // id → what node() answers; nil when node() hides it
	occ     []occurrence
	errs    []string
	queries int
	// hidden counts the Nodes node(id:) hides but a field showed, by
	// "Type.field → Type": not people, so not a failure here, but listed.
	hidden map[string]int
}

// query sends one operation, waiting out the rate limit, and returns its data.
func (c *crawl) query(q string) map[string]any {
	c.w.t.Helper()
	for try := 0; ; try++ {
		c.queries++
		r := c.e.post(q, nil)
		if r.status == http.StatusTooManyRequests && try < 300 {
			time.Sleep(time.Second)
			continue
		}
		for _, e := range r.Errors {
			c.errs = append(c.errs, fmt.Sprintf("%s at %v (%v)", e.Message, e.Path, e.Extensions["code"]))
		}
		var data map[string]any
		if err := json.Unmarshal(r.Data, &data); err != nil || data == nil {
			c.w.t.Fatalf("as %s: no data (status %d, %v) for %s", c.name, r.status, r.Errors, q)
		}
		return data
	}
}

// run walks from the root fields of Query until every Node met is expanded:
// through node(id:) when it answers, otherwise along the way it was reached.
func (c *crawl) run() {
	var pending []found
	data := c.query("{ " + c.w.fields("Query", 0) + " }")
	c.w.walk(data, nil, &c.occ, &pending)
	for len(pending) > 0 {
		var batch []found
		for _, f := range pending {
			if _, seen := c.visible[f.id]; !seen && !slices.ContainsFunc(batch, func(b found) bool { return b.id == f.id }) {
				batch = append(batch, f)
			}
		}
		pending = nil
		for len(batch) > 0 {
			n := min(len(batch), 20)
			pending = append(pending, c.expand(batch[:n])...)
			batch = batch[n:]
		}
	}
}

// expand fetches a batch of Nodes through node(id:), walks those it
// answers, and walks the others along their paths.
func (c *crawl) expand(batch []found) []found {
	var b strings.Builder
	b.WriteString("{ ")
	for i, f := range batch {
		fmt.Fprintf(&b, "n%d: node(id: %q) { __typename id ... on %s { %s } } ", i, f.id, f.typ, c.w.fields(f.typ, 0))
	}
	b.WriteString("}")
	data := c.query(b.String())
	var next []found
	for i, f := range batch {
		obj, _ := data[fmt.Sprintf("n%d", i)].(map[string]any)
		c.visible[f.id] = obj
		if obj != nil {
			c.w.walk(obj, []hop{{on: "Query", field: "node", args: fmt.Sprintf("(id: %q)", f.id)}}, &c.occ, &next)
			continue
		}
		// node() hides it: reach it the way it was found.
		last := f.path[len(f.path)-1]
		c.hidden[last.on+"."+last.field+" → "+f.typ]++
		inner := fmt.Sprintf("__typename id ... on %s { %s }", f.typ, c.w.fields(f.typ, 0))
		for _, o := range follow(c.query(pathQuery(f.path, inner)), f.path) {
			if o["id"] == f.id {
				c.w.walk(o, f.path, &c.occ, &next)
				break
			}
		}
	}
	return next
}

// nodeSays returns what node(id:) answers about each id to the viewer.
func (c *crawl) nodeSays(ids []string) {
	for len(ids) > 0 {
		n := min(len(ids), 25)
		var b strings.Builder
		b.WriteString("{ ")
		for i, id := range ids[:n] {
			fmt.Fprintf(&b, "n%d: node(id: %q) { %s } ", i, id, c.w.ref("Node"))
		}
		b.WriteString("}")
		data := c.query(b.String())
		for i, id := range ids[:n] {
			obj, _ := data[fmt.Sprintf("n%d", i)].(map[string]any)
			c.visible[id] = obj
		}
		ids = ids[n:]
	}
}

// check compares each account and person a target field returned with what
// node() answers; it returns the fields' counts of what they returned.
func (c *crawl) check(t *testing.T) map[string]int {
	var unknown []string
	for _, o := range c.occ {
		if id, _ := o.obj["id"].(string); id != "" {
			if _, ok := c.visible[id]; !ok && !slices.Contains(unknown, id) {
				unknown = append(unknown, id)
			}
		}
	}
	c.nodeSays(unknown)
	counts := map[string]int{}
	for _, o := range c.occ {
		counts[o.field]++
		typ, _ := o.obj["__typename"].(string)
		if !slices.Contains(targetTypes, typ) {
			continue
		}
		id, _ := o.obj["id"].(string)
		n := c.visible[id]
		if n == nil {
			t.Errorf("as %s: %s returned %s %s %v, which node(id:) hides", c.name, o.field, typ, id, o.obj)
			continue
		}
		for _, k := range append([]string{"__typename", "id"}, c.w.scalars(typ)...) {
			if fmt.Sprint(o.obj[k]) != fmt.Sprint(n[k]) {
				t.Errorf("as %s: %s returned %s %s with %s %v; node(id:) says %v", c.name, o.field, typ, id, k, o.obj[k], n[k])
			}
		}
	}
	for _, e := range c.errs {
		t.Errorf("as %s: %s", c.name, e)
	}
	return counts
}

// peopleSetup creates what the demo data lacks: bookings whose history names
// accounts. street-admin convenes a joint meeting at 核工业地质局's service
// space (member-demo is invited and sees it), community-3-admin books the same
// space and hnig-admin approves that booking.
func peopleSetup(t *testing.T, e *env, street, c3, hnig *env) {
	t.Helper()
	var venues struct {
		Subdistrict struct {
			ID               string `json:"id"`
			WorkingCommittee struct {
				ID string `json:"id"`
			} `json:"workingCommittee"`
			Committees struct {
				Edges []struct {
					Node struct {
						ID        string `json:"id"`
						Community struct{ Code string }
					} `json:"node"`
				} `json:"edges"`
			} `json:"committees"`
		} `json:"subdistrict"`
		Venues struct {
			Edges []struct {
				Node struct {
					ID   string `json:"id"`
					Unit struct{ Name string }
				} `json:"node"`
			} `json:"edges"`
		} `json:"venues"`
	}
	e.do(`{ subdistrict(code: "houjiatang") { id workingCommittee { id } committees(first: 20, kind: COMMUNITY_PARTY_COMMITTEE) { edges { node { id community { code } } } } }
		venues(filter: { minAreaSqm: 1000 }, first: 10) { edges { node { id unit { name } } } } }`, nil, &venues)
	var venue, party3 string
	for _, ed := range venues.Venues.Edges {
		if ed.Node.Unit.Name == "湖南省核工业地质局" {
			venue = ed.Node.ID
		}
	}
	for _, ed := range venues.Subdistrict.Committees.Edges {
		if ed.Node.Community.Code == "c03" {
			party3 = ed.Node.ID
		}
	}
	if venue == "" || party3 == "" {
		t.Fatalf("demo venue or community 3's committee not found: %+v", venues)
	}
	// Weekday afternoons some weeks ahead, until the space takes each.
	day := 21
	next := func() (string, string) {
		for ; day < 120; day++ {
			d := testNow().In(shanghai).AddDate(0, 0, day)
			if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
				s := time.Date(d.Year(), d.Month(), d.Day(), 15, 0, 0, 0, shanghai)
				day++
				return s.Format(time.RFC3339), s.Add(2 * time.Hour).Format(time.RFC3339)
			}
		}
		t.Fatal("no free afternoon at the service space")
		return "", ""
	}
	for {
		start, end := next()
		p := street.payload(op(t, "meetings.graphql", "ScheduleJointMeeting"), "ScheduleJointMeeting", map[string]any{
			"convenerIds": []string{venues.Subdistrict.WorkingCommittee.ID}, "title": "联席会议（人员可见性）",
			"startsAt": start, "endsAt": end, "venueId": venue})
		if len(errCodes(p)) == 0 {
			break
		}
	}
	for {
		start, end := next()
		p := c3.payload(op(t, "booking.graphql", "RequestBooking"), "RequestBooking", map[string]any{"venueId": venue, "committeeId": party3,
			"startsAt": start, "endsAt": end, "purpose": "居民议事会", "expectedAttendees": 40})
		if len(errCodes(p)) != 0 {
			continue
		}
		b := p["bookings"].([]any)[0].(map[string]any)
		if p := hnig.payload(op(t, "booking.graphql", "ApproveBooking"), "ApproveBooking", map[string]any{"bookingId": b["id"]}); len(errCodes(p)) != 0 {
			t.Fatalf("hnig-admin approving community 3's booking: %v", p)
		}
		break
	}
}

// TestPeopleFieldsAnswerAsNode walks every field that returns an Account or
// a Person as each demo role and compares what it returns with node(id:).
func TestPeopleFieldsAnswerAsNode(t *testing.T) {
	t.Parallel()
	w := newWalker(t)
	e := newEnv(t, true)
	roles := []string{"system", "street-admin", "hnig-admin", "community-1-admin", "community-3-admin", "member-demo", "anonymous"}
	viewers := map[string]*env{"system": e.system(), "anonymous": e}
	for _, r := range roles {
		if viewers[r] == nil {
			viewers[r] = e.signIn(r, demo.Password)
		}
	}
	peopleSetup(t, e.system(), viewers["street-admin"], viewers["community-3-admin"], viewers["hnig-admin"])

	// Every role walks what it can reach, all at once.
	crawls := map[string]*crawl{}
	var wg sync.WaitGroup
	for _, r := range roles {
		c := &crawl{w: w, e: viewers[r], name: r, visible: map[string]map[string]any{}, hidden: map[string]int{}}
		crawls[r] = c
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.run()
		}()
	}
	wg.Wait()
	matrix := map[string]map[string]int{} // field → role → how many it returned
	for _, r := range roles {
		for f, n := range crawls[r].check(t) {
			if matrix[f] == nil {
				matrix[f] = map[string]int{}
			}
			matrix[f][r] += n
		}
	}

	// The mutations whose payloads return accounts or people themselves.
	for _, m := range peopleMutations(t, w, e, viewers, roles) {
		for f, n := range m {
			for r, k := range n {
				if matrix[f] == nil {
					matrix[f] = map[string]int{}
				}
				matrix[f][r] += k
			}
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "%-28s %s\n", "field", strings.Join(roles, " | "))
	for _, f := range slices.Sorted(maps.Keys(w.targets)) {
		total := 0
		var row []string
		for _, r := range roles {
			row = append(row, strconv.Itoa(matrix[f][r]))
			total += matrix[f][r]
		}
		fmt.Fprintf(&b, "%-28s %s\n", f, strings.Join(row, " | "))
		if total == 0 {
			t.Errorf("%s returned nothing to any role: make the walk reach it (demo data, peopleSetup or peopleMutations)", f)
		}
	}
	t.Logf("what each field returned, by role:\n%s", b.String())
	for _, r := range roles {
		t.Logf("%s: %d queries, %d nodes met; shown by a field but hidden by node(): %v", r, crawls[r].queries, len(crawls[r].visible), crawls[r].hidden)
	}
}

// peopleMutations runs, as each role, every mutation whose payload returns
// accounts or people (outside a Node), and checks what they return with
// node(id:) as the viewer the payload speaks for. A mutation without a case
// here fails the test.
func peopleMutations(t *testing.T, w *walker, e *env, viewers map[string]*env, roles []string) []map[string]map[string]int {
	var sd string
	var person struct {
		CreatePerson struct {
			Person struct{ ID string }
		} `json:"createPerson"`
	}
	var sub struct {
		Subdistrict struct{ ID string } `json:"subdistrict"`
	}
	e.system().do(`{ subdistrict(code: "houjiatang") { id } }`, nil, &sub)
	sd = sub.Subdistrict.ID
	e.system().do(`mutation($sd: ID!) { createPerson(input: { subdistrictId: $sd, name: "可见性测试" }) { person { id } } }`, map[string]any{"sd": sd}, &person)
	seq := 0
	cases := map[string]func(role string) map[string]any{
		"createPerson": func(string) map[string]any {
			seq++
			return map[string]any{"subdistrictId": sd, "name": fmt.Sprintf("可见性%d", seq)}
		},
		"updatePerson": func(string) map[string]any {
			seq++
			return map[string]any{"id": person.CreatePerson.Person.ID, "name": fmt.Sprintf("可见性%d", seq)}
		},
		"createAccount": func(string) map[string]any {
			seq++
			return map[string]any{"username": fmt.Sprintf("visibility-%d", seq), "password": "visibility-test", "subdistrictId": sd}
		},
		// signIn speaks for the session it opens: as each demo account.
		"signIn": func(role string) map[string]any {
			if role == "system" || role == "anonymous" {
				return nil
			}
			return map[string]any{"username": role, "password": demo.Password}
		},
	}
	var out []map[string]map[string]int
	mutation := w.schema.Types["Mutation"]
	for _, f := range mutation.Fields {
		if strings.HasPrefix(f.Name, "__") || !w.returnsPeople(f.Type.Name(), map[string]bool{}) {
			continue
		}
		input := cases[f.Name]
		if input == nil {
			t.Errorf("mutation %s returns accounts or people: give peopleMutations a case for it", f.Name)
			continue
		}
		counts := map[string]map[string]int{}
		for _, r := range roles {
			in := input(r)
			if in == nil {
				continue
			}
			as := viewers[r]
			if f.Name == "signIn" {
				as = e
			}
			c := &crawl{w: w, e: as, name: r + " (" + f.Name + ")", visible: map[string]map[string]any{}, hidden: map[string]int{}}
			sel := w.sel(f.Type.Name(), 1)
			if f.Name == "signIn" {
				sel += " token"
			}
			data := c.mutate(fmt.Sprintf("mutation($input: %s!) { __typename %s(input: $input) { %s } }", f.Arguments.ForName("input").Type.Name(), f.Name, sel), in)
			var nodes []found
			c.w.walk(data, nil, &c.occ, &nodes)
			if f.Name == "signIn" {
				p, _ := data["signIn"].(map[string]any)
				tok, _ := p["token"].(string)
				if tok == "" {
					t.Errorf("signIn as %s failed: %v", r, p)
					continue
				}
				signed := *e
				signed.token = tok
				c.e = &signed
			}
			for k, n := range c.check(t) {
				if counts[k] == nil {
					counts[k] = map[string]int{}
				}
				counts[k][r] += n
			}
		}
		out = append(out, counts)
	}
	return out
}

// returnsPeople reports whether a value of the named type holds an account
// or a person outside any Node (where the walk of node() would find it).
func (w *walker) returnsPeople(name string, visiting map[string]bool) bool {
	def := w.schema.Types[name]
	if def == nil || w.isNode(name) || visiting[name] || (def.Kind != ast.Object && def.Kind != ast.Interface) {
		return false
	}
	visiting[name] = true
	defer delete(visiting, name)
	for _, f := range def.Fields {
		if w.targets[name+"."+f.Name] || w.returnsPeople(f.Type.Name(), visiting) {
			return true
		}
	}
	return false
}

// mutate sends a mutation with its input and returns its data.
func (c *crawl) mutate(q string, input map[string]any) map[string]any {
	c.w.t.Helper()
	c.queries++
	r := c.e.post(q, map[string]any{"input": input})
	for _, e := range r.Errors {
		c.errs = append(c.errs, fmt.Sprintf("%s at %v (%v)", e.Message, e.Path, e.Extensions["code"]))
	}
	var data map[string]any
	if err := json.Unmarshal(r.Data, &data); err != nil || data == nil {
		c.w.t.Fatalf("as %s: no data (status %d, %v) for %s", c.name, r.status, r.Errors, q)
	}
	return data
}
