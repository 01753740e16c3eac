package graph_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"cogov/graph/generated"
	"cogov/internal/demo"
)

// Who is shown is shown only to those who may see them. Every field whose
// type is Account or Person (or an abstract type that may be one), reached
// through the demo data as each demo role, must answer only the accounts and
// people node(id:) answers to that viewer, and answer them as node() does.
// The fields and the selections that reach them come from the generated
// schema, so a new field is walked without changing this test; a field that
// no role reaches fails it.

// peopleTypes are the types whose records name people.
var peopleTypes = []string{"Account", "Person"}

// peopleRoles are the viewers of the walk: the platform itself, the demo
// accounts and an anonymous visitor.
var peopleRoles = []string{"system", "street-admin", "hnig-admin", "community-1-admin", "community-3-admin", "member-demo", "anonymous"}

// hop is one field on the way from the root to an object: field (with its
// arguments) selected on type on.
type hop struct{ on, field, args string }

// found is a Node a response held, and the way it was reached.
type found struct {
	typ, id string
	path    []hop
}

// occurrence is what a people field returned: the field ("Type.field") and
// the object (its type, id and, for accounts and people, scalar fields).
type occurrence struct {
	field string
	obj   map[string]any
}

// walker knows the schema: which fields return people, which lead to a
// Node, the arguments the walk passes and the selection of each type.
type walker struct {
	schema  *ast.Schema
	targets map[string]bool   // "Type.field" of every field that may return an Account or a Person
	reach   map[string]bool   // type → whether a value of it leads to a Node
	args    map[string]string // "Type.field" → the arguments the walk passes
	all     map[string]string // type → the selection of its fields that lead to a Node
}

// newWalker reads the generated schema. A required argument it has no value
// for fails the test here, so the walks themselves cannot stop.
func newWalker(t *testing.T) *walker {
	t.Helper()
	w := &walker{schema: generated.NewExecutableSchema(generated.Config{}).Schema(),
		targets: map[string]bool{}, reach: map[string]bool{}, args: map[string]string{}, all: map[string]string{}}
	names := slices.Sorted(maps.Keys(w.schema.Types))
	for _, name := range names {
		w.reaches(name, map[string]bool{})
	}
	now := testNow()
	for _, name := range names {
		def := w.schema.Types[name]
		if strings.HasPrefix(name, "__") || (def.Kind != ast.Object && def.Kind != ast.Interface) {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") || (name == "Query" && (f.Name == "node" || f.Name == "nodes")) {
				continue // node() and nodes() are what the fields are compared with
			}
			if w.mayBePeople(f.Type.Name()) {
				w.targets[name+"."+f.Name] = true
			}
			if !w.operation(name) && w.reaches(f.Type.Name(), map[string]bool{}) {
				w.args[name+"."+f.Name] = argsOf(t, w.schema, name, f, now)
			}
		}
	}
	for _, name := range names {
		if def := w.schema.Types[name]; def.Kind == ast.Object && !strings.HasPrefix(name, "__") && !w.operation(name) {
			w.all[name] = w.fields(t, name, 0)
		}
	}
	return w
}

// operation reports whether the named type is the root of mutations or of
// subscriptions, which the walk does not follow: mutations are run by
// peopleMutations, and a subscription sends the Nodes the walk fetches.
func (w *walker) operation(name string) bool {
	return (w.schema.Mutation != nil && name == w.schema.Mutation.Name) || (w.schema.Subscription != nil && name == w.schema.Subscription.Name)
}

