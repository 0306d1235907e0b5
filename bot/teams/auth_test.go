package teams_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInboundTokenChecks: every way a token can be wrong is refused with
// 401, and nothing is stored, sent or asked of the engine.
func TestInboundTokenChecks(t *testing.T) {
	k := testKeys(t)
	tests := []struct {
		name   string
		token  func(e *env) string
		status int
	}{
		{"valid", func(e *env) string { return sign(t, e.fc.claims(t0), "key-1", k[0]) }, http.StatusOK},
		{"expired within the 5 minute leeway", func(e *env) string {
			c := e.fc.claims(t0)
			c["exp"] = t0.Add(-4 * time.Minute).Unix()
			return sign(t, c, "key-1", k[0])
		}, http.StatusOK},
		{"no token", func(e *env) string { return "" }, http.StatusUnauthorized},
		{"wrong audience", func(e *env) string {
			c := e.fc.claims(t0)
			c["aud"] = "11111111-2222-3333-4444-555555555555"
			return sign(t, c, "key-1", k[0])
		}, http.StatusUnauthorized},
		{"wrong issuer", func(e *env) string {
			c := e.fc.claims(t0)
			c["iss"] = "https://sts.windows.net/" + testTenant + "/"
			return sign(t, c, "key-1", k[0])
		}, http.StatusUnauthorized},
		{"expired beyond the leeway", func(e *env) string {
			c := e.fc.claims(t0)
			c["exp"] = t0.Add(-6 * time.Minute).Unix()
			return sign(t, c, "key-1", k[0])
		}, http.StatusUnauthorized},
		{"not yet valid", func(e *env) string {
			c := e.fc.claims(t0)
			c["nbf"] = t0.Add(10 * time.Minute).Unix()
			return sign(t, c, "key-1", k[0])
		}, http.StatusUnauthorized},
		{"no expiry", func(e *env) string {
			c := e.fc.claims(t0)
			delete(c, "exp")
			return sign(t, c, "key-1", k[0])
		}, http.StatusUnauthorized},
		{"unknown kid", func(e *env) string { return sign(t, e.fc.claims(t0), "key-9", k[0]) }, http.StatusUnauthorized},
		{"signed by another key under a known kid", func(e *env) string { return sign(t, e.fc.claims(t0), "key-1", k[1]) }, http.StatusUnauthorized},
		{"wrong serviceurl", func(e *env) string {
			c := e.fc.claims(t0)
			c["serviceurl"] = "https://smba.trafficmanager.net/emea/"
			return sign(t, c, "key-1", k[0])
		}, http.StatusUnauthorized},
		{"no serviceurl", func(e *env) string {
			c := e.fc.claims(t0)
			delete(c, "serviceurl")
			return sign(t, c, "key-1", k[0])
		}, http.StatusUnauthorized},
		{"alg none", func(e *env) string {
			s, err := jwt.NewWithClaims(jwt.SigningMethodNone, e.fc.claims(t0)).SignedString(jwt.UnsafeAllowNoneSignatureType)
			require.NoError(t, err)
			return s
		}, http.StatusUnauthorized},
		{"unsigned with a kid", func(e *env) string {
			valid := sign(t, e.fc.claims(t0), "key-1", k[0])
			parts := strings.Split(valid, ".")
			return parts[0] + "." + parts[1] + "."
		}, http.StatusUnauthorized},
		{"HS256 keyed with the public key", func(e *env) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, e.fc.claims(t0))
			tok.Header["kid"] = "key-1"
			s, err := tok.SignedString(k[0].PublicKey.N.Bytes())
			require.NoError(t, err)
			return s
		}, http.StatusUnauthorized},
		{"payload altered after signing", func(e *env) string {
			parts := strings.Split(sign(t, e.fc.claims(t0), "key-1", k[0]), ".")
			c := e.fc.claims(t0)
			c["aud"] = "someone-else"
			b, _ := json.Marshal(c)
			return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
		}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			body, err := json.Marshal(e.personalMessage(ana, "help"))
			require.NoError(t, err)
			rec := post(t, e.h, tt.token(e), body)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			if tt.status == http.StatusOK {
				assert.NotEmpty(t, e.refKeys(), "a valid activity stores the sender's reference")
				assert.NotEmpty(t, e.fc.requests(), "a valid help command is answered")
				return
			}
			assert.Empty(t, e.refKeys(), "nothing stored")
			assert.Empty(t, e.fc.requests(), "nothing sent")
			assert.Zero(t, e.svc.callCount(), "engine not called")
		})
	}
}

