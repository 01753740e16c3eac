package graph_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"cogov/graph"
	"cogov/graph/generated"
)

// jsClients is the directory of the standard JavaScript clients
// (graph/testdata/jsclients: graphql-ws, graphql-sse, Apollo Client,
// relay-compiler), with their pinned packages installed once per test run.
var jsClients = nodeTool("jsclients", "relay-compiler")

// runNode runs `node args...` in the clients' directory to its end and
// returns its standard output; the test fails if it fails.
func runNode(t *testing.T, args ...string) []byte {
	t.Helper()
	lines, wait := startNode(t, args...)
	var out bytes.Buffer
	for l := range lines {
		out.WriteString(l + "\n")
	}
	wait()
	return out.Bytes()
}

// TestRelayCompilesContract runs relay-compiler 21 over every contract
// operation of graph/operations, as a Relay front end writes it (operation
// names prefixed with the module and suffixed with the operation's kind,
// @connection on every connection read by its edges), and over the
// paginated, refetchable fragment of graph/testdata/relay, against the SDL the server serves at
// GET /graphql/schema.graphql, unedited. Relay checks what it relies on:
// the Node interface and node(id:), connection shapes (edges, node,
// cursor, pageInfo) and first/after, last/before arguments. The manifest
// Relay persists the documents to is then registered with a server that
// runs registered documents only, and a query sent by Relay's id runs.
func TestRelayCompilesContract(t *testing.T) {
	t.Parallel()
	dir, err := jsClients()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, d := range []string{"src", "__generated__", "persisted"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	rec := httptest.NewRecorder()
	graph.SchemaHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/graphql/schema.graphql", nil))
	write(t, filepath.Join(root, "schema.graphql"), rec.Body.String())
	write(t, filepath.Join(root, "relay.config.json"),
		`{"src": "./src", "schema": "./schema.graphql", "language": "javascript", "artifactDirectory": "./__generated__",
		  "persistConfig": {"file": "./persisted/relay.json", "algorithm": "SHA256"}}`)
	write(t, filepath.Join(root, "persisted", "relay.json"), "{}") // Relay adds to the file it is given

	want := []string{"VenueBookings_venue", "VenueBookingsPaginationQuery", "VenueBookingsQuery"}
	files, err := filepath.Glob("operations/*.graphql")
	if err != nil || len(files) < 4 {
		t.Fatalf("contract files: %v %v", files, err)
	}
	for _, f := range files {
		js, names := relayModule(t, f)
		want = append(want, names...)
		write(t, filepath.Join(root, "src", relayModuleName(f)+".js"), js)
	}
	hand, err := filepath.Glob("testdata/relay/*.js")
	if err != nil || len(hand) == 0 {
		t.Fatalf("testdata/relay: %v %v", hand, err)
	}
	for _, f := range hand {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(root, "src", filepath.Base(f)), string(b))
	}

	cmd := exec.Command("node", filepath.Join(dir, "node_modules", "relay-compiler", "cli.js"), filepath.Join(root, "relay.config.json"))
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("relay-compiler: %v\n%s", err, out)
	}
	if bytes.Contains(out, []byte("WARN")) {
		t.Errorf("relay-compiler warned:\n%s", out)
	}
	for _, n := range want {
		if _, err := os.Stat(filepath.Join(root, "__generated__", n+".graphql.js")); err != nil {
			t.Errorf("no artifact for %s: %v\n%s", n, err, out)
		}
	}
	t.Logf("relay-compiler compiled %d documents", len(want))

	// Relay's persisted-query manifest, as a front end's build registers
	// it: the server takes it at start (each document, with what Relay
	// added, validates), and runs a document sent by Relay's id.
	docs, err := graph.LoadDocuments(filepath.Join(root, "persisted"))
	if err != nil {
		t.Fatalf("the server refuses Relay's manifest: %v", err)
	}
	var manifest map[string]string
	if b, err := os.ReadFile(filepath.Join(root, "persisted", "relay.json")); err != nil || json.Unmarshal(b, &manifest) != nil {
		t.Fatalf("Relay's manifest: %v\n%s", err, b)
	}
	var viewerID, refetch string
	for id, text := range manifest {
		if strings.Contains(text, "query BookingViewerQuery") {
			viewerID = id
		}
		if strings.Contains(text, "query VenueBookingsPaginationQuery") {
			refetch = text
		}
	}
	// The refetch query Relay made for the fragment goes through node(id:).
	if !strings.Contains(refetch, "node(id: $id)") {
		t.Errorf("the pagination query does not refetch through node(id:):\n%s", refetch)
	}
	if len(manifest) < len(want)-1 || viewerID == "" { // a fragment is no document of its own
		t.Fatalf("Relay's manifest holds %d documents, BookingViewerQuery as %q", len(manifest), viewerID)
	}
	e := newEnvOpts(t, false, graph.Options{Documents: docs, PersistedOnly: true})
	r := e.send(map[string]any{"documentId": viewerID, "operationName": "BookingViewerQuery"})
	if r.status != 200 || len(r.Errors) != 0 || !strings.Contains(string(r.Data), `"viewer":{"account":null,"roles":[]}`) {
		t.Errorf("BookingViewerQuery by Relay's id %s: %d %s %+v", viewerID, r.status, r.Data, r.Errors)
	}
}

