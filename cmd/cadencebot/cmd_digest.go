package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
	"github.com/cadencebot/cadencebot/cadence/sim"
	"github.com/cadencebot/cadencebot/config"
	"github.com/cadencebot/cadencebot/dashboard"
	"github.com/cadencebot/cadencebot/store"
)

// cmdDigest prints the weekly managers' digest as it would be sent now
// (or on the first fire from --at), from the database or from a throwaway simulation, so a
// newcomer sees what managers get without waiting for Monday.
func cmdDigest(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	fs := newFlags("digest", stderr)
	cfgPath := fs.String("config", "", "config file (default: the embedded config.example.toml)")
	preview := fs.Bool("preview", false, "print the digest instead of sending it (the only mode)")
	dbPath := fs.String("db", "", "database to compose it from (default: [bot] database)")
	simulate := fs.Bool("simulate", false, "compose it from a throwaway simulation of the trend's weeks instead of a database")
	at := fs.String("at", "", "preview the first digest the schedule sends on or after this day, YYYY-MM-DD in [bot] timezone (default: one sent now)")
	pngPath := fs.String("png", "", "also write the chart to this PNG file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !*preview {
		return usageError("digest: pass --preview (the bot sends the digest itself, on the [digest] schedule)")
	}
	if *simulate && *dbPath != "" {
		return usageError("digest: --simulate and --db exclude each other")
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if cfg.Digest == nil {
		return fmt.Errorf("%s has no [digest] table: there is no digest to preview (see config.example.toml)", configName(cfg))
	}
	// Wall clock on purpose: the digest a fire now would send.
	fire := time.Now()
	if *at != "" {
		day, err := time.ParseInLocation("2006-01-02", *at, cfg.Bot.Timezone)
		if err != nil {
			return usageError(fmt.Sprintf("digest: --at: want YYYY-MM-DD, got %q", *at))
		}
		if fire = cfg.Digest.Schedule.Next(day.Add(-time.Second)); fire.IsZero() {
			return fmt.Errorf("the [digest] schedule %q never fires on or after %s", cfg.Digest.Spec, *at)
		}
	}

	var db interface {
		cadence.Store
		Close() error
	}
	path := cmp.Or(*dbPath, cfg.Bot.Database)
	if *simulate {
		dir, err := os.MkdirTemp("", "cadencebot-digest-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		simDB, err := store.Open(filepath.Join(dir, "sim.db"), store.Options{NoSync: true})
		if err != nil {
			return err
		}
		defer simDB.Close()
		db = simDB
		// The digest's period and its trend: cfg.Digest.Weeks whole weeks
		// before the fire's week.
		from := weeksBack(fire, cfg.Digest.Weeks+1, cfg.Bot.Timezone)
		if _, err := sim.Run(ctx, simOptions(cfg, simDB, from, fire, 1, 0.85, false)); err != nil {
			return err
		}
	} else if usesPostgres(cfg, *dbPath) {
		// No file lock: read the database directly, running bot or not.
		pg, err := openPostgresReadOnly(ctx, getenv)
		if err != nil {
			return err
		}
		defer pg.Close()
		db, path = pg, "postgres "+pg.Host()
	} else {
		db, err = openExisting(path, store.Options{Timeout: 500 * time.Millisecond})
		if errors.Is(err, store.ErrLocked) {
			return fmt.Errorf("database %s is held by a running bot: preview from a copy (curl -o copy.db %sapi/backup; cadencebot digest --preview --db copy.db) or from a simulation (--simulate)",
				path, "http://"+localAddr(cfg.Bot.Listen)+"/")
		}
		if err != nil {
			return err
		}
		defer db.Close()
	}
	clock := cadence.NewManualClock(fire)
	eng, err := cadence.New(cadence.EngineConfig{Rituals: cfg.Rituals, Roster: cfg.Roster, Store: db, Clock: clock,
		Logger: zerolog.Nop(), DefaultPlatform: cfg.Bot.DefaultPlatform})
	if err != nil {
		return err
	}
	ops, err := ops.New(ops.Config{Roster: cfg.Roster, Rituals: cfg.Rituals, Store: db, Clock: clock, Logger: zerolog.Nop(),
		Platform: cfg.Bot.DefaultPlatform, Approvers: cfg.Releases.Approvers, HighRiskApprovals: cfg.Releases.HighRiskApprovals})
	if err != nil {
		return err
	}
	job, err := newDigestJob(cfg, eng, dashboard.OpsSections(ops, cfg.Roster, clock), db, clock, zerolog.Nop(), configScoreLink(cfg), nil)
	if err != nil {
		return err
	}
	body, err := job.Preview(ctx, fire)
	if err != nil {
		return err
	}
	source := path
	if *simulate {
		source = "a simulation"
	}
	fmt.Fprintf(stdout, "Digest as it would be sent %s to %s, from %s:\n\n", fire.In(cfg.Bot.Timezone).Format("Mon 2006-01-02 15:04 MST"), digestAudience(cfg), source)
	if err := writeBodyText(stdout, body); err != nil {
		return err
	}
	if *pngPath != "" && body.Image != nil {
		if err := os.WriteFile(*pngPath, body.Image.PNG, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nChart written to %s.\n", *pngPath)
	}
	return nil
}

// writeBodyText prints a message body as plain text, the way a reader
// sees it: title, text, sections, the chart's description, footer.
func writeBodyText(w io.Writer, b cadence.Body) error {
	ew := &lineWriter{w: w}
	if b.Title != "" {
		ew.line(b.Title)
		ew.line(strings.Repeat("=", len([]rune(b.Title))))
	}
	if b.Text != "" {
		ew.line(cadence.PlainText(b.Text))
	}
	for _, s := range b.Sections {
		ew.line("")
		if s.Heading != "" {
			ew.line(s.Heading)
		}
		for _, l := range s.Lines {
			ew.line("  " + cadence.PlainText(l))
		}
		for _, e := range s.Entries {
			ew.line("  " + e.Label + ": " + cadence.PlainText(e.Text))
		}
	}
	if b.Image != nil {
		ew.line("")
		ew.line("[chart] " + b.Image.Alt)
	}
	if b.Footer != "" {
		ew.line("")
		ew.line(cadence.PlainText(b.Footer))
	}
	return ew.err
}

type lineWriter struct {
	w   io.Writer
	err error
}

func (l *lineWriter) line(s string) {
	if l.err == nil {
		_, l.err = fmt.Fprintln(l.w, s)
	}
}

func configName(cfg *config.Config) string {
	if cfg.Path == "" {
		return config.DefaultName
	}
	return cfg.Path
}
