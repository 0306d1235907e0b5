//go:build linux

package processtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack"
	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
)

const (
	botToken = "xoxb-1-2-processes"
	appToken = "xapp-1-A0CADENCE-3-processes"
	// leaseTTL is short so a takeover fits a test; the proof is in
	// multiples of it.
	leaseTTL = 2 * time.Second
	// postRTT is how long a replica waits for chat.postMessage's answer
	// after the workspace has stored the message (Slack's round trip is
	// 100–300 ms). While a replica waits, the message is in flight: in
	// Slack, not yet recorded as sent.
	postRTT = 300 * time.Millisecond
)

// world is a fake Slack workspace, a PostgreSQL database and the
// cadencebot processes on them.
type world struct {
	t     *testing.T
	bin   string
	dir   string // config and logs ($CADENCEBOT_ARTIFACTS/<test> when set)
	db    string
	fake  *slacktest.Server
	uids  []string // the people's Slack ids, p0000 first
	procs []*proc
}

// proc is one `cadencebot run` process with its own way to Slack.
type proc struct {
	name   string
	cmd    *exec.Cmd
	url    string // its HTTP server, ending in "/"
	log    string
	slack  *slackLink
	exited chan struct{}
	killed bool
}

func newWorld(t *testing.T, dbURL, bin string, people int) *world {
	fake := slacktest.New(botToken, appToken)
	fake.MaxConnections = 10 // as Slack: each process keeps its own websocket
	t.Cleanup(fake.Close)
	// The workspace answers 429 beyond the limits Slack documents, the
	// same ones the adapter paces itself to.
	limits := slack.DefaultLimits()
	for m, l := range limits.Method {
		fake.SetLimit(m, slacktest.Limit{PerMinute: l.PerMinute, Burst: l.Burst})
	}
	for m, l := range limits.PerChannel {
		fake.SetChannelLimit(m, slacktest.Limit{PerMinute: l.PerMinute, Burst: l.Burst})
	}
	fake.AddChannel(slacktest.Channel{ID: "C0MLOPS01", Name: "mlops", BotMember: true})
	w := &world{t: t, bin: bin, dir: artifactDir(t), db: dbURL, fake: fake}
	for i := range people {
		uid := fmt.Sprintf("U%08d", i)
		fake.AddUser(slacktest.User{ID: uid, Name: uid, TZ: "UTC"})
		w.uids = append(w.uids, uid)
	}
	t.Cleanup(w.stopAll)
	return w
}

// writeConfig writes the replicas' config: the triage, for everyone,
// fires at the minute fire.
func (w *world) writeConfig(fire time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[bot]\ntimezone = \"UTC\"\nplatform = \"slack\"\nlog_format = \"json\"\nlog_level = \"info\"\n\n[store]\ndriver = \"postgres\"\nlease_ttl = %q\n", leaseTTL)
	for i, uid := range w.uids {
		role := "specialist"
		if i == 0 {
			role = "lead"
		}
		fmt.Fprintf(&b, "\n[[people]]\nid = \"p%04d\"\nname = \"P%04d\"\nrole = %q\nslack = %q\n", i, i, role, uid)
	}
	fmt.Fprintf(&b, `
[[rituals]]
id = "triage"
title = "Triage"
kind = "triage"
schedule = "%d %d * * *"
channel = "mlops"
participants = ["all"]
window = "1h"
`, fire.Minute(), fire.Hour())
	p := filepath.Join(w.dir, "cadencebot.toml")
	require.NoError(w.t, os.WriteFile(p, []byte(b.String()), 0o644))
	return p
}

// start runs `cadencebot run` and waits until it serves HTTP.
func (w *world) start(name, cfg string) *proc {
	t := w.t
	t.Helper()
	p := &proc{name: name, log: filepath.Join(w.dir, name+".log"), slack: newSlackLink(t, w.fake.URL), exited: make(chan struct{})}
	f, err := os.Create(p.log)
	require.NoError(t, err)
	u, err := url.Parse(w.db)
	require.NoError(t, err)
	q := u.Query()
	q.Set("application_name", name) // names it in pg_stat_activity
	u.RawQuery = q.Encode()
	p.cmd = exec.Command(w.bin, "run", "--config", cfg, "--listen", "127.0.0.1:0")
	p.cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + w.dir, "TZ=UTC",
		"CADENCEBOT_DATABASE_URL=" + u.String(),
		"SLACK_BOT_TOKEN=" + botToken, "SLACK_APP_TOKEN=" + appToken, // Socket Mode, as deployed
		"SLACK_API_URL=" + p.slack.url(),
		"GORACE=halt_on_error=1", // a race ends the process; the test notices
	}
	addr := make(chan string, 1)
	p.cmd.Stdout = &urlSpy{w: f, found: addr}
	p.cmd.Stderr = f
	// Should the test binary die before its cleanups run, so do these.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(t, p.cmd.Start())
	go func() {
		_ = p.cmd.Wait()
		_ = f.Close()
		close(p.exited)
	}()
	w.procs = append(w.procs, p)
	select {
	case p.url = <-addr:
	case <-p.exited:
		t.Fatalf("%s exited before serving: %s\n%s", name, p.cmd.ProcessState, tail(p.log))
	case <-time.After(90 * time.Second):
		t.Fatalf("%s did not serve within 90 s\n%s", name, tail(p.log))
	}
	return p
}

