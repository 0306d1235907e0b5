package local_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/local"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

// live is the real engine and dispatcher delivering to the local chat,
// on an in-memory store and a manual clock.
type live struct {
	*harness
	eng  *cadence.Engine
	disp *cadence.Dispatcher
}

func newLive(t *testing.T) *live {
	t.Helper()
	rit := triageRitual(t)
	sched, err := cadence.ParseSchedule("30 9 * * 1", rit.Location)
	require.NoError(t, err)
	rit.Spec, rit.Schedule, rit.Lead = "30 9 * * 1", sched, "lena"
	rit.Reminders = []time.Duration{time.Hour}

	st, clock, chat := cadencetest.NewStore(), cadence.NewManualClock(start.Add(-30*time.Minute)), local.NewChat()
	eng, err := cadence.New(cadence.EngineConfig{
		Rituals: []*cadence.Ritual{rit}, Roster: testRoster(t), Store: st, Clock: clock,
		Logger: zerolog.Nop(), DefaultPlatform: local.Platform,
	})
	require.NoError(t, err)
	disp := cadence.NewDispatcher(st, clock, map[string]cadence.Chat{local.Platform: chat}, zerolog.Nop(), nil, cadence.WithLeads(eng.LeadOf), cadence.WithRenderer(eng))
	l := &live{harness: serve(t, "", eng, st, clock, chat), eng: eng, disp: disp}
	l.at(clock.Now()) // a new ritual starts from now
	return l
}

// at moves the clock, ticks the engine and runs the dispatcher.
func (l *live) at(t time.Time) {
	l.t.Helper()
	l.clock.Set(t)
	require.NoError(l.t, l.eng.Tick(context.Background()))
	l.dispatch()
}

func (l *live) dispatch() {
	l.t.Helper()
	_, err := l.disp.RunOnce(context.Background())
	require.NoError(l.t, err)
}

func TestEndToEndWithTheRealEngine(t *testing.T) {
	l := newLive(t)
	id := cadence.OccurrenceID("triage", start)

	_, body := l.get("/c/mlops")
	assert.Contains(t, body, "Nothing posted here yet.")

	v := l.chat.Version()
	l.at(start)
	assert.Greater(t, l.chat.Version(), v, "deliveries wake waiting pages")

	_, body = l.get("/c/mlops")
	assert.Contains(t, body, "Weekly triage · Mon 30 Nov 2026", "the agenda")
	assert.Contains(t, body, "0 of 2 answered", "the summary in its thread")

	inbox := l.login("ana")
	assert.Contains(t, inbox, `id="occ-`+id+`"`, "a form for the pending prompt")
	for _, q := range cadence.DefaultQuestions(cadence.KindTriage) {
		assert.Regexp(t, textarea("q."+q.ID, ""), inbox)
	}
	assert.Contains(t, inbox, `href="#occ-`+id+`">Answer</a>`, "the delivered prompt links to the form")

	// Bad input through the real engine: refused, nothing stored, text kept.
	long := strings.Repeat("x", cadence.MaxAnswerLen+1)
	status, body := l.post("/answer", answers(id, "incidents", long, "blockers", "GPU quota"))
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, "answer is too long: 4001 characters, the limit is 4000")
	assert.Regexp(t, textarea("q.incidents", long), body)
	assert.Regexp(t, textarea("q.blockers", "GPU quota"), body)
	_, answers0, err := l.eng.Occurrence(context.Background(), id)
	require.NoError(t, err)
	assert.Empty(t, answers0)

	status, body = l.post("/answer", answers(id, "incidents", "Churn model drifted after the schema change", "blockers", "GPU quota for retraining"))
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Saved your answers to Weekly triage.")
	_, as, err := l.eng.Occurrence(context.Background(), id)
	require.NoError(t, err)
	require.Len(t, as, 1)
	assert.Equal(t, "local-form", as[0].Via)

	// The receipt and the new summary revision reach the pages once the
	// dispatcher has delivered them.
	l.dispatch()
	_, body = l.get("/me")
	assert.Contains(t, body, "kind-receipt")
	assert.Regexp(t, textarea("q.blockers", "GPU quota for retraining"), body, "pre-filled for editing before close")
	_, body = l.get("/c/mlops")
	assert.Contains(t, body, "1 of 2 answered, 1 blocker")
	assert.Contains(t, body, "GPU quota for retraining")
	assert.Contains(t, body, `<span class="rev">updated</span>`)
	assert.NotContains(t, body, "revision 2", "no internal revision counter")

	// Lena is reminded an hour before close; the reminder links to her form.
	l.at(start.Add(3 * time.Hour))
	l.login("lena")
	_, body = l.get("/me")
	assert.Contains(t, body, "kind-reminder")
	assert.Contains(t, body, `href="#occ-`+id+`">Answer</a>`)

	// The lead pauses the ritual from the command box.
	status, body = l.post("/command", url.Values{"text": {"pause triage"}})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Paused Weekly triage")
	status, body = l.post("/command", url.Values{"text": {"status"}})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "(paused)")

	// Close: the final summary replaces the running one in place.
	l.at(start.Add(4 * time.Hour))
	_, body = l.get("/c/mlops")
	assert.Contains(t, body, "Closed: 1 of 2 answered, 1 blocker")
	assert.Equal(t, 1, strings.Count(body, "kind-summary"))
	_, body = l.get("/me")
	assert.Contains(t, body, "Nothing is waiting for you.")

	require.NoError(t, l.st.View(context.Background(), func(tx cadence.Tx) error {
		ms, err := tx.Messages(cadence.MessageFilter{Platform: local.Platform})
		require.NoError(t, err)
		require.NotEmpty(t, ms)
		for _, m := range ms {
			assert.Equal(t, cadence.StateSent, m.State, m.Key)
			assert.Equal(t, cadence.Ref{Channel: m.To.String(), ID: m.Key}, m.Ref, m.Key)
		}
		return nil
	}))
}