// relayModuleName is the Relay module of a contract file: its base name
// with a capital, venues.graphql → Venues.
func relayModuleName(file string) string {
	n := strings.TrimSuffix(filepath.Base(file), ".graphql")
	return string(unicode.ToUpper(rune(n[0]))) + n[1:]
}

// relayModule writes the operations of a contract file as a Relay module:
// each operation in a graphql tag, named <Module><Name><Kind>, with
// @connection(key: "<Module><Name>_<path>_<field>") on every field whose
// type is a connection. It returns the module and its operations' names.
func relayModule(t *testing.T, file string) (string, []string) {
	t.Helper()
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc, errs := gqlparser.LoadQueryWithRules(schema, string(b), nil)
	if len(errs) > 0 {
		t.Fatalf("%s: %v", file, errs)
	}
	module := relayModuleName(file)
	var js strings.Builder
	var names []string
	// Fragments are named <Module>_<name> as Relay requires, and so are
	// their spreads in the module's operations and fragments.
	fragments := map[string]string{}
	for _, f := range doc.Fragments {
		fragments[f.Name] = module + "_" + string(unicode.ToLower(rune(f.Name[0]))) + f.Name[1:]
	}
	for _, f := range doc.Fragments {
		addConnections(f.SelectionSet, module+f.Name)
		renameSpreads(f.SelectionSet, fragments)
		f.Name = fragments[f.Name]
		var q strings.Builder
		formatter.NewFormatter(&q, formatter.WithIndent("  ")).FormatQueryDocument(&ast.QueryDocument{Fragments: ast.FragmentDefinitionList{f}})
		js.WriteString("graphql`\n" + q.String() + "`;\n\n")
	}
	for _, o := range doc.Operations {
		prefix := module + o.Name
		addConnections(o.SelectionSet, prefix)
		renameSpreads(o.SelectionSet, fragments)
		kind := map[ast.Operation]string{ast.Query: "Query", ast.Mutation: "Mutation", ast.Subscription: "Subscription"}[o.Operation]
		o.Name = prefix + kind
		names = append(names, o.Name)
		var q strings.Builder
		formatter.NewFormatter(&q, formatter.WithIndent("  ")).FormatQueryDocument(&ast.QueryDocument{Operations: ast.OperationList{o}})
		js.WriteString("graphql`\n" + q.String() + "`;\n\n")
	}
	return js.String(), names
}

