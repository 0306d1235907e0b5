package mlflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// Registry applies approved releases to MLflow as the outbox's
// ops.PlatformRegistry: the dispatcher retries it while MLflow is down
// and tells the deployment-planning lead when it gives up. Setting an
// alias and a tag is idempotent, so a retry after a lost reply is safe.
type Registry struct{ Client *Client }

var _ cadence.Chat = (*Registry)(nil)

// Platform is ops.PlatformRegistry.
func (*Registry) Platform() string { return ops.PlatformRegistry }

// Send sets the alias, then the tags (in key order).
func (r *Registry) Send(ctx context.Context, m *cadence.Message, _ cadence.Ref) (cadence.Ref, error) {
	var up ops.RegistryUpdate
	if err := json.Unmarshal([]byte(m.Body.Text), &up); err != nil {
		return cadence.Ref{}, &cadence.SendError{Code: "bad_payload", NotSent: true, Err: fmt.Errorf("registry update %s: %w", m.Key, err)}
	}
	if up.Alias != "" {
		if err := r.Client.SetAlias(ctx, up.Model, up.Alias, up.Version); err != nil {
			return cadence.Ref{}, sendError(err)
		}
	}
	keys := make([]string, 0, len(up.Tags))
	for k := range up.Tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := r.Client.SetTag(ctx, up.Model, up.Version, k, up.Tags[k]); err != nil {
			return cadence.Ref{}, sendError(err)
		}
	}
	return cadence.Ref{Channel: up.Model, ID: up.Version}, nil
}

// Update sends again: the calls are idempotent.
func (r *Registry) Update(ctx context.Context, _ cadence.Ref, m *cadence.Message) error {
	_, err := r.Send(ctx, m, cadence.Ref{})
	return err
}

// sendError: MLflow down, overloaded or unreachable is retried; a 4xx
// (unknown model, no permission) will not get better by itself.
func sendError(err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		return &cadence.SendError{Retryable: ae.Temporary(), NotSent: ae.Status < 500, Code: ae.Code, Err: err}
	}
	return &cadence.SendError{Retryable: true, Code: "unreachable", Err: err}
}
