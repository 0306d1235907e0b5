package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/sim"
	"github.com/cadencebot/cadencebot/store"
)

func cmdSimulate(ctx context.Context, args []string, stdout, stderr io.Writer, _ env) error {
	fs := newFlags("simulate", stderr)
	cfgPath := fs.String("config", "", "config file (default: the embedded config.example.toml)")
	weeks := fs.Int("weeks", 4, "how many weeks to simulate")
	seed := fs.Uint64("seed", 1, "random seed: the same seed and --until give the same output")
	rate := fs.Float64("answer-rate", 0.85, "average share of prompts answered, 0 to 1")
	until := fs.String("until", "", "last day simulated, YYYY-MM-DD, exclusive (default: today)")
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
	// The end is a day boundary in the team's zone so that two runs on the
	// same day with the same seed print the same report.
	end := time.Now().In(cfg.Bot.Timezone)
	end = time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, cfg.Bot.Timezone)
	if *until != "" {
		if end, err = time.ParseInLocation("2006-01-02", *until, cfg.Bot.Timezone); err != nil {
			return usageError(fmt.Sprintf("simulate: --until: want YYYY-MM-DD, got %q", *until))
		}
	}
	start := end.AddDate(0, 0, -7*(*weeks))

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

	res, err := sim.Run(ctx, sim.Options{Rituals: cfg.Rituals, Roster: cfg.Roster, Store: db,
		From: start, To: end, Seed: *seed, AnswerRate: *rate, Location: cfg.Bot.Timezone, NoOps: *noOps,
		Approvers: cfg.Releases.Approvers, HighRiskApprovals: cfg.Releases.HighRiskApprovals})
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Seed       uint64          `json:"seed"`
			From       time.Time       `json:"from"`
			To         time.Time       `json:"to"`
			AnswerRate float64         `json:"answer_rate"`
			Prompts    int             `json:"prompts"`
			Answers    int             `json:"answers"`
			Refused    int             `json:"refused"`
			Messages   int             `json:"messages"`
			Incidents  int             `json:"incidents"`
			FollowUps  int             `json:"follow_ups"`
			Releases   int             `json:"releases"`
			Report     *cadence.Report `json:"report"`
		}{*seed, start, end, *rate, res.Prompts, res.Answers, res.Refused, res.Messages, res.Incidents, res.FollowUps, res.Releases, res.Report})
	}
	if *format == "text" {
		fmt.Fprintf(stdout, "Simulated %d weeks (%s to %s), seed %d, answer rate %.2f: %d prompts, %d answers, %d refused late, %d messages.\n",
			*weeks, start.Format("2006-01-02"), end.Format("2006-01-02"), *seed, *rate, res.Prompts, res.Answers, res.Refused, res.Messages)
		if res.Ops != nil && !*noOps {
			f := res.Ops
			fmt.Fprintf(stdout, "MLOps: %d incidents, %d follow-ups (%d of %d due closed on time), %d releases (%d deployed, %d rolled back).\n",
				res.Incidents, res.FollowUps, f.FollowUpsOnTime, f.FollowUpsDue, res.Releases, f.ReleasesDeployed, f.RolledBack)
		}
		if *dbPath != "" {
			fmt.Fprintf(stdout, "History kept in %s: try `cadencebot report --db %s` or `cadencebot run --db %s`.\n", *dbPath, *dbPath, *dbPath)
		}
		fmt.Fprintln(stdout)
	}
	return cadence.WriteReport(stdout, res.Report, *format)
}
