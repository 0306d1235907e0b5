package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
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

// startLimitedApp runs the app on loopback with the given server limits.
func startLimitedApp(t *testing.T, lim serverLimits) string {
	t.Helper()
	cfg, err := config.Parse("app.toml", []byte(appConfig))
	require.NoError(t, err)
	app, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "app.db"),
		Getenv: func(string) string { return "" }, Clock: cadence.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)),
		Log: zerolog.Nop(), TickEvery: 5 * time.Millisecond, Limits: lim})
	require.NoError(t, err)
	return runDaemon(t, app)
}

// A loopback bot reached through a rebinding name answers 421 and sends
// nothing of the database; loopback names and IPs still work.
func TestHostAllowlistRefusesRebinding(t *testing.T) {
	a := startApp(t, nil, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	do := func(host, path string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, a.url+path, nil)
		require.NoError(t, err)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	_, port, _ := net.SplitHostPort(strings.TrimSuffix(strings.TrimPrefix(a.url, "http://"), "/"))
	for _, path := range []string{"api/backup", "api/report", "", "dashboard/", "metrics"} {
		code, body := do("rebind.attacker.example:"+port, path)
		assert.Equal(t, http.StatusMisdirectedRequest, code, path)
		assert.Contains(t, body, `does not answer for host "rebind.attacker.example:`+port+`"`, path)
		assert.NotContains(t, body, "bolt", path)
	}
	for _, host := range []string{"localhost:" + port, "127.0.0.1:" + port, "LOCALHOST", "app.localhost:" + port, "[::1]:" + port} {
		code, _ := do(host, "api/backup")
		assert.Equal(t, http.StatusOK, code, host)
	}
	code, _ := do("rebind.attacker.example", "healthz")
	assert.Equal(t, http.StatusOK, code, "probes address the bot by any name")
}

func TestHostAllowlist(t *testing.T) {
	for _, tc := range []struct {
		loopback  bool
		publicURL string
		host      string
		want      bool
	}{
		{true, "", "localhost:8080", true},
		{true, "", "127.0.0.1:8080", true},
		{true, "", "evil.example:8080", false},
		{true, "", "localhost.evil.example", false},
		{true, "https://bot.example.com/", "bot.example.com", true},
		{false, "https://bot.example.com/", "bot.example.com:443", true},
		{false, "https://bot.example.com/", "BOT.example.com.", true},
		{false, "https://bot.example.com/", "localhost", false},
		{false, "https://bot.example.com/", "bot.example.com.evil.example", false},
		{false, "", "10.0.0.5:8080", true},
		{false, "", "bot.internal", false},
		{false, "", "", false},
	} {
		got := newHostAllowlist(tc.loopback, tc.publicURL).allows(tc.host)
		assert.Equal(t, tc.want, got, "loopback=%v public_url=%q host=%q", tc.loopback, tc.publicURL, tc.host)
	}
}

// A body over the limit is refused with 413 on every route, the Slack and
// Teams endpoints included, before any handler reads it.
func TestOversizedBodyIs413(t *testing.T) {
	lim := defaultLimits
	lim.MaxBody = 1024
	url := startLimitedApp(t, lim)
	big := strings.Repeat("x", 4096)
	for _, path := range []string{"slack/events", "api/teams/messages", "whoami"} {
		resp, err := http.Post(url+path, "application/json", strings.NewReader(big))
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, path)
		assert.Contains(t, string(b), "the limit is 1024 bytes", path)
	}
	// Chunked (no Content-Length): cut off at the limit all the same.
	resp, err := http.Post(url+"slack/events", "application/json", io.MultiReader(strings.NewReader(big), strings.NewReader(big)))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)

	// Headers over the limit: net/http's 431.
	req, _ := http.NewRequest(http.MethodGet, url+"healthz", nil)
	req.Header.Set("X-Big", strings.Repeat("y", 200<<10))
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, resp.StatusCode)
}

// A body trickled a byte at a time is cut off at the read timeout instead
// of holding the connection (it was still being read after 24 s).
func TestTrickledBodyIsCutOff(t *testing.T) {
	lim := defaultLimits
	lim.Read = 300 * time.Millisecond
	url := startLimitedApp(t, lim)
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/")
	for _, path := range []string{"/slack/events", "/api/teams/messages"} {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", path, addr)
		stop := make(chan struct{})
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
					if _, err := conn.Write([]byte("x")); err != nil {
						return
					}
				}
			}
		}()
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		close(stop)
		require.NoError(t, err, "%s: the server must answer and let go, not keep reading", path)
		resp.Body.Close()
		assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode, path)
		conn.Close()
	}
}

// An idle keep-alive connection is closed after the idle timeout.
func TestIdleKeepAliveIsClosed(t *testing.T) {
	lim := defaultLimits
	lim.Idle = 200 * time.Millisecond
	url := startLimitedApp(t, lim)
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/")
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = br.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the server closes an idle keep-alive connection")
}

// The sign-in's redirect URL may name another host than public_url: the
// issuer sends browsers back there, so it is served too.
func TestHostAllowlistServesTheSignInRedirect(t *testing.T) {
	h := newHostAllowlist(false, "https://cadence.example.com/", "https://login-cb.example.com/auth/callback")
	assert.True(t, h.allows("login-cb.example.com"))
	assert.True(t, h.allows("cadence.example.com:443"))
	assert.False(t, h.allows("evil.example"))
}
