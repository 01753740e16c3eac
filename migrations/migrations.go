// Package migrations holds the database schema as numbered SQL files and
// applies them with goose. Files are append-only: a change is a new file.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed *.sql
var files embed.FS

// Up applies every pending migration to db, holding a PostgreSQL advisory
// lock so that concurrent starts do not race.
func Up(ctx context.Context, db *sql.DB) error {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, files, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Files returns the embedded migration files, e.g. to fingerprint them.
func Files() embed.FS { return files }

// Fingerprint writes every migration's name and text to w (a hash), so
// that databases built from them can be keyed by what they were built from.
func Fingerprint(w io.Writer) {
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(files, p)
		_, _ = w.Write([]byte(p))
		_, _ = w.Write(b)
		return nil
	})
}
