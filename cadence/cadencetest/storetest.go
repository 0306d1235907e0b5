package cadencetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// RunStoreTests is the contract every cadence.Store implementation must
// meet. open returns a new, empty store for each subtest (use t.TempDir
// and t.Cleanup for files). Fixtures use UTC times, so any encoding that
// keeps the instant (JSON, gob, binary) round-trips them exactly.
func RunStoreTests(t *testing.T, open func(t *testing.T) cadence.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s cadence.Store)
	}{
		{"RitualStateRoundTrip", testRitualState},
		{"OccurrenceRoundTrip", testOccurrenceRoundTrip},
		{"OccurrenceFilter", testOccurrenceFilter},
		{"AnswerRoundTrip", testAnswerRoundTrip},
		{"AnswersBetween", testAnswersBetween},
		{"EnqueueIsIdempotent", testEnqueueIdempotent},
		{"DueOrderAndStates", testDue},
		{"MessagesFilter", testMessagesFilter},
		{"PersonState", testPersonState},
		{"SummaryState", testSummaryState},
		{"KeyValue", testKV},
		{"Definitions", testDefinitions},
		{"UpdateRollsBackOnError", testRollback},
		{"WritesVisibleInsideUpdate", testReadYourWrites},
		{"ViewRefusesWrites", testViewReadOnly},
		{"ValuesAreCopied", testCopies},
		{"ConcurrentAnswerWrites", testConcurrentWrites},
		{"CanceledContext", testCanceled},
		{"AggregateRoundTrip", testAggregateRoundTrip},
		{"WeekAggregateRange", testWeekAggregateRange},
		{"AggregateUpkeep", testAggregateUpkeep},
		{"ReportPulse", testReportPulse},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

var base = time.Date(2026, 11, 30, 8, 30, 0, 0, time.UTC)

// minGPUs bounds a number question in the message fixture (a pointer).
var minGPUs = 0.0

func update(t *testing.T, s cadence.Store, fn func(tx cadence.Tx) error) {
	t.Helper()
	require.NoError(t, s.Update(context.Background(), fn))
}

func view(t *testing.T, s cadence.Store, fn func(tx cadence.Tx) error) {
	t.Helper()
	require.NoError(t, s.View(context.Background(), fn))
}

func fixtureOccurrence(ritual string, at time.Time, st cadence.Status) *cadence.Occurrence {
	return &cadence.Occurrence{
		ID:          cadence.OccurrenceID(ritual, at),
		RitualID:    ritual,
		Scheduled:   at,
		Status:      st,
		DueAt:       at.Add(-time.Hour),
		OpenedAt:    at.Add(3 * time.Second),
		Late:        true,
		ClosesAt:    at.Add(4 * time.Hour),
		ClosedAt:    at.Add(4*time.Hour + time.Second),
		Facilitator: "ana",
		Expected:    []string{"ana", "bo"},
		Excused:     map[string]string{"cy": "out of office"},
		PromptAt:    map[string]time.Time{"ana": at, "bo": at.Add(time.Hour)},
		CloseAt:     map[string]time.Time{"ana": at.Add(4 * time.Hour), "bo": at.Add(5 * time.Hour)},
		Prompted:    map[string]time.Time{"ana": at.Add(time.Second)},
		Reminded:    map[string]int{"bo": 1},
		SkipReason:  "holiday",
		SkippedBy:   "lea",
	}
}

func fixtureAnswer(occ, person string, at time.Time) *cadence.Answer {
	ritual, _, _ := cadence.ParseOccurrenceID(occ)
	return &cadence.Answer{
		OccurrenceID: occ,
		RitualID:     ritual,
		PersonID:     person,
		Responses:    []cadence.Response{{QuestionID: "today", Text: "retrain the ranker"}, {QuestionID: "blockers", Text: "none"}},
		SubmittedAt:  at,
		UpdatedAt:    at.Add(time.Minute),
		Edits:        1,
		Via:          "local-form",
	}
}

func fixtureMessage(key string, created time.Time, st cadence.DeliveryState) *cadence.Message {
	return &cadence.Message{
		Key:          key,
		Kind:         cadence.KindPrompt,
		Platform:     "local",
		To:           cadence.Recipient{Person: "ana"},
		RitualID:     "standup",
		OccurrenceID: cadence.OccurrenceID("standup", base),
		Thread:       "occ/standup@x/agenda",
		Body: cadence.Body{
			Title: "Standup",
			Text:  "Time for standup",
			Sections: []cadence.Section{{Heading: "Agenda", Lines: []string{"one", "two"},
				Entries: []cadence.Entry{{Label: "Today?", Text: "shipped " + cadence.MentionText("ana", "Ana")}}}},
			Questions: []cadence.Question{{ID: "today", Text: "Today?", Required: true},
				{ID: "blocked", Text: "Blocked?", Type: cadence.QuestionYesNo},
				{ID: "what", Text: "What?", FollowUpOf: "blocked", When: []string{"yes"}},
				{ID: "areas", Text: "Areas?", Type: cadence.QuestionMulti, Options: []string{"Drift", "Cost"}},
				{ID: "gpus", Text: "GPUs?", Type: cadence.QuestionNumber, Min: &minGPUs}},
			Prefill: map[string]string{"today": "x"},
			Actions: []cadence.Action{{ID: cadence.ActionAnswer, Label: "Answer", Value: "occ", Style: "primary"}},
			Footer:  "footer",
			Image:   &cadence.Image{Name: "chart.png", Alt: "score per week", PNG: []byte{0x89, 'P', 'N', 'G'}},
		},
		StaleAt:       created.Add(time.Hour),
		LateBody:      &cadence.Body{Title: "Standup", Text: "closed; answer late", Actions: []cadence.Action{{ID: cadence.ActionAnswer, Label: cadence.LabelAnswerLate, Value: "occ"}}},
		ExpiresAt:     created.Add(7 * 24 * time.Hour),
		CreatedAt:     created,
		Revision:      2,
		SentRevision:  1,
		State:         st,
		Attempts:      3,
		NextAttemptAt: created,
		LastError:     "ratelimited",
		Ref:           cadence.Ref{Channel: "D1", ID: "123.456"},
		SentAt:        created.Add(time.Second),
	}
}

func testRitualState(t *testing.T, s cadence.Store) {
	view(t, s, func(tx cadence.Tx) error {
		_, err := tx.RitualState("triage")
		assert.ErrorIs(t, err, cadence.ErrNotFound, "missing ritual state")
		return nil
	})
	want := &cadence.RitualState{RitualID: "triage", Cursor: base, Paused: true, PausedBy: "lea", PausedAt: base.Add(time.Hour), Rotation: 7, SkipNext: "offsite", SkipNextBy: "lea"}
	update(t, s, func(tx cadence.Tx) error { return tx.PutRitualState(want) })
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.RitualState("triage")
		require.NoError(t, err)
		assert.Equal(t, want, got)
		return nil
	})
	want2 := &cadence.RitualState{RitualID: "triage", Cursor: base.Add(24 * time.Hour), Rotation: 8}
	update(t, s, func(tx cadence.Tx) error { return tx.PutRitualState(want2) })
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.RitualState("triage")
		require.NoError(t, err)
		assert.Equal(t, want2, got, "overwrite replaces every field")
		return nil
	})
}

