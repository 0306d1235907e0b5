package store

import (
	"fmt"

	"github.com/cadencebot/cadencebot/cadence"
)

type personStateRecord struct {
	PersonID    string            `json:"person_id"`
	OutOfOffice []dateRangeRecord `json:"out_of_office"`
}

// dateRangeRecord keeps dates as "YYYY-MM-DD" text, and a zero date as
// "" (cadence.Date's own text form of it does not parse back).
type dateRangeRecord struct {
	From string `json:"from"`
	To   string `json:"to"`
	Note string `json:"note"`
}

func dateText(d cadence.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func parseDateText(s string) (cadence.Date, error) {
	if s == "" {
		return cadence.Date{}, nil
	}
	return cadence.ParseDate(s)
}

func (t *tx) PersonState(personID string) (*cadence.PersonState, error) {
	b, err := t.bucket(bucketPersonState)
	if err != nil {
		return nil, err
	}
	var r personStateRecord
	found, err := getJSON(b, []byte(personID), &r)
	if err != nil {
		return nil, fmt.Errorf("person state %q: %w", personID, err)
	}
	if !found {
		return nil, fmt.Errorf("person state %q: %w", personID, cadence.ErrNotFound)
	}
	s := &cadence.PersonState{PersonID: r.PersonID}
	if r.OutOfOffice != nil {
		s.OutOfOffice = make([]cadence.DateRange, len(r.OutOfOffice))
		for i, x := range r.OutOfOffice {
			from, err := parseDateText(x.From)
			if err != nil {
				return nil, fmt.Errorf("person state %q: out of office %d: from: %w", personID, i, err)
			}
			to, err := parseDateText(x.To)
			if err != nil {
				return nil, fmt.Errorf("person state %q: out of office %d: to: %w", personID, i, err)
			}
			s.OutOfOffice[i] = cadence.DateRange{From: from, To: to, Note: x.Note}
		}
	}
	return s, nil
}

func (t *tx) PutPersonState(s *cadence.PersonState) error {
	if err := t.writable("put person state"); err != nil {
		return err
	}
	if s == nil || s.PersonID == "" {
		return fmt.Errorf("put person state: empty person id: %w", cadence.ErrInvalidInput)
	}
	b, err := t.bucket(bucketPersonState)
	if err != nil {
		return err
	}
	r := personStateRecord{PersonID: s.PersonID}
	if s.OutOfOffice != nil {
		r.OutOfOffice = make([]dateRangeRecord, len(s.OutOfOffice))
		for i, x := range s.OutOfOffice {
			r.OutOfOffice[i] = dateRangeRecord{From: dateText(x.From), To: dateText(x.To), Note: x.Note}
		}
	}
	if err := putJSON(b, []byte(s.PersonID), r); err != nil {
		return fmt.Errorf("put person state %q: %w", s.PersonID, err)
	}
	return nil
}
