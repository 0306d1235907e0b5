package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cadencebot/cadencebot/config"
)

func cmdConfigCheck(_ context.Context, args []string, stdout, stderr io.Writer, _ env) error {
	fs := newFlags("config check", stderr)
	cfgPath := fs.String("config", "", "config file (default: the embedded config.example.toml)")
	n := fs.Int("n", 5, "how many fire times to show per ritual")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	name := cfg.Path
	if name == "" {
		name = config.DefaultName
	}
	fmt.Fprintf(stdout, "%s: OK — %d people, %d rituals\n", name, len(cfg.People), len(cfg.Rituals))
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w.Error())
	}
	for _, n := range teamsChannelNotes(cfg) {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	// Wall clock on purpose: "what happens next" is about the real now.
	now := time.Now()
	for _, u := range config.NextFireTimes(cfg, now, *n) {
		who := ""
		if u.Person != nil {
			who = " for " + u.Person.ID
		}
		fmt.Fprintf(stdout, "\n%s (%s, %q)%s, next %d in %s:\n", u.Ritual.ID, u.Ritual.Kind, u.Ritual.Spec, who, len(u.Fires), u.Zone)
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
