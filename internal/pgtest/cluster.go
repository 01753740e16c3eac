package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a PostgreSQL server of one test's own, in a temporary
// directory on a free port, for tests that must stop and start the server
// (the shared one that DATABASE_URL names must never be). It is stopped and
// deleted when the test ends.
type Cluster struct {
	t      testing.TB
	bin    string // the directory of initdb, pg_ctl and postgres
	dir    string // the data directory
	Port   int
	URL    string // the owner's URL: role cogov, database cogov
	asRoot bool   // run the server as the postgres user, as PostgreSQL refuses root
}

// NewCluster initialises and starts a cluster, like scripts/devdb.sh does:
// the newest installed server binaries, trust authentication on 127.0.0.1,
// run by the postgres user when the test runs as root, a role and a
// database cogov. Without the server binaries the test fails: CI has them.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	bin, err := serverBinaries()
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{t: t, bin: bin, asRoot: os.Geteuid() == 0}
	// Not t.TempDir: its parent is private to this user, and the postgres
	// user must reach the data directory.
	c.dir, err = os.MkdirTemp("", "cogov-pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(c.dir) })
	if c.asRoot {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, the cluster needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(c.dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(c.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	c.Port = freePort(t)
	c.run("initdb", "-D", c.dir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "-N")
	conf := fmt.Sprintf("\nlisten_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = ''\n"+
		"fsync = off\nfull_page_writes = off\nshared_buffers = 16MB\nmax_connections = 40\n", c.Port)
	c.appendConf(conf)
	c.Start()
	t.Cleanup(func() { _ = c.pgCtl("stop", "-m", "immediate", "-w", "-t", "20") })

	ctx := context.Background()
	admin, err := pgx.Connect(ctx, c.urlFor("postgres", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for _, q := range []string{`CREATE ROLE cogov LOGIN NOSUPERUSER CREATEDB CREATEROLE`, `CREATE DATABASE cogov OWNER cogov`} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	c.URL = c.urlFor("cogov", "cogov")
	return c
}

func (c *Cluster) urlFor(role, db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", role, c.Port, db)
}

// appendConf adds lines to postgresql.conf (written as the file's owner).
func (c *Cluster) appendConf(lines string) {
	f, err := os.OpenFile(filepath.Join(c.dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		c.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(lines); err != nil {
		c.t.Fatal(err)
	}
}

// Start starts the server and returns once it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	if err := c.pgCtl("start", "-w", "-t", "30", "-l", filepath.Join(c.dir, "server.log")); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		c.t.Fatalf("pg_ctl start: %v\n%s", err, log)
	}
}

// Stop stops the server the way a restart does (fast: connections are
// terminated, the data is checkpointed) and returns once it is down.
func (c *Cluster) Stop() {
	c.t.Helper()
	if err := c.pgCtl("stop", "-m", "fast", "-w", "-t", "30"); err != nil {
		c.t.Fatalf("pg_ctl stop: %v", err)
	}
}

func (c *Cluster) pgCtl(args ...string) error {
	_, err := c.command("pg_ctl", append([]string{"-D", c.dir}, args...)...)
	return err
}

func (c *Cluster) run(name string, args ...string) {
	c.t.Helper()
	if out, err := c.command(name, args...); err != nil {
		c.t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

// command runs a server binary, as the postgres user when we are root.
func (c *Cluster) command(name string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bin, name)
	var cmd *exec.Cmd
	if c.asRoot {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	// Output goes to a buffer, not a pipe the server (started by pg_ctl)
	// would inherit and hold open.
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return []byte(out.String()), err
}

// serverBinaries finds the newest directory holding initdb, pg_ctl and
// postgres: the one pg_ctl on PATH is in, or a Debian-style
// /usr/lib/postgresql/<major>/bin.
func serverBinaries() (string, error) {
	var dirs []string
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(r))
		}
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(found, func(a, b string) int { return major(b) - major(a) })
	dirs = append(dirs, found...)
	for _, d := range dirs {
		ok := true
		for _, n := range []string{"initdb", "pg_ctl", "postgres"} {
			if _, err := os.Stat(filepath.Join(d, n)); err != nil {
				ok = false
			}
		}
		if ok {
			return d, nil
		}
	}
	return "", fmt.Errorf("the PostgreSQL server binaries (initdb, pg_ctl, postgres) are not installed; `apt-get install postgresql` installs them")
}

// major is the version number of a /usr/lib/postgresql/<major>/bin path.
func major(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Accepting reports whether the server accepts a connection now.
func (c *Cluster) Accepting(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL)
	if err != nil {
		return false
	}
	_ = conn.Close(ctx)
	return true
}

// NewStandby makes a streaming replica of c: pg_basebackup of the running
// cluster (initdb's defaults allow it: wal_level replica, a replication
// line for 127.0.0.1 in pg_hba.conf) into a new temporary directory, set up
// as a hot standby (-R) on a free port, started. It is stopped and deleted
// when the test ends.
func (c *Cluster) NewStandby() *Cluster {
	c.t.Helper()
	s := &Cluster{t: c.t, bin: c.bin, asRoot: c.asRoot}
	dir, err := os.MkdirTemp("", "cogov-pgtest-standby-")
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if c.asRoot {
		u, err := user.Lookup("postgres")
		if err != nil {
			c.t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			c.t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		c.t.Fatal(err)
	}
	s.dir = dir
	s.run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(c.Port), "-U", "postgres", "-D", dir, "-R", "-X", "stream", "-c", "fast")
	s.Port = freePort(c.t)
	s.appendConf(fmt.Sprintf("\nport = %d\nhot_standby = on\n", s.Port))
	s.Start()
	c.t.Cleanup(func() { _ = s.pgCtl("stop", "-m", "immediate", "-w", "-t", "20") })
	s.URL = s.urlFor("cogov", "cogov")
	return s
}

// SuperuserURL is the URL of the postgres superuser's connection to db.
func (c *Cluster) SuperuserURL(db string) string { return c.urlFor("postgres", db) }