// TestInboundBadActivity: a signed request with a body that is not a usable
// activity gets 400, and the bot goes on serving.
func TestInboundBadActivity(t *testing.T) {
	e := newEnv(t)
	tok := sign(t, e.fc.claims(t0), "key-1", testKeys(t)[0])
	bodies := map[string]string{
		"not json":          `{"type":"message",`,
		"array":             `[1,2,3]`,
		"no service url":    `{"type":"message","conversation":{"id":"a:1"},"from":{"id":"29:ana"}}`,
		"no conversation":   `{"type":"message","serviceUrl":"` + e.fc.srv.URL + `","from":{"id":"29:ana"}}`,
		"message no sender": `{"type":"message","serviceUrl":"` + e.fc.srv.URL + `","conversation":{"id":"a:1"}}`,
		"wrong field types": `{"type":7,"serviceUrl":"` + e.fc.srv.URL + `"}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			rec := post(t, e.h, tok, []byte(body))
			assert.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
		})
	}
	assert.Empty(t, e.refKeys())
	assert.Empty(t, e.fc.requests())

	t.Run("card value malformed", func(t *testing.T) {
		for _, v := range []any{"just text", 42, map[string]any{"action": 1, "occurrence": occID}, map[string]any{"action": "answer"},
			map[string]any{"action": "answer", "occurrence": occID, "q_today": []string{"x"}},
			map[string]any{"action": "launch", "occurrence": occID}} {
			act := e.submit(ana, "1700000000001", nil)
			act["value"] = v
			rec := e.deliver(act)
			assert.Equal(t, http.StatusBadRequest, rec.Code, "value %v: %s", v, rec.Body.String())
		}
		assert.Empty(t, e.svc.submits, "no answer stored from a malformed card")
		assert.Empty(t, e.fc.requests(), "nothing sent back")
	})
}

// TestSigningKeyRotation: a new kid triggers one refetch of the key set;
// unknown kids cannot make the bot hammer the JWKS endpoint; a day-old set
// is refreshed.
func TestSigningKeyRotation(t *testing.T) {
	e := newEnv(t)
	k := testKeys(t)
	deliver := func(kid string, key int) int {
		body, err := json.Marshal(e.personalMessage(ana, "help"))
		require.NoError(t, err)
		return post(t, e.h, sign(t, e.fc.claims(e.clock.Now()), kid, k[key]), body).Code
	}
	jwks := func() int { _, n := e.fc.counts(); return n }

	require.Equal(t, http.StatusOK, deliver("key-1", 0))
	require.Equal(t, http.StatusOK, deliver("key-1", 0))
	assert.Equal(t, 1, jwks(), "cached")

	e.clock.Advance(2 * time.Minute)
	e.fc.rotate("key-2", k[1])
	require.Equal(t, http.StatusOK, deliver("key-2", 1), "rotated key accepted")
	assert.Equal(t, 2, jwks())

	for range 5 {
		assert.Equal(t, http.StatusUnauthorized, deliver("forged", 0))
	}
	assert.Equal(t, 2, jwks(), "refetch on unknown kid is rate limited")
	e.clock.Advance(2 * time.Minute)
	assert.Equal(t, http.StatusUnauthorized, deliver("forged", 0))
	assert.Equal(t, 3, jwks(), "one refetch per minute at most")
	assert.Equal(t, http.StatusUnauthorized, deliver("key-1", 0), "a retired key is no longer trusted")

	e.clock.Advance(25 * time.Hour)
	require.Equal(t, http.StatusOK, deliver("key-2", 1))
	assert.Equal(t, 4, jwks(), "a day-old key set is refreshed")
}
