package ops

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// ConfigBuild checks the configuration the file and defs make together
// (the file's rules, so a store ritual is held to what a file ritual is)
// and returns what to run. When it is refused, the problems in the
// definition named by focus ("ritual:standup") come back as FieldErrors
// keyed by its fields, and problems elsewhere under "".
type ConfigBuild func(defs []*cadence.Definition, focus string) (ReloadInput, error)

// ConfigEditor creates, changes, archives and deletes the rituals and
// people managed in the store, for the web admin page and the chat forms.
// A change is checked with the whole configuration, saved with a version
// check, audited with who and what, and put in force by Service.Reload
// at once. Reloads of the file take the same lock, so a reload racing an
// edit runs before or after it, each on the other's result.
type ConfigEditor struct {
	svc   *Service
	store cadence.Store
	build ConfigBuild
	// inFile reports whether the file defines kind:id (edited there).
	inFile func(kind cadence.DefinitionKind, id string) bool
	mu     sync.Locker
}

// NewConfigEditor returns an editor; mu is the lock reloads of the file
// take.
func NewConfigEditor(svc *Service, store cadence.Store, build ConfigBuild, inFile func(cadence.DefinitionKind, string) bool, mu sync.Locker) *ConfigEditor {
	return &ConfigEditor{svc: svc, store: store, build: build, inFile: inFile, mu: mu}
}

// StaleError refuses a save made from an older version than the stored
// one: someone else saved in between. The editor keeps what was typed.
type StaleError struct {
	Key     string // "ritual:standup"
	By      string // who saved the newer version (a name when known)
	At      time.Time
	Version int64 // the stored version
	Deleted bool  // it was deleted
}

func (e *StaleError) Error() string {
	if e.Deleted {
		return fmt.Sprintf("%s was deleted by %s at %s; your changes are kept: save them as a new one if it should come back", e.Key, e.By, e.At.UTC().Format("2006-01-02 15:04 MST"))
	}
	return fmt.Sprintf("%s was changed by %s at %s (now version %d); your changes are kept: look at theirs and save again", e.Key, e.By, e.At.UTC().Format("2006-01-02 15:04 MST"), e.Version)
}

func (e *StaleError) Unwrap() error { return cadence.ErrConflict }

// Definitions lists the definitions kept in the store.
func (c *ConfigEditor) Definitions(ctx context.Context) ([]*cadence.Definition, error) {
	var out []*cadence.Definition
	err := c.store.View(ctx, func(tx cadence.Tx) error {
		var err error
		out, err = tx.Definitions()
		return err
	})
	return out, err
}

// Definition returns one definition kept in the store, or ErrNotFound.
func (c *ConfigEditor) Definition(ctx context.Context, kind cadence.DefinitionKind, id string) (*cadence.Definition, error) {
	var out *cadence.Definition
	err := c.store.View(ctx, func(tx cadence.Tx) error {
		var err error
		out, err = tx.Definition(kind, id)
		return err
	})
	return out, err
}

// Save creates (version 0) or changes a definition. version is the one
// the editor started from.
func (c *ConfigEditor) Save(ctx context.Context, actor string, kind cadence.DefinitionKind, id, body string, version int64) (*cadence.Definition, error) {
	action := "config." + string(kind) + ".save"
	if version == 0 {
		action = "config." + string(kind) + ".create"
	}
	return c.change(ctx, actor, kind, id, version, action, func(cur *cadence.Definition) (*cadence.Definition, error) {
		next := &cadence.Definition{Kind: kind, ID: id, Body: body}
		if cur != nil {
			next.Archived = cur.Archived
		}
		return next, nil
	})
}

// Archive takes a ritual out of the running configuration and keeps it
// in the store (archived = false brings it back). Its open occurrence is
// closed at the next tick; its history stays.
func (c *ConfigEditor) Archive(ctx context.Context, actor string, kind cadence.DefinitionKind, id string, version int64, archived bool) (*cadence.Definition, error) {
	action := "config." + string(kind) + ".archive"
	if !archived {
		action = "config." + string(kind) + ".unarchive"
	}
	return c.change(ctx, actor, kind, id, version, action, func(cur *cadence.Definition) (*cadence.Definition, error) {
		if cur == nil {
			return nil, fmt.Errorf("%s:%s: %w", kind, id, cadence.ErrNotFound)
		}
		next := cur.Clone()
		next.Archived = archived
		return next, nil
	})
}

