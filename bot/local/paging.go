package local

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// pageSize is how many threads (a channel) or messages (an inbox) one
// page shows. A month of a busy channel on one page was 24,000–64,000 px
// tall; twenty threads is a few screens.
const pageSize = 20

// thread is an item of a page: a top-level message with its replies,
// oldest reply first, or a reply whose parent is not shown.
type thread struct {
	top     *cadence.Message
	replies []*cadence.Message
}

// newestFirst orders messages by creation, newest first, the key
// breaking ties: messages of one tick share their instant, and a page
// boundary must fall between two of them the same way every time.
func newestFirst(a, b *cadence.Message) int {
	return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.Key, a.Key))
}

// groupThreads groups delivered messages (newest first) into threads,
// ordered by their top message.
func groupThreads(ms []*cadence.Message) []thread {
	var out []thread
	top := map[string]int{}
	for _, m := range ms {
		if m.Thread == "" {
			top[m.Key] = len(out)
			out = append(out, thread{top: m})
		}
	}
	for i := len(ms) - 1; i >= 0; i-- { // oldest reply first
		m := ms[i]
		if m.Thread == "" {
			continue
		}
		if j, ok := top[m.Thread]; ok {
			out[j].replies = append(out[j].replies, m)
			continue
		}
		out = append(out, thread{top: m})
	}
	slices.SortStableFunc(out, func(a, b thread) int { return newestFirst(a.top, b.top) })
	return out
}

// cursor is where a page starts: just after the item with this instant
// and key in newest-first order. Its text form is "<RFC 3339 time>_<key>".
type cursor struct {
	at  time.Time
	key string
}

func (c cursor) String() string { return c.at.UTC().Format(time.RFC3339Nano) + "_" + c.key }

// badPageError is a "before" parameter that is no page position: the
// caller's mistake (400), not ours.
type badPageError struct{ value string }

func (e *badPageError) Error() string {
	return fmt.Sprintf("%q is not a page position: follow the Older link rather than editing it", e.value)
}

func parseCursor(s string) (cursor, error) {
	at, key, ok := strings.Cut(s, "_")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || key == "" {
		return cursor{}, &badPageError{s}
	}
	return cursor{t, key}, nil
}

// after reports whether m comes after c in newest-first order.
func (c cursor) after(m *cadence.Message) bool {
	return newestFirst(&cadence.Message{CreatedAt: c.at, Key: c.key}, m) < 0
}

// pager is the navigation under a paged list.
type pager struct {
	Newest string // link to the first page; "" on it
	Older  string // link to the next page; "" on the last
	From   int    // 1-based position of the first item shown
	To     int
	Total  int
}

// page cuts one page out of items (newest first) from the "before"
// parameter of q, and links the neighbours keeping q's other parameters.
// key gives an item's top message.
func paginate[T any](items []T, top func(T) *cadence.Message, q url.Values, path string) ([]T, *pager, error) {
	start := 0
	if s := q.Get("before"); s != "" {
		c, err := parseCursor(s)
		if err != nil {
			return nil, nil, err
		}
		start = len(items)
		for i, it := range items {
			if c.after(top(it)) {
				start = i
				break
			}
		}
	}
	end := min(start+pageSize, len(items))
	pg := &pager{From: start + 1, To: end, Total: len(items)}
	link := func(before string) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "before" {
				v[k] = vs
			}
		}
		if before != "" {
			v.Set("before", before)
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	if start > 0 {
		pg.Newest = link("")
	}
	if end < len(items) {
		last := top(items[end-1])
		pg.Older = link(cursor{last.CreatedAt, last.Key}.String())
	}
	return items[start:end], pg, nil
}

// mentions reports whether a message names the person: agendas list who
// is asked, summaries head each answer with the name.
func mentions(m *cadence.Message, name *regexp.Regexp) bool {
	b := m.Body
	if name.MatchString(b.Title) || name.MatchString(b.Text) || name.MatchString(b.Footer) {
		return true
	}
	for _, s := range b.Sections {
		if name.MatchString(s.Heading) {
			return true
		}
		for _, l := range s.Lines {
			if name.MatchString(l) {
				return true
			}
		}
	}
	return false
}

// nameRe matches a name as a whole word: "Al" is not in "Alex".
func nameRe(name string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)(?:^|[^\pL\pN])` + regexp.QuoteMeta(name) + `(?:$|[^\pL\pN])`)
}
