package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// idPattern keeps ids usable as store keys and in participant selectors
// ("role:lead" relies on ids never containing a colon).
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

func checkID(id string) string {
	if id == "" {
		return "missing id"
	}
	if !idPattern.MatchString(id) {
		return fmt.Sprintf("%q is not a valid id: use lowercase letters, digits, '.', '_' or '-'", id)
	}
	return ""
}

// loadZone resolves an IANA zone name. "Local" is refused: the same file
// must mean the same times on every machine.
func loadZone(name string) (*time.Location, string) {
	if name == "Local" {
		return nil, `"Local" depends on the machine; use an IANA zone such as "Europe/Zurich"`
	}
	if loc, ok := zoneCache.Load(name); ok {
		return loc.(*time.Location), ""
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Sprintf("unknown time zone %q (use an IANA name such as \"Europe/Zurich\")", name)
	}
	zoneCache.Store(name, loc)
	return loc, ""
}

// zoneCache keeps loaded zones: time.LoadLocation reads and parses the
// zone file on every call, which dominated loading large rosters. A
// *time.Location is immutable and safe to share.
var zoneCache sync.Map // zone name → *time.Location

func checkHostPort(addr string) string {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Sprintf("%q is not host:port (e.g. \"127.0.0.1:8080\" or \":8080\")", addr)
	}
	return ""
}

func checkURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("%q is not an http(s) URL", s)
	}
	return ""
}

// checkOutboundURL is checkURL for an endpoint the bot sends a credential
// to (Slack's Web API gets the bot token, the Teams token endpoint the
// app password): https, or plain http on loopback only (a local fake or
// emulator), so no config can send a secret in clear text or elsewhere
// over the network.
func checkOutboundURL(s string) string {
	if msg := checkURL(s); msg != "" {
		return msg
	}
	u, _ := url.Parse(s)
	if u.Scheme == "https" || isLoopbackHost(u.Hostname()) {
		return ""
	}
	return fmt.Sprintf("%q is plain http to another machine: the bot would send its credentials in clear text; use https (http is allowed on localhost only)", s)
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// oneOf reports v at field unless it is one of allowed.
func (d *decoder) oneOf(field, v string, allowed ...string) bool {
	if slices.Contains(allowed, v) {
		return true
	}
	d.add(field, "%q is not one of %s", v, strings.Join(allowed, ", "))
	return false
}

// toml's type errors read `toml: line 9 (last key "people.name"):
// incompatible types: TOML value has type int64; destination has type
// string`; its key has no element index and its line is the last element
// that used the key, so we take the key and re-locate it ourselves.
var (
	tomlLastKey  = regexp.MustCompile(`^toml: (?:line \d+ )?\(last key "((?:[^"\\]|\\.)*)"\): (.*)$`)
	tomlBadType  = regexp.MustCompile(`^incompatible types: TOML value has type (.+); destination has type (.+)$`)
	tomlNotTable = regexp.MustCompile(`^type mismatch for .+: expected table but found (.+)$`)
)

// typeMessage is typeError without the key, for callers that know it.
func typeMessage(err error) string {
	_, msg := typeError(err)
	return msg
}

// typeError splits a toml decode error into the key it is about and a
// message in TOML's terms.
func typeError(err error) (key, msg string) {
	msg = err.Error()
	if m := tomlLastKey.FindStringSubmatch(msg); m != nil {
		key, msg = strings.ReplaceAll(m[1], `\"`, `"`), m[2]
	}
	if m := tomlBadType.FindStringSubmatch(msg); m != nil {
		return key, fmt.Sprintf("must be %s, not %s", destName(m[2]), srcName(m[1]))
	}
	if m := tomlNotTable.FindStringSubmatch(msg); m != nil {
		return key, fmt.Sprintf("must be a table, not %s", srcName(m[1]))
	}
	return key, strings.TrimPrefix(msg, "toml: ")
}

func destName(t string) string {
	switch t {
	case "string", "primitive (string-like)":
		return "a string"
	case "slice":
		return "an array"
	case "boolean":
		return "true or false"
	case "integer":
		return "an integer"
	case "float":
		return "a number"
	case "map":
		return "a table"
	}
	return t
}

func srcName(t string) string {
	switch t {
	case "string":
		return "a string"
	case "int64":
		return "an integer"
	case "float64":
		return "a float"
	case "bool":
		return "a boolean"
	case "time.Time":
		return "a date-time"
	case "[]any", "[]interface {}":
		return "an array"
	case "map[string]any", "map[string]interface {}":
		return "a table"
	case "[]map[string]any", "[]map[string]interface {}":
		return "an array of tables"
	}
	return t
}

// fmtDuration prints 4h, 1h30m, 45s rather than 4h0m0s.
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// suggest returns the known key closest to key, if it is a likely typo.
func suggest(key string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := editDistance(strings.ToLower(key), k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
