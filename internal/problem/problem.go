// Package problem describes how a request can break a domain rule: a code a
// program can act on, the input field at fault and a message for people. The
// GraphQL layer turns a List into userErrors; anything that is not a problem is
// a fault and reaches a client only as "internal error".
package problem

import (
	"errors"
	"strings"
)

// ErrNotFound means a record does not exist, or not for the viewer: the
// store returns it, wrapped with the operation's name, for a row it cannot
// find, and the domain turns it into a NOT_FOUND problem on the input field
// that named the record. It is the only not-found error; check it with
// errors.Is.
var ErrNotFound = errors.New("not found")

// ErrUnavailable means the database could not be reached, or the connection
// to it broke: the request did not fail for what it asked, and may succeed
// if it is sent again shortly. The store marks such errors; check them with
// errors.Is. The GraphQL layer answers them with UNAVAILABLE and HTTP 503.
var ErrUnavailable = errors.New("the database is unavailable")

// Code names a broken rule; the values are the GraphQL UserErrorCode values.
type Code string

// The codes the domain uses.
const (
	InvalidInput     Code = "INVALID_INPUT"
	Blank            Code = "BLANK"
	NotFound         Code = "NOT_FOUND"
	Forbidden        Code = "FORBIDDEN"
	AlreadyExists    Code = "ALREADY_EXISTS"
	WrongSubdistrict Code = "WRONG_SUBDISTRICT"
	TermReversed     Code = "TERM_REVERSED"
	OverlappingTerm  Code = "OVERLAPPING_TERM"
	KindMismatch     Code = "KIND_MISMATCH"
	InvalidState     Code = "INVALID_STATE"
	StaleVersion     Code = "STALE_VERSION"

	// Booking rules: each broken rule has its own code.
	BookingConflict     Code = "BOOKING_CONFLICT"
	OutsideOpeningHours Code = "OUTSIDE_OPENING_HOURS"
	VenueClosed         Code = "VENUE_CLOSED"
	CapacityExceeded    Code = "CAPACITY_EXCEEDED"
	TooShortNotice      Code = "TOO_SHORT_NOTICE"
	TooFarAhead         Code = "TOO_FAR_AHEAD"
	DurationOutOfRange  Code = "DURATION_OUT_OF_RANGE"
	QuotaExceeded       Code = "QUOTA_EXCEEDED"
	NotEligible         Code = "NOT_ELIGIBLE"
)

// Problem is one broken rule.
type Problem struct {
	Code    Code
	Field   []string // path to the input field at fault, e.g. {"input", "name"}; nil if none
	Message string
}

// List is the set of problems a request has; as an error it says the request
// was refused and nothing was written.
type List []Problem

// Error joins the messages.
func (l List) Error() string {
	msgs := make([]string, len(l))
	for i, p := range l {
		msgs[i] = string(p.Code) + ": " + p.Message
	}
	return strings.Join(msgs, "; ")
}

// Add appends a problem with a field path given as input field names.
func (l *List) Add(code Code, message string, field ...string) {
	var path []string
	if len(field) > 0 {
		path = append([]string{"input"}, field...)
	}
	*l = append(*l, Problem{Code: code, Field: path, Message: message})
}

// Err returns the list as an error, or nil if it is empty.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// New returns an error holding one problem.
func New(code Code, message string, field ...string) error {
	var l List
	l.Add(code, message, field...)
	return l
}

// As extracts the problems from err, if it carries any.
func As(err error) (List, bool) {
	var l List
	if errors.As(err, &l) {
		return l, true
	}
	return nil, false
}

// At returns err with every problem it carries moved onto field: a rule
// another service checked, answered for the input that named its object
// (an agenda's rules, answered for input.meetingId). Other errors pass.
func At(err error, field ...string) error {
	pl, ok := As(err)
	if !ok {
		return err
	}
	out := make(List, len(pl))
	for i, p := range pl {
		p.Field = field
		out[i] = p
	}
	return out
}

// Has reports whether err carries a problem with the given code.
func Has(err error, code Code) bool {
	l, ok := As(err)
	if !ok {
		return false
	}
	for _, p := range l {
		if p.Code == code {
			return true
		}
	}
	return false
}

// RequireText records a Blank problem when s is empty after trimming and a
// too-long one past max runes; it returns s trimmed.
func (l *List) RequireText(s string, max int, field string) string {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		l.Add(Blank, field+" must not be blank", field)
	case len([]rune(t)) > max:
		l.Add(InvalidInput, field+" is too long", field)
	}
	return t
}
