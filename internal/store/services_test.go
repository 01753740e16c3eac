package store_test

import (
	"cogov/internal/lists"
	"cogov/internal/meeting"
	"cogov/internal/store"
)

var (
	_ meeting.Store = (*store.Store)(nil)
	_ lists.Store   = (*store.Store)(nil)
)
