package local_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

func answers(occ string, kv ...string) url.Values {
	f := url.Values{"occurrence": {occ}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set("q."+kv[i], kv[i+1])
	}
	return f
}

func TestAnswerAPromptOverHTTP(t *testing.T) {
	h := newHarness(t, "")
	occ := h.eng.open("triage")

	status, home := h.get("/")
	require.Equal(t, http.StatusOK, status)
	for _, name := range []string{"Ana Popescu", "Lena Meier", "Max Novak", "#mlops"} {
		assert.Contains(t, home, name)
	}

	inbox := h.login("ana")
	assert.Contains(t, inbox, "You are <strong>Ana Popescu</strong>")
	assert.Contains(t, inbox, `<h3>Weekly triage</h3>`)
	assert.Contains(t, inbox, "closes Mon 30 Nov 14:30 EET (in 4h)", "times in Ana's zone")
	for _, q := range cadence.DefaultQuestions(cadence.KindTriage) {
		assert.Regexp(t, textarea("q."+q.ID, ""), inbox)
		assert.Contains(t, inbox, escape(q.Text))
	}
	assert.Contains(t, inbox, "Your turn: Weekly triage", "the prompt DM is listed")
	assert.Contains(t, inbox, `href="#occ-`+occ.ID+`">Answer</a>`, "the prompt links to its form")

	status, body := h.post("/answer", answers(occ.ID,
		"incidents", "Feature store lag on Friday,\r\nfixed by a backfill", "alerts", "", "blockers", "none"))
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Saved your answers to Weekly triage.")
	assert.Contains(t, body, "Answers received", "the receipt DM is shown")
	assert.Contains(t, body, "<strong>answered</strong>")
	assert.Regexp(t, textarea("q.incidents", "Feature store lag on Friday,\nfixed by a backfill"), body, "pre-filled for editing")
	assert.Contains(t, body, "Save changes")

	a := h.eng.answer(occ.ID, "ana")
	require.NotNil(t, a)
	assert.Equal(t, "local-form", a.Via)
	assert.Equal(t, "Feature store lag on Friday,\nfixed by a backfill", a.Text("incidents"), "CRLF from browsers is stored as LF")

	status, channel := h.get("/c/mlops")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, channel, "Weekly triage is open")
	assert.Contains(t, channel, "1 of 2 answered")
	assert.Contains(t, channel, `<span class="rev">updated</span>`)
	assert.NotContains(t, channel, "revision", "no internal revision counter on the page")
	assert.Contains(t, channel, "ana · incidents: Feature store lag on Friday,\nfixed by a backfill")
	assert.Less(t, strings.Index(channel, "Weekly triage is open"), strings.Index(channel, `class="thread"`), "the summary is in the agenda's thread")

	// Edit before close: the summary is updated in place.
	h.get("/me")
	status, body = h.post("/answer", answers(occ.ID, "incidents", "Feature store lag; backfill done", "blockers", "waiting for the data contract review"))
	require.Equal(t, http.StatusOK, status, body)
	_, channel = h.get("/c/mlops")
	assert.NotContains(t, channel, "revision 3")
	assert.Contains(t, channel, "ana · blockers: waiting for the data contract review")
	assert.NotContains(t, channel, "fixed by a backfill", "the summary shows only its latest revision")
	assert.Equal(t, 1, strings.Count(channel, "kind-summary"))
}

