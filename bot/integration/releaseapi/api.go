// Package releaseapi lets CI/CD propose releases: POST /api/releases with
// a per-integration Bearer token, GET /api/releases/{id} to poll for the
// decision. Every call is audited, refused ones included.
package releaseapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/cadencebot/cadencebot/bot/integration/mlflow"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// Integration is one pipeline allowed to call the API.
type Integration struct {
	ID    string
	Token string // from the environment, never the file
	// Owner is the roster person the pipeline proposes for: the
	// proposer, who cannot also approve.
	Owner string
	// Changes it may propose; empty: any.
	Changes []cadence.ChangeType
}

// Ops is what the API needs of ops.Ops.
type Ops interface {
	ProposeRelease(ctx context.Context, actorID string, in ops.ReleaseInput) (*cadence.Release, error)
	Release(ctx context.Context, id string) (*cadence.Release, error)
	Record(r *cadence.Release) ops.ReleaseRecord
	AuditRefused(ctx context.Context, actor, action, target string, details map[string]string, reason error)
}

// Registry looks up registered model versions (an *mlflow.Client).
type Registry interface {
	GetModelVersion(ctx context.Context, name, version string) (*mlflow.ModelVersion, error)
	RegisteredModelExists(ctx context.Context, name string) (bool, error)
}

// Handler serves the API.
type Handler struct {
	ops          Ops
	integrations []Integration
	registry     Registry // nil: no lineage, no model check
}

// New returns the handler; registry may be nil.
func New(ops Ops, integrations []Integration, registry Registry) *Handler {
	return &Handler{ops: ops, integrations: integrations, registry: registry}
}

// Register mounts the routes on mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/releases", h.propose)
	mux.HandleFunc("GET /api/releases/{id}", h.get)
}

// proposal is the request body; field names are the errors' field names.
type proposal struct {
	Model            string `json:"model"`
	Version          string `json:"version"`
	Change           string `json:"change"`
	Risk             string `json:"risk"`
	Evidence         string `json:"evidence"`
	RollbackPlan     string `json:"rollback_plan"`
	DataContract     string `json:"data_contract"`
	DataContractNote string `json:"data_contract_note"`
	Planned          string `json:"planned"`
	Notes            string `json:"notes"`
}

// apiField maps cadence's form field names to the JSON names.
var apiField = map[string]string{
	ops.FieldModel: "model", ops.FieldVersion: "version", ops.FieldChange: "change",
	ops.FieldRisk: "risk", ops.FieldEvidence: "evidence", ops.FieldRollback: "rollback_plan",
	ops.FieldDataContract: "data_contract", ops.FieldContractNote: "data_contract_note",
	ops.FieldPlanned: "planned", ops.FieldNotes: "notes",
}

const action = "release.api"

func (h *Handler) propose(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	in, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	actor := "integration:" + in.ID
	var p proposal
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		fields := map[string]string{}
		msg := "the body must be a JSON object: " + err.Error()
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			fields[te.Field] = "must be a " + te.Type.String()
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			fields[f] = "unknown field"
		}
		h.refuse(ctx, w, http.StatusUnprocessableEntity, actor, "", msg, fields)
		return
	}
	rin := ops.ReleaseInput{
		Model: p.Model, Version: p.Version, Change: cadence.ChangeType(p.Change), Risk: cadence.Risk(p.Risk),
		Evidence: p.Evidence, RollbackPlan: p.RollbackPlan, DataContract: ops.ParseContractCheck(p.DataContract),
		DataContractNote: p.DataContractNote, Notes: p.Notes, Source: in.ID,
	}
	if p.DataContract != "" && rin.DataContract == "" {
		rin.DataContract = ops.ContractCheck(p.DataContract) // validate names the value
	}
	if p.Planned != "" {
		d, err := cadence.ParseDate(p.Planned)
		if err != nil {
			h.refuse(ctx, w, http.StatusUnprocessableEntity, actor, "", "planned: "+err.Error(), map[string]string{"planned": "want YYYY-MM-DD"})
			return
		}
		rin.Planned = d
	}
	if len(in.Changes) > 0 && !slices.Contains(in.Changes, rin.Change) {
		h.refuse(ctx, w, http.StatusForbidden, actor, "",
			fmt.Sprintf("integration %s may propose %s, not %q", in.ID, joinChanges(in.Changes), p.Change), map[string]string{"change": "not allowed for this integration"})
		return
	}
	if h.registry != nil && strings.TrimSpace(p.Model) != "" && strings.TrimSpace(p.Version) != "" {
		lin, status, field, err := h.lineage(ctx, strings.TrimSpace(p.Model), strings.TrimSpace(p.Version))
		if err != nil {
			if status == http.StatusServiceUnavailable {
				w.Header().Set("Retry-After", "30")
			}
			var fields map[string]string
			if field != "" {
				fields = map[string]string{field: err.Error()}
			}
			h.refuse(ctx, w, status, actor, "", err.Error(), fields)
			return
		}
		rin.Lineage = lin
	}
	rel, err := h.ops.ProposeRelease(ctx, in.Owner, rin)
	var fe cadence.FieldErrors
	switch {
	case err == nil:
		w.Header().Set("Location", "/api/releases/"+rel.ID())
		writeJSON(w, http.StatusCreated, h.ops.Record(rel))
	case errors.As(err, &fe):
		fields := map[string]string{}
		for k, v := range fe {
			name := apiField[k]
			if name == "" {
				name = k
			}
			fields[name] = v
		}
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: "the release was not proposed: fix the fields", Fields: fields})
	case errors.Is(err, cadence.ErrForbidden):
		writeJSON(w, http.StatusForbidden, apiError{Error: err.Error()})
	case errors.Is(err, cadence.ErrInvalidInput):
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: err.Error()})
	case errors.Is(err, cadence.ErrConflict):
		writeJSON(w, http.StatusConflict, apiError{Error: err.Error()})
	default:
		writeJSON(w, http.StatusInternalServerError, apiError{Error: "the release could not be recorded; try again"})
	}
}

