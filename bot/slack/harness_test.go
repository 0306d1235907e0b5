package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack"
	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

const (
	botToken = "xoxb-1111-2222-fakebottoken"
	appToken = "xapp-1-A0CADENCE-3333-fakeapptoken"
	secret   = "8f742231b10e8888abcd99yyyzzz85a5"
)

// Workspace fixtures: Slack IDs of the roster and channels.
const (
	uAna    = "U0ANA0001"
	uBo     = "U0BO00002"
	uLea    = "U0LEA0003"
	cMLOps  = "C0MLOPS01"
	cPriv   = "G0PRIV001"
	cOther  = "C0OTHER01"
	occOpen = "standup@20261130T083000Z"
	occOne  = "oneq@20261130T083000Z"
)

var t0 = time.Date(2026, 11, 30, 8, 30, 0, 0, time.UTC)

// env is one test's world: a fake Slack workspace, a fake engine, an
// in-memory store and the adapter under test, on a manual clock.
type env struct {
	t     *testing.T
	fake  *slacktest.Server
	clock *cadence.ManualClock
	svc   *fakeService
	store *cadencetest.Store
	a     *slack.Adapter
	logs  *syncBuffer
	cfg   slack.Config
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func mustZone(t testing.TB, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func newService(t testing.TB, clock cadence.Clock) *fakeService {
	zurich := mustZone(t, "Europe/Zurich")
	people := []*cadence.Person{
		{ID: "ana", Name: "Ana Pop", Role: cadence.RoleSpecialist, Location: mustZone(t, "Europe/Bucharest"), Handles: cadence.Handles{SlackID: uAna}},
		// bo has no zone in the roster: it comes from Slack.
		{ID: "bo", Name: "Bo Nowak", Role: cadence.RoleSpecialist, Handles: cadence.Handles{Email: "Bo@Example.com"}},
		{ID: "cy", Name: "Cy Unknown", Role: cadence.RoleSpecialist, Location: zurich, Handles: cadence.Handles{Email: "cy@elsewhere.example"}},
		{ID: "lea", Name: "Lea Meier", Role: cadence.RoleLead, Location: zurich, Handles: cadence.Handles{SlackID: uLea}},
	}
	sched, err := cadence.ParseSchedule("15 9 * * MON-FRI", zurich)
	require.NoError(t, err)
	standup := &cadence.Ritual{ID: "standup", Title: "Daily standup", Kind: cadence.KindStandup, Channel: "#mlops",
		Spec: "15 9 * * MON-FRI", Schedule: sched, Location: zurich, Participants: []string{"ana", "bo", "cy"},
		Lead: "lea", Questions: cadence.DefaultQuestions(cadence.KindStandup), Window: 4 * time.Hour}
	oneq := &cadence.Ritual{ID: "oneq", Title: "Release check", Kind: cadence.KindDeploymentPlanning, Channel: cPriv,
		Spec: "15 9 * * MON-FRI", Schedule: sched, Location: zurich, Participants: []string{"ana", "bo"}, Lead: "lea",
		Questions: []cadence.Question{{ID: "releases", Text: "What do you release this week?", Required: true}}, Window: 4 * time.Hour}
	occ := func(id, ritual string) *cadence.Occurrence {
		return &cadence.Occurrence{ID: id, RitualID: ritual, Scheduled: t0, Status: cadence.StatusOpen, OpenedAt: t0,
			ClosesAt: t0.Add(4 * time.Hour), Expected: []string{"ana", "bo"}}
	}
	return &fakeService{
		roster:  cadence.NewRoster(people),
		rituals: []*cadence.Ritual{standup, oneq},
		occs:    map[string]*cadence.Occurrence{occOpen: occ(occOpen, "standup"), occOne: occ(occOne, "oneq")},
		answers: map[string]map[string]*cadence.Answer{},
		now:     clock.Now,
	}
}

func newFake(t testing.TB, clock cadence.Clock) *slacktest.Server {
	f := slacktest.New(botToken, appToken)
	t.Cleanup(f.Close)
	f.Now = clock.Now
	f.PingEvery = 50 * time.Millisecond
	f.AddUser(slacktest.User{ID: uAna, Name: "ana", Email: "ana@example.com", TZ: "Europe/Bucharest"})
	f.AddUser(slacktest.User{ID: uBo, Name: "bo", Email: "bo@example.com", TZ: "Europe/Warsaw"})
	f.AddUser(slacktest.User{ID: uLea, Name: "lea", Email: "lea@example.com", TZ: "Europe/Zurich"})
	f.AddChannel(slacktest.Channel{ID: cMLOps, Name: "mlops"})
	f.AddChannel(slacktest.Channel{ID: cPriv, Name: "releases", Private: true})
	f.AddChannel(slacktest.Channel{ID: cOther, Name: "other", BotMember: true})
	return f
}

type envOption func(*env, *[]slack.Option)

func httpMode(e *env, _ *[]slack.Option) {
	e.cfg.AppToken, e.cfg.Mode, e.cfg.SigningSecret = "", slack.ModeHTTP, secret
}

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	clock := cadence.NewManualClock(t0)
	e := &env{t: t, clock: clock, logs: &syncBuffer{}, store: cadencetest.NewStore()}
	e.fake = newFake(t, clock)
	e.svc = newService(t, clock)
	e.cfg = slack.Config{BotToken: botToken, AppToken: appToken, APIURL: e.fake.URL, Mode: slack.ModeSocket}
	aopts := []slack.Option{
		// The rate limiter waits by moving the manual clock: no real sleep.
		slack.WithSleeper(func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() }),
		slack.WithPingInterval(2 * time.Second),
		slack.WithStartTimeout(5 * time.Second),
	}
	for _, o := range opts {
		o(e, &aopts)
	}
	e.a = e.newAdapter(aopts...)
	return e
}

