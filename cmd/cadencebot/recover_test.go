package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

func TestPanickingHandlerAnswers500AndLogs(t *testing.T) {
	var nilMap map[string]*cadence.Ritual
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"panic with a value", func(http.ResponseWriter, *http.Request) { panic("invalid page type: 0: 4") }},
		{"nil dereference", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(nilMap["x"].ID)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			srv := httptest.NewServer(recoverPanics(tc.handler, zerolog.New(&logs)))
			defer srv.Close()
			code, body := get(t, srv.URL+"/c/mlops")
			assert.Equal(t, http.StatusInternalServerError, code)
			assert.Contains(t, body, "internal error")
			assert.Contains(t, logs.String(), `"path":"/c/mlops"`)
			assert.Contains(t, logs.String(), "request failed with a panic")
		})
	}
}

// Pages of the database damaged under a running bot: the local chat's
// channel page walks them and bbolt panics or faults; the bot answers
// 500 and stays up.
func TestDamagedPagesUnderARunningBotGive500(t *testing.T) {
	cfg, err := config.Parse("app.toml", []byte(appConfig))
	require.NoError(t, err)
	monday := time.Date(2026, 11, 30, 8, 30, 0, 0, time.UTC) // 09:30 Zurich: the triage opens
	var logs bytes.Buffer
	path := filepath.Join(t.TempDir(), "app.db")
	a, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: path, Getenv: func(string) string { return "" },
		Clock: cadence.NewManualClock(monday), Log: zerolog.New(&logs)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	require.NoError(t, a.eng.Tick(context.Background()))
	srv := httptest.NewServer(recoverPanics(a.mux, a.log))
	defer srv.Close()
	code, _ := get(t, srv.URL+"/c/mlops")
	require.Equal(t, http.StatusOK, code)

	// Garbage over every page but the two meta pages, through the file
	// (bbolt maps it shared, so the bot sees it at once).
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	junk := make([]byte, len(raw)-2*4096)
	r := rand.New(rand.NewPCG(9, 9))
	for i := range junk {
		junk[i] = byte(r.Uint32())
	}
	_, err = f.WriteAt(junk, 2*4096)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	code, _ = get(t, srv.URL+"/c/mlops")
	assert.Equal(t, http.StatusInternalServerError, code)
	assert.True(t, strings.Contains(logs.String(), "request failed with a panic"), logs.String())
	code, _ = get(t, srv.URL+"/healthz")
	assert.Equal(t, http.StatusOK, code, "still serving")
}
