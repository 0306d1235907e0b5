package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/oauth2-proxy/mockoidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
)

const chromiumPath = "/usr/bin/chromium"

// requireChromium skips without a browser on a workstation and fails in
// CI (CI=true), where a missing browser must not pass silently.
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err == nil {
		return
	}
	if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
		t.Fatalf("CI=%s but %s is missing: install it (apt-get install -y chromium) so the sign-in browser test runs", ci, chromiumPath)
	}
	t.Skipf("skipping the headless browser test: %s not found (apt-get install -y chromium; with CI=true this fails)", chromiumPath)
}

// pageNow is what the browser shows: where it is, the heading, who the
// header says is signed in, and the page's text.
type pageNow struct {
	URL     string `json:"url"`
	Heading string `json:"heading"`
	Me      string `json:"me"`
	Text    string `json:"text"`
}

const readPage = `({url: location.href,
  heading: (document.querySelector('h1') || {}).textContent || '',
  me: (document.querySelector('.me') || {}).textContent || '',
  text: document.body ? document.body.innerText : ''})`

// TestSignInInTheBrowser drives headless Chromium through the whole
// sign-in against a mock OpenID Connect issuer: sign in, act as yourself,
// fail to act as anyone else with forged form fields, lose the session
// when it expires, and meet "Not on this team" with an unknown account.
func TestSignInInTheBrowser(t *testing.T) {
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
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()

	read := func() pageNow {
		t.Helper()
		p, err := chromedp.Run(ctx, chromedp.Evaluate[pageNow](readPage))
		require.NoError(t, err)
		return p
	}
	// submit runs script, which sends a form, and waits for the next
	// page: a mark left on the old page's window is gone on the new one.
	submit := func(script string) pageNow {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { window.__before = true; `+script+`; return true })()`))
		require.NoError(t, err)
		for range 200 {
			done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.__before && document.readyState === 'complete'`))
			if err == nil && done {
				return read()
			}
			require.NoError(t, chromedp.Do(ctx, chromedp.Sleep(25*time.Millisecond)))
		}
		t.Fatal("the form led nowhere")
		return pageNow{}
	}

	// Sign in: /me sends the browser to the issuer and back.
	a.idp.QueueUser(&mockoidc.MockUser{Subject: "ana-sub", Email: "ana@example.com", EmailVerified: true})
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(a.srv.URL+"/me"), chromedp.WaitVisible("#cmd")))
	p := read()
	assert.Equal(t, a.srv.URL+"/me", p.URL)
	assert.Contains(t, p.Me, "Signed in as Ana")
	assert.Contains(t, p.Text, "Sign out")

	// Act as yourself, with a forged "person" field riding along.
	p = submit(`const f = document.querySelector('form[action$="/command"]');
	  for (const [k, v] of [['person', 'lea'], ['as', 'lea'], ['user', 'lea']]) {
	    const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
	  }
	  document.getElementById('cmd').value = 'incident new Drift on ranker-v3';
	  f.submit()`)
	incs, err := a.ops.Incidents(ctx, cadence.IncidentFilter{})
	require.NoError(t, err)
	require.Len(t, incs, 1, "page after the command: %s", p.Text)
	assert.Equal(t, "ana", incs[0].OpenedBy, "the incident is Ana's, whatever the form says")

	// Not as anyone else: a picker form built by hand is refused.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(a.srv.URL+"/me"), chromedp.WaitVisible("#cmd")))
	p = submit(`const csrf = document.querySelector('input[name=csrf]').value;
	  const f = document.createElement('form'); f.method = 'post'; f.action = '/whoami';
	  for (const [k, v] of [['csrf', csrf], ['person', 'lea']]) {
	    const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
	  }
	  document.body.appendChild(f); f.submit()`)
	assert.Equal(t, "Picking who you are is off", p.Heading, p.Text)
	assert.Contains(t, p.Me, "Signed in as Ana", "still Ana")

	// The session expires: the form still on the page is refused.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(a.srv.URL+"/me"), chromedp.WaitVisible("#cmd")))
	a.clock.Advance(12*time.Hour + time.Minute)
	p = submit(`document.getElementById('cmd').value = 'incident new After expiry';
	  document.querySelector('form[action$="/command"]').submit()`)
	assert.Contains(t, p.Text, "Not signed in, or the session expired, so nothing was done: sign in again at /auth/login")
	incs, err = a.ops.Incidents(ctx, cadence.IncidentFilter{})
	require.NoError(t, err)
	assert.Len(t, incs, 1, "nothing was done after the session expired")

	// An account on no roster.
	a.idp.QueueUser(&mockoidc.MockUser{Subject: "mallory-sub", Email: "mallory@example.com", EmailVerified: true})
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(a.srv.URL+"/me")))
	for range 200 { // the page at the end of the redirects
		if p = read(); p.Heading != "" {
			break
		}
		require.NoError(t, chromedp.Do(ctx, chromedp.Sleep(25*time.Millisecond)))
	}
	assert.Equal(t, "Not on this team", p.Heading, p.Text)
	assert.Contains(t, p.Text, "mallory@example.com")
	assert.NotContains(t, p.Me, "Signed in")
}