func testOccurrenceRoundTrip(t *testing.T, s cadence.Store) {
	o := fixtureOccurrence("triage", base, cadence.StatusClosed)
	view(t, s, func(tx cadence.Tx) error {
		_, err := tx.Occurrence(o.ID)
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	})
	update(t, s, func(tx cadence.Tx) error { return tx.PutOccurrence(o) })
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Occurrence(o.ID)
		require.NoError(t, err)
		assert.Equal(t, o, got)
		for _, p := range []string{"ana", "bo", "cy", "nobody"} {
			part, err := tx.OccurrenceFor(o.ID, p)
			require.NoError(t, err)
			assert.Equal(t, o.For(p), part, "OccurrenceFor %s", p)
		}
		_, err = tx.OccurrenceFor("triage@20990101T000000Z", "ana")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	})
	// One person's change, a person who leaves, nil maps: read back whole.
	o.Reminded["ana"] = 2
	o.Prompted["bo"] = base.Add(time.Minute)
	delete(o.Excused, "cy")
	o.PromptAt, o.CloseAt = nil, map[string]time.Time{}
	update(t, s, func(tx cadence.Tx) error { return tx.PutOccurrence(o) })
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Occurrence(o.ID)
		require.NoError(t, err)
		assert.Equal(t, o, got)
		part, err := tx.OccurrenceFor(o.ID, "cy")
		require.NoError(t, err)
		assert.Equal(t, o.For("cy"), part)
		return nil
	})
}

