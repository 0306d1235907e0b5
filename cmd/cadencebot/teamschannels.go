package main

import (
	"cmp"
	"fmt"

	"github.com/cadencebot/cadencebot/bot/teams"
	"github.com/cadencebot/cadencebot/config"
)

// teamsChannelNotes says, per ritual on Teams whose channel is a name,
// how that name becomes a channel (config check prints them, run logs
// them): a name is looked up once and its id kept.
func teamsChannelNotes(cfg *config.Config) []string {
	var out []string
	for _, r := range cfg.Rituals {
		if cmp.Or(r.Platform, cfg.Bot.DefaultPlatform) != teams.Platform {
			continue
		}
		if n := teams.ChannelNote(r.Channel); n != "" {
			out = append(out, fmt.Sprintf("ritual %q: %s", r.ID, n))
		}
	}
	return out
}
