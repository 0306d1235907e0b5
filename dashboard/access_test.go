package dashboard_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/dashboard"
)

func TestAuth(t *testing.T) {
	const token = "s3cr3t-token-0123456789"
	basic := func(u, p string) string {
		req, _ := http.NewRequest(http.MethodGet, "/", nil)
		req.SetBasicAuth(u, p)
		return req.Header.Get("Authorization")
	}
	tokenOnly := dashboard.Options{Token: token}
	basicOnly := dashboard.Options{BasicUser: "manager", BasicPass: "hunter2-long"}
	both := dashboard.Options{Token: token, BasicUser: "manager", BasicPass: "hunter2-long"}
	tests := []struct {
		name      string
		opts      dashboard.Options
		auth      string
		want      int
		challenge string
	}{
		{"loopback without credentials", dashboard.Options{Loopback: true}, "", 200, ""},
		{"non-loopback without credentials fails closed", dashboard.Options{}, "", 403, ""},
		{"token: none", tokenOnly, "", 401, "Bearer"},
		{"token: wrong", tokenOnly, "Bearer nope", 401, "Bearer"},
		{"token: prefix of the right one", tokenOnly, "Bearer " + token[:10], 401, "Bearer"},
		{"token: right", tokenOnly, "Bearer " + token, 200, ""},
		{"token: basic is not accepted", tokenOnly, basic("manager", token), 401, "Bearer"},
		{"basic: none", basicOnly, "", 401, "Basic"},
		{"basic: wrong password", basicOnly, basic("manager", "hunter3-long"), 401, "Basic"},
		{"basic: wrong user", basicOnly, basic("admin", "hunter2-long"), 401, "Basic"},
		{"basic: right", basicOnly, basic("manager", "hunter2-long"), 200, ""},
		{"both: token", both, "Bearer " + token, 200, ""},
		{"both: basic", both, basic("manager", "hunter2-long"), 200, ""},
		{"both: wrong asks for basic (browsers)", both, "Bearer x", 401, "Basic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := smallFixture()
			h := dashboard.New(f, cadence.NewManualClock(fixtureNow), tt.opts).Handler()
			for _, path := range []string{"/", "/people", "/api/people.csv", "/api/report.json", "/assets/style.css"} {
				rec := get(t, h, path, "Authorization", tt.auth)
				assert.Equal(t, tt.want, rec.Code, path)
				if tt.challenge != "" {
					assert.Contains(t, rec.Header().Get("WWW-Authenticate"), tt.challenge, path)
				}
				assert.NotContains(t, rec.Body.String(), token, "no secret in any response")
				assert.NotContains(t, rec.Body.String(), "hunter2")
			}
			if tt.want != 200 {
				assert.Zero(t, f.reports.Load(), "refused requests never reach the service")
			}
		})
	}
}

func TestCheckAccess(t *testing.T) {
	tests := []struct {
		addr string
		opts dashboard.Options
		want string // "" = allowed
	}{
		{"127.0.0.1:8080", dashboard.Options{}, ""},
		{"[::1]:8080", dashboard.Options{}, ""},
		{"localhost:8080", dashboard.Options{}, ""},
		{"0.0.0.0:8080", dashboard.Options{Token: "t"}, ""},
		{"0.0.0.0:8080", dashboard.Options{BasicUser: "u", BasicPass: "p"}, ""},
		{"0.0.0.0:8080", dashboard.Options{}, `dashboard: refusing to serve on non-loopback address "0.0.0.0:8080" without credentials: set CADENCEBOT_DASHBOARD_TOKEN (bearer token) or CADENCEBOT_DASHBOARD_USER and CADENCEBOT_DASHBOARD_PASSWORD (basic auth)`},
		{":8080", dashboard.Options{}, `non-loopback address ":8080"`},
		{"10.0.0.5:80", dashboard.Options{}, "CADENCEBOT_DASHBOARD_TOKEN"},
		{"bot.example.com:80", dashboard.Options{}, "CADENCEBOT_DASHBOARD_TOKEN"},
		{"0.0.0.0:8080", dashboard.Options{BasicUser: "u"}, "dashboard: CADENCEBOT_DASHBOARD_USER is set but CADENCEBOT_DASHBOARD_PASSWORD is empty; set both for basic auth"},
		{"127.0.0.1:8080", dashboard.Options{BasicPass: "p"}, "dashboard: CADENCEBOT_DASHBOARD_PASSWORD is set but CADENCEBOT_DASHBOARD_USER is empty"},
		{"8080", dashboard.Options{}, `dashboard: listen address: "8080": address 8080: missing port in address`},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := dashboard.CheckAccess(tt.addr, tt.opts)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestOptionsFromEnv(t *testing.T) {
	env := map[string]string{
		"CADENCEBOT_DASHBOARD_TOKEN":    " tok \n",
		"CADENCEBOT_DASHBOARD_USER":     "u",
		"CADENCEBOT_DASHBOARD_PASSWORD": "p w",
	}
	o := dashboard.OptionsFromEnv(func(k string) string { return env[k] })
	assert.Equal(t, dashboard.Options{Token: "tok", BasicUser: "u", BasicPass: "p w"}, o)
}