func (e *env) newAdapter(opts ...slack.Option) *slack.Adapter {
	log := zerolog.New(e.logs).Level(zerolog.DebugLevel)
	a, err := slack.New(e.cfg, e.svc, e.store, e.clock, log, opts...)
	require.NoError(e.t, err)
	return a
}

// start runs Start with a context cancelled at the end of the test.
func (e *env) start() {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e.t.Cleanup(func() { cancel(); e.a.Wait() })
	require.NoError(e.t, e.a.Start(ctx))
	if e.cfg.Mode == slack.ModeSocket {
		// Start returns when slack-go's dial does, which can be a moment
		// before the fake's handler has registered the connection that
		// its Send writes to.
		require.True(e.t, e.fake.WaitConnections(1, 5*time.Second))
	}
}

func (e *env) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	e.t.Cleanup(cancel)
	return ctx
}

// eventually polls cond (real time: the adapter handles events on
// goroutines).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sample loads a recorded Slack payload and sets fields by dotted path
// ("user.id", "actions": [...]).
func sample(t testing.TB, name string, set map[string]any) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "samples", name))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	for path, v := range set {
		setPath(t, m, strings.Split(path, "."), v)
	}
	return m
}

func setPath(t testing.TB, m map[string]any, path []string, v any) {
	if len(path) == 1 {
		m[path[0]] = v
		return
	}
	next, ok := m[path[0]].(map[string]any)
	if !ok {
		next = map[string]any{}
		m[path[0]] = next
	}
	setPath(t, next, path[1:], v)
}

func prompt(key, person, occ string) *cadence.Message {
	return &cadence.Message{Key: key, Kind: cadence.KindPrompt, Platform: "slack", To: cadence.Recipient{Person: person},
		RitualID: "standup", OccurrenceID: occ, CreatedAt: t0, Body: cadence.Body{
			Title: "Daily standup", Text: "Time for the standup: three questions, closes at 13:30.",
			Questions: cadence.DefaultQuestions(cadence.KindStandup),
			Actions: []cadence.Action{
				{ID: cadence.ActionAnswer, Label: "Answer", Value: occ, Style: "primary"},
				{ID: cadence.ActionDecline, Label: "Skip", Value: occ},
				{ID: cadence.ActionOOO, Label: "I'm out of office", Value: occ},
			}}}
}

func agenda(key, channel string) *cadence.Message {
	return &cadence.Message{Key: key, Kind: cadence.KindAgenda, Platform: "slack", To: cadence.Recipient{Channel: channel},
		RitualID: "standup", OccurrenceID: occOpen, CreatedAt: t0, Body: cadence.Body{
			Title: "Daily standup — Mon 30 Nov", Text: "The standup is open until 13:30 (Zurich).",
			Sections: []cadence.Section{{Heading: "Facilitator", Lines: []string{"Ana Pop"}}}}}
}

// metadataKey returns the cadencebot key a fake message was tagged with.
func metadataKey(t testing.TB, m slacktest.Message) (string, int) {
	t.Helper()
	var md struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	require.NoError(t, json.Unmarshal(m.Metadata, &md))
	require.Equal(t, "cadencebot_message", md.EventType)
	part, _ := md.EventPayload["part"].(float64)
	return md.EventPayload["key"].(string), int(part)
}

func itoa(i int) string { return strconv.Itoa(i) }

func cadenceRef() cadence.Ref { return cadence.Ref{} }