// The channel page writes the people a summary names as names, its times
// in the reader's zone, and each answer under its question.
func TestChannelPageReadsForItsReader(t *testing.T) {
	l := newLive(t)
	id := cadence.OccurrenceID("triage", start)
	l.at(start)
	l.login("ana") // Europe/Bucharest, an hour ahead of the ritual's Zurich
	status, body := l.post("/answer", answers(id, "incidents", "Churn model drifted", "blockers", "GPU quota"))
	require.Equal(t, http.StatusOK, status, body)
	l.dispatch()

	_, body = l.get("/c/mlops")
	assert.NotContains(t, body, "\uE000", "no reference reaches the page undecoded")
	assert.Contains(t, body, "<h4>Ana Popescu</h4>")
	assert.Contains(t, body, "<dt>Which model or pipeline incidents did you see since the last triage?</dt><dd>Churn model drifted</dd>")
	closes := start.Add(4 * time.Hour).In(mustLoad(t, "Europe/Bucharest")).Format("Mon 2 Jan 15:04 MST")
	assert.Contains(t, body, "Answers close "+closes, "in the reader's zone")
	assert.Contains(t, body, "Not answered yet")
	assert.Contains(t, body, "Lena Meier")
}

// The out-of-office button, through the real engine: the day is recorded,
// the inbox says so, and `status` and `ooo list` in the command box show it;
// `ooo cancel` takes it back.
func TestOutOfOfficeButtonWithTheRealEngine(t *testing.T) {
	l := newLive(t)
	id := cadence.OccurrenceID("triage", start)
	l.at(start)
	l.login("ana")
	status, body := l.post("/decline", url.Values{"occurrence": {id}, "action": {"ooo"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "You are out of office today (2026-11-30)")
	assert.Contains(t, body, `<p class="ooo">Out of office: 2026-11-30 (from the prompt&#39;s button).`)

	_, body = l.post("/command", url.Values{"text": {"ooo list"}})
	assert.Contains(t, body, "2026-11-30 (from the prompt&#39;s button)")
	_, body = l.post("/command", url.Values{"text": {"ooo cancel"}})
	assert.Contains(t, body, "Cancelled: out of office Mon 30 Nov 2026")
	_, body = l.get("/me")
	assert.NotContains(t, body, `<p class="ooo">`)
}
