package teams

import (
	"context"
	"errors"
	"fmt"

	"github.com/cadencebot/cadencebot/cadence"
)

// Fixes told to the ritual's lead when a message cannot be delivered; the
// dispatcher turns a permanent SendError into a notice with this text.
const (
	fixInstallPersonal = "ask them to add the cadencebot app in Teams (Apps → Built for your org → cadencebot → Add), or install it for them from the Teams admin center (Manage apps → cadencebot → Install for users); their prompts go out on the next attempt"
	fixInstallTeam     = "add the cadencebot app to the team that holds the channel (the team → ⋯ → Manage team → Apps → Get more apps → cadencebot); cadencebot then finds the channel by its name or id"
)

// destination resolves a recipient to a service URL and conversation,
// opening a proactive 1:1 chat when the person has a reference without
// one. A recipient the bot cannot reach is a permanent SendError whose
// message names the fix.
func (a *Adapter) destination(ctx context.Context, to cadence.Recipient) (destination, error) {
	if to.Person != "" {
		return a.personDestination(ctx, to.Person)
	}
	if to.Channel == "" {
		return destination{}, &cadence.SendError{Code: "no_recipient", Err: errors.New("message has neither a person nor a channel")}
	}
	var ref *ConversationRef
	err := a.st.View(ctx, func(tx cadence.Tx) error {
		var err error
		ref, err = getRef(tx, channelKey(to.Channel))
		if errors.Is(err, cadence.ErrNotFound) && IsChannelID(to.Channel) {
			// A channel ID of a team the bot is in can be posted to
			// without having seen it; borrow the service URL of any known
			// channel of the tenant.
			ref, err = anyChannelRef(tx)
			if ref != nil {
				ref.ConversationID = to.Channel
			}
		}
		return err
	})
	if errors.Is(err, cadence.ErrNotFound) && !IsChannelID(to.Channel) {
		// A name: find it in the teams' channel lists, once.
		if ref, err = a.resolveChannel(ctx, to.Channel); err != nil {
			return destination{}, err
		}
	}
	if errors.Is(err, cadence.ErrNotFound) {
		return destination{}, &cadence.SendError{Code: "app_not_installed",
			Err: fmt.Errorf("cadencebot has not been added to any team yet, so it cannot post to the Teams channel %q: %s", to.Channel, fixInstallTeam)}
	}
	if err != nil {
		return destination{}, &cadence.SendError{Retryable: true, Code: "store", Err: err}
	}
	return destination{serviceURL: ref.ServiceURL, conv: ref.ConversationID}, nil
}

func anyChannelRef(tx cadence.KVTx) (*ConversationRef, error) {
	keys, err := tx.Keys(nsRefs, "channel/")
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if r, err := getRef(tx, k); err == nil && r.ServiceURL != "" {
			return r, nil
		}
	}
	return nil, cadence.ErrNotFound
}

func (a *Adapter) personDestination(ctx context.Context, personID string) (destination, error) {
	p := a.svc.Roster().Person(personID)
	if p == nil {
		return destination{}, &cadence.SendError{Code: "unknown_person", Err: fmt.Errorf("person %q is not on the roster", personID)}
	}
	if p.Handles.TeamsID == "" {
		return destination{}, &cadence.SendError{Code: "no_teams_id",
			Err: fmt.Errorf("%s (%s) has no Teams ID in the roster: set their teams handle (their Microsoft Entra object ID) in the config", p.Name, p.ID)}
	}
	ref, err := LookupUserRef(ctx, a.st, p.Handles.TeamsID)
	switch {
	case errors.Is(err, cadence.ErrNotFound) && a.cfg.ServiceURL != "":
		// Try a proactive chat: Teams accepts it when the app is installed
		// for the user, and answers 403/404 when it is not.
		ref = &ConversationRef{ServiceURL: a.cfg.ServiceURL, TenantID: a.cfg.TenantID, UserID: p.Handles.TeamsID}
	case errors.Is(err, cadence.ErrNotFound):
		return destination{}, a.notInstalled(ctx, personID, nil)
	case err != nil:
		return destination{}, &cadence.SendError{Retryable: true, Code: "store", Err: err}
	}
	if ref.ConversationID != "" {
		return destination{serviceURL: ref.ServiceURL, conv: ref.ConversationID, user: ref.UserID}, nil
	}
	conv, err := a.openChat(ctx, ref)
	if err != nil {
		if isGone(err) {
			return destination{}, a.notInstalled(ctx, personID, err)
		}
		return destination{}, err
	}
	ref.ConversationID, ref.UpdatedAt = conv, a.clock.Now()
	if err := a.st.Update(ctx, func(tx cadence.Tx) error { return putUserRef(tx, ref) }); err != nil {
		// The chat exists; Teams returns the same one next time.
		a.log.Warn().Err(err).Str("person", personID).Msg("teams: could not store a new 1:1 conversation")
	}
	return destination{serviceURL: ref.ServiceURL, conv: conv, user: ref.UserID}, nil
}

// openChat creates (Teams: finds or creates) the bot's 1:1 chat with a user.
func (a *Adapter) openChat(ctx context.Context, ref *ConversationRef) (string, error) {
	botID := ref.BotID
	if botID == "" {
		botID = "28:" + a.cfg.AppID
	}
	tenant := ref.TenantID
	if tenant == "" {
		tenant = a.cfg.TenantID
	}
	return a.conn.createConversation(ctx, ref.ServiceURL, conversationParams{
		Bot:         &ChannelAccount{ID: botID},
		Members:     []ChannelAccount{{ID: ref.UserID}},
		TenantID:    tenant,
		ChannelData: &ChannelData{Tenant: &TeamsID{ID: tenant}},
	})
}

// notInstalled is the permanent error for a person the bot cannot reach;
// a stale 1:1 conversation is forgotten so the next install starts clean.
func (a *Adapter) notInstalled(ctx context.Context, personID string, cause error) error {
	p := a.svc.Roster().Person(personID)
	name, teamsID := personID, ""
	if p != nil {
		name, teamsID = fmt.Sprintf("%s (%s)", p.Name, p.ID), p.Handles.TeamsID
	}
	if cause != nil && teamsID != "" {
		err := a.st.Update(ctx, func(tx cadence.Tx) error {
			r, err := getRef(tx, userKey(teamsID))
			if err != nil {
				return err
			}
			r.ConversationID = ""
			for _, id := range []string{r.UserID, r.AADObjectID, teamsID} {
				if id != "" {
					if err := putRef(tx, userKey(id), r); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil && !errors.Is(err, cadence.ErrNotFound) {
			a.log.Warn().Err(err).Str("person", personID).Msg("teams: could not forget a stale conversation")
		}
	}
	msg := fmt.Errorf("%s has not installed the cadencebot Teams app: %s", name, fixInstallPersonal)
	if cause != nil {
		msg = fmt.Errorf("%w (%v)", msg, wordsOf(cause))
	}
	return &cadence.SendError{Code: "app_not_installed", Err: msg}
}
