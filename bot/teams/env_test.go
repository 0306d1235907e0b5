package teams_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/teams"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

var t0 = time.Date(2026, 11, 30, 8, 30, 0, 0, time.UTC)

const (
	occID     = "standup@20261130T083000Z"
	channelID = "19:standup@thread.tacv2"
)

// fakeService is the engine as the adapter sees it: it validates answers
// with the domain's own rules and records every call.
type fakeService struct {
	mu       sync.Mutex
	roster   *cadence.Roster
	ritual   *cadence.Ritual
	occ      *cadence.Occurrence
	answers  map[string]*cadence.Answer
	submits  []cadence.AnswerInput
	declines []string
	calls    int
	// failSubmit fails the next SubmitAnswer, as a store error would.
	failSubmit error
}

var _ cadence.Service = (*fakeService)(nil)

func newFakeService() *fakeService {
	zurich, _ := time.LoadLocation("Europe/Zurich")
	people := []*cadence.Person{
		{ID: "ana", Name: "Ana", Role: cadence.RoleSpecialist, Location: zurich, Handles: cadence.Handles{TeamsID: "aad-ana"}},
		{ID: "ben", Name: "Ben", Role: cadence.RoleSpecialist, Location: time.UTC, Handles: cadence.Handles{TeamsID: "29:ben"}},
		{ID: "lea", Name: "Lea", Role: cadence.RoleLead, Location: zurich, Handles: cadence.Handles{TeamsID: "29:lea"}},
		{ID: "noteams", Name: "Nils", Role: cadence.RoleSpecialist},
	}
	r := &cadence.Ritual{ID: "standup", Title: "Daily standup", Kind: cadence.KindStandup, Platform: teams.Platform,
		Channel: channelID, Participants: []string{"ana", "ben"}, Lead: "lea",
		Questions: cadence.DefaultQuestions(cadence.KindStandup), Window: 4 * time.Hour}
	occ := &cadence.Occurrence{ID: occID, RitualID: "standup", Scheduled: t0, Status: cadence.StatusOpen, OpenedAt: t0,
		ClosesAt: t0.Add(4 * time.Hour), Expected: []string{"ana", "ben"}}
	return &fakeService{roster: cadence.NewRoster(people), ritual: r, occ: occ, answers: map[string]*cadence.Answer{}}
}

func (s *fakeService) Roster() *cadence.Roster    { return s.roster }
func (s *fakeService) Rituals() []*cadence.Ritual { return []*cadence.Ritual{s.ritual} }
func (s *fakeService) Ritual(id string) *cadence.Ritual {
	if id == s.ritual.ID {
		return s.ritual
	}
	return nil
}

func (s *fakeService) SubmitAnswer(_ context.Context, in cadence.AnswerInput) (*cadence.Answer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.submits = append(s.submits, in)
	if err := s.failSubmit; err != nil {
		s.failSubmit = nil
		return nil, err
	}
	if in.OccurrenceID != s.occ.ID {
		return nil, cadence.ErrNotFound
	}
	if !s.occ.IsExpected(in.PersonID) {
		return nil, cadence.ErrForbidden
	}
	if err := cadence.ValidateResponses(s.ritual, in.Responses); err != nil {
		return nil, err
	}
	a := &cadence.Answer{OccurrenceID: in.OccurrenceID, RitualID: s.ritual.ID, PersonID: in.PersonID, Responses: in.Responses, Via: in.Via}
	s.answers[in.PersonID] = a
	return a, nil
}

func (s *fakeService) Decline(_ context.Context, occ, person, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if occ != s.occ.ID {
		return cadence.ErrNotFound
	}
	s.declines = append(s.declines, person+":"+reason)
	return nil
}

func (s *fakeService) Skip(context.Context, string, string, string) (*cadence.SkipResult, error) {
	s.count()
	return nil, cadence.ErrForbidden
}
func (s *fakeService) Pause(context.Context, string, string) error {
	s.count()
	return cadence.ErrForbidden
}
func (s *fakeService) Resume(context.Context, string, string) error {
	s.count()
	return cadence.ErrForbidden
}
func (s *fakeService) SetOutOfOffice(context.Context, string, cadence.DateRange) error {
	s.count()
	return nil
}
func (s *fakeService) CancelOutOfOffice(context.Context, string, cadence.Date) (cadence.DateRange, error) {
	s.count()
	return cadence.DateRange{}, cadence.ErrNotFound
}
func (s *fakeService) Status(_ context.Context, person string) (*cadence.PersonStatus, error) {
	s.count()
	return &cadence.PersonStatus{Person: s.roster.Person(person)}, nil
}
func (s *fakeService) Occurrence(_ context.Context, id string) (*cadence.Occurrence, []*cadence.Answer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id != s.occ.ID {
		return nil, nil, cadence.ErrNotFound
	}
	var as []*cadence.Answer
	for _, a := range s.answers {
		as = append(as, a)
	}
	return s.occ, as, nil
}
func (s *fakeService) Report(context.Context, cadence.ReportQuery) (*cadence.Report, error) {
	s.count()
	return &cadence.Report{}, nil
}

func (s *fakeService) count() { s.mu.Lock(); s.calls++; s.mu.Unlock() }

func (s *fakeService) callCount() int { s.mu.Lock(); defer s.mu.Unlock(); return s.calls }

