package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"cogov/graph"
	"cogov/internal/pgtest"
	"cogov/internal/store"
)

// chromium returns Debian's Chromium, installed by scripts/chromium.sh when
// missing (as root): the browser tests do not skip without it.
func chromium(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("../scripts/chromium.sh").Output()
	if err != nil {
		t.Fatalf("scripts/chromium.sh: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestGraphiQLOffline loads /graphiql in headless Chromium that cannot
// resolve any name but the test server's address, signs in through the
// headers editor and runs a query: GraphiQL comes whole from the binary and
// no request leaves the machine.
func TestGraphiQLOffline(t *testing.T) {
	db := pgtest.New(t, pgtest.Options{})
	now := pgtest.Clock(t)
	st := store.New(db.Pool, now)
	res := graph.NewResolver(st, "", now)
	t.Setenv("COGOV_ADMIN_PASSWORD", "graphiql-offline-test")
	var out bytes.Buffer
	if err := createAdmin(context.Background(), res, []string{"-subdistrict", "offline", "-name", "离线街道", "-username", "offline-admin"}, &out); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes(config{}, st, res, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer srv.Close()

	body := `{"query":"mutation { signIn(input: {username: \"offline-admin\", password: \"graphiql-offline-test\"}) { token } }"}`
	resp, err := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var signIn struct {
		Data struct {
			SignIn struct{ Token string } `json:"signIn"`
		} `json:"data"`
	}
	err = json.NewDecoder(resp.Body).Decode(&signIn)
	resp.Body.Close()
	if err != nil || signIn.Data.SignIn.Token == "" {
		t.Fatalf("sign in: %v %+v", err, signIn)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
		chromedp.Flag("proxy-server", "http://127.0.0.1:9"), // nothing listens: any request but to loopback (never proxied) fails
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 150*time.Second)
	defer cancelT()

	var mu sync.Mutex
	var requested []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requested = append(requested, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	headers := `{"Authorization": "Bearer ` + signIn.Data.SignIn.Token + `"}`
	var result string
	// GraphiQL keeps the query and the headers in this origin's localStorage;
	// put the signed-in headers and a query there first, from another page
	// of the server, as if a person had typed them on an earlier visit.
	err = chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/healthz"))
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`localStorage.clear();
			localStorage.setItem('graphiql:headers', `+jsString(headers)+`);
			localStorage.setItem('graphiql:query', '{ viewer { account { username } } }'); true`))
	}
	if err == nil {
		err = chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/graphiql"),
			chromedp.WaitVisible(chromedp.CSS(`.graphiql-execute-button`)),
			chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)),
		)
	}
	if err == nil {
		result, err = chromedp.Run(ctx, chromedp.Poll[string](`(() => {
			const t = (document.querySelector('.result-window') || {}).innerText || '';
			return t.includes('offline-admin') ? t : false;
		})()`, chromedp.WithPollingTimeout(75*time.Second)))
	}
	if err != nil {
		pane, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('.result-window') || {}).innerText || document.body.innerText.slice(0, 500)`))
		t.Fatalf("GraphiQL in Chromium: %v (result pane %q)", err, pane)
	}
	if !strings.Contains(result, `"username": "offline-admin"`) {
		t.Errorf("result pane: %q", result)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(requested) < 5 {
		t.Errorf("only %d requests seen: %v", len(requested), requested)
	}
	for _, u := range requested {
		if !strings.HasPrefix(u, srv.URL+"/") && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:") {
			t.Errorf("a request left the server: %s", u)
		}
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
