package teams

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/cadencebot/cadencebot/cadence"
)

// A ritual's channel may be given by name ("ml-ops"), as people know it,
// but Teams addresses channels by id (19:…@thread.tacv2) and its messages
// carry only the id. cadencebot looks a name up in the channel lists of
// the teams the app was added to (GET /v3/teams/{teamId}/conversations)
// the first time it posts there, and keeps the id under the name: a
// channel renamed later keeps working under the name in the config.

// channelInfo is one entry of a team's channel list. The General channel
// has the team's id and no name.
type channelInfo struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// generalChannel is the name Teams shows for the channel it lists without
// one.
const generalChannel = "General"

// teamChannels lists a team's channels.
func (c *connector) teamChannels(ctx context.Context, serviceURL, teamID string) ([]channelInfo, error) {
	var out struct {
		Conversations []channelInfo `json:"conversations"`
	}
	err := c.do(ctx, "list the team's channels", http.MethodGet, serviceURL, "/v3/teams/"+url.PathEscape(teamID)+"/conversations", nil, &out)
	for i := range out.Conversations {
		if out.Conversations[i].Name == "" {
			out.Conversations[i].Name = generalChannel
		}
	}
	return out.Conversations, err
}

// IsChannelID reports whether a ritual's channel setting is a Teams
// channel id rather than a name.
func IsChannelID(channel string) bool { return strings.HasPrefix(channel, "19:") }

// ChannelNote says, for config check and startup, how a ritual's channel
// setting is used on Teams; "" for a channel id.
func ChannelNote(channel string) string {
	if IsChannelID(channel) {
		return ""
	}
	return fmt.Sprintf("the Teams channel %q is given by name: the first time cadencebot posts there it looks the name up "+
		"in the channel lists of the teams the app was added to, and keeps the channel's id (renaming the channel later does not break it; "+
		"the team's first channel is %q). A channel id (19:…@thread.tacv2, from the channel's ⋯ → Get link to channel) skips the lookup", channel, generalChannel)
}

// teamRef is a team the bot is in, and the service URL to ask about it.
type teamRef struct{ id, name, serviceURL string }

// knownTeams lists the teams the bot learnt of from installs and
// messages, by id.
func knownTeams(tx cadence.KVTx) ([]teamRef, error) {
	seen := map[string]teamRef{}
	for _, prefix := range []string{"team/", "channel/"} {
		keys, err := tx.Keys(nsRefs, prefix)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			r, err := getRef(tx, k)
			if err != nil || r.TeamID == "" || r.ServiceURL == "" {
				continue
			}
			if t, ok := seen[r.TeamID]; !ok || (t.name == "" && prefix == "team/") {
				t = teamRef{id: r.TeamID, serviceURL: r.ServiceURL}
				if prefix == "team/" {
					t.name = r.Name
				}
				seen[r.TeamID] = t
			}
		}
	}
	out := make([]teamRef, 0, len(seen))
	for _, t := range seen {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, nil
}

// Codes of the permanent errors of a channel name that cannot be
// resolved (the lead's notice words them).
const (
	codeChannelUnknown   = "teams_channel_unknown"
	codeChannelAmbiguous = "teams_channel_ambiguous"
)

// resolveChannel finds the channel named name in the teams the bot is in
// and keeps its id under the name.
func (a *Adapter) resolveChannel(ctx context.Context, name string) (*ConversationRef, error) {
	var teams []teamRef
	if err := a.st.View(ctx, func(tx cadence.Tx) (err error) { teams, err = knownTeams(tx); return err }); err != nil {
		return nil, &cadence.SendError{Retryable: true, Code: "store", Err: err}
	}
	if len(teams) == 0 {
		return nil, &cadence.SendError{Code: codeChannelUnknown, Err: fmt.Errorf(
			"cadencebot has not been added to any team yet, so it cannot find the Teams channel %q: %s", name, fixInstallTeam)}
	}
	type match struct {
		team teamRef
		ch   channelInfo
	}
	var found []match
	var seen []string // "team: channel, channel" for the error
	for _, t := range teams {
		chs, err := a.conn.teamChannels(ctx, t.serviceURL, t.id)
		if isGone(err) {
			continue // removed from that team since
		}
		if err != nil {
			return nil, err
		}
		var names []string
		for _, c := range chs {
			names = append(names, c.Name)
			if strings.EqualFold(c.Name, name) {
				found = append(found, match{t, c})
			}
		}
		seen = append(seen, fmt.Sprintf("%s: %s", teamLabel(t), strings.Join(names, ", ")))
	}
	switch len(found) {
	case 0:
		return nil, &cadence.SendError{Code: codeChannelUnknown, Err: fmt.Errorf(
			"no channel named %q in the teams cadencebot is in (%s): check the name in the config, or %s",
			name, strings.Join(seen, "; "), fixInstallTeam)}
	case 1:
	default:
		var where []string
		for _, f := range found {
			where = append(where, fmt.Sprintf("%s in %s", f.ch.ID, teamLabel(f.team)))
		}
		slices.Sort(where)
		return nil, &cadence.SendError{Code: codeChannelAmbiguous, Err: fmt.Errorf(
			"there is a channel named %q in more than one team (%s): set the ritual's channel to the id of the one you mean",
			name, strings.Join(where, ", "))}
	}
	f := found[0]
	ref := &ConversationRef{ServiceURL: f.team.serviceURL, ConversationID: f.ch.ID, TenantID: a.cfg.TenantID,
		BotID: a.bot().ID, TeamID: f.team.id, Name: f.ch.Name, UpdatedAt: a.clock.Now()}
	err := a.st.Update(ctx, func(tx cadence.Tx) error {
		if err := putRef(tx, channelKey(name), ref); err != nil {
			return err
		}
		if _, err := getRef(tx, channelKey(f.ch.ID)); errors.Is(err, cadence.ErrNotFound) {
			return putRef(tx, channelKey(f.ch.ID), ref)
		}
		return nil
	})
	if err != nil {
		// Found: post now, look it up again next time.
		a.log.Warn().Err(err).Str("channel", name).Msg("teams: could not keep a resolved channel id")
	}
	a.log.Info().Str("channel", name).Str("channel_id", f.ch.ID).Str("team", teamLabel(f.team)).Msg("teams: channel name resolved; its id is kept")
	return ref, nil
}

func teamLabel(t teamRef) string {
	if t.name != "" {
		return "team " + t.name
	}
	return "team " + t.id
}