// env is one adapter wired to a fake connector, a fake service and an
// in-memory store, on a manual clock.
type env struct {
	t     *testing.T
	fc    *fakeConnector
	svc   *fakeService
	st    *cadencetest.Store
	clock *cadence.ManualClock
	a     *teams.Adapter
	h     http.Handler
	slept []time.Duration
	opts  []teams.Option
	seq   int // activities built, so each has its own id
}

func newEnv(t *testing.T, opts ...teams.Option) *env {
	t.Helper()
	e := &env{t: t, fc: newFakeConnector(t), svc: newFakeService(), st: cadencetest.NewStore(), clock: cadence.NewManualClock(t0), opts: opts}
	e.a = e.adapter()
	e.h = e.a.Handler()
	return e
}

// adapter builds a new adapter with the env's options on the same store
// and connector: a restart.
func (e *env) adapter() *teams.Adapter {
	opts := append([]teams.Option{teams.WithSleep(func(_ context.Context, d time.Duration) error {
		e.slept = append(e.slept, d)
		e.clock.Advance(d)
		return nil
	})}, e.opts...)
	a, err := teams.New(e.fc.config(), e.svc, e.st, e.clock, zerolog.New(zerolog.NewTestWriter(e.t)), opts...)
	require.NoError(e.t, err)
	return a
}

// deliver posts a validly signed activity to the handler.
func (e *env) deliver(act map[string]any) *httptest.ResponseRecorder {
	e.t.Helper()
	body, err := json.Marshal(act)
	require.NoError(e.t, err)
	return post(e.t, e.h, sign(e.t, e.fc.claims(e.clock.Now()), "key-1", testKeys(e.t)[0]), body)
}

// refKeys lists the stored conversation reference keys.
func (e *env) refKeys() []string {
	var keys []string
	require.NoError(e.t, e.st.View(context.Background(), func(tx cadence.Tx) error {
		var err error
		keys, err = tx.Keys("teams.refs", "")
		return err
	}))
	sort.Strings(keys)
	return keys
}

// Activity builders, shaped like what Teams sends. Each built activity
// has a new id; delivering the same map again is a connector retry.

func (e *env) base(typ, conv, convType string, from map[string]any) map[string]any {
	e.seq++
	return map[string]any{
		"type": typ, "id": fmt.Sprintf("f:%s-%s-%d", conv, typ, e.seq), "timestamp": e.clock.Now().Format(time.RFC3339),
		"serviceUrl": e.fc.srv.URL, "channelId": "msteams", "from": from,
		"conversation": map[string]any{"id": conv, "conversationType": convType, "tenantId": testTenant},
		"recipient":    map[string]any{"id": botID, "name": "cadencebot"},
		"channelData":  map[string]any{"tenant": map[string]any{"id": testTenant}},
	}
}

func user(id, aad, name string) map[string]any {
	return map[string]any{"id": id, "aadObjectId": aad, "name": name}
}

var (
	ana = user("29:ana", "aad-ana", "Ana")
	ben = user("29:ben", "aad-ben", "Ben")
)

// personalInstall is the conversationUpdate Teams sends when someone adds
// the app for themselves.
func (e *env) personalInstall(from map[string]any) map[string]any {
	a := e.base("conversationUpdate", "a:1on1-"+from["id"].(string), "personal", from)
	a["membersAdded"] = []any{map[string]any{"id": botID}}
	return a
}

func (e *env) personalMessage(from map[string]any, text string) map[string]any {
	a := e.base("message", "a:1on1-"+from["id"].(string), "personal", from)
	a["text"] = text
	return a
}

// teamInstall is the conversationUpdate of the app added to a team whose
// general channel is channelID; members lists people added with it.
func (e *env) teamInstall(members ...map[string]any) map[string]any {
	a := e.base("conversationUpdate", channelID, "channel", ana)
	added := []any{map[string]any{"id": botID}}
	for _, m := range members {
		added = append(added, m)
	}
	a["membersAdded"] = added
	a["channelData"] = map[string]any{"tenant": map[string]any{"id": testTenant}, "eventType": "teamMemberAdded",
		"team": map[string]any{"id": channelID, "name": "MLOps"}, "channel": map[string]any{"id": channelID, "name": "standup"}}
	return a
}

func (e *env) channelMention(from map[string]any, text string) map[string]any {
	a := e.base("message", channelID+";messageid=1700000000099", "channel", from)
	a["text"] = "<at>cadencebot</at> " + text
	a["entities"] = []any{map[string]any{"type": "mention", "text": "<at>cadencebot</at>", "mentioned": map[string]any{"id": botID, "name": "cadencebot"}}}
	a["channelData"] = map[string]any{"tenant": map[string]any{"id": testTenant},
		"team": map[string]any{"id": channelID}, "channel": map[string]any{"id": channelID}}
	return a
}

// submit is the message activity of an Action.Submit on a card.
func (e *env) submit(from map[string]any, replyTo string, value map[string]any) map[string]any {
	a := e.base("message", "a:1on1-"+from["id"].(string), "personal", from)
	a["replyToId"] = replyTo
	a["value"] = value
	return a
}

// channelIn is a message in the general channel of another team, which
// makes that team known to the bot.
func (e *env) channelIn(teamID, teamName string) map[string]any {
	a := e.base("message", teamID+";messageid=1700000000777", "channel", ben)
	a["text"] = "hello"
	a["channelData"] = map[string]any{"tenant": map[string]any{"id": testTenant},
		"team": map[string]any{"id": teamID, "name": teamName}, "channel": map[string]any{"id": teamID}}
	return a
}
