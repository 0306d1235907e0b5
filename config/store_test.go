package config_test

import (
	"cmp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/config"
)

const storeBase = `
[[people]]
id = "ana"

[[rituals]]
id = "triage"
title = "Triage"
kind = "triage"
schedule = "30 9 * * 1"
channel = "mlops"
participants = ["all"]
window = "1h"
`

func TestStoreDriver(t *testing.T) {
	tests := []struct {
		name    string
		toml    string
		want    string
		wantErr []string // substrings of the error; nil: no error
		never   string   // must not appear in the error
		ttl     time.Duration
	}{
		{name: "default is bbolt", toml: "", want: config.DriverBBolt},
		{name: "bbolt", toml: "[store]\ndriver = \"bbolt\"\n", want: config.DriverBBolt},
		{name: "postgres", toml: "[store]\ndriver = \"postgres\"\n", want: config.DriverPostgres},
		{name: "unknown driver", toml: "[store]\ndriver = \"mysql\"\n",
			wantErr: []string{"c.toml:2: store.driver", `"mysql": want "bbolt" or "postgres"`}},
		{name: "connection string in the file", toml: "[store]\ndriver = \"postgres\"\nurl = \"postgres://cadence:hunter22@db/cadence\"\n",
			wantErr: []string{"c.toml:3: store.url", config.EnvDatabaseURL}, never: "hunter22"},
		{name: "lease ttl", toml: "[store]\ndriver = \"postgres\"\nlease_ttl = \"4s\"\n", want: config.DriverPostgres, ttl: 4 * time.Second},
		{name: "lease ttl not a duration", toml: "[store]\nlease_ttl = \"soon\"\n",
			wantErr: []string{"c.toml:2: store.lease_ttl", `"soon" is not a duration`}},
		{name: "lease ttl too short", toml: "[store]\nlease_ttl = \"100ms\"\n",
			wantErr: []string{"c.toml:2: store.lease_ttl", "100ms: want between 1s and 5m0s"}},
		{name: "dsn in the file", toml: "[store]\ndsn = \"host=db password=hunter22\"\n",
			wantErr: []string{"store.dsn", config.EnvDatabaseURL}, never: "hunter22"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// [store] first, so the lines in messages are the table's own.
			cfg, err := config.Parse("c.toml", []byte(tc.toml+storeBase))
			if tc.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, cfg.Store.Driver)
				assert.Equal(t, cmp.Or(tc.ttl, config.DefaultLeaseTTL), cfg.Store.LeaseTTL)
				return
			}
			require.Error(t, err)
			for _, s := range tc.wantErr {
				assert.Contains(t, err.Error(), s)
			}
			if tc.never != "" {
				assert.NotContains(t, err.Error(), tc.never)
			}
		})
	}
}

func TestDatabaseURLHost(t *testing.T) {
	tests := []struct {
		url     string
		want    string
		wantErr string
	}{
		{url: "", wantErr: "needs " + config.EnvDatabaseURL},
		{url: "mysql://u:pw@db/x", wantErr: "postgres://"},
		{url: "postgres:///cadence", wantErr: "names no host"},
		{url: "postgres://cadence:hunter22@db.internal/cadence?sslmode=verify-full", want: "db.internal:5432/cadence"},
		{url: "postgresql://cadence:hunter22@10.0.0.5:6432/ops", want: "10.0.0.5:6432/ops"},
		{url: "postgres://cadence:hun%zzter22@db/x", wantErr: "not a valid URL"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			got, err := config.DatabaseURLHost(func(k string) string {
				if k == config.EnvDatabaseURL {
					return tc.url
				}
				return ""
			})
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.NotContains(t, err.Error(), "hun")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.NotContains(t, got, "hunter22")
		})
	}
}

// Replicas compare configs by hash: the same bytes hash the same, any
// change (a person added, a comment) differently.
func TestConfigHash(t *testing.T) {
	a, err := config.Parse("a.toml", []byte(storeBase))
	require.NoError(t, err)
	b, err := config.Parse("b.toml", []byte(storeBase))
	require.NoError(t, err)
	c, err := config.Parse("c.toml", []byte(storeBase+"# changed\n"))
	require.NoError(t, err)
	assert.Len(t, a.Hash, 16)
	assert.Equal(t, a.Hash, b.Hash)
	assert.NotEqual(t, a.Hash, c.Hash)
}
