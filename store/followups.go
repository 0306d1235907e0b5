package store

import (
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

type followUpRecord struct {
	Number       int            `json:"number"`
	Incident     int            `json:"incident"`
	Title        string         `json:"title"`
	Owner        string         `json:"owner"`
	Due          string         `json:"due"`
	Status       string         `json:"status"`
	CreatedBy    string         `json:"created_by"`
	CreatedAt    time.Time      `json:"created_at"`
	ClosedAt     time.Time      `json:"closed_at"`
	ClosedBy     string         `json:"closed_by"`
	DropReason   string         `json:"drop_reason"`
	SnoozedUntil time.Time      `json:"snoozed_until"`
	History      []changeRecord `json:"history"`
	Issue        string         `json:"issue,omitempty"`
}

type changeRecord struct {
	At   time.Time `json:"at"`
	By   string    `json:"by"`
	What string    `json:"what"`
}

func toChangeRecords(cs []cadence.Change) []changeRecord {
	if cs == nil {
		return nil
	}
	out := make([]changeRecord, len(cs))
	for i, c := range cs {
		out[i] = changeRecord{At: utc(c.At), By: c.By, What: c.What}
	}
	return out
}

func fromChangeRecords(cs []changeRecord) []cadence.Change {
	if cs == nil {
		return nil
	}
	out := make([]cadence.Change, len(cs))
	for i, c := range cs {
		out[i] = cadence.Change{At: c.At, By: c.By, What: c.What}
	}
	return out
}

func (r *followUpRecord) domain() (*cadence.FollowUp, error) {
	due, err := parseDateText(r.Due)
	if err != nil {
		return nil, fmt.Errorf("follow-up %d: due: %w", r.Number, err)
	}
	return &cadence.FollowUp{
		Number: r.Number, Incident: r.Incident, Title: r.Title, Owner: r.Owner, Due: due,
		Status: cadence.FollowUpStatus(r.Status), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
		ClosedAt: r.ClosedAt, ClosedBy: r.ClosedBy, DropReason: r.DropReason, SnoozedUntil: r.SnoozedUntil,
		History: fromChangeRecords(r.History), Issue: r.Issue,
	}, nil
}

func (t *tx) FollowUp(n int) (*cadence.FollowUp, error) {
	b, err := t.bucket(bucketFollowUps)
	if err != nil {
		return nil, err
	}
	var r followUpRecord
	found, err := getJSON(b, numKey(n), &r)
	if err != nil {
		return nil, fmt.Errorf("follow-up %d: %w", n, err)
	}
	if !found {
		return nil, fmt.Errorf("follow-up %d: %w", n, cadence.ErrNotFound)
	}
	return r.domain()
}

func (t *tx) PutFollowUp(f *cadence.FollowUp) error {
	if err := t.writable("put follow-up"); err != nil {
		return err
	}
	if err := checkNum("follow-up", f.Number); err != nil {
		return err
	}
	b, err := t.bucket(bucketFollowUps)
	if err != nil {
		return err
	}
	if err := putJSON(b, numKey(f.Number), followUpRecord{
		Number: f.Number, Incident: f.Incident, Title: f.Title, Owner: f.Owner, Due: dateText(f.Due),
		Status: string(f.Status), CreatedBy: f.CreatedBy, CreatedAt: utc(f.CreatedAt),
		ClosedAt: utc(f.ClosedAt), ClosedBy: f.ClosedBy, DropReason: f.DropReason,
		SnoozedUntil: utc(f.SnoozedUntil), History: toChangeRecords(f.History), Issue: f.Issue,
	}); err != nil {
		return err
	}
	open, err := t.bucket(bucketFollowUpsOpen)
	if err != nil {
		return err
	}
	if f.Status == cadence.FollowUpOpen {
		err = open.Put(numKey(f.Number), []byte{})
	} else {
		err = open.Delete(numKey(f.Number))
	}
	if err != nil {
		return fmt.Errorf("put follow-up %d: open index: %w", f.Number, err)
	}
	return nil
}

// FollowUps scans the bucket, or only the open index when the filter asks
// for open follow-ups alone (the reminder job, every tick); a few hundred
// follow-ups a year need no index by owner or incident.
func (t *tx) FollowUps(q cadence.FollowUpFilter) ([]*cadence.FollowUp, error) {
	var out []*cadence.FollowUp
	visit := func(k, v []byte) error {
		var r followUpRecord
		if err := decode(k, v, &r); err != nil {
			return err
		}
		f, err := r.domain()
		if err != nil {
			return err
		}
		if q.Match(f) {
			out = append(out, f)
		}
		return nil
	}
	if len(q.Status) == 1 && q.Status[0] == cadence.FollowUpOpen {
		return out, t.openFollowUps(visit)
	}
	return out, t.numbered(bucketFollowUps, visit)
}

// openFollowUps visits the open follow-ups in number order.
func (t *tx) openFollowUps(visit func(k, v []byte) error) error {
	open, err := t.bucket(bucketFollowUpsOpen)
	if err != nil {
		return err
	}
	all, err := t.bucket(bucketFollowUps)
	if err != nil {
		return err
	}
	return open.ForEach(func(k, _ []byte) error {
		v := all.Get(k)
		if v == nil {
			return fmt.Errorf("open follow-up index points at missing key %q: %w", k, ErrCorrupt)
		}
		return visit(k, v)
	})
}

func (t *tx) LastFollowUpNumber() (int, error) { return t.lastNum(bucketFollowUps) }
