package store

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"cogov/internal/problem"
)

func TestWrap(t *testing.T) {
	t.Run("nil stays nil", func(t *testing.T) {
		var err error
		wrap(&err, "store.Venue(%q)", "x")
		if err != nil {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a sentinel stays visible", func(t *testing.T) {
		err := problem.ErrNotFound
		wrap(&err, "store.Venue(%q)", "5f0c")
		if got, want := err.Error(), `store.Venue("5f0c"): not found`; got != want {
			t.Errorf("Error() = %q, want %q", got, want)
		}
		if !errors.Is(err, problem.ErrNotFound) {
			t.Error("errors.Is does not see problem.ErrNotFound")
		}
	})
	t.Run("problems stay visible, with their messages", func(t *testing.T) {
		var err error = problem.List{constraintProblems["subdistrict_code_key"]}
		wrap(&err, "store.CreateSubdistrict")
		l, ok := problem.As(err)
		if !ok || len(l) != 1 || l[0].Code != problem.AlreadyExists || l[0].Message != "another sub-district has this code" {
			t.Errorf("problem.As = %v, %v", l, ok)
		}
	})
	t.Run("a trail of calls", func(t *testing.T) {
		var err error = &pgconn.PgError{Severity: "ERROR", Code: "57014", Message: "canceling statement due to statement timeout"}
		wrap(&err, "store.AccountsByID(%d ids)", 1)
		wrap(&err, "store.Account(%q)", "a1")
		if got, want := err.Error(), `store.Account("a1"): store.AccountsByID(1 ids): ERROR: canceling statement due to statement timeout (SQLSTATE 57014)`; got != want {
			t.Errorf("Error() = %q, want %q", got, want)
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "57014" {
			t.Error("errors.As does not find the *pgconn.PgError")
		}
	})
}

// TestEveryMethodWraps reads the package's source: every exported method of
// *Store names its error result and defers wrap on it with its own name,
// "store.<Method>", so that a fault logged anywhere says which operation
// failed. A new method that forgets fails here.
func TestEveryMethodWraps(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || !fd.Name.IsExported() {
				continue
			}
			star, ok := fd.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			if recv, ok := star.X.(*ast.Ident); !ok || recv.Name != "Store" {
				continue
			}
			n++
			if msg := checkWrap(fd); msg != "" {
				t.Errorf("%s: Store.%s %s", fset.Position(fd.Pos()), fd.Name.Name, msg)
			}
		}
	}
	if n < 100 {
		t.Errorf("found only %d methods of Store: is the test reading the right files?", n)
	}
}

// checkWrap says what is wrong with fd's use of wrap, or "".
func checkWrap(fd *ast.FuncDecl) string {
	res := fd.Type.Results
	if res == nil || len(res.List) == 0 {
		return "returns no error"
	}
	last := res.List[len(res.List)-1]
	if id, ok := last.Type.(*ast.Ident); !ok || id.Name != "error" {
		return "does not return an error last"
	}
	if len(last.Names) == 0 {
		return "does not name its error result"
	}
	errName := last.Names[len(last.Names)-1].Name
	for _, st := range fd.Body.List {
		def, ok := st.(*ast.DeferStmt)
		if !ok {
			continue
		}
		if fn, ok := def.Call.Fun.(*ast.Ident); !ok || fn.Name != "wrap" || len(def.Call.Args) < 2 {
			continue
		}
		var target string
		if addr, ok := def.Call.Args[0].(*ast.UnaryExpr); ok && addr.Op == token.AND {
			if x, ok := addr.X.(*ast.Ident); ok {
				target = x.Name
			}
		}
		if target != errName {
			return "defers wrap on something other than its error result " + errName
		}
		lit, ok := def.Call.Args[1].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return "defers wrap without a literal format"
		}
		format, _ := strconv.Unquote(lit.Value)
		op := "store." + fd.Name.Name
		if format != op && !strings.HasPrefix(format, op+"(") {
			return "wraps its errors as " + strconv.Quote(format) + ", not " + op
		}
		return ""
	}
	return "does not defer wrap(&" + errName + ", \"store." + fd.Name.Name + "…\")"
}

// TestConnectionLost classifies errors: a lost or refused connection is
// an outage (problem.ErrUnavailable once wrapped), a statement's error or
// an ended context is not.
func TestConnectionLost(t *testing.T) {
	for _, c := range []struct {
		err  error
		lost bool
	}{
		{&pgconn.PgError{Code: "57P01"}, true},
		{&pgconn.PgError{Code: "57P03"}, true},
		{&pgconn.PgError{Code: "08006"}, true},
		{&pgconn.PgError{Code: "53300"}, true},
		{&pgconn.PgError{Code: "23505"}, false},
		{&pgconn.PgError{Code: "22021"}, false},
		{&pgconn.ConnectError{}, true},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, true},
		{io.ErrUnexpectedEOF, true},
		{fmt.Errorf("set viewer: %w", pgconn.ErrConnClosed), true},
		{context.Canceled, false},
		{context.DeadlineExceeded, false},
		{problem.ErrNotFound, false},
		{errors.New("something else"), false},
	} {
		err := c.err
		wrap(&err, "store.Test")
		if got := errors.Is(err, problem.ErrUnavailable); got != c.lost {
			t.Errorf("%v: unavailable = %v, want %v", c.err, got, c.lost)
		}
		if !errors.Is(err, c.err) {
			t.Errorf("%v: the cause is lost", c.err)
		}
	}
}
