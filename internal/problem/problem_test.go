package problem_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"cogov/internal/problem"
)

// TestAt: the problems another service reported are answered for the input
// that named its object; any other error, and no error, pass unchanged.
func TestAt(t *testing.T) {
	var l problem.List
	l.Add(problem.InvalidState, "the meeting is over", "agenda", "itemId")
	l.Add(problem.Forbidden, "not a convener")
	got, ok := problem.As(problem.At(fmt.Errorf("agenda: %w", l.Err()), "input", "meetingId"))
	if !ok || len(got) != 2 {
		t.Fatalf("got %v, want the two problems", got)
	}
	for i, p := range got {
		if !reflect.DeepEqual(p.Field, []string{"input", "meetingId"}) || p.Code != l[i].Code || p.Message != l[i].Message {
			t.Errorf("problem %d: got %+v, want %+v on input.meetingId", i, p, l[i])
		}
	}
	if !reflect.DeepEqual(l[0].Field, []string{"input", "agenda", "itemId"}) {
		t.Errorf("the original list changed: %+v", l[0])
	}
	other := errors.New("connection lost")
	if err := problem.At(other, "input", "meetingId"); err != other {
		t.Errorf("another error: got %v, want it unchanged", err)
	}
	if err := problem.At(nil, "input"); err != nil {
		t.Errorf("no error: got %v", err)
	}
}
