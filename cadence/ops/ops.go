package ops

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
)

// Config configures New.
type Config struct {
	Roster  *cadence.Roster
	Rituals []*cadence.Ritual // to find the triage and deployment-planning channels
	Store   cadence.Store
	Clock   cadence.Clock // defaults to SystemClock
	Logger  zerolog.Logger
	// Platform receives direct messages (reminders, approval requests)
	// and channel posts of rituals without a platform; "local" if empty.
	Platform string
	// Approvers may approve and reject releases. Empty means: people with
	// role lead or admin, or with the capability "release" (see
	// IsDefaultApprover; the config file's [releases] approvers).
	Approvers []string
	// HighRiskApprovals is how many distinct approvers a high-risk release
	// needs (default 2); low and medium need one.
	HighRiskApprovals int
	// ChangePolicies set the approvals a change type needs at low and
	// medium risk (0: approved as soon as it is proposed); see ApprovalsFor.
	ChangePolicies map[cadence.ChangeType]int
	// Webhooks are the integrations told of their releases' events
	// (proposed, approved, rejected, shipped, rolled back) on the
	// PlatformWebhook chat; RegistryAlias, if set, is the model registry
	// alias an approved release with Lineage gets (PlatformRegistry).
	Webhooks      []string
	RegistryAlias string
	// Reminders of follow-ups; zero values take the defaults.
	Reminders ReminderPolicy
	// Enqueued, if set, is called after a transaction that queued messages
	// commits, to wake the dispatcher. It must not block.
	Enqueued func()
	// Rotations are the on-call rotations (oncall.go).
	Rotations []*cadence.Rotation
	// Localizer words DMs in each recipient's language (default: the
	// embedded catalogs).
	Localizer cadence.Localizer
}

// Ops runs incidents, follow-ups and the release lane, and keeps the
// audit log. Like the Engine it keeps no state between calls: everything
// is in the Store. Every change and every refusal is audited.
type Ops struct {
	// cur holds roster, rituals and approvers, swapped as a whole by
	// Service.Reload (reload.go).
	cur       atomic.Pointer[opsLive]
	store     cadence.Store
	clock     cadence.Clock
	log       zerolog.Logger
	platform  string
	high      int
	reminders ReminderPolicy
	enqueued  func()
	policies  map[cadence.ChangeType]int
	webhooks  map[string]bool
	alias     string
	words     cadence.Localizer
	rotations atomic.Pointer[[]*cadence.Rotation] // SetRotations
}

// to is how person p is written to: in their language.
func (o *Ops) to(p string) cadence.Words {
	return cadence.NewWords(o.words, o.live().roster.LanguageOf(p))
}

// team is how channels are written to: in the team's language.
func (o *Ops) team() cadence.Words {
	return cadence.NewWords(o.words, o.live().roster.Language())
}

// New checks the configuration and returns the service.
func New(cfg Config) (*Ops, error) {
	if cfg.Store == nil {
		return nil, errors.New("ops: no store")
	}
	if cfg.Roster == nil {
		cfg.Roster = cadence.NewRoster(nil)
	}
	if cfg.Clock == nil {
		cfg.Clock = cadence.SystemClock{}
	}
	if cfg.Platform == "" {
		cfg.Platform = "local"
	}
	if cfg.HighRiskApprovals <= 0 {
		cfg.HighRiskApprovals = 2
	}
	if cfg.Localizer == nil {
		cfg.Localizer = cadence.DefaultLocalizer()
	}
	o := &Ops{
		store: cfg.Store, clock: cfg.Clock, log: cfg.Logger,
		platform: cfg.Platform, high: cfg.HighRiskApprovals, reminders: cfg.Reminders.withDefaults(),
		enqueued: cfg.Enqueued, policies: cfg.ChangePolicies, alias: cfg.RegistryAlias,
		words: cfg.Localizer,
	}
	if err := checkPolicies(cfg.ChangePolicies); err != nil {
		return nil, err
	}
	o.webhooks = map[string]bool{}
	for _, id := range cfg.Webhooks {
		o.webhooks[id] = true
	}
	live, err := buildOpsLive(cfg.Roster, cfg.Rituals, cfg.Approvers)
	if err != nil {
		return nil, err
	}
	o.cur.Store(live)
	o.SetRotations(cfg.Rotations)
	if n := len(o.Approvers()); n < o.high {
		o.log.Warn().Int("approvers", n).Int("needed", o.high).
			Msg("fewer release approvers than a high-risk release needs: high-risk releases cannot be approved")
	}
	return o, nil
}