func testOccurrenceFilter(t *testing.T, s cadence.Store) {
	// Insert out of order, across rituals and statuses.
	day := 24 * time.Hour
	all := []*cadence.Occurrence{
		fixtureOccurrence("standup", base.Add(2*day), cadence.StatusOpen),
		fixtureOccurrence("triage", base.Add(day), cadence.StatusClosed),
		fixtureOccurrence("standup", base, cadence.StatusClosed),
		fixtureOccurrence("standup", base.Add(day), cadence.StatusMissed),
		fixtureOccurrence("triage", base.Add(3*day), cadence.StatusSkipped),
	}
	update(t, s, func(tx cadence.Tx) error {
		for _, o := range all {
			if err := tx.PutOccurrence(o); err != nil {
				return err
			}
		}
		return nil
	})
	ids := func(os []*cadence.Occurrence) []string {
		out := []string{}
		for _, o := range os {
			out = append(out, o.ID)
		}
		return out
	}
	id := cadence.OccurrenceID
	tests := []struct {
		name string
		f    cadence.OccurrenceFilter
		want []string
	}{
		{"all, by scheduled time", cadence.OccurrenceFilter{}, []string{
			id("standup", base), id("standup", base.Add(day)), id("triage", base.Add(day)), id("standup", base.Add(2*day)), id("triage", base.Add(3*day))}},
		{"one ritual", cadence.OccurrenceFilter{RitualID: "standup"}, []string{
			id("standup", base), id("standup", base.Add(day)), id("standup", base.Add(2*day))}},
		{"half-open range", cadence.OccurrenceFilter{From: base.Add(day), To: base.Add(3 * day)}, []string{
			id("standup", base.Add(day)), id("triage", base.Add(day)), id("standup", base.Add(2*day))}},
		{"status", cadence.OccurrenceFilter{Status: []cadence.Status{cadence.StatusOpen, cadence.StatusMissed}}, []string{
			id("standup", base.Add(day)), id("standup", base.Add(2*day))}},
		{"limit keeps the earliest", cadence.OccurrenceFilter{Limit: 2}, []string{
			id("standup", base), id("standup", base.Add(day))}},
		{"nothing", cadence.OccurrenceFilter{RitualID: "quality"}, []string{}},
		{"newest first", cadence.OccurrenceFilter{Newest: true}, []string{
			id("triage", base.Add(3*day)), id("standup", base.Add(2*day)), id("triage", base.Add(day)), id("standup", base.Add(day)), id("standup", base)}},
		{"newest first, limit keeps the latest", cadence.OccurrenceFilter{Newest: true, Limit: 2}, []string{
			id("triage", base.Add(3*day)), id("standup", base.Add(2*day))}},
		{"previous held occurrence of one ritual", cadence.OccurrenceFilter{RitualID: "standup", To: base.Add(2 * day), Status: []cadence.Status{cadence.StatusOpen, cadence.StatusClosed}, Newest: true, Limit: 1}, []string{
			id("standup", base)}},
		{"newest in a range", cadence.OccurrenceFilter{From: base.Add(day), To: base.Add(3 * day), Newest: true}, []string{
			id("standup", base.Add(2*day)), id("triage", base.Add(day)), id("standup", base.Add(day))}},
		{"newest open", cadence.OccurrenceFilter{Status: []cadence.Status{cadence.StatusOpen}, Newest: true}, []string{
			id("standup", base.Add(2*day))}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			view(t, s, func(tx cadence.Tx) error {
				got, err := tx.Occurrences(tc.f)
				require.NoError(t, err)
				assert.Equal(t, tc.want, ids(got))
				return nil
			})
		})
	}
}

