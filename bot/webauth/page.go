package webauth

import (
	"bytes"
	"html/template"
	"net/http"
)

// The sign-in's own pages: short, self-contained (no script), in the
// local chat's plain style.
var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Heading}} · cadencebot</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f}h1{font-size:1.4rem}.why{color:#555}</style>
</head>
<body>
<h1>{{.Heading}}</h1>
<p>{{.Text}}</p>
{{with .Why}}<p class="why">{{.}}</p>{{end}}
{{if .Again}}<p><a href="` + LoginPath + `">Sign in</a></p>{{end}}
</body>
</html>`))

type pageData struct {
	Heading, Text, Why string
	Again              bool
}

func (a *Auth) page(w http.ResponseWriter, status int, heading, text string, again bool) {
	a.render(w, status, pageData{Heading: heading, Text: text, Again: again})
}

func (a *Auth) render(w http.ResponseWriter, status int, d pageData) {
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, d); err != nil {
		a.c.Log.Error().Err(err).Msg("render failed")
		http.Error(w, "The page could not be rendered.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// notOnTeam is the answer to an account that signed in correctly but is
// nobody on the roster: 403, and what a lead would add.
func (a *Auth) notOnTeam(w http.ResponseWriter, account, why string) {
	a.render(w, http.StatusForbidden, pageData{
		Heading: "Not on this team",
		Text:    "You signed in as " + account + ", but that account is not on this team's roster, so cadencebot shows you nothing.",
		Why:     why + " If you should be on the team, ask a lead to add you to the bot's config; otherwise sign in with another account.",
		Again:   true,
	})
}
