package graph_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"testing"
)

// httpAudit is the directory of the graphql-http audit
// (graph/testdata/http-audit), with its pinned packages installed once per
// test run.
var httpAudit = nodeTool("http-audit", "graphql-http")

// TestGraphQLOverHTTPAudit runs every audit of graphql-http's serverAudits
// (the GraphQL-over-HTTP spec: MUST, SHOULD and MAY) against the endpoint
// and fails on any failure or warning.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	t.Parallel()
	dir, err := httpAudit()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, false)
	cmd := exec.Command("node", "audit.mjs", e.srv.URL)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("audit: %v\n%s", err, stderr.String())
	}
	counts := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r struct{ ID, Name, Status, Reason string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		counts[r.Status]++
		if r.Status != "ok" {
			t.Errorf("%s %s %s: %s", r.Status, r.ID, r.Name, r.Reason)
		}
	}
	if counts["ok"] == 0 {
		t.Fatalf("the audit ran nothing:\n%s", out)
	}
	t.Logf("graphql-http audit: %d ok, %d warn, %d error", counts["ok"], counts["warn"], counts["error"])
}