func testAnswerRoundTrip(t *testing.T, s cadence.Store) {
	occ := cadence.OccurrenceID("standup", base)
	view(t, s, func(tx cadence.Tx) error {
		_, err := tx.Answer(occ, "ana")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		got, err := tx.Answers(occ)
		require.NoError(t, err)
		assert.Empty(t, got)
		who, err := tx.Answerers(occ)
		require.NoError(t, err)
		assert.Equal(t, []string{}, who)
		return nil
	})
	bo, ana := fixtureAnswer(occ, "bo", base.Add(time.Minute)), fixtureAnswer(occ, "ana", base.Add(2*time.Minute))
	update(t, s, func(tx cadence.Tx) error {
		require.NoError(t, tx.PutAnswer(bo))
		return tx.PutAnswer(ana)
	})
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Answer(occ, "ana")
		require.NoError(t, err)
		assert.Equal(t, ana, got)
		list, err := tx.Answers(occ)
		require.NoError(t, err)
		assert.Equal(t, []*cadence.Answer{ana, bo}, list, "sorted by person ID")
		who, err := tx.Answerers(occ)
		require.NoError(t, err)
		assert.Equal(t, []string{"ana", "bo"}, who)
		// An occurrence whose ID extends this one's is not mixed in.
		other, err := tx.Answerers(occ + "x")
		require.NoError(t, err)
		assert.Equal(t, []string{}, other)
		return nil
	})
	edited := ana.Clone()
	edited.Responses[0].Text = "ship the ranker"
	edited.Edits = 2
	update(t, s, func(tx cadence.Tx) error { return tx.PutAnswer(edited) })
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Answer(occ, "ana")
		require.NoError(t, err)
		assert.Equal(t, edited, got)
		return nil
	})
}

func testAnswersBetween(t *testing.T, s cadence.Store) {
	day := 24 * time.Hour
	o1 := cadence.OccurrenceID("standup", base)
	o2 := cadence.OccurrenceID("triage", base.Add(day))
	o3 := cadence.OccurrenceID("standup", base.Add(2*day))
	update(t, s, func(tx cadence.Tx) error {
		for _, a := range []*cadence.Answer{
			fixtureAnswer(o3, "ana", base), fixtureAnswer(o1, "bo", base), fixtureAnswer(o2, "ana", base), fixtureAnswer(o1, "ana", base),
		} {
			if err := tx.PutAnswer(a); err != nil {
				return err
			}
		}
		return nil
	})
	key := func(as []*cadence.Answer) []string {
		out := []string{}
		for _, a := range as {
			out = append(out, a.OccurrenceID+"/"+a.PersonID)
		}
		return out
	}
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.AnswersBetween(base, base.Add(2*day))
		require.NoError(t, err)
		assert.Equal(t, []string{o1 + "/ana", o1 + "/bo", o2 + "/ana"}, key(got), "occurrences scheduled in [from, to), by time then person")
		got, err = tx.AnswersBetween(base.Add(day), base.Add(10*day))
		require.NoError(t, err)
		assert.Equal(t, []string{o2 + "/ana", o3 + "/ana"}, key(got))
		got, err = tx.AnswersBetween(time.Time{}, base.Add(day))
		require.NoError(t, err)
		assert.Equal(t, []string{o1 + "/ana", o1 + "/bo"}, key(got), "zero from does not bound")
		got, err = tx.AnswersBetween(base.Add(day), time.Time{})
		require.NoError(t, err)
		assert.Equal(t, []string{o2 + "/ana", o3 + "/ana"}, key(got), "zero to does not bound")

		// Submissions: the same answers, everything but the responses.
		full, err := tx.AnswersBetween(base, base.Add(10*day))
		require.NoError(t, err)
		subs, err := tx.SubmissionsBetween(base, base.Add(10*day))
		require.NoError(t, err)
		require.Len(t, subs, len(full))
		for i := range full {
			require.NotEmpty(t, full[i].Responses)
			want := full[i].Clone()
			want.Responses = nil
			assert.Equal(t, want, subs[i])
		}
		return nil
	})
}

