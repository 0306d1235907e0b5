// Package mlflowtest is a fake MLflow tracking server for tests.
package mlflowtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Server speaks the Model Registry REST API as MLflow documents it
// (https://mlflow.org/docs/latest/rest-api.html): errors are
// {"error_code", "message"} with RESOURCE_DOES_NOT_EXIST as 404;
// model-versions/get answers {"model_version": {...}}; alias and set-tag
// take JSON bodies and answer {}.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	token    string
	down     bool
	versions map[string]map[string]string // model → version → run_id
	Aliases  map[string]string            // "model@alias" → version
	Tags     map[string]string            // "model/version/key" → value
	Calls    int
}

// New starts a fake that knows churn version 7 (run run-7abc) and wants
// token as a Bearer token.
func New(t testing.TB, token string) *Server {
	f := &Server{token: token, versions: map[string]map[string]string{"churn": {"7": "run-7abc"}},
		Aliases: map[string]string{}, Tags: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/2.0/mlflow/model-versions/get", func(w http.ResponseWriter, r *http.Request) {
		name, version := r.URL.Query().Get("name"), r.URL.Query().Get("version")
		run, ok := f.versions[name][version]
		if !ok {
			f.fail(w, http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", "Model Version (name="+name+", version="+version+") not found")
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"model_version": map[string]any{
			"name": name, "version": version, "run_id": run, "status": "READY", "source": "runs:/" + run + "/model",
			"creation_timestamp": 1764000000000, "current_stage": "None"}})
	})
	mux.HandleFunc("GET /api/2.0/mlflow/registered-models/get", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		if _, ok := f.versions[name]; !ok {
			f.fail(w, http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", "Registered Model with name="+name+" not found")
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"registered_model": map[string]any{"name": name}})
	})
	mux.HandleFunc("POST /api/2.0/mlflow/registered-models/alias", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Name, Alias, Version string }
		if json.NewDecoder(r.Body).Decode(&in) != nil || in.Name == "" || in.Alias == "" || in.Version == "" {
			f.fail(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "name, alias and version are required")
			return
		}
		if _, ok := f.versions[in.Name][in.Version]; !ok {
			f.fail(w, http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", "Model Version not found")
			return
		}
		f.Aliases[in.Name+"@"+in.Alias] = in.Version
		w.Write([]byte("{}"))
	})
	mux.HandleFunc("POST /api/2.0/mlflow/model-versions/set-tag", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Name, Version, Key, Value string }
		if json.NewDecoder(r.Body).Decode(&in) != nil || in.Name == "" || in.Version == "" || in.Key == "" {
			f.fail(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "name, version and key are required")
			return
		}
		f.Tags[in.Name+"/"+in.Version+"/"+in.Key] = in.Value
		w.Write([]byte("{}"))
	})
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.Calls++
		if f.down {
			f.fail(w, http.StatusServiceUnavailable, "TEMPORARILY_UNAVAILABLE", "maintenance")
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+f.token {
			f.fail(w, http.StatusUnauthorized, "UNAUTHENTICATED", "bad token")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *Server) fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error_code": code, "message": msg})
}

// SetDown makes every call answer 503 TEMPORARILY_UNAVAILABLE.
func (f *Server) SetDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

// Snapshot returns copies of the aliases and tags set so far.
func (f *Server) Snapshot() (aliases, tags map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	aliases, tags = map[string]string{}, map[string]string{}
	for k, v := range f.Aliases {
		aliases[k] = v
	}
	for k, v := range f.Tags {
		tags[k] = v
	}
	return aliases, tags
}
