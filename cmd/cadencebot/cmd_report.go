package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"time"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/dashboard"
	"github.com/cadencebot/cadencebot/store"
)

type reportFlags struct {
	cfgPath, db, since, until, format, url string
	weeks                                  int
	rituals, people                        stringList
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return fmt.Sprint(*s) }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	var f reportFlags
	fs := newFlags("report", stderr)
	fs.StringVar(&f.cfgPath, "config", "", "config file (default: the embedded config.example.toml)")
	fs.StringVar(&f.db, "db", "", "database file (overrides [bot] database)")
	fs.StringVar(&f.since, "since", "", "first day of the report, YYYY-MM-DD (instead of --weeks)")
	fs.StringVar(&f.until, "until", "", "end of the report, YYYY-MM-DD, exclusive (default: now)")
	fs.IntVar(&f.weeks, "weeks", 4, "how many calendar weeks (Monday to Sunday, [bot] timezone), the last one holding --until")
	fs.StringVar(&f.format, "format", "text", "text, md, csv or json")
	fs.StringVar(&f.url, "url", "", "running bot to ask when the database is locked (default: the address the bot holding it recorded in DB.api.json)")
	fs.Var(&f.rituals, "ritual", "only this ritual (repeatable)")
	fs.Var(&f.people, "person", "only this person (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, ok := reportContentTypes[f.format]; !ok {
		return usageError(fmt.Sprintf("report: --format: want text, md, csv or json, got %q", f.format))
	}
	if f.weeks < 1 || f.weeks > 520 {
		return usageError(fmt.Sprintf("report: --weeks: want 1 to 520, got %d", f.weeks))
	}
	cfg, err := loadConfig(f.cfgPath)
	if err != nil {
		return err
	}
	for _, id := range f.rituals {
		if cfg.Ritual(id) == nil {
			return fmt.Errorf("--ritual: no ritual %q in %s", id, cfg.Path)
		}
	}
	for _, id := range f.people {
		if cfg.Roster.Person(id) == nil {
			return fmt.Errorf("--person: no person %q in %s", id, cfg.Path)
		}
	}
	// Wall clock on purpose: a report "up to now" means the real now.
	to := time.Now()
	if f.until != "" {
		if to, err = time.ParseInLocation("2006-01-02", f.until, cfg.Bot.Timezone); err != nil {
			return usageError(fmt.Sprintf("report: --until: want YYYY-MM-DD, got %q", f.until))
		}
	}
	from := weeksBack(to, f.weeks, cfg.Bot.Timezone)
	if f.since != "" {
		if from, err = time.ParseInLocation("2006-01-02", f.since, cfg.Bot.Timezone); err != nil {
			return usageError(fmt.Sprintf("report: --since: want YYYY-MM-DD, got %q", f.since))
		}
	}
	if !from.Before(to) {
		return usageError("report: --since must be before --until")
	}
	q := cadence.ReportQuery{From: from, To: to, RitualIDs: f.rituals, PersonIDs: f.people}

	var db interface {
		cadence.Store
		Close() error
	}
	if usesPostgres(cfg, f.db) {
		// No file lock: read the database directly, running bot or not.
		db, err = openPostgresReadOnly(ctx, getenv)
	} else {
		dbPath := cmp.Or(f.db, cfg.Bot.Database)
		db, err = openExisting(dbPath, store.Options{Timeout: 500 * time.Millisecond})
		if errors.Is(err, store.ErrLocked) {
			// A running bot holds the file: ask that bot, and only that bot.
			return reportFromAPI(ctx, dbPath, f.url, "http://"+localAddr(cfg.Bot.Listen), dashboard.OptionsFromEnv(getenv), q, f.format, stdout)
		}
	}
	if err != nil {
		return err
	}
	defer db.Close()
	eng, err := cadence.New(cadence.EngineConfig{Rituals: cfg.Rituals, Roster: cfg.Roster, Store: db, Logger: zerolog.Nop(),
		DefaultPlatform: cfg.Bot.DefaultPlatform})
	if err != nil {
		return err
	}
	rep, err := eng.Report(ctx, q)
	if err != nil {
		return err
	}
	return cadence.WriteReport(stdout, rep, f.format)
}

// localAddr turns a listen address on all interfaces into one this
// machine can dial.
func localAddr(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil || (host != "" && host != "0.0.0.0" && host != "::") {
		return listen
	}
	return net.JoinHostPort("127.0.0.1", port)
}

// reportFromAPI asks the running bot that holds dbPath (holder.go), with
// the dashboard credentials from the environment when it has some (off
// loopback it requires them).
func reportFromAPI(ctx context.Context, dbPath, urlFlag, fallback string, creds dashboard.Options, q cadence.ReportQuery, format string, w io.Writer) error {
	v := url.Values{}
	v.Set("from", q.From.UTC().Format(time.RFC3339))
	v.Set("to", q.To.UTC().Format(time.RFC3339))
	v.Set("format", format)
	for _, r := range q.RitualIDs {
		v.Add("ritual", r)
	}
	for _, p := range q.PersonIDs {
		v.Add("person", p)
	}
	resp, err := holderQuery(ctx, dbPath, urlFlag, fallback, creds, "/api/report?"+v.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}