// Approvers lists who may approve releases, in roster order.
func (o *Ops) Approvers() []string {
	var out []string
	for _, p := range o.live().roster.People() {
		if o.isApprover(p) {
			out = append(out, p.ID)
		}
	}
	return out
}

func (o *Ops) isApprover(p *cadence.Person) bool {
	if p == nil {
		return false
	}
	if o.live().approvers != nil {
		return o.live().approvers[p.ID]
	}
	return IsDefaultApprover(p)
}

// IsDefaultApprover reports whether p approves releases when no approvers
// are configured: leads, admins and people with the capability "release".
func IsDefaultApprover(p *cadence.Person) bool {
	return p.Role == cadence.RoleLead || p.Role == cadence.RoleAdmin || p.HasCapability("release")
}

// ApprovalsNeeded is how many distinct approvals a release of risk r needs.
func (o *Ops) ApprovalsNeeded(r cadence.Risk) int {
	if r == cadence.RiskHigh {
		return o.high
	}
	return 1
}

func (o *Ops) now() time.Time { return o.clock.Now().UTC() }

// actor returns the roster entry of the person acting, or a refusal.
func (o *Ops) actor(id, verb string) (*cadence.Person, error) {
	p := o.live().roster.Person(id)
	if p == nil {
		return nil, cadence.Refusef(cadence.ErrForbidden, "%q is not on the roster, so cannot %s", id, verb)
	}
	return p, nil
}

// member returns a roster entry named as an owner, or bad input.
func (o *Ops) member(id, field string) (*cadence.Person, error) {
	if id == "" {
		return nil, cadence.Fieldf(field, "a person is required")
	}
	p := o.live().roster.Person(id)
	if p == nil {
		return nil, cadence.Fieldf(field, "%q is not on the roster", id)
	}
	return p, nil
}

func (o *Ops) name(id string) string {
	if p := o.live().roster.Person(id); p != nil && p.Name != "" {
		return p.Name
	}
	return id
}

// opRecord collects what an operation tells the audit log and whether it
// queued messages.
type opRecord struct {
	target   string
	details  map[string]string
	enqueued bool
}

func (r *opRecord) set(k, v string) {
	if v != "" {
		r.details[k] = v
	}
}

// run executes fn in one transaction, together with its audit entry. A
// refusal (bad input, not allowed, unknown item, wrong state) rolls fn
// back, and is then audited in a transaction of its own: nothing changes
// but the log.
func (o *Ops) run(ctx context.Context, actor, action, target string, fn func(tx cadence.Tx, now time.Time, rec *opRecord) error) error {
	now := o.now()
	rec := &opRecord{target: target}
	err := o.store.Update(ctx, func(tx cadence.Tx) error {
		rec.details, rec.enqueued = map[string]string{}, false
		if err := fn(tx, now, rec); err != nil {
			return err
		}
		_, err := cadence.AppendAudit(tx, cadence.AuditEntry{At: now, Actor: actor, Action: action, Target: rec.target, Details: rec.details})
		return err
	})
	if err == nil {
		o.log.Info().Str("person", actor).Str("action", action).Str("target", rec.target).Msg("ops")
		if rec.enqueued && o.enqueued != nil {
			o.enqueued()
		}
		return nil
	}
	if !isRefusal(err) {
		return fmt.Errorf("%s %s: %w", action, rec.target, err)
	}
	o.auditRefusal(ctx, now, actor, action, rec.target, rec.details, err)
	return err
}

