package ops

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// FollowUpInput adds a follow-up to an incident.
type FollowUpInput struct {
	Incident string // "INC-3"
	Title    string
	Owner    string       // person ID, must be on the roster
	Due      cadence.Date // in the owner's calendar; today or later
	Issue    string       // tracker issue URL (https), if any
}

// AddFollowUp records FU-N on an incident and tells its owner. Anyone on
// the roster may add one; the owner must be on the roster and the due
// date must not be in the past in the owner's zone.
func (o *Ops) AddFollowUp(ctx context.Context, actorID string, in FollowUpInput) (*cadence.FollowUp, error) {
	var out *cadence.FollowUp
	err := o.run(ctx, actorID, "followup.add", in.Incident, func(tx cadence.Tx, now time.Time, rec *opRecord) error {
		rec.set("title", in.Title)
		rec.set("owner", in.Owner)
		if !in.Due.IsZero() {
			rec.set("due", in.Due.String())
		}
		if _, err := o.actor(actorID, "add follow-ups"); err != nil {
			return err
		}
		inc, err := o.incident(tx, in.Incident)
		if err != nil {
			return err
		}
		rec.target = inc.ID()
		title, err := checkTitle("title", in.Title)
		if err != nil {
			return err
		}
		owner, err := o.member(in.Owner, "owner")
		if err != nil {
			return err
		}
		if err := o.checkDue(in.Due, owner, now); err != nil {
			return err
		}
		issue, err := cadence.CheckIssueURL("issue", in.Issue)
		if err != nil {
			return err
		}
		rec.set("issue", issue)
		last, err := tx.LastFollowUpNumber()
		if err != nil {
			return err
		}
		f := &cadence.FollowUp{
			Number: last + 1, Incident: inc.Number, Title: title, Owner: owner.ID, Due: in.Due,
			Status: cadence.FollowUpOpen, CreatedBy: actorID, CreatedAt: now, Issue: issue,
		}
		f.Record(now, actorID, fmt.Sprintf("created for %s, due %s", owner.ID, in.Due))
		if err := tx.PutFollowUp(f); err != nil {
			return err
		}
		rec.target = f.ID()
		rec.set("incident", inc.ID())
		out = f
		if err := o.enqueue(tx, rec, o.followUpAssigned(f, inc, now)); err != nil {
			return err
		}
		return o.refreshIncidentOwner(tx, rec, inc.Number, now)
	})
	return out, err
}

// checkDue refuses a missing date, or one before today where owner lives.
func (o *Ops) checkDue(due cadence.Date, owner *cadence.Person, now time.Time) error {
	if due.IsZero() {
		return cadence.Fieldf("due", "a date YYYY-MM-DD is required")
	}
	today := cadence.DateOf(now.In(owner.Zone()))
	if due.Before(today) {
		return cadence.Fieldf("due", "%s is in the past (today is %s for %s in %s)", due, today, owner.ID, owner.Zone())
	}
	return nil
}

// CompleteFollowUp marks an open follow-up done.
func (o *Ops) CompleteFollowUp(ctx context.Context, actorID, id string) (*cadence.FollowUp, error) {
	return o.changeFollowUp(ctx, actorID, "followup.done", id, func(f *cadence.FollowUp, now time.Time, rec *opRecord) error {
		f.Status, f.ClosedAt, f.ClosedBy = cadence.FollowUpDone, now, actorID
		f.Record(now, actorID, "done")
		rec.set("on_time", fmt.Sprint(!now.After(f.Deadline(o.loc(f.Owner)))))
		return nil
	})
}

// DropFollowUp closes an open follow-up without doing it; a reason is
// required.
func (o *Ops) DropFollowUp(ctx context.Context, actorID, id, reason string) (*cadence.FollowUp, error) {
	return o.changeFollowUp(ctx, actorID, "followup.drop", id, func(f *cadence.FollowUp, now time.Time, rec *opRecord) error {
		r, err := checkText("reason", reason, MaxTitleLen)
		if err != nil {
			return err
		}
		f.Status, f.ClosedAt, f.ClosedBy, f.DropReason = cadence.FollowUpDropped, now, actorID, r
		f.Record(now, actorID, "dropped: "+r)
		rec.set("reason", r)
		return nil
	})
}

// SnoozeFollowUp silences its reminders for the policy's snooze period.
func (o *Ops) SnoozeFollowUp(ctx context.Context, actorID, id string) (*cadence.FollowUp, error) {
	return o.changeFollowUp(ctx, actorID, "followup.snooze", id, func(f *cadence.FollowUp, now time.Time, rec *opRecord) error {
		f.SnoozedUntil = now.Add(o.reminders.Snooze)
		until := f.SnoozedUntil.In(o.loc(f.Owner)).Format(cadence.TimeLayout)
		f.Record(now, actorID, "reminders snoozed until "+until)
		rec.set("until", f.SnoozedUntil.Format(time.RFC3339))
		return nil
	})
}

