package releaseapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/integration/hook"
	"github.com/cadencebot/cadencebot/bot/integration/mlflow"
	"github.com/cadencebot/cadencebot/bot/integration/mlflow/mlflowtest"
	"github.com/cadencebot/cadencebot/bot/integration/releaseapi"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

var t0 = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

const (
	ciToken     = "ci-token-0123456789"
	gitlabToken = "gl-token-9876543210"
	mlToken     = "mlflow-token"
	hookSecret  = "whsec-ci"
)

// receiver is a pipeline's webhook: it verifies the signature as the
// README tells pipelines to, and keeps what it accepted.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	events   []ops.ReleaseEvent
	bad      int
	failNext int
}

func newReceiver(t *testing.T, clock cadence.Clock) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		body, _ := io.ReadAll(r.Body)
		if err := hook.Verify([]byte(hookSecret), r.Header.Get(hook.HeaderTimestamp), r.Header.Get(hook.HeaderSignature), body, clock.Now()); err != nil {
			rc.bad++
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if rc.failNext > 0 {
			rc.failNext--
			http.Error(w, "busy", http.StatusBadGateway)
			return
		}
		var ev ops.ReleaseEvent
		require.NoError(t, json.Unmarshal(body, &ev))
		assert.Equal(t, ev.Event, r.Header.Get(hook.HeaderEvent))
		assert.Equal(t, ev.Delivery, r.Header.Get(hook.HeaderDelivery))
		rc.events = append(rc.events, ev)
	}))
	t.Cleanup(rc.Close)
	return rc
}

type fixture struct {
	t     *testing.T
	clock *cadence.ManualClock
	store *cadencetest.Store
	ops   *ops.Ops
	api   *httptest.Server
	ml    *mlflowtest.Server
	recv  *receiver
	disp  *cadence.Dispatcher
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, clock: cadence.NewManualClock(t0), store: cadencetest.NewStore()}
	roster := cadence.NewRoster([]*cadence.Person{
		{ID: "lea", Name: "Lea", Role: cadence.RoleLead, Location: time.UTC},
		{ID: "ana", Name: "Ana", Role: cadence.RoleSpecialist, Location: time.UTC},
	})
	var err error
	f.ops, err = ops.New(ops.Config{Roster: roster, Store: f.store, Clock: f.clock, Logger: zerolog.Nop(),
		ChangePolicies: map[cadence.ChangeType]int{cadence.ChangeRollback: 0},
		Webhooks:       []string{"ci"}, RegistryAlias: "champion"})
	require.NoError(t, err)
	f.ml = mlflowtest.New(t, mlToken)
	client := &mlflow.Client{BaseURL: f.ml.URL, Token: mlToken}
	f.recv = newReceiver(t, f.clock)
	f.disp = cadence.NewDispatcher(f.store, f.clock, map[string]cadence.Chat{
		"local":              cadencetest.NewChat("local"),
		ops.PlatformWebhook:  &hook.Sender{Targets: map[string]hook.Target{"ci": {URL: f.recv.URL, Secret: []byte(hookSecret)}}, Now: f.clock.Now},
		ops.PlatformRegistry: &mlflow.Registry{Client: client},
	}, zerolog.Nop(), nil)
	mux := http.NewServeMux()
	releaseapi.New(f.ops, []releaseapi.Integration{
		{ID: "ci", Token: ciToken, Owner: "ana"},
		{ID: "gitlab", Token: gitlabToken, Owner: "ana", Changes: []cadence.ChangeType{cadence.ChangeRollback}},
	}, client).Register(mux)
	f.api = httptest.NewServer(mux)
	t.Cleanup(f.api.Close)
	return f
}

func (f *fixture) call(method, path, token, body string) (int, map[string]any, http.Header) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.api.URL+path, strings.NewReader(body))
	require.NoError(f.t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(f.t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(f.t, json.NewDecoder(resp.Body).Decode(&out))
	assert.Equal(f.t, "application/json", resp.Header.Get("Content-Type"))
	return resp.StatusCode, out, resp.Header
}

func (f *fixture) audit() []*cadence.AuditEntry {
	var out []*cadence.AuditEntry
	require.NoError(f.t, f.store.View(context.Background(), func(tx cadence.Tx) error {
		var err error
		out, err = cadence.ReadAudit(tx, time.Time{})
		return err
	}))
	return out
}

func (f *fixture) releases() int {
	var n int
	require.NoError(f.t, f.store.View(context.Background(), func(tx cadence.Tx) error {
		var err error
		n, err = tx.LastReleaseNumber()
		return err
	}))
	return n
}

const good = `{"model":"churn","version":"7","change":"retrain","risk":"low",
 "evidence":"https://mlflow.example.com/#/experiments/1/runs/run-7abc","rollback_plan":"alias champion back to 6",
 "data_contract":"passed"}`

func TestProposeWaitApproveEndToEnd(t *testing.T) {
	f := newFixture(t)
	status, body, hdr := f.call("POST", "/api/releases", ciToken, good)
	require.Equal(t, http.StatusCreated, status, body)
	assert.Equal(t, "/api/releases/REL-1", hdr.Get("Location"))
	assert.Equal(t, "proposed", body["status"])
	assert.Equal(t, map[string]any{"Registry": "mlflow", "RegisteredModel": "churn", "Version": "7", "RunID": "run-7abc"}, body["lineage"],
		"the registered model version and its run are the release's lineage")
	last := f.audit()[len(f.audit())-1]
	assert.Equal(t, "release.propose", last.Action)
	assert.Equal(t, "integration:ci", last.Details["via"])

	// The pipeline polls until a person approves.
	status, body, _ = f.call("GET", "/api/releases/REL-1", ciToken, "")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "proposed", body["status"])
	_, err := f.ops.ApproveRelease(context.Background(), "lea", "REL-1")
	require.NoError(t, err)
	_, body, _ = f.call("GET", "/api/releases/REL-1", ciToken, "")
	assert.Equal(t, "approved", body["status"])

	// ... or waits for the signed webhook; MLflow gets the alias and tags.
	f.recv.failNext = 1 // the pipeline's receiver hiccups once: retried
	_, err = f.disp.RunOnce(context.Background())
	require.NoError(t, err)
	f.clock.Advance(time.Minute)
	_, err = f.disp.RunOnce(context.Background())
	require.NoError(t, err)
	f.clock.Advance(time.Hour)
	_, err = f.disp.RunOnce(context.Background())
	require.NoError(t, err)
	var events []string
	for _, ev := range f.recv.events {
		events = append(events, ev.Event)
	}
	assert.ElementsMatch(t, []string{"release.proposed", "release.approved"}, events, "each event once, none lost")
	assert.Zero(t, f.recv.bad, "every delivery carries a valid signature")
	aliases, tags := f.ml.Snapshot()
	assert.Equal(t, map[string]string{"churn@champion": "7"}, aliases)
	assert.Equal(t, "REL-1", tags["churn/7/cadencebot.release"])

	// A pipeline sees only its own releases.
	status, _, _ = f.call("GET", "/api/releases/REL-1", gitlabToken, "")
	assert.Equal(t, http.StatusForbidden, status)
}

