package oncall

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence/ops"
)

// PagerDutyURL is the REST API v2 base (EU accounts: api.eu.pagerduty.com).
const PagerDutyURL = "https://api.pagerduty.com"

// PagerDuty reads GET /oncalls for one schedule, with the users included
// so their emails come in the same answer.
type PagerDuty struct {
	BaseURL string
	Token   string // a REST API key: "Authorization: Token token=…"
	retrier
}

// pdOnCall is one entry of GET /oncalls with include[]=users.
type pdOnCall struct {
	User struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
		Name    string `json:"name"`
		Email   string `json:"email"`
	} `json:"user"`
	EscalationLevel int     `json:"escalation_level"`
	Start           *string `json:"start"` // null: permanently on call
	End             *string `json:"end"`
}

type pdPage struct {
	OnCalls []pdOnCall `json:"oncalls"`
	Limit   int        `json:"limit"`
	Offset  int        `json:"offset"`
	More    bool       `json:"more"`
}

// OnCall lists the on-calls of schedule in force at now, lowest
// escalation level first, following pages (offset, more).
func (p *PagerDuty) OnCall(ctx context.Context, schedule string, now time.Time) ([]ops.ImportedShift, error) {
	base := strings.TrimSuffix(cmpOr(p.BaseURL, PagerDutyURL), "/")
	const limit = 100
	var all []pdOnCall
	for offset, page := 0, 0; ; page++ {
		if page >= 50 {
			return nil, fmt.Errorf("PagerDuty: more than %d on-calls for schedule %s; giving up", 50*limit, schedule)
		}
		q := url.Values{
			"schedule_ids[]": {schedule},
			"include[]":      {"users"},
			"since":          {now.UTC().Format(time.RFC3339)},
			"until":          {now.UTC().Add(time.Minute).Format(time.RFC3339)},
			"limit":          {strconv.Itoa(limit)},
			"offset":         {strconv.Itoa(offset)},
		}
		body, err := p.do(ctx, "pagerduty", func() (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/oncalls?"+q.Encode(), nil)
			if err != nil {
				return nil, err
			}
			req.Header.Set("Authorization", "Token token="+p.Token)
			req.Header.Set("Accept", "application/vnd.pagerduty+json;version=2")
			return req, nil
		}, pdErrorMessage)
		if err != nil {
			return nil, err
		}
		var pg pdPage
		if err := json.Unmarshal(body, &pg); err != nil {
			return nil, fmt.Errorf("PagerDuty: the on-calls answer is not the documented JSON: %w", err)
		}
		all = append(all, pg.OnCalls...)
		if !pg.More || len(pg.OnCalls) == 0 {
			break
		}
		offset = pg.Offset + len(pg.OnCalls)
	}
	// The first responder is the lowest escalation level.
	var out []ops.ImportedShift
	for lvl := 1; len(out) == 0 && lvl <= 20; lvl++ {
		for _, oc := range all {
			if oc.EscalationLevel != lvl && !(lvl == 1 && oc.EscalationLevel == 0) {
				continue
			}
			s, err := oc.shift()
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	if len(out) == 0 && len(all) > 0 {
		for _, oc := range all {
			s, err := oc.shift()
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	return out, nil
}

func (oc pdOnCall) shift() (ops.ImportedShift, error) {
	s := ops.ImportedShift{Email: oc.User.Email, Name: cmpOr(oc.User.Name, oc.User.Summary)}
	if s.Email == "" {
		return s, fmt.Errorf("PagerDuty: on-call user %s (%s) came without an email: the token must be allowed to read users", oc.User.ID, s.Name)
	}
	for _, f := range []struct {
		v   *string
		dst *time.Time
	}{{oc.Start, &s.From}, {oc.End, &s.To}} {
		if f.v == nil || *f.v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, *f.v)
		if err != nil {
			return s, fmt.Errorf("PagerDuty: on-call of %s: %q is not an ISO 8601 time", s.Email, *f.v)
		}
		*f.dst = t.UTC()
	}
	return s, nil
}

// pdErrorMessage reads {"error": {"message", "code", "errors"}}.
func pdErrorMessage(body []byte) string {
	var doc struct {
		Error struct {
			Message string   `json:"message"`
			Code    int      `json:"code"`
			Errors  []string `json:"errors"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &doc) != nil || doc.Error.Message == "" {
		return "" // a proxy's HTML page: the status says enough
	}
	msg := doc.Error.Message
	if len(doc.Error.Errors) > 0 {
		msg += ": " + strings.Join(doc.Error.Errors, "; ")
	}
	return clip(msg)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