func testEnqueueIdempotent(t *testing.T, s cadence.Store) {
	m := fixtureMessage("occ/a/prompt/ana", base, cadence.StatePending)
	update(t, s, func(tx cadence.Tx) error {
		ok, err := tx.Enqueue(m)
		require.NoError(t, err)
		assert.True(t, ok, "first enqueue stores")
		return nil
	})
	other := fixtureMessage("occ/a/prompt/ana", base.Add(time.Hour), cadence.StatePending)
	other.Body.Text = "changed"
	update(t, s, func(tx cadence.Tx) error {
		ok, err := tx.Enqueue(other)
		require.NoError(t, err)
		assert.False(t, ok, "second enqueue of the same key is a no-op")
		return nil
	})
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Message(m.Key)
		require.NoError(t, err)
		assert.Equal(t, m, got, "the first intent is kept")
		_, err = tx.Message("nope")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	})
	sent := m.Clone()
	sent.State, sent.SentRevision = cadence.StateSent, 2
	update(t, s, func(tx cadence.Tx) error { return tx.PutMessage(sent) })
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Message(m.Key)
		require.NoError(t, err)
		assert.Equal(t, sent, got, "PutMessage overwrites")
		return nil
	})
}

func testDue(t *testing.T, s cadence.Store) {
	mk := func(key string, created time.Time, st cadence.DeliveryState, next time.Time) *cadence.Message {
		m := fixtureMessage(key, created, st)
		m.NextAttemptAt = next
		return m
	}
	msgs := []*cadence.Message{
		mk("c", base.Add(2*time.Second), cadence.StatePending, time.Time{}),
		mk("b", base.Add(time.Second), cadence.StateSending, base),
		mk("a", base.Add(time.Second), cadence.StatePending, base.Add(-time.Hour)),
		mk("sent", base, cadence.StateSent, time.Time{}),
		mk("failed", base, cadence.StateFailed, time.Time{}),
		mk("later", base, cadence.StatePending, base.Add(time.Minute)),
	}
	update(t, s, func(tx cadence.Tx) error {
		for _, m := range msgs {
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	})
	keys := func(ms []*cadence.Message) []string {
		out := []string{}
		for _, m := range ms {
			out = append(out, m.Key)
		}
		return out
	}
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Due(base, 0)
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b", "c"}, keys(got), "pending and sending, NextAttemptAt <= now, by CreatedAt then key")
		got, err = tx.Due(base, 2)
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b"}, keys(got), "limit")
		got, err = tx.Due(base.Add(time.Minute), 0)
		require.NoError(t, err)
		assert.Equal(t, []string{"later", "a", "b", "c"}, keys(got), "retry time reached")
		// The dispatcher lists everything due with a bound in year 9999,
		// past what int64 nanoseconds hold.
		got, err = tx.Due(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), 0)
		require.NoError(t, err)
		assert.Equal(t, []string{"later", "a", "b", "c"}, keys(got), "a far-future bound")
		return nil
	})
	// A message that becomes sent leaves the due list; one put back to
	// pending (a new revision) joins it again.
	update(t, s, func(tx cadence.Tx) error {
		m, err := tx.Message("a")
		require.NoError(t, err)
		m.State = cadence.StateSent
		require.NoError(t, tx.PutMessage(m))
		m, err = tx.Message("sent")
		require.NoError(t, err)
		m.State = cadence.StatePending
		return tx.PutMessage(m)
	})
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Due(base, 0)
		require.NoError(t, err)
		assert.Equal(t, []string{"sent", "b", "c"}, keys(got))
		return nil
	})
}

