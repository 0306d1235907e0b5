package oncall_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/integration/oncall"
	"github.com/cadencebot/cadencebot/cadence"
)

var now = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

// waits records the retrier's waits instead of sleeping.
type waits []time.Duration

func (w *waits) sleep(_ context.Context, d time.Duration) error { *w = append(*w, d); return nil }

func TestPagerDutyOnCall(t *testing.T) {
	entries := []pdEntry{
		{UserID: "P2", Name: "Bo B", Email: "bo@example.com", Level: 2, Start: "2026-11-30T09:00:00+02:00", End: "2026-12-07T09:00:00+02:00"},
		{UserID: "P3", Name: "Cy C", Email: "cy@example.com", Level: 3},
		{UserID: "P1", Name: "Ana A", Email: "ana@example.com", Level: 1, Start: "2026-11-30T09:00:00+02:00", End: "2026-12-03T09:00:00+02:00"},
	}
	tests := []struct {
		name      string
		token     string
		fail      func(n int, w http.ResponseWriter) bool
		want      string // the email picked, or the error
		calls     int
		waits     waits
		wantError bool
	}{
		{name: "pages and the first escalation level", token: "good", want: "ana@example.com", calls: 2},
		{name: "a refused token is not retried", token: "bad", wantError: true, calls: 1,
			want: "PagerDuty answered 401: the token was refused (401): check the variable named in token_env"},
		{name: "429 waits what Retry-After says", token: "good", want: "ana@example.com", calls: 3, waits: waits{7 * time.Second},
			fail: func(n int, w http.ResponseWriter) bool {
				if n == 1 {
					status(http.StatusTooManyRequests, `{"error":{"message":"Rate Limit Exceeded","code":2020}}`, "Retry-After", "7")(w)
					return true
				}
				return false
			}},
		{name: "5xx backs off, then gives up", token: "good", wantError: true, calls: 4, waits: waits{time.Second, 2 * time.Second, 4 * time.Second},
			want: "PagerDuty answered 503: Service Unavailable (after 4 attempts)",
			fail: func(n int, w http.ResponseWriter) bool {
				status(http.StatusServiceUnavailable, `<html>upstream down</html>`)(w)
				return true
			}},
		{name: "a bad request names the problem", token: "good", wantError: true, calls: 1,
			want: "PagerDuty answered 400: Invalid Input Provided: Until cannot be before since.",
			fail: func(n int, w http.ResponseWriter) bool {
				status(http.StatusBadRequest, `{"error":{"message":"Invalid Input Provided","code":2001,"errors":["Until cannot be before since."]}}`)(w)
				return true
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakePagerDuty{t: t, token: "good", schedule: "PABC123", entries: entries, pageSize: 2, fail: tt.fail}
			var w waits
			pd := &oncall.PagerDuty{BaseURL: serve(t, fake), Token: tt.token}
			pd.Sleep = w.sleep
			got, err := pd.OnCall(context.Background(), "PABC123", now)
			if tt.wantError {
				require.Error(t, err)
				assert.Equal(t, tt.want, err.Error())
				assert.NotContains(t, err.Error(), tt.token, "the token is never echoed")
			} else {
				require.NoError(t, err)
				require.Len(t, got, 1)
				assert.Equal(t, tt.want, got[0].Email)
				assert.Equal(t, "Ana A", got[0].Name)
				assert.Equal(t, time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC), got[0].From)
				assert.Equal(t, time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC), got[0].To)
			}
			assert.Equal(t, tt.calls, fake.calls)
			assert.Equal(t, tt.waits, w)
			for _, q := range fake.asked {
				assert.Contains(t, q, "include%5B%5D=users")
			}
		})
	}
}

func TestPagerDutyWithoutEmails(t *testing.T) {
	// A token that may not read users gets references only: said so.
	fake := &fakePagerDuty{t: t, token: "good", schedule: "PABC123", pageSize: 25,
		entries: []pdEntry{{UserID: "P1", Name: "Ana A", Level: 1}}}
	pd := &oncall.PagerDuty{BaseURL: serve(t, fake), Token: "good"}
	_, err := pd.OnCall(context.Background(), "PABC123", now)
	require.ErrorContains(t, err, "on-call user P1 (Ana A) came without an email")
}

func TestOpsgenieOnCall(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		fail  func(n int, w http.ResponseWriter) bool
		want  string
		calls int
		waits waits
		isErr bool
	}{
		{name: "flat recipients", key: "good", want: "ana@example.com", calls: 1},
		{name: "a refused key", key: "bad", isErr: true, calls: 1,
			want: "Opsgenie answered 401: the token was refused (401): check the variable named in token_env"},
		{name: "429 then fine", key: "good", want: "ana@example.com", calls: 2, waits: waits{2 * time.Second},
			fail: func(n int, w http.ResponseWriter) bool {
				if n == 1 {
					status(http.StatusTooManyRequests, `{"message":"Rate limit exceeded","took":0.0,"requestId":"r"}`, "Retry-After", "2", "X-RateLimit-State", "THROTTLED")(w)
					return true
				}
				return false
			}},
		{name: "500 then fine", key: "good", want: "ana@example.com", calls: 2, waits: waits{time.Second},
			fail: func(n int, w http.ResponseWriter) bool {
				if n == 1 {
					status(http.StatusInternalServerError, `{"message":"Internal error","took":0.0,"requestId":"r"}`)(w)
					return true
				}
				return false
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeOpsgenie{key: "good", schedule: "sched-1", recipients: []string{"ana@example.com", "bo@example.com"}, fail: tt.fail}
			var w waits
			og := &oncall.Opsgenie{BaseURL: serve(t, fake), Key: tt.key}
			og.Sleep = w.sleep
			got, err := og.OnCall(context.Background(), "sched-1", now)
			if tt.isErr {
				require.Error(t, err)
				assert.Equal(t, tt.want, err.Error())
			} else {
				require.NoError(t, err)
				require.Len(t, got, 2)
				assert.Equal(t, tt.want, got[0].Email)
				assert.True(t, got[0].To.IsZero(), "Opsgenie gives no end")
			}
			assert.Equal(t, tt.calls, fake.calls)
			assert.Equal(t, tt.waits, w)
		})
	}
}

func TestRetryAfterIsBounded(t *testing.T) {
	fake := &fakeOpsgenie{key: "good", schedule: "s", recipients: []string{"a@x"}, fail: func(n int, w http.ResponseWriter) bool {
		if n == 1 {
			status(http.StatusServiceUnavailable, `{"message":"maintenance"}`, "Retry-After", "86400")(w)
			return true
		}
		return false
	}}
	var w waits
	og := &oncall.Opsgenie{BaseURL: serve(t, fake), Key: "good"}
	og.Sleep = w.sleep
	_, err := og.OnCall(context.Background(), "s", now)
	require.NoError(t, err)
	assert.Equal(t, waits{time.Minute}, w, "a day's Retry-After does not stall the import")
}

func TestNewRefusesUnknownProvider(t *testing.T) {
	_, err := oncall.New(&cadence.RotationImport{Provider: "victorops"}, "t", nil)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), `unknown on-call provider "victorops"`))
}
