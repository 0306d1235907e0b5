package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// onCallImportNS keeps, per rotation (key: its id), what PagerDuty or
// Opsgenie last said about who is on call, and whether it can be reached.
const onCallImportNS = "oncall.import"

// OnCallImportActor is the audit actor of on-call imports.
const OnCallImportActor = "oncall-import"

// ProviderName is how people read a provider's name.
func ProviderName(p string) string {
	switch p {
	case "pagerduty":
		return "PagerDuty"
	case "opsgenie":
		return "Opsgenie"
	}
	return p
}

// ImportedShift is one on-call entry as a provider reports it: who (by
// email, the key both tools and the roster share) and, when the provider
// says, from when until when. A zero To means "until further notice".
type ImportedShift struct {
	Email, Name string
	From, To    time.Time
}

// OnCallImport is the state of a rotation's import: the last value the
// provider gave (kept through failures) and whether the last call failed.
type OnCallImport struct {
	Rotation string
	Provider string
	// Person is the roster id of the imported on-call, applied from From
	// until To (the end the provider gave, or of the computed turn).
	Person   string
	From, To time.Time
	// FetchedAt is the last successful import.
	FetchedAt time.Time
	// FailingSince is zero when the last call succeeded; LastError says
	// what went wrong (no secret in it: tokens are never echoed).
	FailingSince time.Time
	LastError    string
}

// applies reports whether the imported person is on call at t.
func (im *OnCallImport) applies(t time.Time) bool {
	return im != nil && im.Person != "" && !t.Before(im.From) && t.Before(im.To)
}

// Status is the note shown beside the on-call: "from PagerDuty, 5 min
// ago" or "PagerDuty unreachable since Tue 1 Dec 14:05 CET: …".
func (im *OnCallImport) Status(now time.Time, loc *time.Location) string {
	if im == nil {
		return ""
	}
	name := ProviderName(im.Provider)
	if !im.FailingSince.IsZero() {
		s := fmt.Sprintf("%s unreachable since %s", name, im.FailingSince.In(loc).Format("Mon 2 Jan 15:04 MST"))
		if im.LastError != "" {
			s += ": " + im.LastError
		}
		if im.applies(now) {
			s += "; showing the last known on-call"
		}
		return s
	}
	if im.FetchedAt.IsZero() {
		return ""
	}
	return fmt.Sprintf("from %s, %s", name, ago(now.Sub(im.FetchedAt)))
}

func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}

func readImport(tx cadence.Tx, rotation string) (*OnCallImport, error) {
	b, err := tx.Get(onCallImportNS, rotation)
	if errors.Is(err, cadence.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("on-call import of %s: %w", rotation, err)
	}
	var im OnCallImport
	if err := json.Unmarshal(b, &im); err != nil {
		return nil, fmt.Errorf("on-call import of %s: %w", rotation, err)
	}
	return &im, nil
}

// OnCallImportOf returns the import state of a rotation (nil: never run).
func (o *Ops) OnCallImportOf(ctx context.Context, rotation string) (*OnCallImport, error) {
	var out *OnCallImport
	err := o.view(ctx, func(tx cadence.Tx) error {
		var err error
		out, err = readImport(tx, rotation)
		return err
	})
	return out, err
}