// ReassignFollowUp gives an open follow-up to someone else on the roster
// and tells them.
func (o *Ops) ReassignFollowUp(ctx context.Context, actorID, id, newOwner string) (*cadence.FollowUp, error) {
	var inc *cadence.Incident
	f, err := o.changeFollowUpTx(ctx, actorID, "followup.reassign", id, func(tx cadence.Tx, f *cadence.FollowUp, now time.Time, rec *opRecord) error {
		rec.set("owner", newOwner)
		p, err := o.member(newOwner, "owner")
		if err != nil {
			return err
		}
		if p.ID == f.Owner {
			return cadence.Refusef(cadence.ErrConflict, "%s already owns %s", o.name(p.ID), f.ID())
		}
		rec.set("from", f.Owner)
		f.Record(now, actorID, fmt.Sprintf("owner %s → %s", f.Owner, p.ID))
		f.Owner, f.SnoozedUntil = p.ID, time.Time{}
		if inc, err = tx.Incident(f.Incident); err != nil {
			return fmt.Errorf("incident of %s: %w", f.ID(), err)
		}
		return o.enqueue(tx, rec, o.followUpAssigned(f, inc, now))
	})
	return f, err
}

func (o *Ops) changeFollowUp(ctx context.Context, actorID, action, id string, fn func(f *cadence.FollowUp, now time.Time, rec *opRecord) error) (*cadence.FollowUp, error) {
	return o.changeFollowUpTx(ctx, actorID, action, id, func(_ cadence.Tx, f *cadence.FollowUp, now time.Time, rec *opRecord) error {
		return fn(f, now, rec)
	})
}

// changeFollowUpTx loads an open follow-up, checks that the actor may
// change it (its owner, whoever created it, the incident's owner, leads
// and admins), applies fn and stores it.
func (o *Ops) changeFollowUpTx(ctx context.Context, actorID, action, id string, fn func(tx cadence.Tx, f *cadence.FollowUp, now time.Time, rec *opRecord) error) (*cadence.FollowUp, error) {
	var out *cadence.FollowUp
	err := o.run(ctx, actorID, action, id, func(tx cadence.Tx, now time.Time, rec *opRecord) error {
		actor, err := o.actor(actorID, "change follow-ups")
		if err != nil {
			return err
		}
		f, err := o.followUp(tx, id)
		if err != nil {
			return err
		}
		rec.target = f.ID()
		inc, err := tx.Incident(f.Incident)
		if err != nil {
			return fmt.Errorf("incident of %s: %w", f.ID(), err)
		}
		if actor.ID != f.Owner && actor.ID != f.CreatedBy && actor.ID != inc.Owner && !actor.Role.CanRunRituals() {
			return fmt.Errorf("only %s's owner (%s), whoever created it, the owner of %s, leads and admins can change it: %w",
				f.ID(), o.name(f.Owner), inc.ID(), cadence.ErrForbidden)
		}
		if f.Status != cadence.FollowUpOpen {
			// A late click: say who closed it and when.
			return cadence.Refusef(cadence.ErrConflict, "%s is already %s (by %s, %s)", f.ID(), f.Status, o.name(f.ClosedBy),
				f.ClosedAt.In(o.loc(actorID)).Format(cadence.TimeLayout))
		}
		if err := fn(tx, f, now, rec); err != nil {
			return err
		}
		out = f
		if err := tx.PutFollowUp(f); err != nil {
			return err
		}
		return o.refreshIncidentOwner(tx, rec, f.Incident, now)
	})
	return out, err
}

// FollowUps lists follow-ups matching f.
func (o *Ops) FollowUps(ctx context.Context, f cadence.FollowUpFilter) ([]*cadence.FollowUp, error) {
	var out []*cadence.FollowUp
	err := o.view(ctx, func(tx cadence.Tx) error {
		var err error
		out, err = tx.FollowUps(f)
		return err
	})
	return out, err
}

// FollowUp returns one follow-up by display ID.
func (o *Ops) FollowUp(ctx context.Context, id string) (*cadence.FollowUp, error) {
	var out *cadence.FollowUp
	err := o.view(ctx, func(tx cadence.Tx) error {
		var err error
		out, err = o.followUp(tx, id)
		return err
	})
	return out, err
}

func (o *Ops) followUp(tx cadence.Tx, id string) (*cadence.FollowUp, error) {
	n, err := cadence.ParseFollowUpID(id)
	if err != nil {
		return nil, err
	}
	f, err := tx.FollowUp(n)
	if errors.Is(err, cadence.ErrNotFound) {
		return nil, cadence.Refusef(cadence.ErrNotFound, "there is no follow-up %s", cadence.FollowUpID(n))
	}
	return f, err
}
