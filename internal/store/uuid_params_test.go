package store

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestUUIDArrayParamsAsText keeps the convention of 369e9a2: a uuid[]
// parameter is written $n::text[]::uuid[]. pgx cannot encode a Go []string
// as a binary uuid[]; with $n::uuid[] it builds an encoding error on every
// call and encodes the argument again as text.
func TestUUIDArrayParamsAsText(t *testing.T) {
	bare := regexp.MustCompile(`(\$\d+|%s|%d)::uuid\[\]`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if bare.MatchString(line) {
				t.Errorf("%s:%d: a uuid[] parameter not written as text[]::uuid[]: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
