package main

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/oauth2-proxy/mockoidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

// adminPage is what the browser shows of an admin page.
type adminPage struct {
	pageNow
	Errors  map[string]string `json:"errors"`  // input id → the error next to it
	Values  map[string]string `json:"values"`  // input id → what the input holds
	Preview string            `json:"preview"` // the schedule preview's text
}

const readAdmin = `({url: location.href,
  heading: (document.querySelector('h1') || {}).textContent || '',
  me: (document.querySelector('.me') || {}).textContent || '',
  text: document.body ? document.body.innerText : '',
  errors: Object.fromEntries([...document.querySelectorAll('.field.invalid')].map(f =>
    [(f.querySelector('input, textarea') || f).id, (f.querySelector('.field-error') || {}).textContent || ''])),
  values: Object.fromEntries([...document.querySelectorAll('form.prompt input[id], form.prompt textarea[id]')].map(i =>
    [i.id, i.type === 'checkbox' ? String(i.checked) : i.value])),
  preview: (document.getElementById('preview') || {}).innerText || ''})`

// TestAdminInTheBrowser drives headless Chromium through the admin page as
// a lead signed in with OpenID Connect: the menu leads there, a ritual is
// started from a template, its schedule previewed with the DST change
// marked, a bad save shows the error next to the field with everything
// typed kept, the fixed save is in force at once, and a person is added
// and then edited.
func TestAdminInTheBrowser(t *testing.T) {
	requireChromium(t)
	a := startSignInApp(t, config.ClaimEmail, "")

	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	require.NoError(t, chromedp.Do(bctx), "starting %s", chromiumPath)
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()

	read := func() adminPage {
		t.Helper()
		p, err := chromedp.Run(ctx, chromedp.Evaluate[adminPage](readAdmin))
		require.NoError(t, err)
		return p
	}
	// act runs script, which leads to another page (a click on a submit
	// button or a link), and waits for it: a mark left on the old page's
	// window is gone on the new one.
	act := func(script string) adminPage {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { window.__before = true; `+script+`; return true })()`))
		require.NoError(t, err)
		for range 400 {
			done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.__before && document.readyState === 'complete'`))
			if err == nil && done {
				return read()
			}
			require.NoError(t, chromedp.Do(ctx, chromedp.Sleep(25*time.Millisecond)))
		}
		t.Fatal("the click led nowhere")
		return adminPage{}
	}
	// typeIn types into inputs by id as a person would: focus, clear,
	// keys; a value already there is replaced.
	typeIn := func(fields [][2]string) {
		t.Helper()
		for _, f := range fields {
			sel := chromedp.CSS(`[id="` + f[0] + `"]`)
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const i = document.getElementById(`+strconv.Quote(f[0])+`); i.focus(); i.value = ''; return true })()`))
			require.NoError(t, err, "clearing %s", f[0])
			require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(sel), chromedp.SendKeys(sel, f[1])), "typing into %s", f[0])
		}
	}

	// Lea signs in; the menu shows her the admin page.
	a.idp.QueueUser(&mockoidc.MockUser{Subject: "lea-sub", Email: "lea@example.com", EmailVerified: true})
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(a.srv.URL+"/me"), chromedp.WaitVisible("#cmd")))
	p := read()
	require.Contains(t, p.Me, "Signed in as Lea")
	p = act(`[...document.querySelectorAll('a')].find(l => l.textContent.trim() === 'Rituals & people').click()`)
	assert.Equal(t, "Rituals and people", p.Heading, p.Text)
	assert.Contains(t, p.Text, "config file", "the file's triage is listed, read-only")

	// A ritual from the quality-review template.
	require.NoError(t, chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("tpl"), "quality-review")))
	p = act(`document.querySelector('form[action$="/admin/ritual/new"] button[type=submit]').click()`)
	assert.Equal(t, "New ritual", p.Heading, p.Text)
	assert.Contains(t, p.Values["f-checklist"], "Drift within bounds for every production model", "the template filled the form")

	// The preview: the first of each month at 10:00 Zurich, past the
	// spring change, which is marked.
	typeIn([][2]string{{"f-id", "qr"}, {"f-title", "Model quality, typed"}, {"f-channel", "quality"},
		{"f-schedule", "0 10 1 * *"}, {"f-timezone", "Europe/Zurich"}})
	p = act(`document.querySelector('button[value=preview]').click()`)
	require.NotEmpty(t, p.Preview, p.Text)
	assert.Contains(t, p.Preview, "Europe/Zurich — Ana, Lea, Max, Sam")
	assert.Contains(t, p.Preview, "Tue 1 Dec 2026 10:00 CET")
	assert.Contains(t, p.Preview, "Thu 1 Apr 2027 10:00 CEST DST: clocks change in Europe/Zurich (CET → CEST)")
	assert.Nil(t, a.eng.Ritual("qr"), "a preview saves nothing")
	assert.Equal(t, "Model quality, typed", p.Values["f-title"], "the preview keeps what was typed")

	// A bad schedule: the error next to it, everything typed kept.
	typeIn([][2]string{{"f-schedule", "0 10 * * 9"}, {"f-reminders", ""}})
	p = act(`document.querySelector('button[value=save]').click()`)
	assert.Contains(t, p.Text, "Some fields need a change; nothing was saved.")
	require.Contains(t, p.Errors, "f-schedule", "errors on the page: %v", p.Errors)
	assert.Contains(t, p.Errors["f-schedule"], "above maximum")
	assert.Equal(t, "0 10 * * 9", p.Values["f-schedule"])
	assert.Equal(t, "Model quality, typed", p.Values["f-title"])
	assert.Equal(t, "qr", p.Values["f-id"])
	assert.Equal(t, "quality", p.Values["f-channel"])
	assert.Nil(t, a.eng.Ritual("qr"))

	// Fixed and saved: in force at once, listed as made here.
	typeIn([][2]string{{"f-schedule", "0 10 * * 1"}})
	p = act(`document.querySelector('button[value=save]').click()`)
	assert.Equal(t, "Rituals and people", p.Heading, p.Text)
	assert.Contains(t, p.Text, "Saved ritual qr (version 1): it is in force now.")
	require.NotNil(t, a.eng.Ritual("qr"))
	assert.Equal(t, "Model quality, typed", a.eng.Ritual("qr").Title)
	assert.Equal(t, config.ModelChecklist, a.eng.Ritual("qr").Checklist)

	// A person added, then edited.
	p = act(`[...document.querySelectorAll('a')].find(l => l.textContent.trim() === 'Add a person').click()`)
	assert.Equal(t, "New person", p.Heading, p.Text)
	typeIn([][2]string{{"f-id", "zoe"}, {"f-name", "Zoe"}, {"f-role", "specialist"}, {"f-timezone", "America/New_York"}})
	p = act(`document.querySelector('button[value=save]').click()`)
	assert.Contains(t, p.Text, "Saved person zoe (version 1)")
	p = act(`document.querySelector('#person-zoe a').click()`)
	assert.Equal(t, "person zoe", p.Heading, p.Text)
	assert.Contains(t, p.Text, "version 1, saved by Lea")
	assert.Equal(t, "America/New_York", p.Values["f-timezone"])

	// A zone that does not exist: refused next to its input, kept.
	typeIn([][2]string{{"f-timezone", "Mars/Olympus"}, {"f-capabilities", "monitoring\nrelease"}})
	p = act(`document.querySelector('button[value=save]').click()`)
	require.Contains(t, p.Errors, "f-timezone", "errors on the page: %v", p.Errors)
	assert.Equal(t, "Mars/Olympus", p.Values["f-timezone"])
	assert.Equal(t, "monitoring\nrelease", p.Values["f-capabilities"])

	typeIn([][2]string{{"f-timezone", "Asia/Kolkata"}})
	p = act(`document.querySelector('button[value=save]').click()`)
	assert.Contains(t, p.Text, "Saved person zoe (version 2)")
	zoe := a.live.load().Roster.Person("zoe")
	require.NotNil(t, zoe)
	assert.Equal(t, "Asia/Kolkata", zoe.Location.String())
	assert.Equal(t, []string{"monitoring", "release"}, zoe.Capabilities)
	var saves []string
	require.NoError(t, a.db.View(context.Background(), func(tx cadence.Tx) error {
		entries, err := cadence.ReadAudit(tx, time.Time{})
		for _, e := range entries {
			if e.Target == "person:zoe" && e.Outcome != cadence.AuditRefused {
				saves = append(saves, e.Action+" by "+e.Actor+": "+e.Details["fields"])
			}
		}
		return err
	}))
	require.Len(t, saves, 2, "%v", saves)
	assert.Equal(t, "config.person.create by lea: ", saves[0])
	assert.Equal(t, "config.person.save by lea: location, capabilities", saves[1])
}
