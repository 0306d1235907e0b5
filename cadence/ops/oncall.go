package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// overridesNS is the store namespace of swaps made in chat; keys are
// "rotation/From" with From in fixed-width UTC, so they sort by time.
const overridesNS = "oncall.overrides"

// Rotations returns the configured on-call rotations.
func (o *Ops) Rotations() []*cadence.Rotation {
	if rs := o.rotations.Load(); rs != nil {
		return *rs
	}
	return nil
}

// SetRotations puts the rotations of a reloaded config in force; swaps
// stored for a rotation id that is gone are kept, unused, should it
// come back.
func (o *Ops) SetRotations(rs []*cadence.Rotation) { o.rotations.Store(&rs) }

// Rotation returns the rotation with the given ID (any case), or nil.
func (o *Ops) Rotation(id string) *cadence.Rotation {
	for _, r := range o.Rotations() {
		if strings.EqualFold(r.ID, id) {
			return r
		}
	}
	return nil
}

// OnCallNow is who is on call in one rotation and who follows.
type OnCallNow struct {
	Rotation *cadence.Rotation
	Current  cadence.Shift
	Next     cadence.Shift
	// At is the instant asked about.
	At time.Time
	// Import is the state of the rotation's import ([rotations.import]),
	// nil without one; Imported is set when Current comes from it.
	Import   *OnCallImport
	Imported bool
}

// overrides returns r's config overrides and the swaps stored for it.
func (o *Ops) overrides(tx cadence.Tx, r *cadence.Rotation) ([]cadence.Override, error) {
	out := slices.Clone(r.Overrides)
	keys, err := tx.Keys(overridesNS, r.ID+"/")
	if err != nil {
		return nil, fmt.Errorf("on-call swaps of %s: %w", r.ID, err)
	}
	for _, k := range keys {
		b, err := tx.Get(overridesNS, k)
		if err != nil {
			return nil, fmt.Errorf("on-call swap %s: %w", k, err)
		}
		var ov cadence.Override
		if err := json.Unmarshal(b, &ov); err != nil {
			return nil, fmt.Errorf("on-call swap %s: %w", k, err)
		}
		out = append(out, ov)
	}
	return out, nil
}

func overrideKey(ov cadence.Override) string {
	return ov.Rotation + "/" + ov.From.UTC().Format("20060102T150405Z")
}

// onCall computes every rotation's current and next shift at t.
func (o *Ops) onCall(tx cadence.Tx, t time.Time) ([]OnCallNow, error) {
	var out []OnCallNow
	sub := o.Substitute(tx)
	for _, r := range o.Rotations() {
		ovs, err := o.overrides(tx, r)
		if err != nil {
			return nil, err
		}
		var im *OnCallImport
		if r.Import != nil {
			if im, err = readImport(tx, r.ID); err != nil {
				return nil, err
			}
		}
		raw := cadence.OnCallAt(r, ovs, t)
		imported := im.applies(t)
		if imported {
			raw = effectiveShift(r, ovs, im, t)
		}
		next := cadence.NextOnCall(r, ovs, raw)
		if imported && next.From.After(raw.To) {
			raw.To = next.From // the imported person's own turn follows on
		}
		cur := raw
		cur.Person = sub(raw.Person)
		// A stand-in's turns join their own: "Bo until …, then Bo" says
		// nothing.
		for i := 0; i < len(r.Members)+len(ovs) && sub(next.Person) == cur.Person && cur.Person != ""; i++ {
			cur.To = next.To
			next = cadence.NextOnCall(r, ovs, next)
		}
		next.Person = sub(next.Person)
		out = append(out, OnCallNow{Rotation: r, Current: cur, Next: next, At: t, Import: im, Imported: imported})
	}
	return out, nil
}

// OnCall says who is on call at t in every rotation, and who is next.
func (o *Ops) OnCall(ctx context.Context, t time.Time) ([]OnCallNow, error) {
	var out []OnCallNow
	err := o.view(ctx, func(tx cadence.Tx) error {
		var err error
		out, err = o.onCall(tx, t)
		return err
	})
	return out, err
}

