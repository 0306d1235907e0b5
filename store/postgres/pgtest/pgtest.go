// Package pgtest gives tests a throwaway PostgreSQL: a fresh database per
// test, on a cluster it starts itself (initdb + pg_ctl in a temp dir, on a
// free port, as the postgres user when run as root), or on the server
// CADENCEBOT_TEST_DATABASE_URL names. Without PostgreSQL, tests skip
// locally and fail under CI=true, so CI cannot pass by not testing.
package pgtest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names a server to use instead of starting one. Its user must be
// allowed to create databases.
const EnvURL = "CADENCEBOT_TEST_DATABASE_URL"

var (
	once     sync.Once
	adminURL string
	startErr error
	stop     func()
	seq      atomic.Int64
)

// Run runs the package's tests and stops the cluster Run's tests started:
// call it from TestMain as os.Exit(pgtest.Run(m)).
func Run(m *testing.M) int {
	code := m.Run()
	if stop != nil {
		stop()
	}
	return code
}

// URL returns the URL of a new, empty database, dropped when t ends.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() { adminURL, startErr = start() })
	if startErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required under CI=true: %v", startErr)
		}
		t.Skipf("no PostgreSQL (set %s or install postgresql): %v", EnvURL, startErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer admin.Close(ctx)
	name := fmt.Sprintf("cadence_test_%d_%d", os.Getpid(), seq.Add(1))
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, adminURL); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			_ = c.Close(ctx)
		}
	})
	u, err := url.Parse(adminURL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// start finds a server: the environment's, or a cluster of its own.
func start() (string, error) {
	if u := os.Getenv(EnvURL); u != "" {
		return u, nil
	}
	c, err := startCluster()
	if err != nil {
		return "", err
	}
	stop = c.stop
	return c.url, nil
}

// Server is a cluster of a test's own, for tests that stop or restart
// PostgreSQL under the bot.
type Server struct {
	url  string
	ctl  func(args ...string) error
	data string
	bin  string
	opts string
	stop func()
}

// NewServer starts a cluster for tb alone, stopped when tb ends. It skips
// or fails as URL does when PostgreSQL is not installed.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	c, err := startCluster()
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL is required under CI=true: %v", err)
		}
		tb.Skipf("no PostgreSQL (install postgresql): %v", err)
	}
	tb.Cleanup(c.stop)
	return c
}

// URL is the cluster's postgres database, as its superuser.
func (s *Server) URL() string { return s.url }

// Restart stops the server the fast way (every connection is cut) and
// starts it again on the same port and data.
func (s *Server) Restart() error {
	if err := s.Stop(); err != nil {
		return err
	}
	return s.Start()
}

// Stop stops the server the fast way: every connection is cut, and new
// ones are refused until Start.
func (s *Server) Stop() error {
	return s.ctl(filepath.Join(s.bin, "pg_ctl"), "-D", s.data, "-m", "fast", "-w", "stop")
}

// Start starts a stopped server again on the same port and data.
func (s *Server) Start() error {
	return s.ctl(filepath.Join(s.bin, "pg_ctl"), "-D", s.data, "-l", filepath.Join(filepath.Dir(s.data), "log"), "-o", s.opts, "-w", "-t", "60", "start")
}

func startCluster() (*Server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "cadence-pg-")
	if err != nil {
		return nil, err
	}
	// initdb refuses root: run the server as the postgres user then.
	var asUser []string
	if os.Geteuid() == 0 {
		pu, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root and no postgres user to run the server as: %w", err)
		}
		uid, _ := strconv.Atoi(pu.Uid)
		gid, _ := strconv.Atoi(pu.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(args ...string) error {
		full := append(append([]string{}, asUser...), args...)
		cmd := exec.Command(full[0], full[1:]...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", filepath.Base(args[0]), err, out)
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	// Durability is not under test here: no fsync makes each CREATE
	// DATABASE cheap.
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
	if err := run(filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "-t", "60", "start"); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	s := &Server{url: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port), ctl: run, data: data, bin: bin, opts: opts}
	s.stop = func() {
		_ = run(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
		_ = os.RemoveAll(dir)
	}
	return s, nil
}

// findBin finds initdb on PATH or in Debian's versioned directories,
// newest first.
func findBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("initdb not found on PATH or in /usr/lib/postgresql/*/bin")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
