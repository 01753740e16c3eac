package testworld

import (
	"testing"

	"cogov/internal/problem"
)

// Code is the code of the first problem err carries: what a client reads
// first among the userErrors. It is "" for nil and "NOT A PROBLEM" for an
// error that carries no problem, which would reach a client only as
// "internal error".
func Code(err error) problem.Code {
	if err == nil {
		return ""
	}
	l, ok := problem.As(err)
	if !ok || len(l) == 0 {
		return "NOT A PROBLEM"
	}
	return l[0].Code
}

// Codes lists the codes of the problems err carries, in order.
func Codes(err error) []problem.Code {
	l, _ := problem.As(err)
	var out []problem.Code
	for _, p := range l {
		out = append(out, p.Code)
	}
	return out
}

// WantCode fails the test unless err carries a problem with code.
func WantCode(t testing.TB, what string, err error, code problem.Code) {
	t.Helper()
	if !problem.Has(err, code) {
		t.Errorf("%s: got %v, want %s", what, err, code)
	}
}

// WantFirst fails the test unless the first problem err carries has code, or,
// with code "", unless err is nil.
func WantFirst(t testing.TB, what string, err error, code problem.Code) {
	t.Helper()
	if got := Code(err); got != code {
		t.Errorf("%s: got %q (%v), want %q", what, got, err, code)
	}
}
