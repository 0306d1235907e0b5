package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/config"
)

func cmdConfigCheck(_ context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	fs := newFlags("config check", stderr)
	cfgPath := fs.String("config", "", "config file (default: the embedded config.example.toml)")
	n := fs.Int("n", 5, "how many fire times to show per ritual (1 to 500)")
	from := fs.String("from", "", "show the fire times from this day on, YYYY-MM-DD in [bot] timezone (default: now), e.g. the week of a DST change")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n < 1 || *n > 500 {
		return usageError(fmt.Sprintf("config check: --n: want 1 to 500, got %d", *n))
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	// Wall clock on purpose: "what happens next" is about the real now.
	now := time.Now()
	if *from != "" {
		if now, err = time.ParseInLocation("2006-01-02", *from, cfg.Bot.Timezone); err != nil {
			return usageError(fmt.Sprintf("config check: --from: want YYYY-MM-DD, got %q", *from))
		}
	}
	name := cfg.Path
	if name == "" {
		name = config.DefaultName
	}
	fmt.Fprintf(stdout, "%s: OK — %d people, %d rituals\n", name, len(cfg.People), len(cfg.Rituals))
	line, storeErr := storeLine(cfg, getenv)
	fmt.Fprintln(stdout, line)
	if storeErr != nil {
		fmt.Fprintf(stderr, "warning: `cadencebot run` would not start: %v\n", storeErr)
	}
	// Every warning `run` would log at start, in this environment.
	warns, startErr := startupWarnings(cfg, getenv)
	if startErr != nil {
		// Build errors come before some warnings: show the config's own.
		warns = warns[:0]
		for _, w := range cfg.Warnings {
			warns = append(warns, w.Error())
		}
	}
	for _, w := range warns {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if startErr != nil {
		fmt.Fprintf(stderr, "warning: `cadencebot run` would not start with this environment: %v\n", startErr)
	}
	for _, n := range teamsChannelNotes(cfg) {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	for _, u := range config.NextFireTimes(cfg, now, *n) {
		who := ""
		if u.Person != nil {
			who = " for " + u.Person.ID
		}
		fmt.Fprintf(stdout, "\n%s (%s, %q)%s, %s %d in %s:\n", u.Ritual.ID, u.Ritual.Kind, u.Ritual.Spec, who, firstWord(*from), len(u.Fires), u.Zone)
		if u.Ritual.Schedule.Interval() > 0 {
			fmt.Fprintf(stdout, "  (@every counts from the bot's start: the first occurrence opens at once, then one every %s)\n",
				strings.TrimSpace(strings.TrimPrefix(u.Ritual.Spec, "@every")))
		}
		for _, f := range u.Fires {
			line := "  " + f.At.In(u.Zone).Format("Mon 2006-01-02 15:04 MST")
			if f.Skip != "" {
				line += "  (skipped: " + f.Skip + ")"
			}
			fmt.Fprintln(stdout, line)
		}
	}
	return nil
}

func firstWord(from string) string {
	if from == "" {
		return "next"
	}
	return "from " + from + ", first"
}
