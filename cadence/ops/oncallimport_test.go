package ops_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// importHarness: the primary rotation (Ana this week, Cy next) reads its
// on-call from PagerDuty; people have emails.
func importHarness(t *testing.T) *opsHarness {
	return newOpsHarness(t, func(c *ops.Config) {
		r := primaryRotation(t)
		r.Import = &cadence.RotationImport{Provider: "pagerduty", Schedule: "PABC123", TokenEnv: "PD_TOKEN"}
		c.Rotations = []*cadence.Rotation{r}
		var people []*cadence.Person
		for _, p := range cadencetest.TestRoster(t).People() {
			q := *p
			q.Handles.Email = p.ID + "@example.com"
			people = append(people, &q)
		}
		c.Roster = cadence.NewRoster(people)
	})
}

func auditActions(t *testing.T, h *opsHarness) []string {
	var out []string
	require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		es, err := cadence.ReadAudit(tx, time.Time{})
		for _, e := range es {
			if e.Actor == ops.OnCallImportActor {
				out = append(out, e.Action+" "+e.Details["person"]+e.Details["error"])
			}
		}
		return err
	}))
	return out
}

// TestOnCallImportOverridesTheTurnAndSurvivesOutages: the imported
// on-call wins over the computed turn for its window; an outage keeps it
// and says since when; the first failure and the recovery are audited,
// repeated failures and unchanged successes are not.
func TestOnCallImportOverridesTheTurnAndSurvivesOutages(t *testing.T) {
	h := importHarness(t)
	zurich := cadencetest.Location(t, "Europe/Zurich")
	now := h.clock.Now()

	before, err := h.ops.OnCall(h.ctx, now)
	require.NoError(t, err)
	assert.Equal(t, "ana", before[0].Current.Person, "the schedule says Ana")
	assert.False(t, before[0].Imported)

	// PagerDuty says Dan (the email's case differs: matching ignores it), until Thursday.
	thursday := cadencetest.Monday.AddDate(0, 0, 3).Add(8 * time.Hour)
	im, err := h.ops.RecordOnCallImport(h.ctx, "primary", []ops.ImportedShift{{Email: "DAN@example.com", Name: "Dan D", From: cadencetest.Monday, To: thursday}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "dan", im.Person)

	h.clock.Advance(5 * time.Minute)
	now = h.clock.Now()
	got, err := h.ops.OnCall(h.ctx, now)
	require.NoError(t, err)
	assert.True(t, got[0].Imported)
	assert.Equal(t, "dan", got[0].Current.Person)
	assert.Equal(t, thursday, got[0].Current.To)
	assert.Equal(t, "from PagerDuty, 5 min ago", got[0].Import.Status(now, zurich))

	// The standup excuses the imported on-call, not the scheduled one.
	ok, why := excusedNow(t, h, "dan")
	assert.True(t, ok)
	assert.Equal(t, "on call (Primary on-call)", why)
	ok, _ = excusedNow(t, h, "ana")
	assert.False(t, ok)

	// PagerDuty is down twice: the last known stays, one audit entry.
	for range 2 {
		h.clock.Advance(5 * time.Minute)
		_, err = h.ops.RecordOnCallImport(h.ctx, "primary", nil, errors.New("PagerDuty answered 503: Service Unavailable (after 4 attempts)"))
		require.NoError(t, err)
	}
	got, err = h.ops.OnCall(h.ctx, h.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, "dan", got[0].Current.Person, "the last known value is kept")
	assert.Equal(t, "PagerDuty unreachable since Mon 30 Nov 11:10 CET: PagerDuty answered 503: Service Unavailable (after 4 attempts); showing the last known on-call",
		got[0].Import.Status(h.clock.Now(), zurich))

	// Someone not on the roster: a failure too, the last known stays.
	_, err = h.ops.RecordOnCallImport(h.ctx, "primary", []ops.ImportedShift{{Email: "zed@example.com", Name: "Zed"}}, nil)
	require.NoError(t, err)
	im, err = h.ops.OnCallImportOf(h.ctx, "primary")
	require.NoError(t, err)
	assert.Equal(t, "dan", im.Person)
	assert.Equal(t, "its on-call zed@example.com (Zed) has no person with that email in [[people]]", im.LastError)

	// Back, with Bo and no end: Bo covers the rest of the computed turn.
	h.clock.Advance(5 * time.Minute)
	_, err = h.ops.RecordOnCallImport(h.ctx, "primary", []ops.ImportedShift{{Email: "bo@example.com"}}, nil)
	require.NoError(t, err)
	_, err = h.ops.RecordOnCallImport(h.ctx, "primary", []ops.ImportedShift{{Email: "bo@example.com"}}, nil)
	require.NoError(t, err)
	got, err = h.ops.OnCall(h.ctx, h.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, "bo", got[0].Current.Person)
	assert.Equal(t, cadencetest.Monday.AddDate(0, 0, 7).Add(8*time.Hour), got[0].Current.To, "until the computed turn ends")
	assert.Equal(t, "cy", got[0].Next.Person)

	// After the window, the schedule applies again.
	got, err = h.ops.OnCall(h.ctx, cadencetest.Monday.AddDate(0, 0, 7).Add(9*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, "cy", got[0].Current.Person)
	assert.False(t, got[0].Imported)

	assert.Equal(t, []string{
		"oncall.import dan",
		"oncall.import.failed PagerDuty answered 503: Service Unavailable (after 4 attempts)",
		"oncall.import bo",
	}, auditActions(t, h))
}

func TestOnCallImportNeedsAnImportingRotation(t *testing.T) {
	h := newOpsHarness(t, func(c *ops.Config) { c.Rotations = []*cadence.Rotation{primaryRotation(t)} })
	_, err := h.ops.RecordOnCallImport(h.ctx, "primary", nil, nil)
	require.ErrorContains(t, err, `rotation "primary" has no [rotations.import]`)
}

// excusedNow asks StandupExcuse, inside one transaction, about a person
// at the harness's now.
func excusedNow(t *testing.T, h *opsHarness, person string) (ok bool, why string) {
	require.NoError(t, h.store.View(h.ctx, func(tx cadence.Tx) error {
		ok, why = h.ops.StandupExcuse(tx, cadencetest.StandupRitual(t))(person, h.clock.Now())
		return nil
	}))
	return ok, why
}
