package teams_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/teams"
)

const (
	testAppID    = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
	testPassword = "s3cret~password"
	testTenant   = "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"
	botID        = "28:" + testAppID
)

var (
	keyOnce sync.Once
	keys    [2]*rsa.PrivateKey
)

// testKeys are generated once per test binary: RSA generation is slow.
func testKeys(t *testing.T) [2]*rsa.PrivateKey {
	keyOnce.Do(func() {
		for i := range keys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			keys[i] = k
		}
	})
	return keys
}

// sent is one request the bot made to the fake Bot Connector.
type sent struct {
	Method, Path string
	Conv, ID     string // conversation and activity from the path
	NewID        string // the activity ID the connector answered with
	Activity     teams.Activity
	Raw          []byte
}

// reply is a canned failure for the next connector call.
type reply struct {
	status int
	header http.Header
	body   string
}

// fakeConnector plays the Bot Framework: Entra ID's token endpoint, the
// OpenID metadata and JWKS of the channel service, and the Bot Connector's
// /v3/conversations API, recording everything the bot sends.
type fakeConnector struct {
	t   *testing.T
	srv *httptest.Server

	mu         sync.Mutex
	signing    map[string]*rsa.PrivateKey // kid → key published in the JWKS
	tokenCalls int
	jwksCalls  int
	tokens     map[string]bool
	sent       []sent
	failures   []reply
	failSkip   int // calls that succeed before the failures apply
	seq        int
	chats      map[string]string // user → 1:1 conversation created
	forbidden  map[string]bool   // users who have not installed the app
	expiresIn  int
	// accepted202 answers posts 202 Accepted with no body: the message
	// arrived, its id is not said (reported by Teams users; the REST
	// reference lists 202 as a success of SendToConversation).
	accepted202 bool
	// teams are the channels of each team the bot is in, as
	// GET /v3/teams/{teamId}/conversations lists them; the General
	// channel has the team's id and a null name.
	teams        map[string][]fakeChannel
	channelLists int // GET .../conversations calls
	tooBig       int // 413 answers given
}

type fakeChannel struct {
	ID   string  `json:"id"`
	Name *string `json:"name"`
}

// maxMessageUTF16 is Teams' bot message size limit: 100 KB of the payload
// encoded as UTF-16, base64-encoded images not counted; above it the
// connector answers 413 RequestEntityTooLarge with MessageSizeTooBig
// (learn.microsoft.com, "Format your bot messages").
const maxMessageUTF16 = 100 * 1024

var dataURLRE = regexp.MustCompile(`data:image/[a-z+]+;base64,[A-Za-z0-9+/=]*`)

// teamsSize measures a request body the way Teams documents it.
func teamsSize(raw []byte) int {
	return 2 * len(utf16.Encode([]rune(dataURLRE.ReplaceAllString(string(raw), ""))))
}