// kill is kill -9.
func (w *world) kill(p *proc) {
	w.t.Helper()
	p.killed = true
	require.NoError(w.t, p.cmd.Process.Signal(syscall.SIGKILL))
	<-p.exited
}

// stopAll kills what still runs, and checks that nothing ended on its
// own or with a data race.
func (w *world) stopAll() {
	for _, p := range w.procs {
		select {
		case <-p.exited:
			if !p.killed {
				w.t.Errorf("%s ended on its own: %s\n%s", p.name, p.cmd.ProcessState, tail(p.log))
			}
		default:
			_ = p.cmd.Process.Signal(syscall.SIGKILL)
			<-p.exited
		}
		if b, err := os.ReadFile(p.log); err == nil && bytes.Contains(b, []byte("WARNING: DATA RACE")) {
			w.t.Errorf("%s: data race, see %s", p.name, p.log)
		}
		w.t.Logf("log of %s: %s", p.name, p.log)
	}
}

func (p *proc) alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

var readyzClient = &http.Client{Timeout: 2 * time.Second}

// readyz is the body of the process's /readyz, "" when it does not answer.
func (p *proc) readyz() string {
	resp, err := readyzClient.Get(p.url + "readyz")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func (p *proc) leads() bool   { return strings.Contains(p.readyz(), "\nleader: this replica,") }
func (p *proc) follows() bool { return strings.Contains(p.readyz(), "; this replica follows") }

// leader waits until exactly one live process says it leads.
func (w *world) leader(within time.Duration) *proc {
	w.t.Helper()
	var found *proc
	require.Eventually(w.t, func() bool {
		found = nil
		n := 0
		for _, p := range w.procs {
			if p.alive() && p.leads() {
				found, n = p, n+1
			}
		}
		return n == 1
	}, within, 10*time.Millisecond, "one live replica leads")
	return found
}

// delivered counts posts in the workspace per message key (and part).
func (w *world) delivered() map[string]int {
	out := map[string]int{}
	for _, m := range w.fake.AllMessages() {
		if k := keyOf(m); k != "" {
			out[k]++
		}
	}
	return out
}

func keyOf(m slacktest.Message) string {
	var md struct {
		Payload struct {
			Key  string  `json:"key"`
			Part float64 `json:"part"`
		} `json:"event_payload"`
	}
	if len(m.Metadata) == 0 || json.Unmarshal(m.Metadata, &md) != nil {
		return ""
	}
	k := md.Payload.Key
	if md.Payload.Part > 1 {
		k += fmt.Sprintf("#part%d", int(md.Payload.Part))
	}
	return k
}

func (w *world) prompts() int {
	n := 0
	for k := range w.delivered() {
		if strings.Contains(k, "/prompt/") {
			n++
		}
	}
	return n
}

// outbox counts the database's outbox rows by state.
func (w *world) outbox() map[string]int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out := map[string]int{}
	conn, err := pgx.Connect(ctx, w.db)
	if err != nil {
		return nil
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT state, count(*) FROM outbox GROUP BY state")
	if err != nil {
		return nil
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int
		if rows.Scan(&s, &n) == nil {
			out[s] = n
		}
	}
	if rows.Err() != nil {
		return nil
	}
	return out
}

// answer submits the answer modal of person i (p0000 is 0) as Slack
// frames it over Socket Mode, to the newest connection, and waits for the
// ack: the answer is stored by then.
func (w *world) answer(i int, occ string) {
	w.t.Helper()
	raw, err := os.ReadFile("../../../bot/slack/testdata/samples/ViewSubmissionPayload.json")
	require.NoError(w.t, err)
	var m map[string]any
	require.NoError(w.t, json.Unmarshal(raw, &m))
	uid := w.uids[i]
	m["team"] = map[string]any{"id": slacktest.TeamID}
	m["user"] = map[string]any{"id": uid, "username": uid, "name": uid, "team_id": slacktest.TeamID}
	m["api_app_id"] = slacktest.AppID
	view := m["view"].(map[string]any)
	view["type"], view["callback_id"], view["private_metadata"] = "modal", "cadence_answer", occ
	view["state"] = map[string]any{"values": map[string]any{
		"q_incidents": map[string]any{"answer": map[string]any{"type": "plain_text_input", "value": "none, says " + uid}},
	}}
	ack, ok := w.fake.WaitAck(w.fake.Send("interactive", m), 30*time.Second)
	require.True(w.t, ok, "the answer of %s was not acked", uid)
	require.NotContains(w.t, string(ack), "errors", "the answer of %s was refused", uid)
}

// answers counts the answers stored for occ, -1 when they cannot be read.
func (w *world) answers(occ string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, w.db)
	if err != nil {
		return -1
	}
	defer conn.Close(ctx)
	var n int
	if conn.QueryRow(ctx, "SELECT count(*) FROM answers WHERE occurrence_id = $1", occ).Scan(&n) != nil {
		return -1
	}
	return n
}

