package locale

import (
	"slices"
	"strconv"
	"strings"
	"sync"
)

// textMemo remembers Text's results: each answer's receipt and each
// prompt words the same few messages with the same ritual title and
// close time, and a template execution costs far more than a map
// lookup. Only data whose values are strings or ints is remembered, so
// the key says everything the template can show.
type textMemo struct {
	mu sync.Mutex
	m  map[string]string
}

// maxTextMemo bounds the memo; a full one starts over.
const maxTextMemo = 4096

// key is lang, id and data's names and values, each behind its length
// so no two inputs share a key; false when a value is of another type.
func (m *textMemo) key(lang, id string, data map[string]any) (string, bool) {
	if m == nil {
		return "", false
	}
	var b strings.Builder
	add := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	add(lang)
	add(id)
	names := make([]string, 0, len(data))
	for k := range data {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		add(k)
		switch v := data[k].(type) {
		case string:
			b.WriteByte('s')
			add(v)
		case int:
			b.WriteByte('i')
			add(strconv.Itoa(v))
		default:
			return "", false
		}
	}
	return b.String(), true
}

func (m *textMemo) get(k string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.m[k]
	return s, ok
}

func (m *textMemo) put(k, s string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.m) >= maxTextMemo {
		clear(m.m)
	}
	m.m[k] = s
}
