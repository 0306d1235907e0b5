// Package dashboard is the managers' read-only view of cadence health: a
// web dashboard (overview with the team score trend, a heatmap of ISO
// weeks × rituals, a sortable per-person participation table), CSV and
// JSON downloads of every table, and the weekly digest content with its
// PNG chart for chat platforms.
//
// It reads everything through cadence.Service.Report and Roster, so it
// works the same over the bbolt store and the in-memory test store.
//
// # Access
//
// Everything is GET-only. On a loopback listener the dashboard may run
// without credentials; anywhere else CheckAccess refuses to start unless
// CADENCEBOT_DASHBOARD_TOKEN (bearer token, for scripts and the API) or
// CADENCEBOT_DASHBOARD_USER and CADENCEBOT_DASHBOARD_PASSWORD (basic
// auth, for browsers) are set. Secrets never appear in pages or logs.
//
// Behind a single-sign-on reverse proxy (oauth2-proxy, Pomerium, an
// ingress with OIDC), keep cadencebot on 127.0.0.1 and let the proxy
// authenticate and forward to it; or keep a token configured and have
// the proxy add "Authorization: Bearer …" upstream. The pages use only
// relative links, so any path prefix the proxy chooses works.
//
// # Figures
//
// Dates in filters are UTC days, matching the weekly rollup (ISO weeks
// from Monday 00:00 UTC). Rates are shares of expected answers (people
// away or excused are not expected); the team score is the engine's
// (cadence.Tally.Score). Empty values (nobody expected, nobody answered)
// are blank in CSV and null in JSON, never 0.
package dashboard