// addConnections puts @connection on every connection field under set
// that reads its edges (a field read only for its totalCount is no list to
// page, and Relay refuses @connection on it); path is the key's prefix so
// far.
func addConnections(set ast.SelectionSet, path string) {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			p := path + "_" + s.Name
			if s.Definition != nil && strings.HasSuffix(s.Definition.Type.Name(), "Connection") && selects(s.SelectionSet, "edges") {
				s.Directives = append(s.Directives, &ast.Directive{Name: "connection", Arguments: ast.ArgumentList{
					{Name: "key", Value: &ast.Value{Kind: ast.StringValue, Raw: p}},
				}})
			}
			addConnections(s.SelectionSet, p)
		case *ast.InlineFragment:
			addConnections(s.SelectionSet, path)
		}
	}
}

// renameSpreads gives every fragment spread under set its fragment's Relay
// name. A spread inside an inline fragment (`... on Case { ...CaseCard }`
// under a Node) gets @alias, as Relay asks where its types do not model the
// refinement.
func renameSpreads(set ast.SelectionSet, names map[string]string) {
	renameSpreadsIn(set, names, false)
}

func renameSpreadsIn(set ast.SelectionSet, names map[string]string, refined bool) {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			renameSpreadsIn(s.SelectionSet, names, false)
		case *ast.InlineFragment:
			renameSpreadsIn(s.SelectionSet, names, true)
		case *ast.FragmentSpread:
			s.Name = names[s.Name]
			if refined {
				s.Directives = append(s.Directives, &ast.Directive{Name: "alias"})
			}
		}
	}
}

// selects reports whether set selects the field name.
func selects(set ast.SelectionSet, name string) bool {
	for _, s := range set {
		if f, ok := s.(*ast.Field); ok && f.Name == name {
			return true
		}
	}
	return false
}

// write writes a file of a test's temporary tree.
func write(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// startNode starts `node args...` in the clients' directory and returns
// the lines of its standard output as they come (closed when it ends) and
// a function that waits for it to end and fails the test if it failed.
func startNode(t *testing.T, args ...string) (<-chan string, func()) {
	t.Helper()
	dir, err := jsClients()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	read := make(chan struct{})
	go func() {
		defer close(read)
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var once sync.Once
	wait := func() {
		t.Helper()
		once.Do(func() {
			<-read
			if err := cmd.Wait(); err != nil {
				t.Fatalf("node %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
			}
		})
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait() // the copy of stderr is over once it returns
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("node %s, standard error:\n%s", strings.Join(args, " "), stderr.String())
		}
	})
	return lines, wait
}

// clientRun is what ws.mjs and sse.mjs print: a `next` line per event and
// a last line with the counts.
type clientRun struct {
	Next        json.RawMessage `json:"next"`
	Done        *int            `json:"done"`
	Connections int             `json:"connections"`
	Closes      []closeEvent    `json:"closes"`
	Error       *closeEvent     `json:"error"`
}

type closeEvent struct {
	Code   int    `json:"code"`
	Reason string `json:"reason"`
}

// clientEvents splits a client's output into the data of its events (on
// the channel returned, closed when the client ends) and its last line,
// which the function returned gives once the client has ended.
func clientEvents(t *testing.T, lines <-chan string, wait func()) (<-chan string, func() clientRun) {
	events := make(chan string, 100)
	last := make(chan clientRun, 1)
	go func() {
		defer close(events)
		var end clientRun
		for l := range lines {
			var r clientRun
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				end.Closes = append(end.Closes, closeEvent{Reason: "not JSON: " + l})
				continue
			}
			if r.Next != nil {
				events <- string(r.Next)
				continue
			}
			end = r
		}
		last <- end
	}()
	return events, func() clientRun {
		t.Helper()
		wait()
		return <-last
	}
}

