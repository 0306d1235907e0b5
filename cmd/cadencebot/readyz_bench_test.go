package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
	"github.com/cadencebot/cadencebot/store"
	"github.com/cadencebot/cadencebot/store/benchdata"
)

// Start → /readyz 200 on a bbolt file holding a year of 500 people × 5
// rituals (benchdata's shared file, built once per cache), the clock on
// the morning after the history ends, so the first tick opens a new day
// and must find each ritual's previous occurrence. Each iteration starts
// on a fresh copy of the file (copied with the timer stopped): the first
// tick writes, and a second start would no longer be the first of the day.
//
// Two floors, both on the same file. "floor" is bolt.Open and bbolt's
// consistency check (every page visited once, in one view transaction),
// then close: what a start that checks every page before it is ready
// must do. The start now checks the pages after it is ready (store
// Options.CheckAfterOpen), so its own floor is "floor-open": bolt.Open,
// which validates both meta pages' checksums and loads the freelist
// (the start also reads the root and freelist pages, header.go), then
// close.
//
//	go test ./cmd/cadencebot -run '^$' -bench StartReadyzYear -benchtime 3x
func BenchmarkStartReadyzYear500x5(b *testing.B) {
	d, err := benchdata.Build(benchdata.Spec{People: 500, Rituals: 5, Weeks: 52, Seed: 9})
	if err != nil {
		b.Fatal(err)
	}
	b.Log(d.Summary())
	cfg, err := config.Parse("bench.toml", []byte(datasetConfig(d)))
	if err != nil {
		b.Fatal(err)
	}
	// 08:00 UTC on the Monday after the history: 09:00 in Zurich, past
	// 09:15 in Tbilisi and Almaty, so per-person standups are due.
	now := d.To.Add(8 * time.Hour)
	dir := b.TempDir()

	var floor time.Duration
	b.Run("floor", func(b *testing.B) {
		path := copyDataset(b, d.Path, dir)
		cpu := benchdata.CPUTime()
		for b.Loop() {
			bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Minute})
			if err != nil {
				b.Fatal(err)
			}
			err = bdb.View(func(tx *bolt.Tx) error {
				for err := range tx.Check() {
					return err
				}
				return nil
			})
			if cerr := bdb.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		benchdata.ReportCPU(b, cpu, b.N)
		floor = b.Elapsed() / time.Duration(b.N)
	})

	var floorOpen time.Duration
	b.Run("floor-open", func(b *testing.B) {
		path := copyDataset(b, d.Path, dir)
		cpu := benchdata.CPUTime()
		for b.Loop() {
			bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Minute})
			if err != nil {
				b.Fatal(err)
			}
			if err := bdb.Close(); err != nil {
				b.Fatal(err)
			}
		}
		benchdata.ReportCPU(b, cpu, b.N)
		floorOpen = b.Elapsed() / time.Duration(b.N)
	})

	var ours time.Duration
	b.Run("start", func(b *testing.B) {
		cpu := benchdata.CPUTime()
		var total, built, readyCPU time.Duration
		var each []time.Duration
		for b.Loop() {
			b.StopTimer()
			path := copyDataset(b, d.Path, dir)
			b.StartTimer()
			start, cpu0 := time.Now(), benchdata.CPUTime()
			stop, open := startToReady(b, cfg, path, now)
			took := time.Since(start)
			readyCPU += benchdata.CPUTime() - cpu0
			total += took
			each = append(each, took)
			built += open
			b.StopTimer()
			stop()
			for _, p := range []string{path, path + store.CheckedCopySuffix} {
				if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
					b.Fatal(err)
				}
			}
			b.StartTimer()
		}
		benchdata.ReportCPU(b, cpu, b.N)
		b.ReportMetric(float64(built.Milliseconds())/float64(b.N), "newApp-ms/op")
		// The process's CPU from newApp to the 200 (the poller's share in
		// it): under load, the wall time is this times the share of a
		// core the process gets.
		b.ReportMetric(float64(readyCPU.Microseconds())/1000/float64(b.N), "ready-cpu-ms/op")
		// The spread says more than the mean on a shared machine.
		slices.Sort(each)
		b.ReportMetric(float64(each[len(each)/2].Microseconds())/1000, "median-ms")
		b.ReportMetric(float64(each[len(each)-1].Microseconds())/1000, "max-ms")
		ours = total / time.Duration(b.N)
	})
	if floor > 0 && floorOpen > 0 && ours > 0 {
		b.Logf("start → /readyz 200: %s = %.1f× bolt.Open (%s), %.2f× bolt.Open + page check (%s); goal < 300ms",
			ours.Round(time.Millisecond), float64(ours)/float64(floorOpen), floorOpen.Round(10*time.Microsecond),
			float64(ours)/float64(floor), floor.Round(100*time.Microsecond))
	}
}

// startToReady builds and starts the app on path and returns once /readyz
// answers 200, with the time newApp took (the store's open, header
// checks and aggregates check are in it; the page check, the checked
// copy and the first outbox compaction wait afterReadyWait on the
// injected clock, which stands still here, so none of them runs before
// the bot is stopped); the returned func stops it.
func startToReady(b *testing.B, cfg *config.Config, path string, now time.Time) (stop func(), built time.Duration) {
	b.Helper()
	start := time.Now()
	app, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: path, Getenv: func(string) string { return "" },
		Clock: cadence.NewManualClock(now), Log: zerolog.Nop(), TickEvery: time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	built = time.Since(start)
	url, err := app.Listen()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	stop = func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				b.Error(err)
			}
		case <-time.After(30 * time.Second):
			b.Error("the bot did not stop within 30s")
		}
		if err := app.Close(); err != nil {
			b.Error(err)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stop, built
			}
		}
		if time.Now().After(deadline) {
			stop()
			b.Fatalf("/readyz not 200 within a minute (last error %v)", err)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// copyDataset copies the shared data set file into dir, synced: a start
// writes to its file, and the shared one must stay as built.
func copyDataset(b *testing.B, from, dir string) string {
	b.Helper()
	to := filepath.Join(dir, "year.db")
	src, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		b.Fatal(err)
	}
	// On disk before the start, as a file at rest is: else the start's
	// first commit (its fsync) writes the whole copy back.
	if err := dst.Sync(); err != nil {
		b.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		b.Fatal(err)
	}
	return to
}

// datasetConfig renders the data set's people and rituals as the config
// file `cadencebot run` would be given for that store.
func datasetConfig(d *benchdata.Dataset) string {
	var s strings.Builder
	s.WriteString("[bot]\ntimezone = \"Europe/Zurich\"\n")
	for _, p := range d.Roster.People() {
		fmt.Fprintf(&s, "\n[[people]]\nid = %q\nname = %q\nrole = %q\ntimezone = %q\ncapabilities = [%s]\n",
			p.ID, p.Name, p.Role, p.Location.String(), quoteList(slices.Compact(slices.Sorted(slices.Values(p.Capabilities)))))
	}
	for _, r := range d.Rituals {
		fmt.Fprintf(&s, "\n[[rituals]]\nid = %q\ntitle = %q\nkind = %q\nschedule = %q\nchannel = %q\nparticipants = [\"all\"]\nfacilitators = [%s]\nlead = %q\nwindow = %q\nreminders = [\"1h before close\"]\nper_person_time = %v\n",
			r.ID, r.Title, r.Kind, r.Spec, r.Channel, quoteList(r.Facilitators), r.Lead, r.Window.String(), r.PerPersonTime)
	}
	return s.String()
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}
