package store

import (
	"fmt"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

type ritualStateRecord struct {
	RitualID   string    `json:"ritual_id"`
	Cursor     time.Time `json:"cursor"`
	Paused     bool      `json:"paused"`
	PausedBy   string    `json:"paused_by"`
	PausedAt   time.Time `json:"paused_at"`
	Rotation   int       `json:"rotation"`
	SkipNext   string    `json:"skip_next"`
	SkipNextBy string    `json:"skip_next_by"`
}

func (t *tx) RitualState(ritualID string) (*cadence.RitualState, error) {
	b, err := t.bucket(bucketRitualState)
	if err != nil {
		return nil, err
	}
	var r ritualStateRecord
	found, err := getJSON(b, []byte(ritualID), &r)
	if err != nil {
		return nil, fmt.Errorf("ritual state %q: %w", ritualID, err)
	}
	if !found {
		return nil, fmt.Errorf("ritual state %q: %w", ritualID, cadence.ErrNotFound)
	}
	return &cadence.RitualState{
		RitualID:   r.RitualID,
		Cursor:     r.Cursor,
		Paused:     r.Paused,
		PausedBy:   r.PausedBy,
		PausedAt:   r.PausedAt,
		Rotation:   r.Rotation,
		SkipNext:   r.SkipNext,
		SkipNextBy: r.SkipNextBy,
	}, nil
}

func (t *tx) PutRitualState(s *cadence.RitualState) error {
	if err := t.writable("put ritual state"); err != nil {
		return err
	}
	if s == nil || s.RitualID == "" {
		return fmt.Errorf("put ritual state: empty ritual id: %w", cadence.ErrInvalidInput)
	}
	b, err := t.bucket(bucketRitualState)
	if err != nil {
		return err
	}
	err = putJSON(b, []byte(s.RitualID), ritualStateRecord{
		RitualID:   s.RitualID,
		Cursor:     utc(s.Cursor),
		Paused:     s.Paused,
		PausedBy:   s.PausedBy,
		PausedAt:   utc(s.PausedAt),
		Rotation:   s.Rotation,
		SkipNext:   s.SkipNext,
		SkipNextBy: s.SkipNextBy,
	})
	if err != nil {
		return fmt.Errorf("put ritual state %q: %w", s.RitualID, err)
	}
	return nil
}
