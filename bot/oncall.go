package bot

import (
	"context"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// The on-call and hand-over verbs run on the Ops service, like the other
// MLOps verbs.
const (
	VerbOnCall   Verb = "oncall"
	VerbHandover Verb = "handover"
)

// OnCallBackend is what the on-call verb calls; *ops.Ops has it.
type OnCallBackend interface {
	Rotations() []*cadence.Rotation
	OnCall(ctx context.Context, t time.Time) ([]ops.OnCallNow, error)
	SwapOnCall(ctx context.Context, actorID, rotationID, a, b string, day cadence.Date) ([]cadence.Override, error)
}

var (
	_ OnCallBackend = (*ops.Ops)(nil)
	_ OnCallBackend = (*ops.Service)(nil)
)

func parseOnCall(args []string) (*OpsArgs, error) {
	if len(args) == 0 {
		return &OpsArgs{}, nil
	}
	if !strings.EqualFold(args[0], "swap") {
		if len(args) > 1 {
			return nil, usageErr(VerbOnCall, "want nothing, a rotation id, or swap @a @b YYYY-MM-DD; got %s", gotWords(args))
		}
		return &OpsArgs{Rotation: args[0]}, nil
	}
	rest := args[1:]
	if len(rest) < 3 || len(rest) > 4 {
		return nil, usageErr(VerbOnCall, "swap wants @a @b YYYY-MM-DD [rotation], got %s", gotWords(rest))
	}
	day, err := cadence.ParseDate(rest[2])
	if err != nil {
		return nil, usageErr(VerbOnCall, "swap wants the day of the turn as YYYY-MM-DD, got %q", rest[2])
	}
	a := &OpsArgs{Sub: "swap", People: []string{rest[0], rest[1]}, Due: day}
	if len(rest) == 4 {
		a.Rotation = rest[3]
	}
	return a, nil
}

func (x opsExec) onCall() (Reply, error) {
	w := wordsOf(x.svc, x.actor)
	t := func(id string, kv ...any) string { return cadence.UIText(string(w), "oncall."+id, kv...) }
	oc, ok := x.svc.(OnCallBackend)
	if !ok || len(oc.Rotations()) == 0 {
		return Reply{}, &userError{t("none"), cadence.ErrNotFound}
	}
	if x.a.Sub == "swap" {
		a, b := x.person(x.a.People[0]), x.person(x.a.People[1])
		ovs, err := oc.SwapOnCall(x.ctx, x.actor.ID, x.a.Rotation, a, b, x.a.Due)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Title: t("swapped_title", "A", x.name(a), "B", x.name(b)), Lines: []string{
			t("swapped", "Name", x.name(ovs[0].Person), "From", w.time(ovs[0].From, x.loc), "To", w.time(ovs[0].To, x.loc)),
			t("swapped", "Name", x.name(ovs[1].Person), "From", w.time(ovs[1].From, x.loc), "To", w.time(ovs[1].To, x.loc)),
		}}, nil
	}
	now, err := oc.OnCall(x.ctx, x.now)
	if err != nil {
		return Reply{}, err
	}
	r := Reply{Title: t("title")}
	for _, n := range now {
		if x.a.Rotation != "" && !strings.EqualFold(n.Rotation.ID, x.a.Rotation) {
			continue
		}
		r.Lines = append(r.Lines, x.onCallLine(n))
	}
	if len(r.Lines) == 0 {
		var ids []string
		for _, rot := range oc.Rotations() {
			ids = append(ids, rot.ID)
		}
		return Reply{}, &userError{t("no_such", "Rotation", x.a.Rotation, "IDs", strings.Join(ids, ", ")), cadence.ErrNotFound}
	}
	return r, nil
}

// OnCallLines is one line per rotation, in loc: who is on call and who
// is next. App homes show them.
func OnCallLines(now []ops.OnCallNow, name func(string) string, loc *time.Location) []string {
	return OnCallLinesIn(cadence.DefaultLanguage, now, name, loc)
}

// OnCallLinesIn is OnCallLines in the reader's language lang.
func OnCallLinesIn(lang string, now []ops.OnCallNow, name func(string) string, loc *time.Location) []string {
	var out []string
	for _, n := range now {
		out = append(out, onCallLine(words(lang), n, name, loc))
	}
	return out
}

func (x opsExec) onCallLine(n ops.OnCallNow) string {
	return onCallLine(wordsOf(x.svc, x.actor), n, x.name, x.loc)
}

func onCallLine(w words, n ops.OnCallNow, name func(string) string, loc *time.Location) string {
	t := func(id string, kv ...any) string { return cadence.UIText(string(w), "oncall."+id, kv...) }
	title := n.Rotation.Title
	if title == "" {
		title = n.Rotation.ID
	}
	cur := t("nobody")
	if n.Current.Person != "" {
		cur = t("until", "Name", name(n.Current.Person), "To", w.time(n.Current.To, loc))
		if n.Current.Override != nil {
			cur += " " + t("swap")
		}
	}
	line := t("line", "Rotation", title, "Current", cur, "Next", name(n.Next.Person), "From", w.time(n.Next.From, loc))
	if st := n.Import.Status(n.At, loc); st != "" {
		line += " (" + st + ")"
	}
	return line
}

// HandoverBackend is what the hand-over verb calls; *ops.Ops has it.
type HandoverBackend interface {
	Handover(ctx context.Context, actorID, leaving, taking string) (*ops.HandoverResult, error)
}

var _ HandoverBackend = (*ops.Service)(nil)

func parseHandover(args []string) (*OpsArgs, error) {
	if len(args) != 2 {
		return nil, usageErr(VerbHandover, "want the person leaving and the person taking over, e.g. \"handover @ana @bo\"; got %s", gotWords(args))
	}
	return &OpsArgs{People: []string{args[0], args[1]}}, nil
}

func (x opsExec) handover() (Reply, error) {
	t := func(id string, kv ...any) string {
		return cadence.UIText(string(wordsOf(x.svc, x.actor)), "handover."+id, kv...)
	}
	hb, ok := x.svc.(HandoverBackend)
	if !ok {
		return Reply{}, &userError{t("off"), cadence.ErrNotFound}
	}
	h, err := hb.Handover(x.ctx, x.actor.ID, x.person(x.a.People[0]), x.person(x.a.People[1]))
	if err != nil {
		return Reply{}, err
	}
	moved := len(h.FollowUps) + len(h.Incidents) + len(h.Releases) + len(h.Facilitated)
	r := Reply{Title: t("title", "Leaving", x.name(h.Leaving), "Taking", x.name(h.Taking)), Lines: []string{
		t("moved", "FollowUps", len(h.FollowUps), "Incidents", len(h.Incidents), "Releases", len(h.Releases),
			"Facilitated", len(h.Facilitated), "Taking", x.name(h.Taking)),
		t("summary", "Taking", x.name(h.Taking)),
	}}
	if moved == 0 {
		r.Lines[0] = t("nothing", "Taking", x.name(h.Taking))
	}
	return r, nil
}