func testMessagesFilter(t *testing.T, s cadence.Store) {
	mk := func(key, platform string, to cadence.Recipient, thread string, st cadence.DeliveryState, created time.Time) *cadence.Message {
		m := fixtureMessage(key, created, st)
		m.Platform, m.To, m.Thread = platform, to, thread
		return m
	}
	ana, ch := cadence.Recipient{Person: "ana"}, cadence.Recipient{Channel: "mlops"}
	update(t, s, func(tx cadence.Tx) error {
		for _, m := range []*cadence.Message{
			mk("4", "local", ana, "", cadence.StatePending, base.Add(4*time.Second)),
			mk("1", "local", ch, "", cadence.StateSent, base.Add(1*time.Second)),
			mk("2", "local", ch, "1", cadence.StateSent, base.Add(2*time.Second)),
			mk("3", "slack", ana, "", cadence.StateFailed, base.Add(3*time.Second)),
		} {
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	})
	tests := []struct {
		name string
		f    cadence.MessageFilter
		want []string
	}{
		{"all, oldest first", cadence.MessageFilter{}, []string{"1", "2", "3", "4"}},
		{"platform", cadence.MessageFilter{Platform: "local"}, []string{"1", "2", "4"}},
		{"recipient", cadence.MessageFilter{To: &ana}, []string{"3", "4"}},
		{"thread", cadence.MessageFilter{Thread: "1"}, []string{"2"}},
		{"states", cadence.MessageFilter{States: []cadence.DeliveryState{cadence.StatePending, cadence.StateFailed}}, []string{"3", "4"}},
		{"since is inclusive", cadence.MessageFilter{Since: base.Add(2 * time.Second)}, []string{"2", "3", "4"}},
		{"limit", cadence.MessageFilter{Platform: "local", Limit: 2}, []string{"1", "2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			view(t, s, func(tx cadence.Tx) error {
				got, err := tx.Messages(tc.f)
				require.NoError(t, err)
				keys := []string{}
				for _, m := range got {
					keys = append(keys, m.Key)
				}
				assert.Equal(t, tc.want, keys)
				return nil
			})
		})
	}
}

func testPersonState(t *testing.T, s cadence.Store) {
	view(t, s, func(tx cadence.Tx) error {
		_, err := tx.PersonState("ana")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	})
	want := &cadence.PersonState{PersonID: "ana", OutOfOffice: []cadence.DateRange{
		{From: cadence.Date{Year: 2026, Month: 12, Day: 1}, To: cadence.Date{Year: 2026, Month: 12, Day: 5}, Note: "conference"},
	}}
	update(t, s, func(tx cadence.Tx) error { return tx.PutPersonState(want) })
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.PersonState("ana")
		require.NoError(t, err)
		assert.Equal(t, want, got)
		return nil
	})
}

func testKV(t *testing.T, s cadence.Store) {
	update(t, s, func(tx cadence.Tx) error {
		for _, k := range []string{"email/b", "email/a", "team/x"} {
			require.NoError(t, tx.Put("slack", k, []byte("v-"+k)))
		}
		return tx.Put("teams", "email/a", []byte("other namespace"))
	})
	view(t, s, func(tx cadence.Tx) error {
		v, err := tx.Get("slack", "email/a")
		require.NoError(t, err)
		assert.Equal(t, []byte("v-email/a"), v)
		_, err = tx.Get("slack", "missing")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		_, err = tx.Get("nons", "email/a")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		keys, err := tx.Keys("slack", "email/")
		require.NoError(t, err)
		assert.Equal(t, []string{"email/a", "email/b"}, keys)
		keys, err = tx.Keys("slack", "")
		require.NoError(t, err)
		assert.Equal(t, []string{"email/a", "email/b", "team/x"}, keys)
		keys, err = tx.Keys("nons", "")
		require.NoError(t, err)
		assert.Empty(t, keys)
		return nil
	})
	update(t, s, func(tx cadence.Tx) error {
		require.NoError(t, tx.Delete("slack", "email/a"))
		require.NoError(t, tx.Delete("slack", "never-there"), "deleting a missing key is not an error")
		return tx.Delete("nons", "x")
	})
	view(t, s, func(tx cadence.Tx) error {
		_, err := tx.Get("slack", "email/a")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		v, err := tx.Get("teams", "email/a")
		require.NoError(t, err)
		assert.Equal(t, []byte("other namespace"), v, "namespaces are separate")
		return nil
	})
}