// TestGraphQLWSFiftyEvents: graphql-ws 6, the standard websocket client,
// receives 50 venueChanged events on one subscription over one websocket.
func TestGraphQLWSFiftyEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	listen(t, e.store, e.res)
	ch := newChanger(t, e)
	start := wallNow()
	lines, wait := startNode(t, "ws.mjs", "events", e.srv.URL, ch.c1.token, ch.venue, "50")
	events, end := clientEvents(t, lines, wait)
	n := ch.receive(events, 50)
	r := end()
	if r.Done == nil || *r.Done != 50 || r.Connections != 1 || len(r.Closes) != 0 {
		t.Errorf("graphql-ws: %+v, want 50 events over 1 connection that stayed open", r)
	}
	t.Logf("graphql-ws: 50 events for %d changes in %v", n, time.Since(start).Round(time.Millisecond))
}

// TestGraphQLWSBadToken: graphql-ws 6 with its default retry settings,
// given a forged token, is closed with 4401 once and does not reconnect
// (graphql-ws gives up at 4401 and tells the app); three seconds are
// watched.
func TestGraphQLWSBadToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	lines, wait := startNode(t, "ws.mjs", "badtoken", e.srv.URL, "3")
	_, end := clientEvents(t, lines, wait)
	r := end()
	if r.Connections != 1 || len(r.Closes) != 1 || r.Closes[0].Code != 4401 || r.Error == nil || r.Error.Code != 4401 {
		t.Fatalf("graphql-ws with a forged token: %+v, want one connection closed with 4401 and the error given to the app", r)
	}
	t.Logf("graphql-ws with a forged token: %d connection in 3 s, closed with %d %q; the app is given %d", r.Connections, r.Closes[0].Code, r.Closes[0].Reason, r.Error.Code)
}

// TestGraphQLSSEEvents: graphql-sse 2.6, in distinct connections mode,
// receives venueChanged events over one request.
func TestGraphQLSSEEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	listen(t, e.store, e.res)
	ch := newChanger(t, e)
	lines, wait := startNode(t, "sse.mjs", e.srv.URL, ch.c1.token, ch.venue, "10")
	events, end := clientEvents(t, lines, wait)
	n := ch.receive(events, 10)
	r := end()
	if r.Done == nil || *r.Done != 10 || r.Connections != 1 {
		t.Errorf("graphql-sse: %+v, want 10 events over 1 request", r)
	}
	t.Logf("graphql-sse: 10 events for %d changes", n)
}

// TestApolloClientUnauthenticated: Apollo Client 4's app code reads the
// code UNAUTHENTICATED of a 401 (a forged bearer token) from the error it
// is given (CombinedGraphQLErrors: Apollo asks for
// application/graphql-response+json, in which a 401 is a GraphQL answer);
// signed in, it reads the viewer, also from signIn's payload.
func TestApolloClientUnauthenticated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	out := runNode(t, "apollo.mjs", e.srv.URL, "street-admin", "cogov-demo")
	var forged struct {
		Forged struct {
			Kind    string
			Codes   []string
			Message string
		}
	}
	var signedIn struct {
		SignIn struct {
			Viewer   struct{ Account *struct{ Username string } }
			SignedIn bool
		}
		Viewer struct {
			Viewer struct{ Account *struct{ Username string } }
		}
	}
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	if len(lines) != 2 || json.Unmarshal(lines[0], &forged) != nil || json.Unmarshal(lines[1], &signedIn) != nil {
		t.Fatalf("apollo.mjs printed:\n%s", out)
	}
	if f := forged.Forged; f.Kind != "CombinedGraphQLErrors" || strings.Join(f.Codes, ",") != "UNAUTHENTICATED" {
		t.Errorf("forged token: Apollo gives the app %+v, want CombinedGraphQLErrors with UNAUTHENTICATED", f)
	}
	s := signedIn.SignIn
	if !s.SignedIn || s.Viewer.Account == nil || s.Viewer.Account.Username != "street-admin" {
		t.Errorf("signIn's viewer: %s", lines[1])
	}
	if v := signedIn.Viewer.Viewer.Account; v == nil || v.Username != "street-admin" {
		t.Errorf("viewer with the token: %s", lines[1])
	}
}
