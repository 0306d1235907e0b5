package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// DigestConfig is the optional [digest] table: the weekly adherence digest
// for managers, posted to a channel and/or as DMs.
type DigestConfig struct {
	Spec       string            // the schedule as written
	Schedule   *cadence.Schedule // in Location
	Location   *time.Location
	Platform   string   // local, slack or teams
	Channel    string   // managers' channel; empty: DMs only
	Recipients []string // person ids for DMs, roster order; empty: channel only
	Weeks      int      // trend length in ISO weeks, the digest's week included
	Threshold  float64  // 0..100: people answering fewer prompts on time are listed; 0 lists nobody
}

// Defaults of the [digest] table.
const (
	DefaultDigestSchedule  = "0 9 * * 1" // Mondays 09:00 in the digest's zone
	DefaultDigestWeeks     = 8
	DefaultDigestThreshold = 70.0
	maxDigestWeeks         = 52
)

// RecipientList returns where the digest goes: the channel first, then one
// DM per person.
func (c *DigestConfig) RecipientList() []cadence.Recipient {
	var out []cadence.Recipient
	if c.Channel != "" {
		out = append(out, cadence.Recipient{Channel: c.Channel})
	}
	for _, p := range c.Recipients {
		out = append(out, cadence.Recipient{Person: p})
	}
	return out
}

func (d *decoder) digest(f *digestFile, cfg *Config) *DigestConfig {
	g := &DigestConfig{
		Spec:      or(strings.TrimSpace(f.Schedule), DefaultDigestSchedule),
		Location:  cfg.Bot.Timezone,
		Platform:  or(f.Platform, cfg.Bot.DefaultPlatform),
		Channel:   f.Channel,
		Weeks:     DefaultDigestWeeks,
		Threshold: DefaultDigestThreshold,
	}
	if f.Timezone != "" {
		if loc, msg := loadZone(f.Timezone); msg != "" {
			d.add("digest.timezone", "%s", msg)
		} else {
			g.Location = loc
		}
	}
	if s, err := cadence.ParseSchedule(g.Spec, g.Location); err != nil {
		d.add("digest.schedule", "%s", strings.TrimPrefix(err.Error(), fmt.Sprintf("schedule %q: ", g.Spec)))
	} else {
		g.Schedule = s
		if s.Location().String() != g.Location.String() {
			if f.Timezone != "" {
				d.add("digest.timezone", "%q conflicts with the zone in schedule (%s); give one", f.Timezone, s.Location())
			}
			g.Location = s.Location()
		}
	}
	if f.Platform != "" {
		d.oneOf("digest.platform", f.Platform, platforms...)
	}
	if strings.ContainsAny(f.Channel, " \t\n") {
		d.add("digest.channel", "%q: channel names have no spaces", f.Channel)
	}
	g.Recipients = d.digestRecipients(f.Recipients, g.Platform, cfg)
	if f.Channel == "" && len(f.Recipients) == 0 {
		d.add("digest", `no one to send the digest to: set channel (the managers' channel), recipients (person ids or "role:manager" for DMs), or both`)
	}
	if f.Weeks != nil {
		g.Weeks = *f.Weeks
		if g.Weeks < 1 || g.Weeks > maxDigestWeeks {
			d.add("digest.weeks", "%d weeks: the trend covers 1 to %d weeks", g.Weeks, maxDigestWeeks)
		}
	}
	if f.Threshold != nil {
		g.Threshold = *f.Threshold
		if g.Threshold < 0 || g.Threshold > 100 {
			d.add("digest.threshold", "%g is not a percentage from 0 to 100 (0 lists nobody)", g.Threshold)
		}
	}
	return g
}

// digestRecipients resolves person ids and selectors ("role:manager") to
// ids in roster order, like ritual participants.
func (d *decoder) digestRecipients(sels []string, platform string, cfg *Config) []string {
	out := d.selectPeople("digest.recipients", sels, cfg)
	if platform == "slack" {
		for _, id := range out {
			if p := cfg.Roster.Person(id); p != nil && p.Handles.SlackID == "" && p.Handles.Email == "" {
				d.add("digest.recipients", "%s gets the digest on slack but has no slack user id or email", id)
			}
		}
	}
	return out
}