// argsOf writes the arguments the walk passes to a field: each required one
// (pages of 50, a window of days around now, the demo sub-district's code).
func argsOf(t *testing.T, s *ast.Schema, on string, f *ast.FieldDefinition, now time.Time) string {
	var out []string
	for _, a := range f.Arguments {
		if !a.Type.NonNull || a.DefaultValue != nil {
			continue
		}
		typ := a.Type.Name()
		var v string
		switch {
		case a.Name == "first":
			v = "50"
		case on == "Query" && f.Name == "subdistrict" && a.Name == "code":
			v = strconv.Quote(demo.Code)
		case typ == "Date" && a.Name == "from":
			v = strconv.Quote(now.AddDate(0, 0, -150).Format(time.DateOnly))
		case typ == "Date" && a.Name == "to":
			v = strconv.Quote(now.AddDate(0, 0, 150).Format(time.DateOnly))
		case typ == "DateTime" && a.Name == "from":
			v = strconv.Quote(now.AddDate(0, 0, -30).Format(time.RFC3339))
		case typ == "DateTime" && a.Name == "to":
			v = strconv.Quote(now.AddDate(0, 0, 30).Format(time.RFC3339))
		case s.Types[typ].Kind == ast.InputObject && !hasRequired(s.Types[typ]):
			v = "{}"
		default:
			t.Fatalf("%s.%s: no value for its required argument %s; teach argsOf one", on, f.Name, a.Name)
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

// mayBePeople reports whether a value of the named type may be an Account or a Person.
func (w *walker) mayBePeople(name string) bool {
	for _, p := range w.schema.GetPossibleTypes(w.schema.Types[name]) {
		if slices.Contains(peopleTypes, p.Name) {
			return true
		}
	}
	return false
}

// isNode reports whether every value of the named type is a Node, which
// node(id:) fetches again.
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

// reaches reports whether a value of the named type is or leads to a Node.
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

// scalars are the argument-free scalar fields of an account or a person,
// compared with what node() answers.
func (w *walker) scalars(name string) []string {
	if !slices.Contains(peopleTypes, name) {
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

// ref selects a Node as a reference: its type and id and, for accounts and
// people, what they say about whom.
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
// else by its fields.
func (w *walker) sel(t *testing.T, name string, depth int) string {
	if w.isNode(name) {
		return w.ref(name)
	}
	return w.fields(t, name, depth)
}

// fields selects each field of the named type that leads to a Node, with
// its arguments; a Node's own fields add what its reference holds.
func (w *walker) fields(t *testing.T, name string, depth int) string {
	if depth > 8 {
		t.Fatalf("the selection of %s nests too deep", name)
	}
	parts := []string{"__typename"}
	if w.isNode(name) {
		parts = append(append(parts, "id"), w.scalars(name)...)
	}
	for _, f := range w.schema.Types[name].Fields {
		args, ok := w.args[name+"."+f.Name]
		if !ok {
			continue // it leads to no Node, or is node(), nodes(), a mutation or a subscription
		}
		parts = append(parts, fmt.Sprintf("%s%s { %s }", f.Name, args, w.sel(t, f.Type.Name(), depth+1)))
	}
	return strings.Join(parts, " ")
}

// walk goes through an object of a response, reached by path: it records
// what each people field returned and each Node it meets.
func (w *walker) walk(obj map[string]any, path []hop, occ *[]occurrence, nodes *[]found) {
	typ, _ := obj["__typename"].(string)
	def := w.schema.Types[typ]
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		f := def.Fields.ForName(k)
		if f == nil || k == "id" || strings.HasPrefix(k, "__") {
			continue
		}
		items := flatten(obj[k])
		if w.targets[typ+"."+k] {
			for _, it := range items {
				*occ = append(*occ, occurrence{field: typ + "." + k, obj: it})
			}
		}
		next := append(slices.Clip(path), hop{on: typ, field: k, args: w.args[typ+"."+k]})
		for _, it := range items {
			if t, _ := it["__typename"].(string); w.isNode(t) {
				*nodes = append(*nodes, found{typ: t, id: it["id"].(string), path: next})
			} else {
				w.walk(it, next, occ, nodes)
			}
		}
	}
}

// flatten returns the objects of a value: itself, or the items of a list.
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

// crawl is one viewer's walk of what it can reach.
type crawl struct {
	t       *testing.T // of the phase under way: the walk's subtest, then the check
	w       *walker
	e       *env
	name    string
	visible map[string]map[string]any // id → what node(id:) answers; nil when it hides the record
	occ     []occurrence
	queries int
	// hidden counts the Nodes that a field showed and node(id:) hides, by
	// "Type.field → Type". For people that fails the check; other types are
	// only listed.
	hidden map[string]int
}

func newCrawl(t *testing.T, w *walker, e *env, name string) *crawl {
	return &crawl{t: t, w: w, e: e, name: name, visible: map[string]map[string]any{}, hidden: map[string]int{}}
}

// send posts one operation, waiting out the rate limit, and returns its data.
func (c *crawl) send(q string, vars map[string]any) map[string]any {
	c.t.Helper()
	for try := 0; ; try++ {
		c.queries++
		r := c.e.post(q, vars)
		if r.status == http.StatusTooManyRequests && try < 300 {
			time.Sleep(time.Second)
			continue
		}
		for _, e := range r.Errors {
			c.t.Errorf("as %s: %s at %v (%v)", c.name, e.Message, e.Path, e.Extensions["code"])
		}
		var data map[string]any
		if err := json.Unmarshal(r.Data, &data); err != nil || data == nil {
			c.t.Fatalf("as %s: no data (status %d, %v) for %s", c.name, r.status, r.Errors, q)
		}
		return data
	}
}

// run walks from the root fields of Query until every Node met is expanded:
// through node(id:) when it answers, otherwise along the way it was reached.
func (c *crawl) run() {
	var pending []found
	c.w.walk(c.send("{ "+c.w.all["Query"]+" }", nil), nil, &c.occ, &pending)
	for len(pending) > 0 {
		var batch []found
		for _, f := range pending {
			if _, seen := c.visible[f.id]; !seen && !slices.ContainsFunc(batch, func(b found) bool { return b.id == f.id }) {
				batch = append(batch, f)
			}
		}
		pending = nil
		for len(batch) > 0 {
			n := min(len(batch), 20) // the limits allow 30 node() a query, and 2,000 fields
			pending = append(pending, c.expand(batch[:n])...)
			batch = batch[n:]
		}
	}
}

// expand fetches a batch of Nodes through node(id:) and walks those it
// answers; the others it fetches and walks along the way they were found.
func (c *crawl) expand(batch []found) []found {
	var b strings.Builder
	b.WriteString("{ ")
	for i, f := range batch {
		fmt.Fprintf(&b, "n%d: node(id: %q) { __typename ... on %s { %s } } ", i, f.id, f.typ, c.w.all[f.typ])
	}
	b.WriteString("}")
	data := c.send(b.String(), nil)
	var next []found
	for i, f := range batch {
		obj, _ := data[fmt.Sprintf("n%d", i)].(map[string]any)
		c.visible[f.id] = obj
		if obj != nil {
			c.w.walk(obj, []hop{{on: "Query", field: "node", args: fmt.Sprintf("(id: %q)", f.id)}}, &c.occ, &next)
			continue
		}
		last := f.path[len(f.path)-1]
		c.hidden[last.on+"."+last.field+" → "+f.typ]++
		inner := fmt.Sprintf("__typename ... on %s { %s }", f.typ, c.w.all[f.typ])
		objs := follow(c.send(pathQuery(f.path, inner), nil), f.path)
		i := slices.IndexFunc(objs, func(o map[string]any) bool { return o["id"] == f.id })
		if i < 0 {
			c.t.Errorf("as %s: %s %s is no longer where it was found (%v)", c.name, f.typ, f.id, f.path)
			continue
		}
		c.w.walk(objs[i], f.path, &c.occ, &next)
	}
	return next
}

// nodeSays asks node(id:) about ids the walk has not fetched through it.
func (c *crawl) nodeSays(ids []string) {
	for len(ids) > 0 {
		n := min(len(ids), 25)
		var b strings.Builder
		b.WriteString("{ ")
		for i, id := range ids[:n] {
			fmt.Fprintf(&b, "n%d: node(id: %q) { %s } ", i, id, c.w.ref("Node"))
		}
		b.WriteString("}")
		data := c.send(b.String(), nil)
		for i, id := range ids[:n] {
			obj, _ := data[fmt.Sprintf("n%d", i)].(map[string]any)
			c.visible[id] = obj
		}
		ids = ids[n:]
	}
}

// check compares each account and person a people field returned with what
// node(id:) answers to the same viewer, and counts what each field returned.
func (c *crawl) check(counts map[string]map[string]int, role string) {
	c.t.Helper()
	var unknown []string
	for _, o := range c.occ {
		if id, _ := o.obj["id"].(string); id != "" {
			if _, ok := c.visible[id]; !ok && !slices.Contains(unknown, id) {
				unknown = append(unknown, id)
			}
		}
	}
	c.nodeSays(unknown)
	for _, o := range c.occ {
		if counts[o.field] == nil {
			counts[o.field] = map[string]int{}
		}
		counts[o.field][role]++
		typ, _ := o.obj["__typename"].(string)
		if !slices.Contains(peopleTypes, typ) {
			continue
		}
		id, _ := o.obj["id"].(string)
		n := c.visible[id]
		if n == nil {
			c.t.Errorf("as %s: %s returned %s %s %v, which node(id:) hides", c.name, o.field, typ, id, o.obj)
			continue
		}
		for _, k := range append([]string{"__typename", "id"}, c.w.scalars(typ)...) {
			if fmt.Sprint(o.obj[k]) != fmt.Sprint(n[k]) {
				c.t.Errorf("as %s: %s returned %s %s with %s %v; node(id:) says %v", c.name, o.field, typ, id, k, o.obj[k], n[k])
			}
		}
	}
}

// peopleSetup makes what the demo data lacks: bookings whose history names
// accounts (the demo loader is no account). street-admin convenes a joint
// meeting at 核工业地质局's service space, which member-demo is invited to;
// community-3-admin books the same space and hnig-admin approves it.
func peopleSetup(t *testing.T, e *env, street, c3, hnig *env) {
	t.Helper()
	var out struct {
		Subdistrict struct {
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
	e.do(`{ subdistrict(code: "houjiatang") { workingCommittee { id }
		committees(first: 20, kind: COMMUNITY_PARTY_COMMITTEE) { edges { node { id community { code } } } } }
		venues(filter: { minAreaSqm: 1000 }, first: 10) { edges { node { id unit { name } } } } }`, nil, &out)
	var venue, party3 string
	for _, ed := range out.Venues.Edges {
		if ed.Node.Unit.Name == "湖南省核工业地质局" {
			venue = ed.Node.ID
		}
	}
	for _, ed := range out.Subdistrict.Committees.Edges {
		if ed.Node.Community.Code == "c03" {
			party3 = ed.Node.ID
		}
	}
	if venue == "" || party3 == "" {
		t.Fatalf("the demo's service space or community 3's committee not found: %+v", out)
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
			"convenerIds": []string{out.Subdistrict.WorkingCommittee.ID}, "title": "联席会议（人员可见性）",
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
		// A delivery of its approval that failed for good, as River leaves it.
		var sd struct {
			Subdistrict struct{ ID string } `json:"subdistrict"`
		}
		e.do(`{ subdistrict(code: "houjiatang") { id } }`, nil, &sd)
		args := fmt.Sprintf(`{"subdistrict_id": %q, "channel_id": "00000000-0000-0000-0000-000000000001", "channel_kind": "WEBHOOK",
			"kind": "BOOKING_APPROVED", "object_type": "Booking", "object_id": %q, "text": ""}`, local(t, sd.Subdistrict.ID), local(t, b["id"].(string)))
		var n int
		e.sysScan(`WITH j AS (INSERT INTO river_job (args, kind, max_attempts, state, attempt, attempted_at, errors, finalized_at)
			VALUES ('`+args+`', 'cogov_deliver', 1, 'discarded', 1, now(), ARRAY['{"at": "2026-01-01T00:00:00Z", "attempt": 1, "error": "answered 500", "trace": ""}'::jsonb], now())
			RETURNING 1) SELECT count(*) FROM j`, &n)
		break
	}
	// A webhook hnig-admin adds and removes again: its audited changes
	// (Subdistrict.deliveryChannelChanges) name an actor and an owner.
	unit, _ := hnigVenue(t, street)
	p := hnig.payload(dailyOps, "AddDeliveryChannel", map[string]any{"ownerId": unit, "kind": "WEBHOOK", "target": "https://hooks.example.org/people"})
	if len(errCodes(p)) != 0 {
		t.Fatalf("addDeliveryChannel: %v", p)
	}
	channel := p["channel"].(map[string]any)["id"].(string)
	if p := hnig.payload(dailyOps, "RemoveDeliveryChannel", map[string]any{"channelId": channel}); len(errCodes(p)) != 0 {
		t.Fatalf("removeDeliveryChannel: %v", p)
	}
}

// TestPeopleFieldsAnswerAsNode walks, as each role, everything the demo data
// lets it reach, runs the mutations whose payloads return people, and
// compares every account and person a field returns with node(id:).
func TestPeopleFieldsAnswerAsNode(t *testing.T) {
	t.Parallel()
	w := newWalker(t)
	e := newEnv(t, true)
	viewers := map[string]*env{"system": e.system(), "anonymous": e}
	for _, r := range peopleRoles {
		if viewers[r] == nil {
			viewers[r] = e.signIn(r, demo.Password)
		}
	}
	peopleSetup(t, e.system(), viewers["street-admin"], viewers["community-3-admin"], viewers["hnig-admin"])

	crawls := map[string]*crawl{}
	t.Run("walk", func(t *testing.T) {
		for _, r := range peopleRoles {
			c := newCrawl(t, w, viewers[r], r)
			crawls[r] = c
			t.Run(r, func(t *testing.T) {
				t.Parallel()
				c.t = t
				c.run()
			})
		}
	})
	counts := map[string]map[string]int{} // field → role → how many it returned
	for _, r := range peopleRoles {
		crawls[r].t = t
		crawls[r].check(counts, r)
	}
	peopleMutations(t, w, e, viewers, counts)

	var b strings.Builder
	fmt.Fprintf(&b, "%-24s %s\n", "field", strings.Join(peopleRoles, " | "))
	for _, f := range slices.Sorted(maps.Keys(w.targets)) {
		total := 0
		var row []string
		for _, r := range peopleRoles {
			row = append(row, strconv.Itoa(counts[f][r]))
			total += counts[f][r]
		}
		fmt.Fprintf(&b, "%-24s %s\n", f, strings.Join(row, " | "))
		if total == 0 {
			t.Errorf("%s returned nothing to any role: make the walk reach it (peopleSetup or peopleMutations)", f)
		}
	}
	t.Logf("what each field returned, by role:\n%s", b.String())
	for _, r := range peopleRoles {
		c := crawls[r]
		t.Logf("%s: %d queries, %d nodes met; shown by a field but hidden by node(): %v", r, c.queries, len(c.visible), c.hidden)
	}
}

// peopleMutations runs, as each role, every mutation whose payload returns
// accounts or people outside a Node (inside one, the walk of node() finds
// them), and checks them with node(id:) as the viewer the payload speaks
// for. A mutation without a case here fails the test.
func peopleMutations(t *testing.T, w *walker, e *env, viewers map[string]*env, counts map[string]map[string]int) {
	var out struct {
		Subdistrict struct{ ID string } `json:"subdistrict"`
	}
	e.system().do(`{ subdistrict(code: "houjiatang") { id } }`, nil, &out)
	sd := out.Subdistrict.ID
	p := e.system().payload(`mutation($input: CreatePersonInput!) { createPerson(input: $input) { person { id } userErrors { code } } }`, "",
		map[string]any{"subdistrictId": sd, "name": "可见性测试"})
	person := p["person"].(map[string]any)["id"]
	seq := 0
	cases := map[string]func(role string) map[string]any{
		"createPerson": func(string) map[string]any {
			seq++
			return map[string]any{"subdistrictId": sd, "name": fmt.Sprintf("可见性%d", seq)}
		},
		"updatePerson": func(string) map[string]any {
			seq++
			return map[string]any{"id": person, "name": fmt.Sprintf("可见性%d", seq)}
		},
		"createAccount": func(string) map[string]any {
			seq++
			return map[string]any{"username": fmt.Sprintf("visibility-%d", seq), "password": "visibility-test", "subdistrictId": sd}
		},
		// signIn speaks for the session it opens: signing in as each demo account.
		"signIn": func(role string) map[string]any {
			if role == "system" || role == "anonymous" {
				return nil
			}
			return map[string]any{"username": role, "password": demo.Password}
		},
	}
	for _, f := range w.schema.Types["Mutation"].Fields {
		if strings.HasPrefix(f.Name, "__") || !w.returnsPeople(f.Type.Name(), map[string]bool{}) {
			continue
		}
		input := cases[f.Name]
		if input == nil {
			t.Errorf("mutation %s returns accounts or people: give peopleMutations a case for it", f.Name)
			continue
		}
		sel := w.sel(t, f.Type.Name(), 1)
		if f.Name == "signIn" {
			sel += " token"
		}
		q := fmt.Sprintf("mutation($input: %s!) { __typename %s(input: $input) { %s } }", f.Arguments.ForName("input").Type.Name(), f.Name, sel)
		for _, r := range peopleRoles {
			in := input(r)
			if in == nil {
				continue
			}
			as := viewers[r]
			if f.Name == "signIn" {
				as = e
			}
			c := newCrawl(t, w, as, r+" ("+f.Name+")")
			data := c.send(q, map[string]any{"input": in})
			var nodes []found
			w.walk(data, nil, &c.occ, &nodes)
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
			c.check(counts, r)
		}
	}
}

// returnsPeople reports whether a value of the named type holds an account
// or a person outside any Node.
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
