package migrations

import (
	"io/fs"
	"regexp"
	"strconv"
	"testing"
)

// TestNumbering guards the migration files: named NNNNN_name.sql, numbered
// from 1 without a gap or a duplicate, as goose applies them in order and a
// database that skipped one refuses to start.
func TestNumbering(t *testing.T) {
	names, err := fs.Glob(Files(), "*")
	if err != nil {
		t.Fatal(err)
	}
	pattern := regexp.MustCompile(`^(\d{5})_[a-z0-9_]+\.sql$`)
	want := 1
	for _, n := range names { // fs.Glob returns them sorted
		m := pattern.FindStringSubmatch(n)
		if m == nil {
			t.Errorf("%s: not a migration file name (NNNNN_name.sql)", n)
			continue
		}
		got, _ := strconv.Atoi(m[1])
		switch {
		case got < want:
			t.Errorf("%s: number %d is used twice", n, got)
		case got > want:
			t.Errorf("%s: numbers %d to %d are missing", n, want, got-1)
		}
		want = got + 1
	}
	if want == 1 {
		t.Fatal("no migrations found")
	}
}