func testRollback(t *testing.T, s cadence.Store) {
	occ := fixtureOccurrence("triage", base, cadence.StatusOpen)
	msg := fixtureMessage("k1", base, cadence.StatePending)
	update(t, s, func(tx cadence.Tx) error {
		require.NoError(t, tx.PutOccurrence(occ))
		return tx.PutRitualState(&cadence.RitualState{RitualID: "triage", Rotation: 1})
	})
	boom := errors.New("boom")
	err := s.Update(context.Background(), func(tx cadence.Tx) error {
		changed := occ.Clone()
		changed.Status = cadence.StatusClosed
		require.NoError(t, tx.PutOccurrence(changed))
		require.NoError(t, tx.PutRitualState(&cadence.RitualState{RitualID: "triage", Rotation: 2}))
		require.NoError(t, tx.PutOccurrence(fixtureOccurrence("triage", base.Add(time.Hour), cadence.StatusOpen)))
		require.NoError(t, tx.PutAnswer(fixtureAnswer(occ.ID, "ana", base)))
		_, err := tx.Enqueue(msg)
		require.NoError(t, err)
		require.NoError(t, tx.PutPersonState(&cadence.PersonState{PersonID: "ana"}))
		require.NoError(t, tx.Put("slack", "k", []byte("v")))
		return fmt.Errorf("step 3: %w", boom)
	})
	require.ErrorIs(t, err, boom, "Update returns fn's error")
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Occurrence(occ.ID)
		require.NoError(t, err)
		assert.Equal(t, cadence.StatusOpen, got.Status, "overwrite rolled back")
		st, err := tx.RitualState("triage")
		require.NoError(t, err)
		assert.Equal(t, 1, st.Rotation)
		_, err = tx.Occurrence(cadence.OccurrenceID("triage", base.Add(time.Hour)))
		assert.ErrorIs(t, err, cadence.ErrNotFound, "insert rolled back")
		listed, err := tx.Occurrences(cadence.OccurrenceFilter{})
		require.NoError(t, err)
		require.Len(t, listed, 1, "nor listed")
		assert.Equal(t, cadence.StatusOpen, listed[0].Status)
		_, err = tx.Answer(occ.ID, "ana")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		_, err = tx.Message("k1")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		due, err := tx.Due(base.Add(time.Hour), 0)
		require.NoError(t, err)
		assert.Empty(t, due)
		_, err = tx.PersonState("ana")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		_, err = tx.Get("slack", "k")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	})
	// The enqueue that was rolled back must not block a later one.
	update(t, s, func(tx cadence.Tx) error {
		ok, err := tx.Enqueue(msg)
		require.NoError(t, err)
		assert.True(t, ok)
		return nil
	})
}

func testReadYourWrites(t *testing.T, s cadence.Store) {
	update(t, s, func(tx cadence.Tx) error {
		o := fixtureOccurrence("triage", base, cadence.StatusOpen)
		require.NoError(t, tx.PutOccurrence(o))
		got, err := tx.Occurrences(cadence.OccurrenceFilter{RitualID: "triage", Status: []cadence.Status{cadence.StatusOpen}})
		require.NoError(t, err)
		require.Len(t, got, 1)
		_, err = tx.Enqueue(fixtureMessage("k", base, cadence.StatePending))
		require.NoError(t, err)
		due, err := tx.Due(base, 0)
		require.NoError(t, err)
		assert.Len(t, due, 1)
		require.NoError(t, tx.PutAnswer(fixtureAnswer(o.ID, "ana", base)))
		as, err := tx.Answers(o.ID)
		require.NoError(t, err)
		assert.Len(t, as, 1)
		return nil
	})
}

func testViewReadOnly(t *testing.T, s cadence.Store) {
	err := s.View(context.Background(), func(tx cadence.Tx) error {
		return tx.PutOccurrence(fixtureOccurrence("triage", base, cadence.StatusOpen))
	})
	require.Error(t, err, "writing in View must fail")
	view(t, s, func(tx cadence.Tx) error {
		_, err := tx.Occurrence(cadence.OccurrenceID("triage", base))
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	})
}