// Delete removes a definition from the store. A person's open follow-ups
// go to the lead of a ritual they were in (told in chat); a ritual's open
// occurrence is closed at the next tick. History stays.
func (c *ConfigEditor) Delete(ctx context.Context, actor string, kind cadence.DefinitionKind, id string, version int64) error {
	_, err := c.change(ctx, actor, kind, id, version, "config."+string(kind)+".delete", func(cur *cadence.Definition) (*cadence.Definition, error) {
		if cur == nil {
			return nil, fmt.Errorf("%s:%s: %w", kind, id, cadence.ErrNotFound)
		}
		return nil, nil
	})
	return err
}

// change runs one edit: refuse what the actor may not do, check the
// version, check the whole configuration with the change, write and audit
// it in one transaction, then put it in force.
func (c *ConfigEditor) change(ctx context.Context, actor string, kind cadence.DefinitionKind, id string, version int64, action string,
	edit func(cur *cadence.Definition) (*cadence.Definition, error)) (*cadence.Definition, error) {
	key := string(kind) + ":" + id
	if err := c.allowed(actor, kind, id); err != nil {
		c.auditRefusal(ctx, actor, action, key, err)
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var defs []*cadence.Definition
	if err := c.store.View(ctx, func(tx cadence.Tx) error {
		var err error
		defs, err = tx.Definitions()
		return err
	}); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(defs, func(d *cadence.Definition) bool { return d.Kind == kind && d.ID == id })
	var cur *cadence.Definition
	if i >= 0 {
		cur = defs[i]
	}
	if err := c.checkVersion(key, cur, version); err != nil {
		c.auditRefusal(ctx, actor, action, key, err)
		return nil, err
	}
	next, err := edit(cur)
	if err != nil {
		return nil, err
	}
	now := c.svc.Ops.now()
	rest := slices.DeleteFunc(slices.Clone(defs), func(d *cadence.Definition) bool { return d.Kind == kind && d.ID == id })
	if next != nil {
		next.Version, next.UpdatedBy, next.UpdatedAt = 1, actor, now
		if cur != nil {
			next.Version = cur.Version + 1
		}
		if err := cadence.CheckDefinition(next); err != nil {
			return nil, err
		}
		rest = append(rest, next)
		cadence.SortDefinitions(rest)
	}
	in, err := c.build(rest, key)
	if err != nil {
		return nil, err
	}
	details := c.changeDetails(kind, id, cur, next, in)
	err = c.store.Update(ctx, func(tx cadence.Tx) error {
		// Another replica may have saved since the read above.
		stored, err := tx.Definition(kind, id)
		if errors.Is(err, cadence.ErrNotFound) {
			stored, err = nil, nil
		}
		if err != nil {
			return err
		}
		if err := c.checkVersion(key, stored, version); err != nil {
			return err
		}
		if next == nil {
			err = tx.DeleteDefinition(kind, id)
		} else {
			err = tx.PutDefinition(next)
		}
		if err != nil {
			return err
		}
		_, err = cadence.AppendAudit(tx, cadence.AuditEntry{At: now, Actor: actor, Action: action, Target: key, Details: details})
		return err
	})
	if err != nil {
		return nil, err
	}
	in.Actor, in.Source = actor, "store"
	if _, _, err := c.svc.Reload(ctx, in); err != nil {
		return next, fmt.Errorf("%s saved, but putting it in force failed (it applies with the next reload): %w", key, err)
	}
	return next, nil
}

func (c *ConfigEditor) allowed(actor string, kind cadence.DefinitionKind, id string) error {
	p, err := c.svc.Ops.actor(actor, "change rituals or people")
	if err != nil {
		return err
	}
	if !p.Role.CanRunRituals() {
		return cadence.Refusef(cadence.ErrForbidden, "only leads and admins change rituals and people; %s is a %s", p.ID, p.Role)
	}
	if !kind.Valid() {
		return cadence.Fieldf("kind", "unknown kind %q", kind)
	}
	if id == "" {
		return cadence.Fieldf("id", "an id is required")
	}
	if c.inFile != nil && c.inFile(kind, id) {
		return cadence.Refusef(cadence.ErrForbidden, "%s %q is managed in the config file: edit it in the file (then reload)", kind, id)
	}
	return nil
}

func (c *ConfigEditor) checkVersion(key string, cur *cadence.Definition, version int64) error {
	switch {
	case cur == nil && version == 0:
		return nil
	case cur == nil:
		return &StaleError{Key: key, By: "someone", Deleted: true}
	case version == 0:
		return cadence.Fieldf("id", "%s already exists (version %d, saved by %s); pick another id or edit it", key, cur.Version, c.svc.Ops.name(cur.UpdatedBy))
	case cur.Version != version:
		return &StaleError{Key: key, By: c.svc.Ops.name(cur.UpdatedBy), At: cur.UpdatedAt, Version: cur.Version}
	}
	return nil
}

// changeDetails says what the change does for the audit log: the version,
// and the ritual's or person's fields that differ from what runs now.
func (c *ConfigEditor) changeDetails(kind cadence.DefinitionKind, id string, cur, next *cadence.Definition, in ReloadInput) map[string]string {
	d := map[string]string{}
	switch {
	case next == nil:
		d["version"] = strconv.FormatInt(cur.Version, 10) + " → deleted"
	case cur == nil:
		d["version"] = "1"
	default:
		d["version"] = fmt.Sprintf("%d → %d", cur.Version, next.Version)
	}
	if next != nil && cur != nil && next.Archived != cur.Archived {
		d["archived"] = strconv.FormatBool(next.Archived)
	}
	live := c.svc.Ops.live()
	var fields []string
	switch kind {
	case cadence.DefRitual:
		old := ritualByID(live.rituals, id)
		neu := ritualByID(in.Rituals, id)
		if old != nil && neu != nil {
			fields = cadence.ChangedFields(old, neu)
		}
	case cadence.DefPerson:
		var neu *cadence.Person
		if in.Roster != nil {
			neu = in.Roster.Person(id)
		}
		if old := live.roster.Person(id); old != nil && neu != nil {
			fields = cadence.ChangedFields(old, neu)
		}
	}
	if len(fields) > 0 {
		d["fields"] = strings.Join(fields, ", ")
	}
	return d
}

func ritualByID(rs []*cadence.Ritual, id string) *cadence.Ritual {
	for _, r := range rs {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func (c *ConfigEditor) auditRefusal(ctx context.Context, actor, action, target string, reason error) {
	_ = c.store.Update(ctx, func(tx cadence.Tx) error {
		_, err := cadence.AppendAudit(tx, cadence.AuditEntry{At: c.svc.Ops.now(), Actor: actor, Action: action, Target: target, Outcome: cadence.AuditRefused, Reason: reason.Error()})
		return err
	})
}

// DeleteImpact says what deleting or archiving a definition does to work
// under way, for the confirmation an editor asks for.
type DeleteImpact struct {
	// OpenOccurrences of the ritual: closed at the next tick, answers kept.
	OpenOccurrences []string
	// FollowUps are the open follow-ups concerned: a person's own (handed
	// to HandTo), or for a ritual those its participants own (they stay
	// with their owners: follow-ups belong to incidents, not rituals).
	FollowUps []string
	HandTo    string // person: who takes their follow-ups ("" when nobody can)
}

// Impact reports what deleting kind:id would do now.
func (c *ConfigEditor) Impact(ctx context.Context, kind cadence.DefinitionKind, id string) (DeleteImpact, error) {
	var im DeleteImpact
	live := c.svc.Ops.live()
	err := c.store.View(ctx, func(tx cadence.Tx) error {
		switch kind {
		case cadence.DefRitual:
			open, err := tx.Occurrences(cadence.OccurrenceFilter{RitualID: id, Status: []cadence.Status{cadence.StatusOpen}})
			if err != nil {
				return err
			}
			for _, o := range open {
				im.OpenOccurrences = append(im.OpenOccurrences, o.ID)
			}
			r := ritualByID(live.rituals, id)
			if r == nil {
				return nil
			}
			for _, p := range r.Participants {
				fus, err := tx.FollowUps(cadence.FollowUpFilter{Owner: p, Status: []cadence.FollowUpStatus{cadence.FollowUpOpen}})
				if err != nil {
					return err
				}
				for _, f := range fus {
					im.FollowUps = append(im.FollowUps, f.ID())
				}
			}
		case cadence.DefPerson:
			fus, err := tx.FollowUps(cadence.FollowUpFilter{Owner: id, Status: []cadence.FollowUpStatus{cadence.FollowUpOpen}})
			if err != nil {
				return err
			}
			for _, f := range fus {
				im.FollowUps = append(im.FollowUps, f.ID())
			}
			im.HandTo = handoverLead(id, live.rituals, live.rituals, live.roster)
		}
		return nil
	})
	return im, err
}

func byRitualID(rs []*cadence.Ritual) map[string]*cadence.Ritual {
	m := make(map[string]*cadence.Ritual, len(rs))
	for _, r := range rs {
		m[r.ID] = r
	}
	return m
}
