package oncall_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// pdEntry is one on-call the fake PagerDuty serves.
type pdEntry struct {
	UserID, Name, Email string
	Level               int
	Start, End          string // "" is JSON null
}

// fakePagerDuty speaks GET /oncalls of the REST API v2 as documented:
// "Authorization: Token token=…", the v2 Accept header, schedule_ids[],
// include[]=users (the user is a full object with its email only then,
// a reference otherwise), since/until, limit/offset pagination with
// "more". Fail, if set, answers a call instead (by call number, from 1).
type fakePagerDuty struct {
	t        *testing.T
	token    string
	schedule string
	entries  []pdEntry
	pageSize int
	fail     func(n int, w http.ResponseWriter) bool

	mu    sync.Mutex
	calls int
	asked []string // the query of each call
}

func (f *fakePagerDuty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.asked = append(f.asked, r.URL.RawQuery)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodGet || r.URL.Path != "/oncalls" {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":{"message":"Not Found","code":2100}}`)
		return
	}
	if r.Header.Get("Authorization") != "Token token="+f.token {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":{"message":"Unauthorized","code":2006}}`)
		return
	}
	if r.Header.Get("Accept") != "application/vnd.pagerduty+json;version=2" {
		f.t.Errorf("Accept = %q, want the v2 media type", r.Header.Get("Accept"))
	}
	if f.fail != nil && f.fail(n, w) {
		return
	}
	q := r.URL.Query()
	if got := q["schedule_ids[]"]; len(got) != 1 || got[0] != f.schedule {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":{"message":"Invalid Input Provided","code":2001,"errors":["schedule_ids[] %v is not known"]}}`, got)
		return
	}
	since, err1 := time.Parse(time.RFC3339, q.Get("since"))
	until, err2 := time.Parse(time.RFC3339, q.Get("until"))
	if err1 != nil || err2 != nil || until.Before(since) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"message":"Invalid Input Provided","code":2001,"errors":["Until cannot be before since."]}}`)
		return
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	offset, _ := strconv.Atoi(q.Get("offset"))
	if limit <= 0 || limit > f.pageSize {
		limit = f.pageSize // the server may return fewer than asked
	}
	users := q.Get("include[]") == "users"
	var page []map[string]any
	for i := offset; i < len(f.entries) && i < offset+limit; i++ {
		e := f.entries[i]
		user := map[string]any{"id": e.UserID, "type": "user_reference", "summary": e.Name,
			"self": "https://api.pagerduty.com/users/" + e.UserID, "html_url": "https://acme.pagerduty.com/users/" + e.UserID}
		if users {
			user = map[string]any{"id": e.UserID, "type": "user", "summary": e.Name, "name": e.Name, "email": e.Email,
				"time_zone": "Europe/Bucharest", "self": "https://api.pagerduty.com/users/" + e.UserID}
		}
		page = append(page, map[string]any{
			"user":              user,
			"schedule":          map[string]any{"id": f.schedule, "type": "schedule_reference", "summary": "Primary"},
			"escalation_policy": map[string]any{"id": "PEP1", "type": "escalation_policy_reference", "summary": "ML platform"},
			"escalation_level":  e.Level,
			"start":             nullable(e.Start),
			"end":               nullable(e.End),
		})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"oncalls": page, "limit": limit, "offset": offset, "more": offset+limit < len(f.entries), "total": nil,
	})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// fakeOpsgenie speaks GET /v2/schedules/{id}/on-calls as documented:
// "Authorization: GenieKey …", scheduleIdentifierType, flat=true lists
// the usernames (emails) in onCallRecipients, errors are {"message",
// "took", "requestId"}.
type fakeOpsgenie struct {
	key        string
	schedule   string
	recipients []string
	fail       func(n int, w http.ResponseWriter) bool

	mu    sync.Mutex
	calls int
}

func (f *fakeOpsgenie) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != "GenieKey "+f.key {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message":"Could not authenticate","took":0.001,"requestId":"3d0f6e1c-1"}`)
		return
	}
	if f.fail != nil && f.fail(n, w) {
		return
	}
	if r.URL.Path != "/v2/schedules/"+f.schedule+"/on-calls" || r.URL.Query().Get("scheduleIdentifierType") != "id" {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Schedule with identifier [x] does not exist","took":0.002,"requestId":"3d0f6e1c-2"}`)
		return
	}
	data := map[string]any{"_parent": map[string]any{"id": f.schedule, "name": "ml_primary", "enabled": true}}
	if r.URL.Query().Get("flat") == "true" {
		data["onCallRecipients"] = f.recipients
	} else {
		var ps []map[string]any
		for _, rc := range f.recipients {
			ps = append(ps, map[string]any{"id": "u-" + rc, "name": rc, "type": "user"})
		}
		data["onCallParticipants"] = ps
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"data": data, "took": 0.104, "requestId": "3d0f6e1c-3"})
}

// status answers with code, headers and body.
func status(code int, body string, headers ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

func serve(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
