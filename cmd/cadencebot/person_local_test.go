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
)

// In the local web chat `/cadence person …` opens the admin page's
// person editor for leads and admins; others are told why not.
func TestLocalPersonCommandOpensTheEditor(t *testing.T) {
	a := startReloadApp(t, nil, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	_, err := a.editor.Save(context.Background(), "lea", cadence.DefPerson, "zoe", "name = \"Zoe\"\ntimezone = \"America/New_York\"\n", 0)
	require.NoError(t, err)
	location := func(c *webClient, text string) (int, string) {
		form := url.Values{"text": {text}, "csrf": {c.csrf("/me")}}
		req, err := http.NewRequest(http.MethodPost, c.base+"/command", strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.http.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location")
	}

	lead := newWebClient(t, a.url, "")
	code, _ := lead.do(http.MethodPost, "/whoami", url.Values{"person": {"lea"}, "csrf": {lead.csrf("/")}})
	require.Equal(t, http.StatusSeeOther, code)
	for text, want := range map[string]string{
		"/cadence person new": "/admin/person/new", "person edit zoe": "/admin/person/zoe", "person remove zoe": "/admin/person/zoe/delete",
	} {
		code, loc := location(lead, text)
		assert.Equal(t, http.StatusSeeOther, code, text)
		assert.True(t, strings.HasSuffix(loc, want), "%s → %s", text, loc)
	}
	code, body := lead.do(http.MethodGet, "/admin/person/zoe/delete", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "zoe")

	spec := newWebClient(t, a.url, "")
	code, _ = spec.do(http.MethodPost, "/whoami", url.Values{"person": {"ana"}, "csrf": {spec.csrf("/")}})
	require.Equal(t, http.StatusSeeOther, code)
	code, loc := location(spec, "person edit zoe")
	require.Equal(t, http.StatusSeeOther, code)
	assert.True(t, strings.HasSuffix(loc, "/me#command"), loc)
	_, body = spec.do(http.MethodGet, "/me", nil)
	assert.Contains(t, body, "Only leads and admins add, change and remove people; you are a specialist.")
}
