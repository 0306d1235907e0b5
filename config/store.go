package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Store drivers.
const (
	DriverBBolt    = "bbolt"    // one file ([bot] database), nothing to install
	DriverPostgres = "postgres" // PostgreSQL at CADENCEBOT_DATABASE_URL
)

// EnvDatabaseURL holds the PostgreSQL connection string. It carries a
// password, so like every credential it is read from the environment,
// never from the config file.
const EnvDatabaseURL = "CADENCEBOT_DATABASE_URL"

// Leader lease bounds ([store] lease_ttl, PostgreSQL only).
const (
	DefaultLeaseTTL = 15 * time.Second
	// Below a second, a renewal delayed by a loaded machine or a slow
	// network would hand leadership around for nothing.
	MinLeaseTTL = time.Second
	MaxLeaseTTL = 5 * time.Minute
)

// StoreConfig is the [store] table.
type StoreConfig struct {
	Driver string // DriverBBolt (default) or DriverPostgres
	// LeaseTTL is how long the leader's lease lasts without a renewal:
	// a replica that dies is replaced after at most about this long.
	LeaseTTL time.Duration
}

type storeFile struct {
	Driver   string `toml:"driver"`
	LeaseTTL string `toml:"lease_ttl"`
}

func (d *decoder) store(f *storeFile) StoreConfig {
	s := StoreConfig{Driver: or(f.Driver, DriverBBolt), LeaseTTL: DefaultLeaseTTL}
	switch s.Driver {
	case DriverBBolt, DriverPostgres:
	default:
		d.add("store.driver", "%q: want %q or %q", f.Driver, DriverBBolt, DriverPostgres)
		s.Driver = DriverBBolt
	}
	if f.LeaseTTL != "" {
		ttl, err := time.ParseDuration(f.LeaseTTL)
		switch {
		case err != nil:
			d.add("store.lease_ttl", "%q is not a duration (such as \"15s\")", f.LeaseTTL)
		case ttl < MinLeaseTTL || ttl > MaxLeaseTTL:
			d.add("store.lease_ttl", "%s: want between %s and %s", ttl, MinLeaseTTL, MaxLeaseTTL)
		default:
			s.LeaseTTL = ttl
		}
	}
	return s
}

// looksLikeConnString reports whether an unknown [store] key would hold
// the connection string, which belongs in EnvDatabaseURL.
func looksLikeConnString(table, key string) bool {
	if table != "store" {
		return false
	}
	k := strings.ToLower(key)
	return strings.Contains(k, "url") || strings.Contains(k, "dsn") || strings.Contains(k, "conn")
}

// DatabaseURLHost checks the connection string in EnvDatabaseURL and
// names where it points, "host:port/database", for `config check` and
// logs: never the password, never the whole string.
func DatabaseURLHost(getenv func(string) string) (string, error) {
	raw := getenv(EnvDatabaseURL)
	if raw == "" {
		return "", fmt.Errorf("[store] driver = %q needs %s (postgres://user:password@host:5432/cadence?sslmode=verify-full)", DriverPostgres, EnvDatabaseURL)
	}
	if !strings.HasPrefix(raw, "postgres://") && !strings.HasPrefix(raw, "postgresql://") {
		return "", fmt.Errorf("%s: want a URL starting postgres:// or postgresql://", EnvDatabaseURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url's errors quote the input, password included: say only what.
		return "", fmt.Errorf("%s is not a valid URL", EnvDatabaseURL)
	}
	if u.Hostname() == "" {
		return "", fmt.Errorf("%s names no host", EnvDatabaseURL)
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" {
		db = "(the user's default database)"
	}
	return u.Hostname() + ":" + port + "/" + db, nil
}
