package teams

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Activity is the subset of the Bot Framework activity schema cadencebot
// reads and writes.
type Activity struct {
	Type         string          `json:"type"`
	ID           string          `json:"id,omitempty"`
	Timestamp    string          `json:"timestamp,omitempty"`
	ServiceURL   string          `json:"serviceUrl,omitempty"`
	ChannelID    string          `json:"channelId,omitempty"`
	From         *ChannelAccount `json:"from,omitempty"`
	Conversation *Conversation   `json:"conversation,omitempty"`
	Recipient    *ChannelAccount `json:"recipient,omitempty"`
	TextFormat   string          `json:"textFormat,omitempty"`
	Text         string          `json:"text,omitempty"`
	Summary      string          `json:"summary,omitempty"`
	ReplyToID    string          `json:"replyToId,omitempty"`
	Attachments  []Attachment    `json:"attachments,omitempty"`
	Entities     []Entity        `json:"entities,omitempty"`
	ChannelData  *ChannelData    `json:"channelData,omitempty"`
	Value        json.RawMessage `json:"value,omitempty"`
	Action       string          `json:"action,omitempty"` // installationUpdate: "add" | "remove"

	MembersAdded   []ChannelAccount `json:"membersAdded,omitempty"`
	MembersRemoved []ChannelAccount `json:"membersRemoved,omitempty"`
}

// ChannelAccount is a user or the bot.
type ChannelAccount struct {
	ID          string `json:"id"`
	Name        string `json:"name,omitempty"`
	AADObjectID string `json:"aadObjectId,omitempty"`
}

// Conversation identifies a 1:1 chat, a group chat or a channel (thread).
type Conversation struct {
	ID               string `json:"id"`
	ConversationType string `json:"conversationType,omitempty"` // personal | groupChat | channel
	TenantID         string `json:"tenantId,omitempty"`
	IsGroup          bool   `json:"isGroup,omitempty"`
	Name             string `json:"name,omitempty"`
}

// Attachment carries an Adaptive Card.
type Attachment struct {
	ContentType string `json:"contentType"`
	Content     any    `json:"content"`
}

// Entity is a mention (or client info, which is ignored).
type Entity struct {
	Type      string          `json:"type"`
	Text      string          `json:"text,omitempty"`
	Mentioned *ChannelAccount `json:"mentioned,omitempty"`
}

// ChannelData is Teams' own part of an activity.
type ChannelData struct {
	Tenant    *TeamsID `json:"tenant,omitempty"`
	Team      *TeamsID `json:"team,omitempty"`
	Channel   *TeamsID `json:"channel,omitempty"`
	EventType string   `json:"eventType,omitempty"`
}

// TeamsID is an object with an id and, sometimes, a name.
type TeamsID struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

const (
	typeMessage            = "message"
	typeConversationUpdate = "conversationUpdate"
	typeInstallationUpdate = "installationUpdate"
	contentTypeCard        = "application/vnd.microsoft.card.adaptive"
)

// parseActivity decodes and checks the fields every handled activity
// needs; errors say which field is wrong.
func parseActivity(body []byte) (*Activity, error) {
	var a Activity
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("activity is not valid JSON: %w", err)
	}
	var missing []string
	if a.Type == "" {
		missing = append(missing, "type")
	}
	if a.ServiceURL == "" {
		missing = append(missing, "serviceUrl")
	}
	if a.Conversation == nil || a.Conversation.ID == "" {
		missing = append(missing, "conversation.id")
	}
	if a.Type == typeMessage && (a.From == nil || a.From.ID == "") {
		missing = append(missing, "from.id")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("activity of type %q lacks %s", a.Type, strings.Join(missing, ", "))
	}
	if err := checkEndpoint(a.ServiceURL); err != nil {
		return nil, fmt.Errorf("activity serviceUrl: %w", err)
	}
	return &a, nil
}

// tenant is the tenant an activity comes from.
func (a *Activity) tenant() string {
	if a.ChannelData != nil && a.ChannelData.Tenant != nil && a.ChannelData.Tenant.ID != "" {
		return a.ChannelData.Tenant.ID
	}
	if a.Conversation != nil {
		return a.Conversation.TenantID
	}
	return ""
}

func (a *Activity) isPersonal() bool {
	return a.Conversation != nil && (a.Conversation.ConversationType == "personal" ||
		(a.Conversation.ConversationType == "" && !a.Conversation.IsGroup))
}

// channelID is the Teams channel of a channel activity: channelData wins;
// otherwise the conversation ID without its ";messageid=" thread suffix.
func (a *Activity) channelID() string {
	if a.ChannelData != nil && a.ChannelData.Channel != nil && a.ChannelData.Channel.ID != "" {
		return a.ChannelData.Channel.ID
	}
	if a.Conversation == nil {
		return ""
	}
	id, _, _ := strings.Cut(a.Conversation.ID, ";")
	return id
}