// SwapOnCall makes a and b swap turns in a rotation (rotationID may be
// empty when only one rotation has both): b takes a's turn in force on
// day, a takes b's next one. Leads, admins, a and b may do it. The two
// overrides and the audit entry land in one transaction; a swap that
// would overlap an override already in place is refused.
func (o *Ops) SwapOnCall(ctx context.Context, actorID, rotationID, a, b string, day cadence.Date) ([]cadence.Override, error) {
	var out []cadence.Override
	err := o.run(ctx, actorID, "oncall.swap", rotationID, func(tx cadence.Tx, now time.Time, rec *opRecord) error {
		rec.set("a", a)
		rec.set("b", b)
		rec.set("day", day.String())
		actor, err := o.actor(actorID, "swap on-call turns")
		if err != nil {
			return err
		}
		if !actor.Role.CanRunRituals() && actorID != a && actorID != b {
			return cadence.Refusef(cadence.ErrForbidden, "only leads, admins or the two people swapping can swap on-call turns; %s is a %s", actor.Name, actor.Role)
		}
		for _, p := range []string{a, b} {
			if o.live().roster.Person(p) == nil {
				return cadence.Refusef(cadence.ErrInvalidInput, "%q is not on the roster", p)
			}
		}
		r, err := o.swapRotation(rotationID, a, b)
		if err != nil {
			return err
		}
		rec.target = r.ID
		existing, err := o.overrides(tx, r)
		if err != nil {
			return err
		}
		out, err = cadence.PlanSwap(r, existing, a, b, day, now)
		if err != nil {
			return err
		}
		for i := range out {
			out[i].By, out[i].At = actorID, now
			v, err := json.Marshal(out[i])
			if err != nil {
				return err
			}
			if err := tx.Put(overridesNS, overrideKey(out[i]), v); err != nil {
				return err
			}
		}
		rec.set("b_covers", cadence.UTCStamp(out[0].From)+" – "+cadence.UTCStamp(out[0].To))
		rec.set("a_covers", cadence.UTCStamp(out[1].From)+" – "+cadence.UTCStamp(out[1].To))
		return nil
	})
	return out, err
}

// swapRotation resolves the rotation of a swap.
func (o *Ops) swapRotation(id, a, b string) (*cadence.Rotation, error) {
	if len(o.Rotations()) == 0 {
		return nil, cadence.Refusef(cadence.ErrNotFound, "no on-call rotation is configured ([[rotations]] in the config file)")
	}
	if id != "" {
		if r := o.Rotation(id); r != nil {
			return r, nil
		}
		return nil, cadence.Refusef(cadence.ErrNotFound, "there is no rotation %q; known rotations: %s", id, strings.Join(o.rotationIDs(), ", "))
	}
	var both []*cadence.Rotation
	for _, r := range o.Rotations() {
		if slices.Contains(r.Members, a) && slices.Contains(r.Members, b) {
			both = append(both, r)
		}
	}
	switch len(both) {
	case 1:
		return both[0], nil
	case 0:
		return nil, cadence.Refusef(cadence.ErrInvalidInput, "%s and %s are not both members of any rotation (rotations: %s)", a, b, strings.Join(o.rotationIDs(), ", "))
	}
	var ids []string
	for _, r := range both {
		ids = append(ids, r.ID)
	}
	return nil, cadence.Refusef(cadence.ErrInvalidInput, "%s and %s are both in rotations %s: name one after the date", a, b, strings.Join(ids, ", "))
}

func (o *Ops) rotationIDs() []string {
	var ids []string
	for _, r := range o.Rotations() {
		ids = append(ids, r.ID)
	}
	return ids
}

// StandupExcuse says, for a standup about to open, whether a person is
// excused: on call in a rotation at that instant, or owning an open
// incident. Other rituals get nil (nobody is excused). The swaps and the
// open incidents are read once per call and kept for the transaction.
func (o *Ops) StandupExcuse(tx cadence.Tx, r *cadence.Ritual) func(person string, at time.Time) (bool, string) {
	if r == nil || r.Kind != cadence.KindStandup {
		return nil
	}
	sub := o.Substitute(tx)
	var (
		loaded    bool
		overrides = map[string][]cadence.Override{}
		imports   = map[string]*OnCallImport{}
		owned     = map[string]*cadence.Incident{}
	)
	load := func() {
		loaded = true
		for _, rot := range o.Rotations() {
			ovs, err := o.overrides(tx, rot)
			if err != nil {
				o.log.Error().Err(err).Str("rotation", rot.ID).Msg("on-call swaps unreadable: standup excusal uses the schedule alone")
			}
			overrides[rot.ID] = ovs
			if rot.Import != nil {
				im, err := readImport(tx, rot.ID)
				if err != nil {
					o.log.Error().Err(err).Str("rotation", rot.ID).Msg("on-call import unreadable: standup excusal uses the schedule")
				}
				imports[rot.ID] = im
			}
		}
		incs, err := tx.Incidents(cadence.IncidentFilter{Status: []cadence.IncidentStatus{cadence.IncidentOpen}})
		if err != nil {
			o.log.Error().Err(err).Msg("open incidents unreadable: nobody is excused for an incident")
		}
		for _, inc := range incs {
			if owned[inc.Owner] == nil {
				owned[inc.Owner] = inc
			}
		}
	}
	return func(person string, at time.Time) (bool, string) {
		if !loaded {
			load()
		}
		for _, rot := range o.Rotations() {
			if sub(effectiveShift(rot, overrides[rot.ID], imports[rot.ID], at).Person) == person {
				return true, "on call (" + rotationName(rot) + ")"
			}
		}
		if inc := owned[person]; inc != nil {
			return true, "handling " + inc.ID() + " (" + inc.Title + ")"
		}
		return false, ""
	}
}

