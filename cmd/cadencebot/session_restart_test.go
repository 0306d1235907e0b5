package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

// A person has the triage form open in the local chat when the bot
// restarts; the answer they then send is taken, not refused as an
// expired form.
func TestLocalChatFormSurvivesARestart(t *testing.T) {
	cfg, err := config.Parse("app.toml", []byte(appConfig))
	require.NoError(t, err)
	monday := time.Date(2026, 11, 30, 8, 30, 0, 0, time.UTC) // 09:30 Zurich: the triage opens
	clock := cadence.NewManualClock(monday.Add(-30 * time.Minute))
	path := filepath.Join(t.TempDir(), "app.db")
	start := func() (*App, string, func()) {
		a, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: path, Getenv: func(string) string { return "" },
			Clock: clock, Log: zerolog.Nop(), TickEvery: 5 * time.Millisecond})
		require.NoError(t, err)
		url, err := a.Listen()
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.Run(ctx) }()
		return a, url, func() {
			cancel()
			require.NoError(t, <-done)
			require.NoError(t, a.Close())
		}
	}
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	fetch := func(req *http.Request) (int, string) {
		resp, err := browser.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	post := func(u string, f url.Values) (int, string) {
		req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(f.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return fetch(req)
	}
	csrfRe := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	occ := cadence.OccurrenceID("triage", monday)

	a, base, stop := start()
	require.Eventually(t, func() bool { c, _ := get(t, base+"readyz"); return c == http.StatusOK }, 5*time.Second, 10*time.Millisecond)
	req, _ := http.NewRequest(http.MethodGet, base, nil)
	_, home := fetch(req)
	code, inbox := post(base+"whoami", url.Values{"person": {"ana"}, "csrf": {csrfRe.FindStringSubmatch(home)[1]}})
	require.Equal(t, http.StatusOK, code, inbox)
	clock.Set(monday)
	require.Eventually(t, func() bool {
		req, _ := http.NewRequest(http.MethodGet, base+"me", nil)
		_, inbox = fetch(req)
		return strings.Contains(inbox, occ)
	}, 5*time.Second, 10*time.Millisecond, "the triage form in Ana's inbox: %s", inbox)
	form := url.Values{"occurrence": {occ}, "csrf": {csrfRe.FindStringSubmatch(inbox)[1]}}
	for _, q := range a.cfg.Rituals[0].Questions {
		form.Set("q."+q.ID, "nothing new")
	}
	stop()

	a, base, stop = start() // same database, another port: the browser keeps its cookie
	defer stop()
	code, page := post(base+"answer", form)
	assert.Equal(t, http.StatusOK, code, page)
	assert.NotContains(t, page, "Form expired")
	require.NoError(t, a.db.View(context.Background(), func(tx cadence.Tx) error {
		got, err := tx.Answers(occ)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, "ana", got[0].PersonID)
		return nil
	}))
}
