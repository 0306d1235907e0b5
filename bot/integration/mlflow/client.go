// Package mlflow talks to an MLflow Model Registry through its REST API
// (/api/2.0/mlflow/...): it looks up the registered model version a
// release promotes, for lineage, and on approval points an alias at it and
// tags it, as the outbox's "registry" platform.
package mlflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// EnvToken is the conventional variable of MLflow's own clients; the
// config's [mlflow] token_env may name another.
const EnvToken = "MLFLOW_TRACKING_TOKEN"

// ErrNotFound: MLflow answered RESOURCE_DOES_NOT_EXIST.
var ErrNotFound = errors.New("not found in the MLflow registry")

// APIError is an error response: MLflow's {"error_code", "message"} and
// the HTTP status.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("mlflow: %d %s: %s", e.Status, e.Code, e.Message)
}

// Unwrap makes RESOURCE_DOES_NOT_EXIST an ErrNotFound.
func (e *APIError) Unwrap() error {
	if e.Code == "RESOURCE_DOES_NOT_EXIST" {
		return ErrNotFound
	}
	return nil
}

// Temporary reports whether trying again later may succeed: the server
// or the path to it failed, or it asked us to slow down.
func (e *APIError) Temporary() bool { return e.Status >= 500 || e.Status == http.StatusTooManyRequests }

// Client calls one tracking server. Token, if set, goes as a Bearer token
// (MLflow's token authentication and Databricks both take it).
type Client struct {
	BaseURL string
	Token   string
	HTTP    *http.Client
}

// ModelVersion is the part of MLflow's ModelVersion the bot keeps.
type ModelVersion struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	RunID   string `json:"run_id"`
	Status  string `json:"status"`
	Source  string `json:"source"`
}

// GetModelVersion is GET /api/2.0/mlflow/model-versions/get.
func (c *Client) GetModelVersion(ctx context.Context, name, version string) (*ModelVersion, error) {
	var out struct {
		ModelVersion ModelVersion `json:"model_version"`
	}
	q := url.Values{"name": {name}, "version": {version}}
	if err := c.call(ctx, http.MethodGet, "model-versions/get?"+q.Encode(), nil, &out); err != nil {
		return nil, err
	}
	return &out.ModelVersion, nil
}

// RegisteredModelExists is GET /api/2.0/mlflow/registered-models/get: it
// tells an unknown model from an unknown version of a known one.
func (c *Client) RegisteredModelExists(ctx context.Context, name string) (bool, error) {
	err := c.call(ctx, http.MethodGet, "registered-models/get?"+url.Values{"name": {name}}.Encode(), nil, nil)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// SetAlias is POST /api/2.0/mlflow/registered-models/alias: alias now
// points at version (moved from any other version).
func (c *Client) SetAlias(ctx context.Context, name, alias, version string) error {
	return c.call(ctx, http.MethodPost, "registered-models/alias",
		map[string]string{"name": name, "alias": alias, "version": version}, nil)
}

// SetTag is POST /api/2.0/mlflow/model-versions/set-tag.
func (c *Client) SetTag(ctx context.Context, name, version, key, value string) error {
	return c.call(ctx, http.MethodPost, "model-versions/set-tag",
		map[string]string{"name": name, "version": version, "key": key, "value": value}, nil)
}

func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.BaseURL, "/")+"/api/2.0/mlflow/"+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("mlflow: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("mlflow: %s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		e := &APIError{Status: resp.StatusCode}
		var doc struct {
			Code    string `json:"error_code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(raw, &doc) == nil && doc.Code != "" {
			e.Code, e.Message = doc.Code, doc.Message
		} else {
			e.Code, e.Message = http.StatusText(resp.StatusCode), strings.TrimSpace(string(raw[:min(len(raw), 200)]))
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("mlflow: %s %s: %w", method, path, err)
	}
	return nil
}