func testCopies(t *testing.T, s cadence.Store) {
	o := fixtureOccurrence("triage", base, cadence.StatusOpen)
	m := fixtureMessage("k", base, cadence.StatePending)
	a := fixtureAnswer(o.ID, "ana", base)
	update(t, s, func(tx cadence.Tx) error {
		require.NoError(t, tx.PutOccurrence(o))
		require.NoError(t, tx.PutAnswer(a))
		_, err := tx.Enqueue(m)
		return err
	})
	// Mutating what was put must not change what is stored...
	o.Expected[0], o.Excused["cy"], o.PromptAt["ana"] = "zed", "changed", time.Time{}
	m.Body.Sections[0].Lines[0], m.Body.Prefill["today"] = "changed", "changed"
	m.Body.Image.PNG[1], m.Body.Image.Alt = 'X', "changed"
	a.Responses[0].Text = "changed"
	// ...nor mutating what was read.
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Occurrence(o.ID)
		require.NoError(t, err)
		assert.Equal(t, "ana", got.Expected[0])
		assert.Equal(t, "out of office", got.Excused["cy"])
		got.Expected[0], got.Reminded["bo"] = "zed", 9

		gm, err := tx.Message("k")
		require.NoError(t, err)
		assert.Equal(t, "one", gm.Body.Sections[0].Lines[0])
		gm.Body.Sections[0].Entries[0].Text = "changed"
		assert.Equal(t, "x", gm.Body.Prefill["today"])
		require.NotNil(t, gm.Body.Image)
		assert.Equal(t, []byte{0x89, 'P', 'N', 'G'}, gm.Body.Image.PNG)
		assert.Equal(t, "score per week", gm.Body.Image.Alt)
		gm.Body.Actions[0].Label = "changed"
		gm.Body.Image.PNG[2] = 'X'

		ga, err := tx.Answer(o.ID, "ana")
		require.NoError(t, err)
		assert.Equal(t, "retrain the ranker", ga.Responses[0].Text)
		ga.Responses[0].Text = "changed"
		return nil
	})
	view(t, s, func(tx cadence.Tx) error {
		got, err := tx.Occurrence(o.ID)
		require.NoError(t, err)
		assert.Equal(t, "ana", got.Expected[0])
		assert.Equal(t, 1, got.Reminded["bo"])
		gm, err := tx.Message("k")
		require.NoError(t, err)
		assert.Equal(t, "Answer", gm.Body.Actions[0].Label)
		assert.Equal(t, "shipped "+cadence.MentionText("ana", "Ana"), gm.Body.Sections[0].Entries[0].Text)
		assert.Equal(t, []byte{0x89, 'P', 'N', 'G'}, gm.Body.Image.PNG)
		ga, err := tx.Answer(o.ID, "ana")
		require.NoError(t, err)
		assert.Equal(t, "retrain the ranker", ga.Responses[0].Text)
		return nil
	})
}

func testConcurrentWrites(t *testing.T, s cadence.Store) {
	occ := cadence.OccurrenceID("standup", base)
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				person := fmt.Sprintf("p%02d-%02d", w, i)
				errs <- s.Update(context.Background(), func(tx cadence.Tx) error {
					// Read-modify-write of a shared counter exercises isolation.
					st, err := tx.RitualState("standup")
					if errors.Is(err, cadence.ErrNotFound) {
						st, err = &cadence.RitualState{RitualID: "standup"}, nil
					}
					if err != nil {
						return err
					}
					st.Rotation++
					if err := tx.PutRitualState(st); err != nil {
						return err
					}
					return tx.PutAnswer(fixtureAnswer(occ, person, base))
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	view(t, s, func(tx cadence.Tx) error {
		as, err := tx.Answers(occ)
		require.NoError(t, err)
		assert.Len(t, as, writers*each, "no answer lost")
		st, err := tx.RitualState("standup")
		require.NoError(t, err)
		assert.Equal(t, writers*each, st.Rotation, "no lost update")
		return nil
	})
}

func testCanceled(t *testing.T, s cadence.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err := s.Update(ctx, func(tx cadence.Tx) error {
		called = true
		return tx.PutRitualState(&cadence.RitualState{RitualID: "triage"})
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, called, "fn does not run on a canceled context")
	view(t, s, func(tx cadence.Tx) error {
		_, err := tx.RitualState("triage")
		assert.ErrorIs(t, err, cadence.ErrNotFound)
		return nil
	})
}
