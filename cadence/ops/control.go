package ops

import (
	"context"
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// Service is a Service with the MLOps verbs of Ops, and with Pause,
// Resume and Skip audited. cmd/cadencebot hands it to the chat adapters
// in place of the bare engine, so /cadence incident, follow-up, release
// and audit work on every platform (bot.Execute finds the Ops methods on
// it) and every pause, resume and skip, done or refused, is in the log.
type Service struct {
	cadence.Service
	*Ops
}

// Wrap returns svc with o's verbs and audited ritual controls.
func (o *Ops) Wrap(svc cadence.Service) *Service { return &Service{Service: svc, Ops: o} }

// Pause pauses a ritual and audits it (or the refusal).
func (s *Service) Pause(ctx context.Context, actorID, ritualID string) error {
	err := s.Service.Pause(ctx, actorID, ritualID)
	return s.auditControl(ctx, actorID, "ritual.pause", ritualID, nil, err)
}

// Resume resumes a ritual and audits it (or the refusal).
func (s *Service) Resume(ctx context.Context, actorID, ritualID string) error {
	err := s.Service.Resume(ctx, actorID, ritualID)
	return s.auditControl(ctx, actorID, "ritual.resume", ritualID, nil, err)
}

// Skip skips an occurrence and audits it (or the refusal).
func (s *Service) Skip(ctx context.Context, actorID, ritualID, reason string) (*cadence.SkipResult, error) {
	res, err := s.Service.Skip(ctx, actorID, ritualID, reason)
	d := map[string]string{}
	if reason != "" {
		d["reason"] = reason
	}
	if res != nil {
		d["scheduled"] = res.Scheduled.UTC().Format(time.RFC3339)
		if res.OccurrenceID != "" {
			d["occurrence"] = res.OccurrenceID
		}
	}
	return res, s.auditControl(ctx, actorID, "ritual.skip", ritualID, d, err)
}

// auditControl records a ritual control after the engine ran it. The
// engine commits its change in its own transaction, so a crash between
// the two can lose this entry (never the change); a fault of the bot
// (store down) is not audited, only refusals and successes.
func (o *Ops) auditControl(ctx context.Context, actorID, action, ritualID string, details map[string]string, err error) error {
	e := cadence.AuditEntry{At: o.now(), Actor: actorID, Action: action, Target: "ritual:" + ritualID, Details: details}
	switch {
	case err == nil:
	case isRefusal(err):
		e.Outcome, e.Reason = cadence.AuditRefused, err.Error()
	default:
		return err
	}
	aerr := o.store.Update(ctx, func(tx cadence.Tx) error {
		_, err := cadence.AppendAudit(tx, e)
		return err
	})
	if aerr != nil {
		o.log.Error().Err(aerr).Str("action", action).Str("ritual", ritualID).Msg("could not audit a ritual control")
		if err == nil {
			return fmt.Errorf("%s %s done, but recording it in the audit log failed: %w", action, ritualID, aerr)
		}
	}
	return err
}

// SnoozePrompt passes a snooze to the wrapped service when it can snooze.
func (s *Service) SnoozePrompt(ctx context.Context, occurrenceID, personID string, d cadence.SnoozeFor) (time.Time, error) {
	sn, ok := s.Service.(cadence.Snoozer)
	if !ok {
		return time.Time{}, fmt.Errorf("snooze: the service cannot snooze prompts: %w", cadence.ErrInvalidInput)
	}
	return sn.SnoozePrompt(ctx, occurrenceID, personID, d)
}
