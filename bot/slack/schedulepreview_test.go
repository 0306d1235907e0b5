package slack_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/slack"
	"github.com/cadencebot/cadencebot/bot/slack/slacktest"
)

// previewClick is the block_actions Slack sends when "Preview schedule"
// is clicked in an open modal: the view with its id, hash, metadata and
// the state of every input as typed.
func previewClick(t testing.TB, user string, v slacktest.View, callback, metadata string, values map[string]map[string]any) map[string]any {
	state := map[string]any{}
	for block, val := range values {
		state[block] = map[string]any{block: val}
	}
	return sample(t, "BlockActionPayload.json", map[string]any{
		"user":       map[string]any{"id": user, "username": "someone", "name": "someone", "team_id": slacktest.TeamID},
		"team.id":    slacktest.TeamID,
		"trigger_id": "1764491400.1.preview",
		"container":  map[string]any{"type": "view", "view_id": v.ID},
		"channel":    nil,
		"message":    nil,
		"state":      map[string]any{"values": state},
		"view": map[string]any{"id": v.ID, "team_id": slacktest.TeamID, "type": "modal", "hash": v.Hash,
			"callback_id": callback, "private_metadata": metadata, "state": map[string]any{"values": state},
			"root_view_id": v.ID, "app_id": slacktest.AppID, "bot_id": slacktest.BotID},
		"actions": []any{map[string]any{"type": "button", "action_id": "ritual_preview", "block_id": "ritual_preview", "value": "preview",
			"text": map[string]any{"type": "plain_text", "text": "Preview schedule"}, "action_ts": "1764491400.000200"}},
	})
}

// blockText is the text of a section or context block of a view.
func blockText(t testing.TB, view json.RawMessage, blockID string) string {
	t.Helper()
	var v struct {
		Blocks []struct {
			BlockID string `json:"block_id"`
			Text    struct {
				Text string `json:"text"`
			} `json:"text"`
			Elements []json.RawMessage `json:"elements"`
		} `json:"blocks"`
	}
	require.NoError(t, json.Unmarshal(view, &v))
	for _, b := range v.Blocks {
		if b.BlockID == blockID {
			if b.Text.Text != "" || len(b.Elements) == 0 {
				return b.Text.Text
			}
			var el struct {
				Text string `json:"text"`
			}
			require.NoError(t, json.Unmarshal(b.Elements[0], &el))
			return el.Text
		}
	}
	return ""
}