// lineage looks the version up in the registry: its run id is the
// lineage; an unknown model or version is the caller's mistake (422,
// naming the field), a registry that fails is not (503, retry).
func (h *Handler) lineage(ctx context.Context, model, version string) (*cadence.Lineage, int, string, error) {
	mv, err := h.registry.GetModelVersion(ctx, model, version)
	if err == nil {
		return &cadence.Lineage{Registry: "mlflow", RegisteredModel: model, Version: mv.Version, RunID: mv.RunID}, 0, "", nil
	}
	if !errors.Is(err, mlflow.ErrNotFound) {
		return nil, http.StatusServiceUnavailable, "", fmt.Errorf("the model registry could not be asked about %s version %s; try again later (%v)", model, version, err)
	}
	exists, err := h.registry.RegisteredModelExists(ctx, model)
	switch {
	case err != nil:
		return nil, http.StatusServiceUnavailable, "", fmt.Errorf("the model registry could not be asked about %s; try again later (%v)", model, err)
	case !exists:
		return nil, http.StatusUnprocessableEntity, "model", fmt.Errorf("%q is not a registered model", model)
	}
	return nil, http.StatusUnprocessableEntity, "version", fmt.Errorf("registered model %q has no version %q", model, version)
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	in, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	rel, err := h.ops.Release(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, cadence.ErrNotFound), errors.Is(err, cadence.ErrInvalidInput):
		writeJSON(w, http.StatusNotFound, apiError{Error: err.Error()})
	case err != nil:
		writeJSON(w, http.StatusInternalServerError, apiError{Error: "could not read the release; try again"})
	case rel.Source != in.ID:
		// Another pipeline's release, or one proposed in chat.
		writeJSON(w, http.StatusForbidden, apiError{Error: fmt.Sprintf("%s was not proposed by integration %s", rel.ID(), in.ID)})
	default:
		writeJSON(w, http.StatusOK, h.ops.Record(rel))
	}
}

// authenticate finds the integration whose token the request carries. The
// token is compared with every integration's in constant time (as SHA-256
// digests, so lengths do not leak either).
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (Integration, bool) {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="cadencebot"`)
		h.refuse(r.Context(), w, http.StatusUnauthorized, "integration:unknown", r.URL.Path,
			"missing credentials: send Authorization: Bearer <the integration's token>", nil)
		return Integration{}, false
	}
	got := sha256.Sum256([]byte(token))
	found := -1
	for i, in := range h.integrations {
		want := sha256.Sum256([]byte(in.Token))
		if subtle.ConstantTimeCompare(got[:], want[:]) == 1 && in.Token != "" {
			found = i
		}
	}
	if found < 0 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="cadencebot", error="invalid_token"`)
		h.refuse(r.Context(), w, http.StatusUnauthorized, "integration:unknown", r.URL.Path,
			"the token is not one of a configured integration", nil)
		return Integration{}, false
	}
	return h.integrations[found], true
}

type apiError struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields,omitempty"`
}

// refuse answers with a JSON error and audits it.
func (h *Handler) refuse(ctx context.Context, w http.ResponseWriter, status int, actor, target, msg string, fields map[string]string) {
	details := map[string]string{"status": fmt.Sprint(status)}
	for k, v := range fields {
		details["field."+k] = v
	}
	h.ops.AuditRefused(ctx, actor, action, target, details, errors.New(msg))
	writeJSON(w, status, apiError{Error: msg, Fields: fields})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func joinChanges(cs []cadence.ChangeType) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return strings.Join(out, ", ")
}