func rotationName(r *cadence.Rotation) string {
	if r.Title != "" {
		return r.Title
	}
	return r.ID
}

// onCallSection is the agenda's on-call line, one per rotation.
func (a agenda) onCallSection() (cadence.Section, error) {
	s := cadence.Section{Heading: "On call"}
	now, err := a.o.onCall(a.tx, a.now)
	if err != nil {
		return s, err
	}
	for _, n := range now {
		who := "nobody yet"
		if n.Current.Person != "" {
			who = a.o.name(n.Current.Person) + " until " + n.Current.To.In(a.loc).Format("Mon 2 Jan 15:04 MST")
		}
		line := fmt.Sprintf("%s: %s, then %s", rotationName(n.Rotation), who, a.o.name(n.Next.Person))
		switch {
		case n.Import != nil && !n.Import.FailingSince.IsZero():
			line += " (" + n.Import.Status(a.now, a.loc) + ")"
		case n.Imported:
			line += " (from " + ProviderName(n.Import.Provider) + ")"
		}
		s.Lines = append(s.Lines, line)
	}
	return s, nil
}

var _ cadence.HandoffPlanner = (*Ops)(nil)

// HandoffAt finds the hand-off a hand-off ritual's occurrence at fire is
// about: one at fire itself, or the next change of on-call within the
// ritual's window (a schedule an hour before the hand-off). Stand-ins of
// hand-overs and the import apply, as in /cadence oncall.
func (o *Ops) HandoffAt(tx cadence.Tx, r *cadence.Ritual, fire time.Time) (cadence.Handoff, bool) {
	rot := o.Rotation(r.Rotation)
	if rot == nil {
		return cadence.Handoff{}, false
	}
	ovs, err := o.overrides(tx, rot)
	if err != nil {
		o.log.Error().Err(err).Str("rotation", rot.ID).Msg("on-call swaps unreadable: hand-off uses the schedule alone")
	}
	var im *OnCallImport
	if rot.Import != nil {
		if im, err = readImport(tx, rot.ID); err != nil {
			o.log.Error().Err(err).Str("rotation", rot.ID).Msg("on-call import unreadable: hand-off uses the schedule")
		}
	}
	sub := o.Substitute(tx)
	at := func(t time.Time) cadence.Shift {
		s := effectiveShift(rot, ovs, im, t)
		s.Person = sub(s.Person)
		return s
	}
	fire = fire.UTC()
	window := r.Window
	if window <= 0 {
		window = 24 * time.Hour
	}
	h := cadence.Handoff{Rotation: rotationName(rot), At: fire}
	before, cur := at(fire.Add(-time.Nanosecond)), at(fire)
	if before.Person != cur.Person {
		h.Outgoing, h.Incoming = before.Person, cur.Person
	} else {
		// The next change of person within the window.
		for s := cur; s.To.Sub(fire) < window && !s.To.IsZero(); {
			next := at(s.To)
			if next.Person != cur.Person {
				h.Outgoing, h.Incoming, h.At = cur.Person, next.Person, s.To
				break
			}
			if !next.To.After(s.To) {
				break
			}
			s = next
		}
	}
	return h, h.Outgoing != "" && h.Incoming != "" && h.Outgoing != h.Incoming
}

// CheckRotations refuses rotations whose config overrides overlap the
// swaps stored for them with /cadence oncall swap (the config file alone
// cannot see those): two people would be on call at once. Start and
// reload call it before anything is applied.
func (o *Ops) CheckRotations(ctx context.Context, rs []*cadence.Rotation) error {
	return o.view(ctx, func(tx cadence.Tx) error {
		for _, r := range rs {
			stored, err := o.overrides(tx, &cadence.Rotation{ID: r.ID})
			if err != nil {
				return err
			}
			if len(stored) == 0 || len(r.Overrides) == 0 {
				continue
			}
			if err := cadence.CheckOverrides(append(slices.Clone(r.Overrides), stored...)); err != nil {
				return fmt.Errorf("rotation %q: an override in the config file overlaps a swap made in chat: %w", r.ID, err)
			}
		}
		return nil
	})
}
