package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// Namespaces of the adapter in the cadence Store's key/value space.
const (
	nsRefs = "teams.refs" // conversation references
	// nsJournal maps outbox message keys to the activities delivered. It
	// is not pruned: Update of a split message and the redraw of a clicked
	// card need it however old the message, and its keys hold no time.
	nsJournal = "teams.sent"
)

// ConversationRef is what the bot needs to message someone or a channel
// without being spoken to first. It is captured from activities whose JWT
// was verified, so the service URL is one Microsoft gave us.
type ConversationRef struct {
	ServiceURL string `json:"serviceUrl"`
	// ConversationID is the 1:1 chat for a user (empty until one is known
	// or created) or the channel ID for a channel.
	ConversationID string    `json:"conversationId,omitempty"`
	TenantID       string    `json:"tenantId"`
	UserID         string    `json:"userId,omitempty"` // 29:... for users
	AADObjectID    string    `json:"aadObjectId,omitempty"`
	BotID          string    `json:"botId,omitempty"` // 28:<app id>
	TeamID         string    `json:"teamId,omitempty"`
	Name           string    `json:"name,omitempty"` // user or channel display name
	UpdatedAt      time.Time `json:"updatedAt"`
}

// Keys in nsRefs. A user is filed under both the Bot Framework ID and the
// AAD object ID, because the roster may name either; a channel under its
// ID and its lower-cased name.
func userKey(id string) string    { return "user/" + id }
func channelKey(id string) string { return "channel/" + strings.ToLower(id) }
func teamKey(id string) string    { return "team/" + id }

func getRef(tx cadence.KVTx, key string) (*ConversationRef, error) {
	b, err := tx.Get(nsRefs, key)
	if err != nil {
		return nil, err
	}
	var r ConversationRef
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("teams: stored reference %s is corrupt: %w", key, err)
	}
	return &r, nil
}

func putRef(tx cadence.KVTx, key string, r *ConversationRef) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Put(nsRefs, key, b)
}

// putUserRef files r under each of the user's IDs, keeping a known 1:1
// conversation when r (seen in a channel) does not carry one.
func putUserRef(tx cadence.KVTx, r *ConversationRef) error {
	for _, id := range []string{r.UserID, r.AADObjectID} {
		if id == "" {
			continue
		}
		nr := *r
		if old, err := getRef(tx, userKey(id)); err == nil && nr.ConversationID == "" && old.ServiceURL == nr.ServiceURL {
			nr.ConversationID = old.ConversationID
		} else if err != nil && !errors.Is(err, cadence.ErrNotFound) {
			return err
		}
		if err := putRef(tx, userKey(id), &nr); err != nil {
			return err
		}
	}
	return nil
}

// LookupUserRef returns the stored reference of a Teams user (Bot
// Framework ID or AAD object ID), or cadence.ErrNotFound.
func LookupUserRef(ctx context.Context, st cadence.Store, teamsID string) (*ConversationRef, error) {
	var r *ConversationRef
	err := st.View(ctx, func(tx cadence.Tx) error {
		var err error
		r, err = getRef(tx, userKey(teamsID))
		return err
	})
	return r, err
}

// captureRefs records the references an authenticated activity reveals:
// the sender (and their 1:1 chat in personal scope), the channel of a team
// conversation, and members added to a team the bot is in.
func captureRefs(tx cadence.KVTx, a *Activity, now time.Time) error {
	base := ConversationRef{ServiceURL: a.ServiceURL, TenantID: a.tenant(), UpdatedAt: now}
	if a.Recipient != nil {
		base.BotID = a.Recipient.ID
	}
	if a.ChannelData != nil && a.ChannelData.Team != nil {
		base.TeamID = a.ChannelData.Team.ID
	}
	personal := a.isPersonal()
	// The sender (who installed the app, or wrote to the bot) and people
	// added to a team with the bot in it can all be messaged later.
	var users []ChannelAccount
	if a.From != nil && a.From.ID != "" {
		users = append(users, *a.From)
	}
	for _, m := range a.MembersAdded {
		if (a.Recipient == nil || m.ID != a.Recipient.ID) && (a.From == nil || m.ID != a.From.ID) {
			users = append(users, m)
		}
	}
	for _, u := range users {
		r := base
		r.UserID, r.AADObjectID, r.Name = u.ID, u.AADObjectID, u.Name
		if personal {
			r.ConversationID = a.Conversation.ID
		}
		if err := putUserRef(tx, &r); err != nil {
			return err
		}
	}
	if personal || a.Conversation.ConversationType == "groupChat" {
		return nil
	}
	if base.TeamID != "" {
		// The team, for looking channel names up in its channel list.
		t := base
		t.ConversationID, t.Name = "", a.ChannelData.Team.Name
		if old, err := getRef(tx, teamKey(base.TeamID)); err == nil && t.Name == "" {
			t.Name = old.Name
		}
		if err := putRef(tx, teamKey(base.TeamID), &t); err != nil {
			return err
		}
	}
	ch := base
	ch.ConversationID = a.channelID()
	if a.ChannelData != nil && a.ChannelData.Channel != nil {
		ch.Name = a.ChannelData.Channel.Name
	}
	// Kept under its id only. A name is bound to a channel by
	// resolveChannel alone, once, refusing a name found in two teams: an
	// activity naming a channel (a message, a channelRenamed update) must
	// not re-bind it, or anyone renaming a channel of their own team to a
	// ritual's channel name would receive its next agenda.
	return putRef(tx, channelKey(ch.ConversationID), &ch)
}

// forgetRefs drops what an uninstall makes useless: the 1:1 chat of a user
// who removed the app, or a channel of a team that removed it.
func forgetRefs(tx cadence.KVTx, a *Activity) error {
	if a.isPersonal() {
		if a.From == nil {
			return nil
		}
		for _, id := range []string{a.From.ID, a.From.AADObjectID} {
			if id != "" {
				if err := tx.Delete(nsRefs, userKey(id)); err != nil && !errors.Is(err, cadence.ErrNotFound) {
					return err
				}
			}
		}
		return nil
	}
	if err := tx.Delete(nsRefs, channelKey(a.channelID())); err != nil && !errors.Is(err, cadence.ErrNotFound) {
		return err
	}
	if a.ChannelData != nil && a.ChannelData.Team != nil && a.ChannelData.Team.ID != "" {
		if err := tx.Delete(nsRefs, teamKey(a.ChannelData.Team.ID)); err != nil && !errors.Is(err, cadence.ErrNotFound) {
			return err
		}
	}
	return nil
}