func TestProposalsRefused(t *testing.T) {
	tests := []struct {
		name   string
		token  string
		body   string
		down   bool
		status int
		field  string
		error  string
	}{
		{name: "no token", body: good, status: 401, error: "missing credentials"},
		{name: "wrong token", token: "ci-token-0123456780", body: good, status: 401, error: "not one of a configured integration"},
		{name: "change not allowed for the integration", token: gitlabToken, body: good, status: 403, field: "change"},
		{name: "unknown model", token: ciToken, body: strings.Replace(good, `"churn"`, `"fraud"`, 1), status: 422, field: "model", error: `"fraud" is not a registered model`},
		{name: "unknown version", token: ciToken, body: strings.Replace(good, `"7"`, `"8"`, 1), status: 422, field: "version"},
		{name: "bad risk", token: ciToken, body: strings.Replace(good, `"low"`, `"tiny"`, 1), status: 422, field: "risk"},
		{name: "no evidence for a retrain", token: ciToken, body: strings.Replace(good, `"https://mlflow.example.com/#/experiments/1/runs/run-7abc"`, `""`, 1), status: 422, field: "evidence"},
		{name: "unknown field", token: ciToken, body: strings.Replace(good, `"risk"`, `"rsk"`, 1), status: 422, field: "rsk"},
		{name: "wrong type", token: ciToken, body: strings.Replace(good, `"7"`, `7`, 1), status: 422, field: "version"},
		{name: "registry down", token: ciToken, body: good, down: true, status: 503, error: "try again later"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.ml.SetDown(tc.down)
			audited := len(f.audit())
			status, body, hdr := f.call("POST", "/api/releases", tc.token, tc.body)
			assert.Equal(t, tc.status, status, body)
			assert.NotEmpty(t, body["error"])
			if tc.error != "" {
				assert.Contains(t, body["error"], tc.error)
			}
			if tc.field != "" {
				assert.Contains(t, body["fields"], tc.field, body)
			}
			if tc.status == 401 {
				assert.Contains(t, hdr.Get("WWW-Authenticate"), "Bearer")
			}
			if tc.down {
				assert.Equal(t, "30", hdr.Get("Retry-After"))
			}
			assert.Zero(t, f.releases(), "nothing half-applied")
			require.Len(t, f.audit(), audited+1, "the refused call is audited")
			assert.Contains(t, f.audit()[audited].Action, "release.")
			assert.NotContains(t, f.audit()[audited].Details, ciToken, "no token in the audit")
		})
	}
}

func TestRollbackIsAutoApprovedAndMLflowOutageIsRetried(t *testing.T) {
	f := newFixture(t)
	body := `{"model":"churn","version":"7","change":"rollback","risk":"medium","data_contract":"passed"}`
	status, out, _ := f.call("POST", "/api/releases", gitlabToken, body)
	require.Equal(t, http.StatusCreated, status, out)
	assert.Equal(t, "approved", out["status"], "the rollback policy needs no approval")

	f.ml.SetDown(true)
	_, err := f.disp.RunOnce(context.Background())
	require.NoError(t, err)
	var m *cadence.Message
	require.NoError(t, f.store.View(context.Background(), func(tx cadence.Tx) error {
		m, err = tx.Message("registry/REL-1/approved")
		return err
	}))
	assert.Contains(t, []cadence.DeliveryState{cadence.StatePending, cadence.StateSending}, m.State, "MLflow down: kept for a retry")
	assert.Contains(t, m.LastError, "TEMPORARILY_UNAVAILABLE")

	f.ml.SetDown(false)
	f.clock.Advance(time.Hour)
	_, err = f.disp.RunOnce(context.Background())
	require.NoError(t, err)
	aliases, _ := f.ml.Snapshot()
	assert.Equal(t, "7", aliases["churn@champion"])
}