func TestAnswerRefusedKeepsTheText(t *testing.T) {
	long := strings.Repeat("ä", cadence.MaxAnswerLen+1)
	tests := []struct {
		name   string
		prep   func(h *harness, occ *cadence.Occurrence)
		form   func(occ string) url.Values
		status int
		want   []string
		kept   map[string]string // field → text that must be back in its textarea
	}{
		{
			name: "required answer empty",
			form: func(occ string) url.Values {
				return answers(occ, "incidents", "  ", "alerts", "drift alert on churn model")
			},
			status: http.StatusUnprocessableEntity,
			want:   []string{"Some answers need a change; nothing was saved yet.", `<span class="field-error" id="occ-triage@20261130T083000Z-incidents-err">this question needs an answer</span>`},
			kept:   map[string]string{"q.alerts": "drift alert on churn model"},
		},
		{
			name:   "answer of 4001 characters",
			form:   func(occ string) url.Values { return answers(occ, "incidents", long, "blockers", "none") },
			status: http.StatusUnprocessableEntity,
			want:   []string{"answer is too long: 4001 characters, the limit is 4000"},
			kept:   map[string]string{"q.incidents": long, "q.blockers": "none"},
		},
		{
			name:   "answer that is not UTF-8 (Latin-1 é)",
			form:   func(occ string) url.Values { return answers(occ, "incidents", "caf\xe9 down", "blockers", "none") },
			status: http.StatusUnprocessableEntity,
			want:   []string{"answer is not valid UTF-8 text (at byte 3)", ">caf\xe9 down</textarea>"},
			kept:   map[string]string{"q.blockers": "none"},
		},
		{
			name:   "unknown occurrence of a known ritual",
			form:   func(string) url.Values { return answers("triage@20200106T083000Z", "incidents", "old news") },
			status: http.StatusNotFound,
			want:   []string{"There is no Weekly triage occurrence “triage@20200106T083000Z”, so your answers were not saved."},
			kept:   map[string]string{"q.incidents": "old news"},
		},
		{
			name:   "occurrence id that names no ritual",
			form:   func(string) url.Values { return answers("retro-42", "incidents", "typed anyway") },
			status: http.StatusNotFound,
			want:   []string{"There is no ritual occurrence “retro-42”"},
			kept:   map[string]string{"q.incidents": "typed anyway"},
		},
		{
			name: "CSRF token missing",
			form: func(occ string) url.Values {
				f := answers(occ, "incidents", "an incident")
				f["csrf"] = nil
				return f
			},
			status: http.StatusForbidden,
			want:   []string{"This form is older than your session", "Your answers were not saved"},
			kept:   map[string]string{"q.incidents": "an incident"},
		},
		{
			name: "CSRF token wrong",
			form: func(occ string) url.Values {
				f := answers(occ, "incidents", "an incident")
				f.Set("csrf", "forged")
				return f
			},
			status: http.StatusForbidden,
			want:   []string{"This form is older than your session"},
			kept:   map[string]string{"q.incidents": "an incident"},
		},
		{
			name:   "window closed",
			prep:   func(h *harness, _ *cadence.Occurrence) { h.eng.clock.Advance(5 * time.Hour) },
			form:   func(occ string) url.Values { return answers(occ, "incidents", "too late") },
			status: http.StatusConflict,
			want:   []string{"Weekly triage is closed, so your answers were not saved."},
			kept:   map[string]string{"q.incidents": "too late"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, "")
			occ := h.eng.open("triage")
			h.login("ana")
			if tt.prep != nil {
				tt.prep(h, occ)
			}
			status, body := h.post("/answer", tt.form(occ.ID))
			assert.Equal(t, tt.status, status)
			for _, w := range tt.want {
				assert.Contains(t, body, w)
			}
			for field, text := range tt.kept {
				assert.Regexp(t, textarea(field, text), body, "the typed text is back in %s", field)
			}
			assert.Nil(t, h.eng.answer(occ.ID, "ana"), "nothing stored")
			assert.NotContains(t, body, "live.js", "a refused post does not reload itself")
		})
	}
}

func TestAnswerOf4000CharactersIsAccepted(t *testing.T) {
	h := newHarness(t, "")
	occ := h.eng.open("triage")
	h.login("ana")
	text := strings.Repeat("ä", cadence.MaxAnswerLen)
	status, body := h.post("/answer", answers(occ.ID, "incidents", text))
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, text, h.eng.answer(occ.ID, "ana").Text("incidents"))
}

func TestAnswerByPersonNotExpected(t *testing.T) {
	h := newHarness(t, "")
	occ := h.eng.open("triage")
	inbox := h.login("max")
	assert.Contains(t, inbox, "Nothing is waiting for you.")
	status, body := h.post("/answer", answers(occ.ID, "incidents", "not mine to answer"))
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, "You are not expected to answer this Weekly triage")
	assert.Regexp(t, textarea("q.incidents", "not mine to answer"), body)
	assert.Nil(t, h.eng.answer(occ.ID, "max"))
}

