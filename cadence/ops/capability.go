package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// handoverHistoryNS keeps every hand-over (key: UTC instant and the
// person leaving, so keys sort by time) with the capabilities the
// leaving person had then: a capability's record survives its owner,
// even once they are gone from the config file.
const handoverHistoryNS = "handover.history"

// HandoverRecord is one hand-over as history keeps it.
type HandoverRecord struct {
	Leaving, Taking, By string
	At                  time.Time
	// Capabilities the leaving person had at the hand-over.
	Capabilities []string
	// IDs of what moved.
	FollowUps, Incidents, Releases []string
}

func recordHandoverHistory(tx cadence.Tx, h *HandoverResult, caps []string) error {
	rec := HandoverRecord{Leaving: h.Leaving, Taking: h.Taking, By: h.By, At: h.At.UTC(), Capabilities: slices.Clone(caps)}
	for _, f := range h.FollowUps {
		rec.FollowUps = append(rec.FollowUps, f.ID())
	}
	for _, inc := range h.Incidents {
		rec.Incidents = append(rec.Incidents, inc.ID())
	}
	for _, r := range h.Releases {
		rec.Releases = append(rec.Releases, r.ID())
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return tx.Put(handoverHistoryNS, rec.At.Format("20060102T150405.000000000Z")+"/"+h.Leaving, v)
}

// HandoverHistory lists every hand-over, oldest first.
func (o *Ops) HandoverHistory(ctx context.Context) ([]HandoverRecord, error) {
	var out []HandoverRecord
	err := o.view(ctx, func(tx cadence.Tx) error {
		keys, err := tx.Keys(handoverHistoryNS, "")
		if err != nil {
			return fmt.Errorf("hand-over history: %w", err)
		}
		for _, k := range keys {
			v, err := tx.Get(handoverHistoryNS, k)
			if err != nil {
				return fmt.Errorf("hand-over %s: %w", k, err)
			}
			var rec HandoverRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("hand-over %s: %w", k, err)
			}
			out = append(out, rec)
		}
		return nil
	})
	return out, err
}

// CapabilityRecord is what the team did under one capability, across the
// people who held it.
type CapabilityRecord struct {
	Capability string
	// Owners hold it now: people with it on the roster (or whoever took
	// their work over), and takers of a hand-over of someone who had it.
	Owners        []string
	OpenFollowUps []*cadence.FollowUp
	Incidents     []*cadence.Incident
	Shipped       []*cadence.Release
	Handovers     []HandoverRecord
}

// Capabilities attributes follow-ups, incidents and releases to
// capabilities. A person serves a capability when the roster says so, when
// they handed over while holding it (history keeps it after they leave the
// file), or when they took over from someone who held it; their items
// count under it. Releases count once shipped (or rolled back after
// shipping), under their proposer. Capabilities are sorted by name.
func Capabilities(roster *cadence.Roster, history []HandoverRecord, fus []*cadence.FollowUp, incs []*cadence.Incident, rels []*cadence.Release) []CapabilityRecord {
	serves := map[string]map[string]bool{} // person → capabilities
	add := func(p, c string) {
		if serves[p] == nil {
			serves[p] = map[string]bool{}
		}
		serves[p][c] = true
	}
	taker := map[string]string{}
	recs := map[string]*CapabilityRecord{}
	get := func(c string) *CapabilityRecord {
		if recs[c] == nil {
			recs[c] = &CapabilityRecord{Capability: c}
		}
		return recs[c]
	}
	for _, p := range roster.People() {
		for _, c := range p.Capabilities {
			add(p.ID, c)
			get(c)
		}
	}
	capsOf := make([][]string, len(history))
	for i, h := range history {
		caps := h.Capabilities
		if len(caps) == 0 { // recorded before capabilities were kept
			if p := roster.Person(h.Leaving); p != nil {
				caps = p.Capabilities
			}
		}
		for _, c := range caps {
			add(h.Leaving, c)
			add(h.Taking, c)
			get(c).Handovers = append(get(c).Handovers, h)
		}
		capsOf[i] = caps
		taker[h.Leaving] = h.Taking
	}
	standIn := func(p string) string {
		for i := 0; i < len(taker) && taker[p] != ""; i++ {
			p = taker[p]
		}
		return p
	}
	for _, p := range roster.People() {
		for _, c := range p.Capabilities {
			get(c).Owners = append(get(c).Owners, standIn(p.ID))
		}
	}
	for i, h := range history {
		for _, c := range capsOf[i] {
			get(c).Owners = append(get(c).Owners, standIn(h.Taking))
		}
	}
	for _, f := range fus {
		if f.Status != cadence.FollowUpOpen {
			continue
		}
		for c := range serves[f.Owner] {
			get(c).OpenFollowUps = append(get(c).OpenFollowUps, f)
		}
	}
	for _, inc := range incs {
		for c := range serves[inc.Owner] {
			get(c).Incidents = append(get(c).Incidents, inc)
		}
	}
	for _, r := range rels {
		if r.Status != cadence.ReleaseShipped && !(r.Status == cadence.ReleaseRolledBack && shippedBefore(r)) {
			continue
		}
		for c := range serves[r.ProposedBy] {
			get(c).Shipped = append(get(c).Shipped, r)
		}
	}
	out := make([]CapabilityRecord, 0, len(recs))
	for _, r := range recs {
		slices.Sort(r.Owners)
		r.Owners = slices.Compact(r.Owners)
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return strings.Compare(out[i].Capability, out[j].Capability) < 0 })
	return out
}

// shippedBefore reports whether a rolled-back release had shipped.
func shippedBefore(r *cadence.Release) bool {
	for _, c := range r.History {
		if cadence.ReleaseStatus(c.What) == cadence.ReleaseShipped {
			return true
		}
	}
	return false
}
