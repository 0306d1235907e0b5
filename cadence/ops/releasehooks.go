package ops

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// Release events leave the bot through the outbox like any message, so a
// pipeline's webhook and the model registry get each event once, retried
// until they take it, and a lead hears of one that keeps failing. The
// body's Text is the JSON the receiver gets, fixed when the event happened.

const (
	// PlatformWebhook delivers release events to an integration's webhook;
	// the recipient's Channel is the integration id.
	PlatformWebhook = "webhook"
	// PlatformRegistry applies an approved release to the model registry;
	// the recipient's Channel is the registered model.
	PlatformRegistry = "registry"
)

// ReleaseEvent is the JSON a webhook receives.
type ReleaseEvent struct {
	Event    string        `json:"event"` // "release.approved"
	Delivery string        `json:"delivery"`
	At       time.Time     `json:"at"`
	Release  ReleaseRecord `json:"release"`
}

// ReleaseRecord is a release as the API and webhooks show it.
type ReleaseRecord struct {
	ID           string           `json:"id"`
	Status       string           `json:"status"`
	Model        string           `json:"model"`
	Version      string           `json:"version"`
	Change       string           `json:"change"`
	Risk         string           `json:"risk"`
	Evidence     string           `json:"evidence,omitempty"`
	RollbackPlan string           `json:"rollback_plan,omitempty"`
	Source       string           `json:"source,omitempty"`
	ProposedBy   string           `json:"proposed_by"`
	Approvals    []string         `json:"approvals"`
	Needed       int              `json:"approvals_needed"`
	RejectReason string           `json:"reject_reason,omitempty"`
	Lineage      *cadence.Lineage `json:"lineage,omitempty"`
	ApprovedAt   *time.Time       `json:"approved_at,omitempty"`
}

// RegistryUpdate is what an approved release asks of the model registry.
type RegistryUpdate struct {
	Model   string            `json:"model"`
	Version string            `json:"version"`
	Alias   string            `json:"alias"`
	Tags    map[string]string `json:"tags"`
}

// Record is r as the API shows it.
func (o *Ops) Record(r *cadence.Release) ReleaseRecord {
	rec := ReleaseRecord{
		ID: r.ID(), Status: string(r.Status), Model: r.Model, Version: r.Version, Change: string(r.Change),
		Risk: string(r.Risk), Evidence: r.Evidence, RollbackPlan: r.RollbackPlan, Source: r.Source,
		ProposedBy: r.ProposedBy, Approvals: []string{}, Needed: o.ApprovalsFor(r),
		RejectReason: r.RejectReason, Lineage: r.Lineage,
	}
	for _, a := range r.Approvals {
		rec.Approvals = append(rec.Approvals, a.By)
	}
	if !r.ApprovedAt.IsZero() {
		at := r.ApprovedAt.UTC()
		rec.ApprovedAt = &at
	}
	return rec
}

// releaseHooks are the outbound messages for event ("proposed",
// "approved", "rejected", "shipped", "rolled-back") of r: the proposing
// integration's webhook, and on approval the registry alias.
func (o *Ops) releaseHooks(r *cadence.Release, event string, now time.Time) []*cadence.Message {
	var out []*cadence.Message
	ritual := ""
	if ch := o.ritualOfKind(cadence.KindDeploymentPlanning); ch != nil {
		ritual = ch.ID // a delivery that keeps failing is told to its lead
	}
	msg := func(platform, to, key string, title string, payload any) *cadence.Message {
		raw, err := json.Marshal(payload)
		if err != nil {
			panic(err) // plain structs of strings: cannot fail
		}
		return &cadence.Message{
			Key: key, Kind: cadence.KindHook, Platform: platform, To: cadence.Recipient{Channel: to}, RitualID: ritual,
			Body: cadence.Body{Title: title, Text: string(raw)}, CreatedAt: now, Revision: 1, State: cadence.StatePending, NextAttemptAt: now,
		}
	}
	if r.Source != "" && o.webhooks[r.Source] {
		key := cadence.MessageKey("hook", r.ID(), event, r.Source)
		out = append(out, msg(PlatformWebhook, r.Source, key, "release."+event,
			ReleaseEvent{Event: "release." + event, Delivery: key, At: now, Release: o.Record(r)}))
	}
	if event == string(cadence.ReleaseApproved) && o.alias != "" && r.Lineage != nil {
		out = append(out, msg(PlatformRegistry, "MLflow model "+r.Lineage.RegisteredModel, cadence.MessageKey("registry", r.ID(), event), "registry alias",
			RegistryUpdate{Model: r.Lineage.RegisteredModel, Version: r.Lineage.Version, Alias: o.alias,
				Tags: map[string]string{"cadencebot.release": r.ID(), "cadencebot.status": event}}))
	}
	return out
}

// AuditRefused records a call refused before it reached Ops (a release API
// request with a bad token, a registry that does not know the model), so
// every call is in the audit log, refused or not.
func (o *Ops) AuditRefused(ctx context.Context, actor, action, target string, details map[string]string, reason error) {
	o.auditRefusal(ctx, o.now(), actor, action, target, details, reason)
}
