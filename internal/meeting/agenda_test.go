package meeting

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"cogov/internal/problem"
)

func TestCheckAgenda(t *testing.T) {
	t.Parallel()
	n := func(v int) *int { return &v }
	one := func(code problem.Code, message string) problem.List {
		var l problem.List
		l.Add(code, message, "agenda")
		return l
	}
	length := one(problem.InvalidInput, "an agenda item lasts 1 to 1440 minutes")
	many := make([]AgendaInput, maxAgenda+1)
	for i := range many {
		many[i].Title = "议题"
	}
	cases := []struct {
		name   string
		in     []AgendaInput
		want   problem.List
		titles []string // the titles after the check, trimmed
	}{
		{name: "no agenda"},
		{name: "titles are trimmed", in: []AgendaInput{{Title: " 甲 "}, {Title: "乙\t", DurationMinutes: n(30)}}, titles: []string{"甲", "乙"}},
		{name: "a blank title", in: []AgendaInput{{Title: " "}}, want: one(problem.Blank, "agenda must not be blank"), titles: []string{""}},
		{name: "a title too long", in: []AgendaInput{{Title: strings.Repeat("长", maxTitle+1)}},
			want: one(problem.InvalidInput, "agenda is too long"), titles: []string{strings.Repeat("长", maxTitle+1)}},
		{name: "a minute", in: []AgendaInput{{Title: "甲", DurationMinutes: n(1)}}, titles: []string{"甲"}},
		{name: "a whole day", in: []AgendaInput{{Title: "甲", DurationMinutes: n(1440)}}, titles: []string{"甲"}},
		{name: "no time at all", in: []AgendaInput{{Title: "甲", DurationMinutes: n(0)}}, want: length, titles: []string{"甲"}},
		{name: "longer than a day", in: []AgendaInput{{Title: "甲", DurationMinutes: n(2000)}}, want: length, titles: []string{"甲"}},
		{name: "every item is checked", in: []AgendaInput{{Title: ""}, {Title: "乙", DurationMinutes: n(-5)}},
			want: append(one(problem.Blank, "agenda must not be blank"), length...), titles: []string{"", "乙"}},
		{name: "too many items", in: many, want: one(problem.InvalidInput, "at most 50 agenda items"), titles: func() []string {
			out := make([]string, len(many))
			for i := range out {
				out[i] = "议题"
			}
			return out
		}()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := append([]AgendaInput(nil), c.in...)
			var l problem.List
			checkAgenda(&l, in)
			if diff := cmp.Diff(c.want, l, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			var titles []string
			for _, a := range in {
				titles = append(titles, a.Title)
			}
			if diff := cmp.Diff(c.titles, titles, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("titles (-want +got):\n%s", diff)
			}
		})
	}
}
