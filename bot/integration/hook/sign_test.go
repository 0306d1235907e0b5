package hook_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cadencebot/cadencebot/bot/integration/hook"
)

func TestVerify(t *testing.T) {
	secret := []byte("whsec")
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	body := []byte(`{"event":"release.approved"}`)
	ts := strconv.FormatInt(now.Unix(), 10)
	sig := hook.Sign(secret, now.Unix(), body)
	assert.Regexp(t, `^sha256=[0-9a-f]{64}$`, sig)

	tests := []struct {
		name      string
		secret    string
		ts, sig   string
		body      string
		now       time.Time
		wantError error
	}{
		{"valid", "whsec", ts, sig, string(body), now, nil},
		{"valid 4 minutes later", "whsec", ts, sig, string(body), now.Add(4 * time.Minute), nil},
		{"body changed", "whsec", ts, sig, `{"event":"release.rejected"}`, now, hook.ErrBadSignature},
		{"other secret", "other", ts, sig, string(body), now, hook.ErrBadSignature},
		{"timestamp changed", "whsec", strconv.FormatInt(now.Unix()+1, 10), sig, string(body), now, hook.ErrBadSignature},
		{"replayed 6 minutes later", "whsec", ts, sig, string(body), now.Add(6 * time.Minute), hook.ErrStale},
		{"no timestamp", "whsec", "", sig, string(body), now, hook.ErrStale},
		{"no scheme", "whsec", ts, sig[len("sha256="):], string(body), now, hook.ErrBadSignature},
	}
	for _, tc := range tests {
		err := hook.Verify([]byte(tc.secret), tc.ts, tc.sig, []byte(tc.body), tc.now)
		if tc.wantError == nil {
			assert.NoError(t, err, tc.name)
		} else {
			assert.ErrorIs(t, err, tc.wantError, tc.name)
		}
	}
}
