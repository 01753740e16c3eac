package migrations_test

import (
	"context"
	"database/sql"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"cogov/internal/pgtest"
	"cogov/migrations"
)

// TestNewestDownUp takes the newest migration down and up again on a
// migrated database: its Down section runs and leaves a schema its Up
// applies to, so a deploy can be rolled back by one step.
func TestNewestDownUp(t *testing.T) {
	db := pgtest.New(t, pgtest.Options{})
	conn, err := sql.Open("pgx", db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, conn, migrations.Files())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	newest, err := p.GetDBVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Down(ctx); err != nil {
		t.Fatalf("down from %d: %v", newest, err)
	}
	if v, _ := p.GetDBVersion(ctx); v != newest-1 {
		t.Fatalf("after down: version %d, want %d", v, newest-1)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again to %d: %v", newest, err)
	}
	if v, _ := p.GetDBVersion(ctx); v != newest {
		t.Fatalf("after up: version %d, want %d", v, newest)
	}
}
