// Package page holds the shape of a paged list, shared by the store that
// reads pages, the domain services that pass them on and the GraphQL adapter
// that turns them into connections.
package page

// Max is the largest page a list serves.
const Max = 100

// Page asks for the First items after the cursor After ("" for the start),
// or, with Last, for the Last items before the cursor Before ("" for the
// end). After and Before may both bound the list.
type Page struct {
	First  int
	After  string
	Last   int
	Before string
	// Count asks for the list's total alone, without its items: a
	// connection whose selection is only totalCount. A store that reads
	// pages may then count instead (Conn.Total set, no Items); one that
	// does not still answers with the page.
	Count bool
}

// Backward reports whether the page is counted from the end.
func (p Page) Backward() bool { return p.Last > 0 }

// Size is how many items the page asks for.
func (p Page) Size() int {
	if p.Backward() {
		return p.Last
	}
	return p.First
}

// Conn is one page of a list: the items with their cursors, whether more
// follow, whether some come before, and how many there are in all.
type Conn[T any] struct {
	Items   []T
	Cursors []string
	HasNext bool
	HasPrev bool
	Total   int
}