func TestAnswerWithoutSessionKeepsTheText(t *testing.T) {
	h := newHarness(t, "")
	occ := h.eng.open("triage")
	f := answers(occ.ID, "incidents", "typed before the bot restarted")
	f.Set("csrf", "token-of-a-session-the-bot-forgot")
	status, body := h.post("/answer", f)
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, "What you typed")
	assert.Regexp(t, textarea("q.incidents", "typed before the bot restarted"), body)
	assert.Nil(t, h.eng.answer(occ.ID, "ana"))
}

func TestDeclineAndOutOfOffice(t *testing.T) {
	for _, tt := range []struct{ action, reason, flash string }{
		{"decline", "declined", "You skipped Weekly triage of Mon 30 Nov 10:30 EET; you will not be reminded."},
		{"ooo", "declined: out of office", "You are out of office today (2026-11-30): no prompts or reminders today. /cadence ooo cancel 2026-11-30 takes it back."},
	} {
		t.Run(tt.action, func(t *testing.T) {
			h := newHarness(t, "")
			occ := h.eng.open("triage")
			h.login("ana")
			status, body := h.post("/decline", url.Values{"occurrence": {occ.ID}, "action": {tt.action}})
			require.Equal(t, http.StatusOK, status, body)
			assert.Contains(t, body, tt.flash)
			assert.Contains(t, body, "Nothing is waiting for you.")
			o, _, err := h.eng.Occurrence(context.Background(), occ.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.reason, o.Excused["ana"])
		})
	}
}

func TestDeclineRefused(t *testing.T) {
	h := newHarness(t, "")
	occ := h.eng.open("triage")
	h.login("max")
	status, body := h.post("/decline", url.Values{"occurrence": {occ.ID}, "action": {"decline"}})
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, "Could not record that: not allowed")
	h.get("/me")
	status, _ = h.post("/decline", url.Values{"occurrence": {occ.ID}, "csrf": {""}})
	assert.Equal(t, http.StatusForbidden, status)
	h.get("/me")
	status, body = h.post("/decline", url.Values{"occurrence": {"nope"}})
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, body, "There is no ritual occurrence “nope”.")
}

func TestCommandBox(t *testing.T) {
	h := newHarness(t, "")
	h.eng.open("triage")
	h.login("ana")

	status, body := h.post("/command", url.Values{"text": {"status"}})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `<p class="typed">/cadence status</p>`)
	assert.Contains(t, body, "Waiting for your answer")
	assert.Contains(t, body, "Weekly triage — closes Mon 30 Nov 14:30 EET (in 4h)")

	status, body = h.post("/command", url.Values{"text": {"pause triage"}})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `class="reply flash error"`)
	assert.Contains(t, body, "Pause: only leads and admins can pause a ritual; you are a specialist")

	status, body = h.post("/command", url.Values{"text": {"dance"}})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, escape(`I don't know the command "dance"`))
	assert.Contains(t, body, "Example: /cadence ooo 2026-12-21 2027-01-02 holidays")

	// The reply is shown once (POST-redirect-GET with a one-shot flash).
	_, body = h.get("/me")
	assert.NotContains(t, body, "dance")

	status, body = h.post("/command", url.Values{"text": {"pause triage"}, "csrf": {""}})
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, `value="pause triage"`, "the command is kept in the box")
	assert.Empty(t, h.eng.commands, "nothing ran")

	h.login("lena")
	status, body = h.post("/command", url.Values{"text": {"/cadence pause triage"}})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `<p class="typed">/cadence pause triage</p>`)
	assert.Contains(t, body, "Paused Weekly triage")
	assert.Equal(t, []string{"pause triage by lena"}, h.eng.commands)
}

func TestCommandNeedsAPerson(t *testing.T) {
	h := newHarness(t, "")
	h.get("/")
	status, body := h.post("/command", url.Values{"text": {"status"}})
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, "Pick who you are")
}

