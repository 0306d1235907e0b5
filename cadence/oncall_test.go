package cadence_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

func ut(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

func bucharest(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Bucharest")
	require.NoError(t, err)
	return loc
}

func TestOnCallAtAcrossDSTAndOverrides(t *testing.T) {
	loc := bucharest(t)
	// Weekly, Monday 09:00 Bucharest; clocks go forward on Sun 28 Mar 2027.
	weekly := &cadence.Rotation{ID: "primary", Members: []string{"ana", "bo", "chen"}, Location: loc,
		Start: cadence.Date{Year: 2027, Month: 3, Day: 22}, HandoffHour: 9, Length: 7}
	// Daily at 03:30: on 28 Mar 2027 03:30 does not exist (03:00 → 04:00),
	// on 25 Oct 2026 it exists twice (04:00 → 03:00).
	spring := &cadence.Rotation{ID: "night", Members: []string{"ana", "bo"}, Location: loc,
		Start: cadence.Date{Year: 2027, Month: 3, Day: 26}, HandoffHour: 3, HandoffMinute: 30, Length: 1}
	fall := &cadence.Rotation{ID: "night", Members: []string{"ana", "bo"}, Location: loc,
		Start: cadence.Date{Year: 2026, Month: 10, Day: 24}, HandoffHour: 3, HandoffMinute: 30, Length: 1}
	cover := []cadence.Override{{Rotation: "primary", From: ut(2027, 3, 24, 7, 0), To: ut(2027, 3, 26, 7, 0), Person: "chen"}}

	tests := []struct {
		name     string
		r        *cadence.Rotation
		ovs      []cadence.Override
		at       time.Time
		who      string
		from, to time.Time
	}{
		{"before the first hand-off nobody", weekly, nil, ut(2027, 3, 22, 6, 59), "", time.Time{}, ut(2027, 3, 22, 7, 0)},
		{"first turn at 09:00 EET", weekly, nil, ut(2027, 3, 22, 7, 0), "ana", ut(2027, 3, 22, 7, 0), ut(2027, 3, 29, 6, 0)},
		{"the turn across spring-forward is 167 hours", weekly, nil, ut(2027, 3, 29, 5, 59), "ana", ut(2027, 3, 22, 7, 0), ut(2027, 3, 29, 6, 0)},
		{"hand-off at 09:00 EEST", weekly, nil, ut(2027, 3, 29, 6, 0), "bo", ut(2027, 3, 29, 6, 0), ut(2027, 4, 5, 6, 0)},
		{"the cycle wraps", weekly, nil, ut(2027, 4, 12, 6, 0), "ana", ut(2027, 4, 12, 6, 0), ut(2027, 4, 19, 6, 0)},
		{"far ahead: 41 turns later", weekly, nil, ut(2028, 1, 3, 7, 0), "chen", ut(2028, 1, 3, 7, 0), ut(2028, 1, 10, 7, 0)},
		{"a turn is cut where an override begins", weekly, cover, ut(2027, 3, 23, 12, 0), "ana", ut(2027, 3, 22, 7, 0), ut(2027, 3, 24, 7, 0)},
		{"the override", weekly, cover, ut(2027, 3, 25, 12, 0), "chen", ut(2027, 3, 24, 7, 0), ut(2027, 3, 26, 7, 0)},
		{"the turn resumes after it", weekly, cover, ut(2027, 3, 27, 12, 0), "ana", ut(2027, 3, 26, 7, 0), ut(2027, 3, 29, 6, 0)},
		{"another rotation's override is ignored", spring, cover, ut(2027, 3, 26, 12, 0), "ana", ut(2027, 3, 26, 1, 30), ut(2027, 3, 27, 1, 30)},
		{"before a hand-off that falls in the gap", spring, nil, ut(2027, 3, 28, 0, 59), "bo", ut(2027, 3, 27, 1, 30), ut(2027, 3, 28, 1, 0)},
		{"a hand-off in the gap happens when it ends (04:00 EEST)", spring, nil, ut(2027, 3, 28, 1, 0), "ana", ut(2027, 3, 28, 1, 0), ut(2027, 3, 29, 0, 30)},
		{"a repeated hand-off time hands off at its first instant", fall, nil, ut(2026, 10, 25, 0, 30), "bo", ut(2026, 10, 25, 0, 30), ut(2026, 10, 26, 1, 30)},
		{"and not again at its second", fall, nil, ut(2026, 10, 25, 1, 45), "bo", ut(2026, 10, 25, 0, 30), ut(2026, 10, 26, 1, 30)},
		{"just before", fall, nil, ut(2026, 10, 25, 0, 29), "ana", ut(2026, 10, 24, 0, 30), ut(2026, 10, 25, 0, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := cadence.OnCallAt(tt.r, tt.ovs, tt.at)
			assert.Equal(t, tt.who, s.Person)
			assert.Equal(t, tt.from, s.From, "from")
			assert.Equal(t, tt.to, s.To, "to")
		})
	}

	next := cadence.NextOnCall(weekly, cover, cadence.OnCallAt(weekly, cover, ut(2027, 3, 23, 0, 0)))
	assert.Equal(t, "chen", next.Person, "the override is next")
	next = cadence.NextOnCall(weekly, cover, cadence.OnCallAt(weekly, cover, ut(2027, 3, 27, 0, 0)))
	assert.Equal(t, "bo", next.Person)
	assert.Equal(t, ut(2027, 3, 29, 6, 0), next.From)
}

func TestPlanSwap(t *testing.T) {
	loc := bucharest(t)
	r := &cadence.Rotation{ID: "primary", Members: []string{"ana", "bo", "chen"}, Location: loc,
		Start: cadence.Date{Year: 2027, Month: 3, Day: 22}, HandoffHour: 9, Length: 7}
	mon := cadence.Date{Year: 2027, Month: 3, Day: 22}
	now := ut(2027, 3, 20, 10, 0)

	ovs, err := cadence.PlanSwap(r, nil, "ana", "bo", mon, now)
	require.NoError(t, err)
	require.Len(t, ovs, 2)
	assert.Equal(t, cadence.Override{Rotation: "primary", From: ut(2027, 3, 22, 7, 0), To: ut(2027, 3, 29, 6, 0), Person: "bo", Replaces: "ana"}, ovs[0])
	assert.Equal(t, cadence.Override{Rotation: "primary", From: ut(2027, 3, 29, 6, 0), To: ut(2027, 4, 5, 6, 0), Person: "ana", Replaces: "bo"}, ovs[1])
	for at, who := range map[time.Time]string{ut(2027, 3, 23, 0, 0): "bo", ut(2027, 3, 30, 0, 0): "ana", ut(2027, 4, 6, 0, 0): "chen"} {
		assert.Equal(t, who, cadence.OnCallAt(r, ovs, at).Person, "after the swap at %s", at)
	}

	// A swap during the turn starts now: the past stays as it was.
	mid := ut(2027, 3, 24, 10, 17)
	ovs, err = cadence.PlanSwap(r, nil, "ana", "chen", cadence.Date{Year: 2027, Month: 3, Day: 24}, mid)
	require.NoError(t, err)
	assert.Equal(t, ut(2027, 3, 24, 10, 17), ovs[0].From)
	assert.Equal(t, ut(2027, 4, 5, 6, 0), ovs[1].From, "chen's next turn")

	holiday := []cadence.Override{{Rotation: "primary", From: ut(2027, 4, 1, 7, 0), To: ut(2027, 4, 2, 7, 0), Person: "chen"}}
	bad := []struct {
		name    string
		a, b    string
		day     cadence.Date
		now     time.Time
		ovs     []cadence.Override
		kind    error
		message string
	}{
		{"not on call that day", "bo", "ana", mon, now, nil, cadence.ErrInvalidInput, "bo is not on call in primary on 2027-03-22: ana is (from 2027-03-22 07:00 UTC to 2027-03-29 06:00 UTC)"},
		{"a past turn", "ana", "bo", mon, ut(2027, 3, 30, 0, 0), nil, cadence.ErrInvalidInput, "the turn in force on 2027-03-22 ended at 2027-03-29 06:00 UTC: a past turn cannot be swapped"},
		{"the same person", "ana", "ana", mon, now, nil, cadence.ErrInvalidInput, "swap needs two different people"},
		{"not a member", "ana", "dan", mon, now, nil, cadence.ErrInvalidInput, "dan is not a member of rotation primary (members: ana, bo, chen)"},
		{"before the rotation", "ana", "bo", cadence.Date{Year: 2027, Month: 3, Day: 1}, now, nil, cadence.ErrInvalidInput, "rotation primary starts on 2027-03-22; 2027-03-01 is before it"},
		{"overlaps an override", "ana", "bo", mon, now, holiday, cadence.ErrConflict,
			"swap ana and bo on 2027-03-22: overlap: ana is on call from 2027-03-29 06:00 UTC to 2027-04-05 06:00 UTC, and chen from 2027-04-01 07:00 UTC to 2027-04-02 07:00 UTC"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cadence.PlanSwap(r, tt.ovs, tt.a, tt.b, tt.day, tt.now)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tt.kind), "%v", err)
			assert.Equal(t, tt.message, err.Error())
		})
	}
}
