package cadence

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// AgendaContributor adds live sections to an agenda when an occurrence
// opens (open incidents, follow-ups due). It runs inside the opening
// transaction and must only read.
type AgendaContributor interface {
	AgendaSections(tx Tx, r *Ritual, o *Occurrence, now time.Time) ([]Section, error)
}

// HandoffPlanner says who hands over to whom in a hand-off ritual's
// rotation for the occurrence at fire; ok is false when no hand-off falls
// in its window (a daily schedule on a weekly rotation). It runs inside
// the engine's transactions and must only read.
type HandoffPlanner interface {
	HandoffAt(tx Tx, r *Ritual, fire time.Time) (h Handoff, ok bool)
}

// Handoff is one change of on-call: Outgoing hands over to Incoming at
// At, in the rotation titled Rotation.
type Handoff struct {
	Rotation           string
	Outgoing, Incoming string
	At                 time.Time
}

// EngineConfig configures New.
type EngineConfig struct {
	Rituals []*Ritual
	Roster  *Roster
	Store   Store
	Clock   Clock // defaults to SystemClock
	Logger  zerolog.Logger
	Metrics Observer // optional; NopObserver by default
	// DefaultPlatform is used by rituals with no Platform ("local" if empty).
	DefaultPlatform string
	// OnTimeTolerance: an occurrence opened within it of being due counts
	// as held on time (default 2m).
	OnTimeTolerance time.Duration
	// LateAnswerGrace: how long after a person's close time a first answer
	// is still accepted, counted late (default 7 days).
	LateAnswerGrace time.Duration
	Agenda          AgendaContributor // optional
	// Excuse, if set, may excuse a person from an occurrence about to
	// open, on top of out of office and holidays (on call, handling an
	// incident: cadence/ops: Ops.StandupExcuse). It is asked once per transaction and
	// ritual for a function it may cache reads in.
	Excuse func(tx Tx, r *Ritual) func(person string, at time.Time) (bool, string)
	// Substitute, if set, gives who stands in for a person who handed
	// their work over (cadence/ops: Ops.Substitute): facilitator turns go to them.
	Substitute func(tx Tx) func(person string) string
	// Localizer words messages in each reader's language (default: the
	// embedded catalogs, cadence/locale).
	Localizer Localizer
	// Handoff, if set, binds hand-off rituals to their rotation
	// (cadence/ops: Ops.HandoffAt): who is asked, and who receives the notes.
	Handoff HandoffPlanner
	// Enqueued, if set, is called after a transaction that queued messages
	// commits, to wake the dispatcher. It must not block.
	Enqueued func()
}

// Engine drives rituals on its clock and serves answers and commands. It
// keeps no state of its own between calls: everything is in the Store, so
// a new Engine on the same store carries on where the last one stopped.
type Engine struct {
	// cur is the configuration in force: rituals and roster, swapped as a
	// whole by Reconfigure (reconfigure.go).
	cur       atomic.Pointer[engineLive]
	store     Store
	clock     Clock
	log       zerolog.Logger
	obs       Observer
	agenda    AgendaContributor
	excuse    func(tx Tx, r *Ritual) func(person string, at time.Time) (bool, string)
	subst     func(tx Tx) func(person string) string
	handoff   HandoffPlanner
	enqueued  func()
	words     Localizer
	platform  string // DefaultPlatform
	tolerance time.Duration
	grace     time.Duration
	// orphansClosed is set once the first tick has closed the open
	// occurrences of rituals removed from the config.
	orphansClosed atomic.Bool
}

var _ Service = (*Engine)(nil)

