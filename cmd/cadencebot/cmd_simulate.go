package main

import (
	"context"
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

func cmdSimulate(ctx context.Context, args []string, stdout, stderr io.Writer, _ env) error {
	fs := newFlags("simulate", stderr)
	cfgPath := fs.String("config", "", "config file (default: the embedded config.example.toml)")
	weeks := fs.Int("weeks", 4, "how many calendar weeks to simulate (Monday to Sunday, [bot] timezone), the last one holding the end")
	seed := fs.Uint64("seed", 1, "random seed: the same seed and --until give the same output")
	rate := fs.Float64("answer-rate", 0.85, "average share of prompts answered, 0 to 1")
	until := fs.String("until", "", "end of the simulation, YYYY-MM-DD, exclusive (default: now)")
	dbPath := fs.String("db", "", "keep the simulated history in this database (default: a throwaway one)")
	format := fs.String("format", "text", "text, md, csv or json")
	noOps := fs.Bool("no-mlops", false, "do not simulate incidents, follow-ups and releases")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *weeks < 1 || *weeks > 104 {
		return usageError(fmt.Sprintf("simulate: --weeks: want 1 to 104, got %d", *weeks))
	}
	if *rate < 0 || *rate > 1 {
		return usageError(fmt.Sprintf("simulate: --answer-rate: want 0 to 1, got %v", *rate))
	}
	if _, ok := reportContentTypes[*format]; !ok {
		return usageError(fmt.Sprintf("simulate: --format: want text, md, csv or json, got %q", *format))
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	// Wall clock on purpose: the simulation ends at the present, so that `run --db` right after it
	// carries on from there instead of counting the hours since a midnight
	// as downtime. --until pins the end to a day for reproducible output.
	end := time.Now().In(cfg.Bot.Timezone).Truncate(time.Second)
	endText := end.Format("2006-01-02 15:04")
	if *until != "" {
		if end, err = time.ParseInLocation("2006-01-02", *until, cfg.Bot.Timezone); err != nil {
			return usageError(fmt.Sprintf("simulate: --until: want YYYY-MM-DD, got %q", *until))
		}
		endText = end.Format("2006-01-02")
	}
	// Calendar weeks, as report --weeks counts them: the same N gives the
	// same period and the same figures.
	start := weeksBack(end, *weeks, cfg.Bot.Timezone)

	path := *dbPath
	if path == "" {
		dir, err := os.MkdirTemp("", "cadencebot-sim-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "sim.db")
	} else if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("--db %s already exists: simulate writes a fresh history; remove it or pick another file", path)
	}
	// NoSync: a simulated history is rebuilt, not recovered, after a crash.
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		return err
	}
	defer db.Close()

	res, err := sim.Run(ctx, simOptions(cfg, db, start, end, *seed, *rate, *noOps))
	if err != nil {
		return err
	}
	// The run's own figures go to stderr for the machine formats, so that
	// stdout is exactly what `report --format` prints for the same period.
	summary := stdout
	if *format != "text" {
		summary = stderr
	}
	fmt.Fprintf(summary, "Simulated %d weeks (%s to %s), seed %d, answer rate %.2f: %d prompts, %d answers, %d refused late, %d messages.\n",
		*weeks, start.Format("2006-01-02"), endText, *seed, *rate, res.Prompts, res.Answers, res.Refused, res.Messages)
	if res.Ops != nil && !*noOps {
		f := res.Ops
		fmt.Fprintf(summary, "MLOps: %d incidents, %d follow-ups (%d of %d due closed on time), %d releases (%d deployed, %d rolled back).\n",
			res.Incidents, res.FollowUps, f.FollowUpsOnTime, f.FollowUpsDue, res.Releases, f.ReleasesDeployed, f.RolledBack)
	}
	if res.Digests > 0 {
		fmt.Fprintf(summary, "Weekly digest: %d messages to %s; `cadencebot digest --preview` shows the next one.\n", res.Digests, digestAudience(cfg))
	}
	if *dbPath != "" {
		same := fmt.Sprintf("--weeks %d", *weeks)
		if *until != "" {
			same = fmt.Sprintf("--since %s --until %s", start.Format("2006-01-02"), *until)
		}
		fmt.Fprintf(summary, "History kept in %s: try `cadencebot report --db %s %s` or `cadencebot run --db %s`.\n", *dbPath, *dbPath, same, *dbPath)
	}
	if *format == "text" {
		fmt.Fprintln(stdout)
	}
	return cadence.WriteReport(stdout, res.Report, *format)
}

// simOptions are the simulation of cfg over [start, end) into db, with the
// weekly digest when the config has one, so a simulated history holds what
// managers would have received.
func simOptions(cfg *config.Config, db cadence.Store, start, end time.Time, seed uint64, rate float64, noOps bool) sim.Options {
	o := sim.Options{Rituals: cfg.Rituals, Roster: cfg.Roster, Store: db,
		From: start, To: end, Seed: seed, AnswerRate: rate, Location: cfg.Bot.Timezone, NoOps: noOps,
		Approvers: cfg.Releases.Approvers, HighRiskApprovals: cfg.Releases.HighRiskApprovals, Rotations: cfg.Rotations}
	if cfg.Digest != nil {
		o.Digest = func(eng *cadence.Engine, ops *ops.Ops, clock cadence.Clock) (*cadence.Digest, error) {
			return newDigestJob(cfg, eng, dashboard.OpsSections(ops, cfg.Roster, clock), db, clock, zerolog.Nop(), configScoreLink(cfg), nil)
		}
	}
	return o
}

// digestAudience says where the digest goes: "#ml-leads and 1 person".
func digestAudience(cfg *config.Config) string {
	var parts []string
	if c := cfg.Digest.Channel; c != "" {
		parts = append(parts, "#"+c)
	}
	switch n := len(cfg.Digest.Recipients); n {
	case 0:
	case 1:
		parts = append(parts, "1 person")
	default:
		parts = append(parts, fmt.Sprintf("%d people", n))
	}
	return strings.Join(parts, " and ")
}
