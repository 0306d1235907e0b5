package oncall

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence/ops"
)

// OpsgenieURL is the API base (EU accounts: https://api.eu.opsgenie.com).
const OpsgenieURL = "https://api.opsgenie.com"

// Opsgenie reads GET /v2/schedules/{id}/on-calls?flat=true: the on-call
// recipients of a schedule now, by username (which is the user's email).
// It gives no end time: the import lasts for the computed turn.
type Opsgenie struct {
	BaseURL string
	Key     string // an API integration key: "Authorization: GenieKey …"
	retrier
}

// OnCall lists the schedule's on-call recipients at now, in order.
func (g *Opsgenie) OnCall(ctx context.Context, schedule string, now time.Time) ([]ops.ImportedShift, error) {
	base := strings.TrimSuffix(cmpOr(g.BaseURL, OpsgenieURL), "/")
	q := url.Values{
		"scheduleIdentifierType": {"id"},
		"flat":                   {"true"},
		"date":                   {now.UTC().Format("2006-01-02T15:04:05Z07:00")},
	}
	u := base + "/v2/schedules/" + url.PathEscape(schedule) + "/on-calls?" + q.Encode()
	body, err := g.do(ctx, "opsgenie", func() (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "GenieKey "+g.Key)
		return req, nil
	}, ogErrorMessage)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Data struct {
			Parent struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"_parent"`
			Recipients []string `json:"onCallRecipients"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("Opsgenie: the on-calls answer is not the documented JSON: %w", err)
	}
	var out []ops.ImportedShift
	for _, r := range doc.Data.Recipients {
		// flat=true lists usernames; a team or escalation would not be
		// an email, and maps to nobody (recorded as such).
		out = append(out, ops.ImportedShift{Email: r, Name: r})
	}
	return out, nil
}

// ogErrorMessage reads {"message": …, "took", "requestId"}.
func ogErrorMessage(body []byte) string {
	var doc struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &doc) != nil || doc.Message == "" {
		return "" // a proxy's HTML page: the status says enough
	}
	return clip(doc.Message)
}