// New checks the configuration and returns an engine.
func New(cfg EngineConfig) (*Engine, error) {
	if cfg.Store == nil {
		return nil, errors.New("engine: no store")
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Roster == nil {
		cfg.Roster = NewRoster(nil)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NopObserver{}
	}
	if cfg.DefaultPlatform == "" {
		cfg.DefaultPlatform = "local"
	}
	if cfg.Localizer == nil {
		cfg.Localizer = DefaultLocalizer()
	}
	if cfg.OnTimeTolerance <= 0 {
		cfg.OnTimeTolerance = 2 * time.Minute
	}
	if cfg.LateAnswerGrace <= 0 {
		cfg.LateAnswerGrace = 7 * 24 * time.Hour
	}
	e := &Engine{
		store:     cfg.Store,
		clock:     cfg.Clock,
		log:       cfg.Logger,
		obs:       cfg.Metrics,
		agenda:    cfg.Agenda,
		excuse:    cfg.Excuse,
		subst:     cfg.Substitute,
		handoff:   cfg.Handoff,
		enqueued:  cfg.Enqueued,
		words:     cfg.Localizer,
		platform:  cfg.DefaultPlatform,
		tolerance: cfg.OnTimeTolerance,
		grace:     cfg.LateAnswerGrace,
	}
	live, err := e.build(cfg.Rituals, cfg.Roster)
	if err != nil {
		return nil, err
	}
	e.cur.Store(live)
	return e, nil
}

// checkRitual refuses what the engine cannot run. Config validation gives
// friendlier errors (file, line); this guards programmatic use.
func checkRitual(r *Ritual, roster *Roster) error {
	switch {
	case r == nil:
		return errors.New("nil ritual")
	case r.ID == "":
		return errors.New("ritual has no id")
	case r.Schedule == nil:
		return fmt.Errorf("ritual %q has no schedule", r.ID)
	case r.Window <= 0:
		return fmt.Errorf("ritual %q: response window must be positive, got %s", r.ID, r.Window)
	case len(r.Questions) == 0:
		return fmt.Errorf("ritual %q has no questions", r.ID)
	}
	for _, p := range r.Participants {
		if roster.Person(p) == nil {
			return fmt.Errorf("ritual %q: participant %q is not in the roster", r.ID, p)
		}
	}
	for _, d := range r.Reminders {
		if d <= 0 || d >= r.Window {
			return fmt.Errorf("ritual %q: reminder %s before close must be within the %s window", r.ID, d, r.Window)
		}
	}
	return nil
}

// Roster returns the people the engine knows.
func (e *Engine) Roster() *Roster { return e.live().roster }

// Rituals returns the configured rituals in config order.
func (e *Engine) Rituals() []*Ritual { return e.live().rituals }

// Ritual returns the ritual with the given ID, or nil.
func (e *Engine) Ritual(id string) *Ritual { return e.live().byID[id] }

// LeadOf returns the lead of a ritual, or "" (the dispatcher tells leads
// about messages the platform refused).
func (e *Engine) LeadOf(ritualID string) string {
	if r := e.live().byID[ritualID]; r != nil {
		return r.Lead
	}
	return ""
}

// Clock returns the engine's clock.
func (e *Engine) Clock() Clock { return e.clock }

// now is read once per operation and passed down.
func (e *Engine) now() time.Time { return e.clock.Now().UTC() }

// awayFunc answers "is p away at t" from the roster (config) and the
// person states in the store (/cadence ooo), reading each state once.
func (e *Engine) awayFunc(tx Tx) func(p string, at time.Time) (bool, string) {
	cache := map[string]*PersonState{}
	return func(id string, at time.Time) (bool, string) {
		p := e.live().roster.Person(id)
		if p == nil {
			return false, ""
		}
		if away, why := p.Away(at); away {
			return true, why
		}
		st, ok := cache[id]
		if !ok {
			var err error
			st, err = tx.PersonState(id)
			if err != nil {
				st = nil // ErrNotFound or unreadable: the roster alone decides
			}
			cache[id] = st
		}
		if st != nil {
			d := DateOf(at.In(p.Zone()))
			for _, r := range st.OutOfOffice {
				if r.Contains(d) {
					return true, outOfOfficeReason(r)
				}
			}
		}
		return false, ""
	}
}

func outOfOfficeReason(r DateRange) string {
	if r.Note != "" {
		return "out of office (" + r.Note + ")"
	}
	return "out of office"
}

func (e *Engine) location(id string) *time.Location {
	if p := e.live().roster.Person(id); p != nil {
		return p.Zone()
	}
	return nil
}

// planInput reads what NextStep needs for one ritual.
func (e *Engine) planInput(tx Tx, r *Ritual, now time.Time) (PlanInput, error) {
	in := PlanInput{
		Ritual:    r,
		Away:      e.awayFunc(tx),
		Locations: e.location,
		Now:       now,
		Tolerance: e.tolerance,
		Reminders: e.live().reminders[r.ID],
		Answered:  map[string]map[string]bool{},
		earliest:  map[time.Time]earliestAt{},
		zones:     e.live().zones[r.ID],
		walls:     map[wallKey]time.Time{},
	}
	if e.subst != nil {
		in.Substitute = e.subst(tx)
	}
	if e.excuse != nil {
		if excuse := e.excuse(tx, r); excuse != nil {
			away := in.Away
			in.Away = func(p string, at time.Time) (bool, string) {
				if ok, why := away(p, at); ok {
					return ok, why
				}
				return excuse(p, at)
			}
		}
	}
	if r.Kind == KindHandoff && e.handoff != nil {
		in.Attend = func(fire time.Time) ([]string, string) {
			h, ok := e.handoff.HandoffAt(tx, r, fire)
			if !ok {
				return nil, "no hand-off in rotation " + r.Rotation + " at this time"
			}
			return []string{h.Outgoing}, ""
		}
	}
	st, err := tx.RitualState(r.ID)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return in, fmt.Errorf("ritual %q: read state: %w", r.ID, err)
	default:
		in.State = st
	}
	in.Open, err = tx.Occurrences(OccurrenceFilter{RitualID: r.ID, Status: []Status{StatusOpen}})
	if err != nil {
		return in, fmt.Errorf("ritual %q: list open occurrences: %w", r.ID, err)
	}
	for _, o := range in.Open {
		people, err := tx.Answerers(o.ID)
		if err != nil {
			return in, fmt.Errorf("occurrence %s: list answerers: %w", o.ID, err)
		}
		m := make(map[string]bool, len(people))
		for _, p := range people {
			m[p] = true
		}
		in.Answered[o.ID] = m
	}
	return in, nil
}

// update runs fn in a store transaction and, once it has committed, emits
// the observer events fn collected and wakes the dispatcher.
func (e *Engine) update(ctx context.Context, fn func(tx Tx, ev *events) error) error {
	var ev events
	err := e.store.Update(ctx, func(tx Tx) error {
		ev = events{}
		return fn(tx, &ev)
	})
	if err != nil {
		return err
	}
	for _, f := range ev.after {
		f()
	}
	if ev.enqueued && e.enqueued != nil {
		e.enqueued()
	}
	return nil
}

// events collects what to report after a transaction commits.
type events struct {
	after    []func()
	enqueued bool
}

func (ev *events) on(f func()) { ev.after = append(ev.after, f) }

// enqueue records a message intent; a key already present is left alone.
func (e *Engine) enqueue(tx Tx, ev *events, m *Message) error {
	ok, err := tx.Enqueue(m)
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", m.Key, err)
	}
	if ok {
		ev.enqueued = true
	}
	return nil
}