// epoch is the leader lease's epoch, 0 when it cannot be read.
func (w *world) epoch() int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, w.db)
	if err != nil {
		return 0
	}
	defer conn.Close(ctx)
	var e int64
	if conn.QueryRow(ctx, "SELECT epoch FROM leader_lease").Scan(&e) != nil {
		return 0
	}
	return e
}

// slackLink is a replica's own way to the workspace: it counts the
// messages the workspace took from this replica, and holds each answer
// to chat.postMessage back for postRTT, so a kill can land while a
// message is in Slack but not yet recorded as sent.
type slackLink struct {
	srv   *httptest.Server
	posts atomic.Int64 // chat.postMessage calls the workspace took
	held  atomic.Int64 // of which the answer is not yet given back
	mu    sync.Mutex
	first time.Time // when the workspace took the first one
}

func newSlackLink(t *testing.T, target string) *slackLink {
	u, err := url.Parse(target)
	require.NoError(t, err)
	l := &slackLink{}
	l.srv = httptest.NewServer(&httputil.ReverseProxy{
		Rewrite:        func(r *httputil.ProxyRequest) { r.SetURL(&url.URL{Scheme: u.Scheme, Host: u.Host}) },
		ModifyResponse: l.answer,
	})
	t.Cleanup(l.srv.Close)
	return l
}

func (l *slackLink) url() string { return l.srv.URL + "/api/" }

func (l *slackLink) answer(resp *http.Response) error {
	if !strings.HasSuffix(resp.Request.URL.Path, "/chat.postMessage") || resp.StatusCode != http.StatusOK {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil || !bytes.Contains(body, []byte(`"ok":true`)) {
		return err
	}
	l.posts.Add(1)
	l.mu.Lock()
	if l.first.IsZero() {
		l.first = time.Now()
	}
	l.mu.Unlock()
	l.held.Add(1)
	defer l.held.Add(-1)
	select { // the round trip, cut short when the replica is gone
	case <-time.After(postRTT):
	case <-resp.Request.Context().Done():
	}
	return nil
}

func (l *slackLink) firstPost() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.first
}

// postsPerProcess says which process posted how many messages.
func (w *world) postsPerProcess() string {
	var parts []string
	for _, p := range w.procs {
		parts = append(parts, fmt.Sprintf("%s %d", p.name, p.posts()))
	}
	return strings.Join(parts, ", ")
}

func (p *proc) posts() int64 { return p.slack.posts.Load() }

// urlSpy passes a process's stdout to its log and finds the URL it says
// it serves.
type urlSpy struct {
	w     io.Writer
	found chan<- string
	buf   []byte
	done  bool
}

var servingURL = regexp.MustCompile(`open (http://\S+/) `)

func (s *urlSpy) Write(b []byte) (int, error) {
	if !s.done {
		s.buf = append(s.buf, b...)
		if m := servingURL.FindSubmatch(s.buf); m != nil {
			s.found <- string(m[1])
			s.done, s.buf = true, nil
		}
	}
	return s.w.Write(b)
}

// count counts lines of a log holding s.
func count(path, s string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), s) {
			n++
		}
	}
	return n
}

// tail is the end of a log, for a failure message.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// artifactDir is $CADENCEBOT_ARTIFACTS/<test> (kept by CI) or a temp dir.
func artifactDir(t *testing.T) string {
	if d := os.Getenv("CADENCEBOT_ARTIFACTS"); d != "" {
		d = filepath.Join(d, strings.ReplaceAll(t.Name(), "/", "_"))
		require.NoError(t, os.RemoveAll(d))
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.TempDir()
}

// buildBinary builds cadencebot once per test binary, with the race
// detector when the test runs with it.
var built struct {
	once sync.Once
	path string
	err  error
	took time.Duration
}

func buildBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "cadencebot-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "cadencebot")
		args := []string{"build", "-o", built.path}
		if raceEnabled {
			args = append(args, "-race")
		}
		start := time.Now()
		out, err := exec.Command("go", append(args, "github.com/cadencebot/cadencebot/cmd/cadencebot")...).CombinedOutput()
		built.took = time.Since(start)
		if err != nil {
			built.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	require.NoError(t, built.err)
	t.Logf("cadencebot built (race detector: %v) in %s", raceEnabled, built.took.Round(100*time.Millisecond))
	return built.path
}