// AuditRefusal records a refusal decided before any service method ran
// (the command layer's role checks, an unknown ritual, someone not on the
// roster), so that every refusal is in the log whoever refused it.
func (o *Ops) AuditRefusal(ctx context.Context, actor, action, target string, details map[string]string, refusal error) {
	o.auditRefusal(ctx, o.now(), actor, action, target, details, refusal)
}

// auditRefusal records that actor was refused; a failure to record it is
// logged, and the refusal is still what the caller gets.
func (o *Ops) auditRefusal(ctx context.Context, now time.Time, actor, action, target string, details map[string]string, refusal error) {
	o.log.Info().Str("person", actor).Str("action", action).Str("target", target).Str("reason", refusal.Error()).Msg("ops refused")
	err := o.store.Update(ctx, func(tx cadence.Tx) error {
		_, err := cadence.AppendAudit(tx, cadence.AuditEntry{At: now, Actor: actor, Action: action, Target: target,
			Outcome: cadence.AuditRefused, Reason: refusal.Error(), Details: details})
		return err
	})
	if err != nil {
		o.log.Error().Err(err).Str("action", action).Msg("could not audit a refusal")
	}
}

// isRefusal reports whether err is the person's mistake or lack of
// permission, as opposed to a fault of the bot.
func isRefusal(err error) bool {
	for _, e := range []error{cadence.ErrInvalidInput, cadence.ErrForbidden, cadence.ErrNotFound, cadence.ErrConflict} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func (o *Ops) enqueue(tx cadence.Tx, rec *opRecord, m *cadence.Message) error {
	ok, err := tx.Enqueue(m)
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", m.Key, err)
	}
	rec.enqueued = rec.enqueued || ok
	return nil
}

// loc is a person's zone, UTC for unknown people.
func (o *Ops) loc(id string) *time.Location {
	if p := o.live().roster.Person(id); p != nil {
		return p.Zone()
	}
	return time.UTC
}

// today is the civil date in person's zone.
func (o *Ops) today(id string, now time.Time) cadence.Date { return cadence.DateOf(now.In(o.loc(id))) }

// view runs a read transaction.
func (o *Ops) view(ctx context.Context, fn func(tx cadence.Tx) error) error {
	return o.store.View(ctx, fn)
}

// AuditLog returns the audit entries recorded since since (zero: all) to
// leads, managers and admins; others are refused, and the refusal is
// audited like any other.
func (o *Ops) AuditLog(ctx context.Context, actorID string, since time.Time) ([]*cadence.AuditEntry, error) {
	if err := o.canReadAudit(ctx, actorID, "audit.read"); err != nil {
		return nil, err
	}
	var out []*cadence.AuditEntry
	err := o.view(ctx, func(tx cadence.Tx) error {
		var err error
		out, err = cadence.ReadAudit(tx, since)
		return err
	})
	return out, err
}

// VerifyAuditLog checks the whole chain for leads, managers and admins.
// A broken chain is an error wrapping ErrAuditTampered.
func (o *Ops) VerifyAuditLog(ctx context.Context, actorID string) (cadence.AuditVerification, error) {
	if err := o.canReadAudit(ctx, actorID, "audit.verify"); err != nil {
		return cadence.AuditVerification{}, err
	}
	var v cadence.AuditVerification
	var verr error
	err := o.view(ctx, func(tx cadence.Tx) error {
		v, verr = cadence.VerifyAudit(tx)
		return nil
	})
	if err != nil {
		return v, err
	}
	if verr != nil {
		o.log.Error().Err(verr).Msg("audit log does not verify")
	}
	return v, verr
}

func (o *Ops) canReadAudit(ctx context.Context, actorID, action string) error {
	p := o.live().roster.Person(actorID)
	var err error
	switch {
	case p == nil:
		err = cadence.Refusef(cadence.ErrForbidden, "%q is not on the roster, so cannot read the audit log", actorID)
	case !p.Role.CanReadReports():
		err = cadence.Refusef(cadence.ErrForbidden, "only leads, managers and admins can read the audit log; %s is a %s", p.Name, p.Role)
	default:
		return nil
	}
	o.auditRefusal(ctx, o.now(), actorID, action, "audit", nil, err)
	return err
}