func TestWhoAmI(t *testing.T) {
	h := newHarness(t, "")
	h.get("/")
	status, body := h.post("/whoami", url.Values{"person": {"mallory"}})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "There is nobody with id “mallory” on the roster.")

	h.get("/")
	status, _ = h.post("/whoami", url.Values{"person": {"ana"}, "csrf": {""}})
	assert.Equal(t, http.StatusForbidden, status)
	_, body = h.get("/")
	assert.NotContains(t, body, "You are <strong>", "a refused choice is not recorded")

	h.login("ana")
	_, body = h.get("/")
	assert.Contains(t, body, "<em>(you)</em>")
	status, body = h.post("/whoami", url.Values{"person": {""}})
	require.Equal(t, http.StatusOK, status)
	assert.NotContains(t, body, "You are <strong>")

	// The inbox without a person sends the visitor to the roster.
	_, body = h.get("/me")
	assert.Contains(t, body, "<h1>Who are you?</h1>")
}

func TestMountedUnderAPrefix(t *testing.T) {
	h := newHarness(t, "/chat")
	occ := h.eng.open("triage")
	inbox := h.login("ana")
	assert.Contains(t, inbox, `action="/chat/answer"`)
	assert.Contains(t, inbox, `href="/chat/c/mlops"`)
	assert.Contains(t, inbox, `href="/chat/static/style.css"`)
	status, body := h.post("/answer", answers(occ.ID, "incidents", "all quiet"))
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Saved your answers to Weekly triage.")
	status, _ = h.get("/static/style.css")
	assert.Equal(t, http.StatusOK, status)
}

func TestPagesAndAssets(t *testing.T) {
	h := newHarness(t, "")
	resp, err := h.client.Get(h.url("/static/style.css"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/css; charset=utf-8", resp.Header.Get("Content-Type"))

	resp, err = h.client.Get(h.url("/"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"))
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'self'")

	status, body := h.get("/c/nowhere")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, body, "No ritual posts to #nowhere.")
	status, body = h.get("/c/mlops")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Nothing posted here yet.")
	status, _ = h.get("/no/such/page")
	assert.Equal(t, http.StatusNotFound, status)

	h.get("/")
	big := url.Values{"occurrence": {"x"}, "q.incidents": {strings.Repeat("x", 2<<20)}}
	status, body = h.post("/answer", big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Contains(t, body, "larger than 1 MB")
}

func TestWaitWakesWhenAMessageIsDelivered(t *testing.T) {
	h := newHarness(t, "")
	v := h.chat.Version()
	done := make(chan string, 1)
	go func() {
		resp, err := http.Get(h.url("/wait?v=" + strconvU(v)))
		if err != nil {
			done <- err.Error()
			return
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = ioCopy(&b, resp)
		done <- b.String()
	}()
	// Deliver once the poll waits; the poll returns the new version either way.
	h.eng.open("triage")
	select {
	case got := <-done:
		// The poll wakes on the first delivery; open() may deliver more
		// after it, so the version it reports lies in (v, current].
		var res struct{ V uint64 }
		require.NoError(t, json.Unmarshal([]byte(got), &res), got)
		assert.Greater(t, res.V, v)
		assert.LessOrEqual(t, res.V, h.chat.Version())
	case <-time.After(5 * time.Second):
		t.Fatal("the long poll did not wake up")
	}
	status, _ := h.get("/wait?v=x")
	assert.Equal(t, http.StatusBadRequest, status)
}

// The roster page tells a first visitor when the next rituals fire.
func TestHomeShowsWhatComesNextAndLinks(t *testing.T) {
	h := newHarness(t, "")
	_, body := h.get("/")
	assert.NotContains(t, body, "Coming up", "rituals without a schedule have nothing to show")

	sched, err := cadence.ParseSchedule("30 9 * * 1", mustLoad(t, "Europe/Zurich"))
	require.NoError(t, err)
	h.eng.rituals[0].Schedule = sched
	status, body := h.get("/")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Coming up")
	// The clock stands at Monday 09:30 Zurich: the next triage is a week on.
	assert.Regexp(t, `<strong>Weekly triage</strong> in <a href="/c/mlops">#mlops</a>: [^<]*7 Dec[^<]*09:30[^<]*Europe/Zurich`, body)
}