func newFakeConnector(t *testing.T) *fakeConnector {
	k := testKeys(t)
	f := &fakeConnector{t: t, signing: map[string]*rsa.PrivateKey{"key-1": k[0]}, tokens: map[string]bool{},
		chats: map[string]string{}, forbidden: map[string]bool{}, expiresIn: 3600, teams: map[string][]fakeChannel{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /tenant/token", f.token)
	mux.HandleFunc("GET /openid", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"issuer": teams.DefaultIssuer, "jwks_uri": f.srv.URL + "/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("GET /keys", f.jwks)
	mux.HandleFunc("POST /v3/conversations", f.createConversation)
	mux.HandleFunc("POST /v3/conversations/{conv}/activities", f.activity)
	mux.HandleFunc("POST /v3/conversations/{conv}/activities/{id}", f.activity)
	mux.HandleFunc("PUT /v3/conversations/{conv}/activities/{id}", f.activity)
	mux.HandleFunc("DELETE /v3/conversations/{conv}/activities/{id}", f.activity)
	mux.HandleFunc("GET /v3/teams/{team}/conversations", f.channels)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeConnector) config() teams.Config {
	return teams.Config{AppID: testAppID, AppPassword: testPassword, TenantID: testTenant,
		TokenURL: f.srv.URL + "/tenant/token", OpenIDMetadataURL: f.srv.URL + "/openid"}
}

func (f *fakeConnector) token(w http.ResponseWriter, r *http.Request) {
	require.NoError(f.t, r.ParseForm())
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokenCalls++
	if r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_id") != testAppID ||
		r.PostForm.Get("client_secret") != testPassword || r.PostForm.Get("scope") != teams.DefaultTokenScope {
		w.WriteHeader(http.StatusUnauthorized)
		writeJSON(w, map[string]string{"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
		return
	}
	tok := "bot-token-" + strconv.Itoa(f.tokenCalls)
	f.tokens[tok] = true
	writeJSON(w, map[string]any{"token_type": "Bearer", "expires_in": f.expiresIn, "access_token": tok})
}

func (f *fakeConnector) jwks(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jwksCalls++
	var ks []map[string]any
	for kid, k := range f.signing {
		ks = append(ks, map[string]any{"kty": "RSA", "use": "sig", "kid": kid,
			"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()), "endorsements": []string{"msteams"}})
	}
	writeJSON(w, map[string]any{"keys": ks})
}

// authorized checks the bot's bearer token like the real connector.
func (f *fakeConnector) authorized(w http.ResponseWriter, r *http.Request) bool {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !f.tokens[tok] {
		w.WriteHeader(http.StatusUnauthorized)
		writeJSON(w, map[string]any{"error": map[string]string{"code": "Unauthorized", "message": "bad token"}})
		return false
	}
	return true
}

// failed serves a queued failure, if any.
func (f *fakeConnector) failed(w http.ResponseWriter) bool {
	if len(f.failures) == 0 {
		return false
	}
	if f.failSkip > 0 {
		f.failSkip--
		return false
	}
	fl := f.failures[0]
	f.failures = f.failures[1:]
	for k, v := range fl.header {
		w.Header()[k] = v
	}
	w.WriteHeader(fl.status)
	io.WriteString(w, fl.body)
	return true
}

func (f *fakeConnector) createConversation(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.authorized(w, r) || f.failed(w) {
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var p struct {
		Bot      teams.ChannelAccount   `json:"bot"`
		Members  []teams.ChannelAccount `json:"members"`
		TenantID string                 `json:"tenantId"`
	}
	require.NoError(f.t, json.Unmarshal(raw, &p))
	f.sent = append(f.sent, sent{Method: r.Method, Path: r.URL.Path, Raw: raw})
	if len(p.Members) != 1 || p.TenantID != testTenant || p.Bot.ID != botID {
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, map[string]any{"error": map[string]string{"code": "BadArgument", "message": "want one member, our tenant and our bot"}})
		return
	}
	user := p.Members[0].ID
	if f.forbidden[user] {
		w.WriteHeader(http.StatusForbidden)
		writeJSON(w, map[string]any{"error": map[string]string{"code": "Forbidden", "message": "The bot is not part of the conversation roster."}})
		return
	}
	if _, ok := f.chats[user]; !ok {
		f.chats[user] = "a:1on1-" + strings.TrimPrefix(user, "29:")
	}
	w.WriteHeader(http.StatusCreated)
	writeJSON(w, map[string]string{"id": f.chats[user]})
}

func (f *fakeConnector) activity(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.authorized(w, r) || f.failed(w) {
		return
	}
	raw, _ := io.ReadAll(r.Body)
	s := sent{Method: r.Method, Path: r.URL.Path, Conv: r.PathValue("conv"), ID: r.PathValue("id"), Raw: raw}
	if len(raw) > 0 {
		require.NoError(f.t, json.Unmarshal(raw, &s.Activity), "bot sent an activity that is not JSON")
		if msg := f.badEnvelope(r, s); msg != "" {
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]any{"error": map[string]string{"code": "BadArgument", "message": msg}})
			return
		}
		if n := teamsSize(raw); n > maxMessageUTF16 {
			f.tooBig++
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			writeJSON(w, map[string]any{"error": map[string]string{"code": "MessageSizeTooBig",
				"message": fmt.Sprintf("Message size %d exceeds the limit of %d", n, maxMessageUTF16)}})
			return
		}
	}
	id := s.ID
	if r.Method == http.MethodPost {
		f.seq++
		id = fmt.Sprintf("17000000000%02d", f.seq)
	}
	s.NewID = id
	if r.Method == http.MethodPost && f.accepted202 {
		s.NewID = ""
	}
	f.sent = append(f.sent, s)
	switch {
	case r.Method == http.MethodPost && f.accepted202:
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPost:
		w.WriteHeader(http.StatusCreated)
		writeJSON(w, map[string]string{"id": id})
	case r.Method == http.MethodPut:
		writeJSON(w, map[string]string{"id": s.ID})
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// badEnvelope checks what the Bot Connector REST docs list for a message
// the bot sends (replies: "Send and receive messages"; proactive messages:
// the conversation and the bot): type message, from the bot, the
// conversation of the path, replyToId = the activity replied to, the
// user as recipient in a 1:1 chat. It returns what is wrong, or "".
func (f *fakeConnector) badEnvelope(r *http.Request, s sent) string {
	a := s.Activity
	var bad []string
	if a.Type != "message" {
		bad = append(bad, fmt.Sprintf("type %q", a.Type))
	}
	if a.From == nil || a.From.ID != botID {
		bad = append(bad, "from is not the bot")
	}
	if a.Conversation == nil || a.Conversation.ID != s.Conv {
		bad = append(bad, "conversation is not the one of the path")
	}
	if r.Method == http.MethodPost && a.ReplyToID != s.ID {
		bad = append(bad, fmt.Sprintf("replyToId %q, the path replies to %q", a.ReplyToID, s.ID))
	}
	if strings.HasPrefix(s.Conv, "a:") && (a.Recipient == nil || a.Recipient.ID == "") {
		bad = append(bad, "no recipient in a 1:1 chat")
	}
	if r.Method == http.MethodPut && a.ID != s.ID {
		bad = append(bad, "id is not the activity updated")
	}
	return strings.Join(bad, "; ")
}

// channels serves GET /v3/teams/{teamId}/conversations: the team's
// channels, or 404 for a team the bot is not in.
func (f *fakeConnector) channels(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.authorized(w, r) || f.failed(w) {
		return
	}
	f.channelLists++
	chs, ok := f.teams[r.PathValue("team")]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		writeJSON(w, map[string]any{"error": map[string]string{"code": "NotFound", "message": "The bot is not part of the team."}})
		return
	}
	writeJSON(w, map[string]any{"conversations": chs})
}

// addTeam publishes a team's channels: the General channel (id = team id,
// null name) and the named ones, given as id, name, id, name...
func (f *fakeConnector) addTeam(teamID string, idNames ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	chs := []fakeChannel{{ID: teamID}}
	for i := 0; i+1 < len(idNames); i += 2 {
		chs = append(chs, fakeChannel{ID: idNames[i], Name: &idNames[i+1]})
	}
	f.teams[teamID] = chs
}

// fail queues failures for the next connector calls.
func (f *fakeConnector) fail(rs ...reply) {
	f.mu.Lock()
	f.failures = append(f.failures, rs...)
	f.mu.Unlock()
}

// failAfter lets n calls through, then serves the failures.
func (f *fakeConnector) failAfter(n int, rs ...reply) {
	f.mu.Lock()
	f.failSkip = n
	f.failures = append(f.failures, rs...)
	f.mu.Unlock()
}

// posts returns the activities the bot posted (new messages and replies).
func (f *fakeConnector) posts() []sent {
	var out []sent
	for _, s := range f.requests() {
		if s.Method == http.MethodPost && s.Conv != "" {
			out = append(out, s)
		}
	}
	return out
}

// requests returns what the bot sent to /v3 so far.
func (f *fakeConnector) requests() []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sent(nil), f.sent...)
}

func (f *fakeConnector) counts() (token, jwks int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenCalls, f.jwksCalls
}

// rotate publishes a new signing key under kid.
func (f *fakeConnector) rotate(kid string, k *rsa.PrivateKey) {
	f.mu.Lock()
	f.signing = map[string]*rsa.PrivateKey{kid: k}
	f.mu.Unlock()
}

// claims are the claims of a valid channel token issued at now.
func (f *fakeConnector) claims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{"iss": teams.DefaultIssuer, "aud": testAppID, "serviceurl": f.srv.URL,
		"nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(), "iat": now.Add(-time.Minute).Unix()}
}

func sign(t *testing.T, c jwt.MapClaims, kid string, k *rsa.PrivateKey) string {
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(k)
	require.NoError(t, err)
	return s
}

// post sends an activity to the bot's handler with the given token.
func post(t *testing.T, h http.Handler, token string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, teams.MessagesPath, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
