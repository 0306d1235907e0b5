package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

// adminForm is the creation form as a browser posts it, from a template.
func adminForm(csrf, tpl string, set map[string]string) url.Values {
	v := url.Values{"csrf": {csrf}, "version": {"0"}, "template": {tpl}, "op": {"save"}}
	t, _ := config.TemplateNamed(tpl)
	for k, x := range t.Form {
		v.Set(k, x)
	}
	for k, x := range set {
		v.Set(k, x)
	}
	return v
}

// A lead creates a ritual on the admin page from a template: errors come
// back next to their fields with what was typed kept, the preview shows
// the next fire times in each zone with DST marked, and once saved it
// fires without a restart.
func TestAdminPageCreatesARitualThatFires(t *testing.T) {
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC) // 09:00 Zurich
	a := startReloadApp(t, nil, monday)
	_, err := a.editor.Save(context.Background(), "lea", cadence.DefPerson, "zoe", "name = \"Zoe\"\ntimezone = \"America/New_York\"\n", 0)
	require.NoError(t, err)

	c := newWebClient(t, a.url, "")
	code, _ := c.do(http.MethodPost, "/whoami", url.Values{"person": {"lea"}, "csrf": {c.csrf("/")}})
	require.Equal(t, http.StatusSeeOther, code)

	code, body := c.do(http.MethodGet, "/admin", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `id="ritual-triage"`)
	assert.Contains(t, body, "config file")
	assert.Contains(t, body, "made here (v1)", "zoe was made in the store")
	code, body = c.do(http.MethodGet, "/admin/ritual/new?template=quality-review", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "Drift within bounds for every production model")
	csrf := c.csrfs.FindStringSubmatch(body)[1]

	// Bad input: each problem next to its input, everything typed kept.
	code, body = c.do(http.MethodPost, "/admin/ritual/save", adminForm(csrf, "quality-review", map[string]string{
		"id": "qr", "title": "Model quality, typed", "schedule": "0 10 * * 9", "channel": "", "questions[0].text": "",
	}))
	require.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, body, "Some fields need a change; nothing was saved.")
	assert.Regexp(t, `(?s)<label for="f-schedule">schedule</label><span class="field-error">[^<]*above maximum`, body)
	assert.Regexp(t, `(?s)<label for="f-channel">channel</label><span class="field-error">missing channel`, body)
	assert.Regexp(t, `(?s)<label for="f-questions\[0\].text">text</label><span class="field-error">missing text`, body)
	assert.Contains(t, body, `value="Model quality, typed"`)
	assert.Contains(t, body, `value="0 10 * * 9"`)
	assert.Nil(t, a.eng.Ritual("qr"))

	// The preview: first of the month at 10:00 Zurich, past both spring changes.
	form := adminForm(csrf, "quality-review", map[string]string{"id": "qr", "channel": "quality", "schedule": "0 10 1 * *", "timezone": "Europe/Zurich"})
	form.Set("op", "preview")
	code, body = c.do(http.MethodPost, "/admin/ritual/save", form)
	require.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, "Europe/Zurich — Lea, Ana")
	assert.Contains(t, body, "America/New_York — Zoe")
	assert.Contains(t, body, "Tue 1 Dec 2026 10:00 CET")
	assert.Contains(t, body, "Tue 1 Dec 2026 04:00 EST")
	assert.Contains(t, body, "Thu 1 Apr 2027 10:00 CEST <strong class=\"flag dst\">DST: clocks change in Europe/Zurich (CET → CEST)</strong>")
	assert.Contains(t, body, "Mon 1 Mar 2027 04:00 EST</li>", "no change between February and March in either zone")
	assert.Contains(t, body, "Thu 1 Apr 2027 04:00 EDT <strong class=\"flag dst\">DST: clocks change in America/New_York (EST → EDT); clocks change in Europe/Zurich (CET → CEST)</strong>")
	assert.Nil(t, a.eng.Ritual("qr"), "a preview saves nothing")

	// Saved: in force at once, and it fires on schedule.
	form = adminForm(csrf, "quality-review", map[string]string{"id": "qr", "channel": "quality", "schedule": "0 10 * * 1", "window": "1h", "reminders": ""})
	code, _ = c.do(http.MethodPost, "/admin/ritual/save", form)
	require.Equal(t, http.StatusSeeOther, code)
	require.NotNil(t, a.eng.Ritual("qr"))
	assert.Equal(t, config.ModelChecklist, a.eng.Ritual("qr").Checklist)
	require.Eventually(t, func() bool {
		return a.db.View(context.Background(), func(tx cadence.Tx) error { _, err := tx.RitualState("qr"); return err }) == nil
	}, 5*time.Second, 10*time.Millisecond)
	a.clock.Set(monday.Add(time.Hour))
	require.Eventually(t, func() bool {
		_, body := get(t, a.url+"c/quality")
		return strings.Contains(body, "Model quality review is open")
	}, 5*time.Second, 10*time.Millisecond, "the ritual made on the page fires")

	// Two tabs saving from version 1: the second is refused, its text kept.
	_, body = c.do(http.MethodGet, "/admin/ritual/qr", nil)
	assert.Contains(t, body, "version 1, saved by Lea")
	form.Set("version", "1")
	form.Set("title", "First tab")
	code, _ = c.do(http.MethodPost, "/admin/ritual/save", form)
	require.Equal(t, http.StatusSeeOther, code)
	form.Set("title", "Second tab")
	code, body = c.do(http.MethodPost, "/admin/ritual/save", form)
	require.Equal(t, http.StatusConflict, code)
	assert.Contains(t, body, "ritual:qr was changed by Lea at 2026-11-30 09:00 UTC (now version 2)")
	assert.Contains(t, body, `value="Second tab"`)
	assert.Contains(t, body, `name="version" value="2"`, "saving again overwrites theirs on purpose")
	assert.Equal(t, "First tab", a.eng.Ritual("qr").Title)

	// A file ritual is shown read-only.
	_, body = c.do(http.MethodGet, "/admin/ritual/triage", nil)
	assert.Contains(t, body, "is defined in the config file: edit it in the file")
	assert.NotContains(t, body, `action="/admin/ritual/save"`)

	// Pause, then delete after a confirmation that says what happens.
	code, _ = c.do(http.MethodPost, "/admin/ritual/qr/pause", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, code)
	_, body = c.do(http.MethodGet, "/admin", nil)
	assert.Regexp(t, `(?s)id="ritual-qr".*?paused`, body)
	_, body = c.do(http.MethodGet, "/admin/ritual/qr/delete", nil)
	assert.Contains(t, body, "Its open occurrence (qr@")
	assert.Contains(t, body, "is closed at the next tick; the answers given so far are kept.")
	assert.Contains(t, body, "Its participants own no open follow-ups.")
	code, _ = c.do(http.MethodPost, "/admin/ritual/qr/delete", url.Values{"csrf": {csrf}, "version": {"2"}})
	require.Equal(t, http.StatusSeeOther, code)
	require.NotNil(t, a.eng.Ritual("qr"), "not without the confirmation")
	code, _ = c.do(http.MethodPost, "/admin/ritual/qr/delete", url.Values{"csrf": {csrf}, "version": {"2"}, "confirm": {"yes"}})
	require.Equal(t, http.StatusSeeOther, code)
	assert.Nil(t, a.eng.Ritual("qr"))

	// A form without its token is refused.
	code, _ = c.do(http.MethodPost, "/admin/ritual/save", adminForm("forged", "standup", map[string]string{"id": "x", "channel": "x"}))
	assert.Equal(t, http.StatusForbidden, code)
	assert.Nil(t, a.eng.Ritual("x"))
}

// Specialists are refused the admin pages, and so are forms posted as them.
func TestAdminPageIsForLeadsAndAdmins(t *testing.T) {
	a := startReloadApp(t, nil, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	c := newWebClient(t, a.url, "")
	code, _ := c.do(http.MethodPost, "/whoami", url.Values{"person": {"ana"}, "csrf": {c.csrf("/")}})
	require.Equal(t, http.StatusSeeOther, code)
	code, body := c.do(http.MethodGet, "/admin", nil)
	assert.Equal(t, http.StatusForbidden, code)
	assert.Contains(t, body, "Ana is a specialist")
	code, _ = c.do(http.MethodPost, "/admin/ritual/save", adminForm(c.csrf("/"), "standup", map[string]string{"id": "x", "channel": "x"}))
	assert.Equal(t, http.StatusForbidden, code)
	assert.Nil(t, a.eng.Ritual("x"))
}