// "Preview schedule" in the ritual modal answers with views.update on
// the clicked view, carrying its hash, every typed value set again and
// the next fire times of what is typed in each participant's zone: the
// clock change in Bucharest marked for both zones (the meeting moves on
// São Paulo's clock, which has no DST), a bad cron spec shown in the
// preview instead.
func TestRitualModalPreview(t *testing.T) {
	cases := []struct {
		name, schedule, participants string
		want, wantNot                []string
	}{
		{
			name: "DST in Bucharest, none in São Paulo", schedule: "0 9 1 * *", participants: "ana\njoao",
			want: []string{
				"*Next fire times*",
				"*Europe/Bucharest: ana*\n• Tue 1 Dec 09:00 EET\n• Fri 1 Jan 09:00 EET\n• Mon 1 Feb 09:00 EET\n• Mon 1 Mar 09:00 EET\n" +
					"• :warning: Thu 1 Apr 09:00 EEST — _clocks change in Europe/Bucharest (EET → EEST)_",
				"*America/Sao_Paulo: joao*\n• Tue 1 Dec 04:00 -03\n",
				"• :warning: Thu 1 Apr 03:00 -03 — _clocks change in Europe/Bucharest (EET → EEST)_",
			},
			wantNot: []string{":x:"},
		},
		{
			name: "a bad cron spec", schedule: "every day at nine", participants: "ana",
			want:    []string{"*Next fire times*\n:x: The schedule cannot be previewed as typed:\n• schedule: "},
			wantNot: []string{"EET"},
		},
		{
			name: "nobody takes part", schedule: "0 9 * * *", participants: "",
			want: []string{":x: Nobody takes part, so there is nothing to preview."},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forms := &fakeForms{}
			w := newOpsWorldWith(t, []slack.Option{slack.WithConfigForms(forms)})
			require.Equal(t, "null", w.slash(uLea, "ritual new standup"))
			m := w.openedView(1)
			opened := w.fake.OpenedViews()[0]
			assert.Equal(t, "Preview schedule shows the next five fire times in each participant's zone, as typed, before you save.",
				blockText(t, opened.JSON, "ritual_preview_out"), "a hint until the first click")

			typed := map[string]map[string]any{
				"id": text("daily"), "schedule": text(tc.schedule), "channel": text("standup"), "participants": text(tc.participants),
				"per_person_time#": checked(), "questions[0].id": text("today"), "questions[0].text": text("What is the plan?"),
				"questions[0].#": checked("questions[0].required"), "questions[1].id": text(""), "questions[1].text": text(""),
				"questions[1].#": checked(),
			}
			assert.Equal(t, "null", string(w.send("interactive", previewClick(t, uLea, opened, m.CallbackID, m.PrivateMetadata, typed))))
			eventually(t, "views.update", func() bool { return len(w.fake.ViewUpdates()) == 1 })
			up := w.fake.ViewUpdates()[0]
			assert.Equal(t, opened.ID, up.ViewID)
			assert.Equal(t, opened.Hash, up.Hash, "the hash of the view clicked: Slack's lock")

			var got modalJSON
			require.NoError(t, json.Unmarshal(up.JSON, &got))
			assert.Equal(t, m.CallbackID, got.CallbackID)
			assert.Equal(t, m.PrivateMetadata, got.PrivateMetadata)
			for block, want := range map[string]string{"schedule": tc.schedule, "participants": tc.participants, "channel": "standup",
				"questions[0].text": "What is the plan?"} {
				_, initial, _, _ := got.block(block)
				assert.Equal(t, want, initial, block)
			}
			_, initial, _, _ := got.block("questions[1].text")
			assert.Empty(t, initial, "one empty row to add a question, not one more per click")
			_, initial, _, _ = got.block("questions[2].text")
			assert.Empty(t, initial)
			assert.Contains(t, string(up.JSON), `"initial_options":[{"text":{"emoji":true,"text":"required","type":"plain_text"},"value":"questions[0].required"}]`, "checked boxes stay checked")

			preview := blockText(t, up.JSON, "ritual_preview_out")
			for _, s := range tc.want {
				assert.Contains(t, preview, s)
			}
			for _, s := range tc.wantNot {
				assert.NotContains(t, preview, s)
			}
			cur, ok := w.fake.Modal(opened.ID)
			require.True(t, ok)
			assert.NotEqual(t, opened.Hash, cur.Hash, "a new hash after the update")
		})
	}
}

// A preview click on a view that changed since (its hash moved on) gets
// hash_conflict from Slack; the newer view stays and nothing else
// happens.
func TestRitualModalPreviewHashConflict(t *testing.T) {
	w := newOpsWorldWith(t, []slack.Option{slack.WithConfigForms(&fakeForms{})})
	require.Equal(t, "null", w.slash(uLea, "ritual new"))
	m := w.openedView(1)
	opened := w.fake.OpenedViews()[0]
	w.fake.ChangeModal(opened.ID)
	w.send("interactive", previewClick(t, uLea, opened, m.CallbackID, m.PrivateMetadata, map[string]map[string]any{
		"id": text("daily"), "schedule": text("0 9 * * *"), "participants": text("ana")}))
	eventually(t, "the conflict logged", func() bool { return strings.Contains(w.logs.String(), "the newer view stays") })
	assert.Empty(t, w.fake.ViewUpdates())
}

// `/cadence ritual edit ID` opens with the stored ritual's next fire
// times already shown.
func TestRitualEditModalOpensWithPreview(t *testing.T) {
	w := newOpsWorldWith(t, []slack.Option{slack.WithConfigForms(&fakeForms{version: 1})})
	require.Equal(t, "null", w.slash(uLea, "ritual edit daily"))
	w.openedView(1)
	preview := blockText(t, w.fake.OpenedViews()[0].JSON, "ritual_preview_out")
	assert.Contains(t, preview, "*Next fire times*\n*Europe/Bucharest: ana*\n• Tue 1 Dec 09:00 EET") // t0 is 10:30 in Bucharest
}