// RecordOnCallImport stores the outcome of one call to the rotation's
// provider. On success the person whose email matches becomes the on-call
// for the provider's window (or the computed turn, when it gives none);
// on failure, or when nobody on the roster has that email, the last known
// value is kept and the failure recorded. The first failure of an outage,
// the recovery, and every change of person are audited; every failure is
// logged.
func (o *Ops) RecordOnCallImport(ctx context.Context, rotationID string, shifts []ImportedShift, fetchErr error) (*OnCallImport, error) {
	r := o.Rotation(rotationID)
	if r == nil || r.Import == nil {
		return nil, fmt.Errorf("on-call import: rotation %q has no [rotations.import]", rotationID)
	}
	now := o.now()
	var out *OnCallImport
	err := o.store.Update(ctx, func(tx cadence.Tx) error {
		prev, err := readImport(tx, r.ID)
		if err != nil {
			return err
		}
		im := &OnCallImport{Rotation: r.ID, Provider: r.Import.Provider}
		if prev != nil && prev.Provider == r.Import.Provider {
			*im = *prev
		}
		audit := func(action string, details map[string]string) error {
			details["provider"] = r.Import.Provider
			details["schedule"] = r.Import.Schedule
			_, err := cadence.AppendAudit(tx, cadence.AuditEntry{At: now, Actor: OnCallImportActor, Action: action, Target: "rotation:" + r.ID, Details: details})
			return err
		}
		problem := ""
		var got ImportedShift
		switch {
		case fetchErr != nil:
			problem = fetchErr.Error()
		case len(shifts) == 0:
			problem = "the schedule has nobody on call now"
		default:
			got = pickShift(shifts, now)
			p := o.byEmail(got.Email)
			if p == nil {
				problem = fmt.Sprintf("its on-call %s (%s) has no person with that email in [[people]]", got.Email, got.Name)
				break
			}
			ovs, err := o.overrides(tx, r)
			if err != nil {
				return err
			}
			turn := cadence.OnCallAt(r, ovs, now)
			from, to := got.From, got.To
			if from.IsZero() || from.After(now) {
				from = now
			}
			if to.IsZero() || !to.After(now) {
				to = turn.To // until further notice: the computed turn
			}
			changed := im.Person != p.ID || prev == nil || !prev.FailingSince.IsZero()
			im.Person, im.From, im.To = p.ID, from.UTC(), to.UTC()
			im.FetchedAt, im.FailingSince, im.LastError = now, time.Time{}, ""
			if changed {
				d := map[string]string{"person": p.ID, "email": got.Email, "until": cadence.UTCStamp(im.To)}
				if turn.Person != "" && turn.Person != p.ID {
					d["instead_of"] = turn.Person
				}
				if prev != nil && !prev.FailingSince.IsZero() {
					d["recovered_after"] = now.Sub(prev.FailingSince).Round(time.Second).String()
				}
				if err := audit("oncall.import", d); err != nil {
					return err
				}
			}
		}
		if problem != "" {
			first := im.FailingSince.IsZero()
			if first {
				im.FailingSince = now
			}
			im.LastError = problem
			o.log.Warn().Str("rotation", r.ID).Str("provider", r.Import.Provider).Str("error", problem).
				Msg("on-call import failed; the last known on-call stays")
			if first {
				if err := audit("oncall.import.failed", map[string]string{"error": problem, "kept": im.Person}); err != nil {
					return err
				}
			}
		}
		v, err := json.Marshal(im)
		if err != nil {
			return err
		}
		out = im
		return tx.Put(onCallImportNS, r.ID, v)
	})
	return out, err
}

// pickShift is the entry in force now (the first such, as the provider
// orders them by escalation level), else the first.
func pickShift(shifts []ImportedShift, now time.Time) ImportedShift {
	for _, s := range shifts {
		if !s.From.After(now) && (s.To.IsZero() || now.Before(s.To)) {
			return s
		}
	}
	return shifts[0]
}

// byEmail finds a roster person by email, ignoring case.
func (o *Ops) byEmail(email string) *cadence.Person {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil
	}
	for _, p := range o.live().roster.People() {
		if strings.EqualFold(p.Handles.Email, email) {
			return p
		}
	}
	return nil
}

// effectiveShift is who is on call in r at t: the import when it covers
// t, else the schedule with its overrides.
func effectiveShift(r *cadence.Rotation, ovs []cadence.Override, im *OnCallImport, t time.Time) cadence.Shift {
	if im.applies(t) {
		return cadence.Shift{Rotation: r.ID, Person: im.Person, From: im.From, To: im.To}
	}
	return cadence.OnCallAt(r, ovs, t)
}
