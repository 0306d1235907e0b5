package cadence

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Follow-ups and incidents can point at the tracker issue where the work
// is done (Jira, GitHub, Linear, or any https tracker). The link is shown
// as a link on every platform, labelled with the issue's key when the
// tracker's URL shape is known.

// MaxIssueURLLen bounds a tracker link.
const MaxIssueURLLen = 2000

// CheckIssueURL accepts an https URL with a host and no credentials in it;
// "" is fine (no issue). It returns the trimmed URL.
func CheckIssueURL(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if n := utf8.RuneCountInString(s); n > MaxIssueURLLen {
		return "", Fieldf(field, "%d characters, the limit is %d", n, MaxIssueURLLen)
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "", Fieldf(field, "%q has spaces or control characters; paste the issue's URL", s)
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Scheme != "https" || u.Host == "" || u.Hostname() == "":
		return "", Fieldf(field, "%q is not an https link to an issue (e.g. https://github.com/org/repo/issues/42)", s)
	case u.User != nil:
		return "", Fieldf(field, "%q carries a user name or password; paste the issue's link without them", s)
	}
	return s, nil
}

var (
	jiraKey   = regexp.MustCompile(`/browse/([A-Z][A-Z0-9_]+-\d+)`)
	githubRef = regexp.MustCompile(`^/([\w.-]+)/([\w.-]+)/(?:issues|pull)/(\d+)`)
	linearKey = regexp.MustCompile(`/issue/([A-Z][A-Z0-9]*-\d+)`)
)

// IssueLabel names a tracker link: "ABC-123" (Jira), "org/repo#42"
// (GitHub), "ENG-7" (Linear), else the host and path.
func IssueLabel(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if m := jiraKey.FindStringSubmatch(u.Path); m != nil {
		return m[1]
	}
	if u.Hostname() == "github.com" {
		if m := githubRef.FindStringSubmatch(u.Path); m != nil {
			return fmt.Sprintf("%s/%s#%s", m[1], m[2], m[3])
		}
	}
	if u.Hostname() == "linear.app" {
		if m := linearKey.FindStringSubmatch(u.Path); m != nil {
			return m[1]
		}
	}
	label := u.Host + strings.TrimSuffix(u.Path, "/")
	if utf8.RuneCountInString(label) > 60 {
		label = string([]rune(label)[:59]) + "…"
	}
	return label
}

// IssueLine is "Issue: <link>" for notices, or "" without an issue.
func IssueLine(url string) string {
	if url == "" {
		return ""
	}
	return "Issue: " + LinkText(url, IssueLabel(url))
}

// IssueSections is the section a follow-up's messages show its issue in.
func IssueSections(url string) []Section {
	if url == "" {
		return nil
	}
	return []Section{{Lines: []string{IssueLine(url)}}}
}

// WebURL reports whether s is an absolute http(s) URL with a host, the
// only links adapters render as links (never javascript: or data:).
func WebURL(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return u.String(), true
}
