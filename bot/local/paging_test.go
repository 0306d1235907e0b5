package local_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// postThreads delivers n agendas to #mlops, newest "Agenda 00", two per
// instant (triage and standup open together, so a page boundary falls
// between messages of one tick), each with a summary naming Ana Popescu
// (even) or Lena Meier (odd) in its thread.
func postThreads(t *testing.T, h *harness, n int) {
	t.Helper()
	standup := triageRitual(t)
	standup.ID, standup.Title = "standup", "Standup"
	h.eng.rituals = append(h.eng.rituals, standup)
	err := h.st.Update(context.Background(), func(tx cadence.Tx) error {
		for i := n - 1; i >= 0; i-- {
			rit := []string{"triage", "standup"}[i%2]
			at := start.Add(-time.Duration(i/2) * time.Hour)
			occ := cadence.OccurrenceID(rit, at)
			who := []string{"Ana Popescu", "Lena Meier"}[i%2]
			agenda := cadence.MessageKey("occ", occ, "agenda")
			for _, m := range []*cadence.Message{
				{Key: agenda, Kind: cadence.KindAgenda, Body: cadence.Body{Title: fmt.Sprintf("Agenda %02d", i)}},
				{Key: cadence.MessageKey("occ", occ, "summary"), Kind: cadence.KindSummary, Thread: agenda,
					Body: cadence.Body{Title: fmt.Sprintf("Summary %02d", i), Sections: []cadence.Section{{Heading: who, Lines: []string{"all fine"}}}}},
			} {
				m.Platform, m.To, m.RitualID, m.OccurrenceID = "local", cadence.Recipient{Channel: "mlops"}, rit, occ
				m.CreatedAt, m.State, m.Revision = at, cadence.StatePending, 1
				if _, err := tx.Enqueue(m); err != nil {
					return err
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	h.eng.deliver()
}

var (
	agendaRe = regexp.MustCompile(`<strong>Agenda (\d+)</strong>`)
	olderRe  = regexp.MustCompile(`<a href="([^"]+)" rel="next">Older</a>`)
	newestRe = regexp.MustCompile(`<a href="([^"]+)">Newest</a>`)
)

// walk follows the Older links from path and returns each page's agendas.
func walk(t *testing.T, h *harness, path string) (pages [][]string, bodies []string) {
	t.Helper()
	for path != "" {
		status, body := h.get(path)
		require.Equal(t, http.StatusOK, status, body)
		var ids []string
		for _, m := range agendaRe.FindAllStringSubmatch(body, -1) {
			ids = append(ids, m[1])
		}
		pages, bodies = append(pages, ids), append(bodies, body)
		path = ""
		if m := olderRe.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])[len(h.prefix):]
		}
		require.Less(t, len(pages), 10, "the Older links loop")
	}
	return pages, bodies
}

func TestChannelPagesNewestFirst(t *testing.T) {
	h := newHarness(t, "/chat")
	postThreads(t, h, 45)
	pages, bodies := walk(t, h, "/c/mlops")
	require.Len(t, pages, 3)
	assert.Len(t, pages[0], 20)
	assert.Len(t, pages[1], 20)
	assert.Len(t, pages[2], 5)
	var all []string
	for _, p := range pages {
		all = append(all, p...)
	}
	want := make([]string, 45)
	for i := range want {
		want[i] = fmt.Sprintf("%02d", i)
	}
	assert.Equal(t, want, all, "every thread once, newest first, across the pages")

	assert.Contains(t, bodies[0], "1–20 of 45, newest first")
	assert.NotRegexp(t, newestRe, bodies[0], "the first page has no link to itself")
	assert.Contains(t, bodies[1], "21–40 of 45")
	assert.Regexp(t, `<a href="/chat/c/mlops">Newest</a>`, bodies[1])
	assert.Contains(t, bodies[2], "41–45 of 45")
	assert.NotRegexp(t, olderRe, bodies[2])
	// A summary stays in its agenda's thread, on the same page.
	assert.Regexp(t, `(?s)<strong>Agenda 21</strong>.*?<div class="thread"><article class="msg kind-summary"[^>]*>\s*<header><strong>Summary 21</strong>`, bodies[1])
}

func TestChannelFilterByRitualAndPerson(t *testing.T) {
	h := newHarness(t, "")
	postThreads(t, h, 45)

	pages, bodies := walk(t, h, "/c/mlops?ritual=standup")
	var got []string
	for _, p := range pages {
		got = append(got, p...)
	}
	require.Len(t, got, 22, "standup has the odd agendas")
	for _, id := range got {
		n, err := strconv.Atoi(id)
		require.NoError(t, err)
		assert.Equal(t, 1, n%2, "agenda %s is triage's", id)
	}
	assert.Contains(t, bodies[0], `<option value="standup" selected>Standup</option>`)
	assert.Regexp(t, `<a href="/c/mlops\?before=[^"]+&amp;ritual=standup" rel="next">Older</a>`, bodies[0], "paging keeps the filter")

	// Ana is named in the triage summaries (the even agendas).
	pages, _ = walk(t, h, "/c/mlops?person=ana")
	got = slices.Concat(pages...)
	require.Len(t, got, 23)
	assert.Equal(t, "00", got[0])
	assert.Equal(t, "44", got[22])

	// Both: nothing matches.
	status, body := h.get("/c/mlops?person=ana&ritual=standup")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Nothing in the last 30 days matches this filter.")
	assert.Contains(t, body, `<a href="/c/mlops">Show all</a>`)

	for q, msg := range map[string]string{
		"?ritual=retro":       "No ritual has the id “retro”",
		"?person=zed":         "Nobody on the roster has the id “zed”",
		"?before=yesterday":   "&#34;yesterday&#34; is not a page position",
		"?before=2026-11-30_": "is not a page position",
	} {
		status, body := h.get("/c/mlops" + q)
		assert.Equal(t, http.StatusBadRequest, status, q)
		assert.Contains(t, body, msg, q)
	}
}

func TestInboxPagesMessages(t *testing.T) {
	h := newHarness(t, "")
	err := h.st.Update(context.Background(), func(tx cadence.Tx) error {
		for i := range 30 {
			m := &cadence.Message{Key: fmt.Sprintf("note/%02d", i), Kind: cadence.KindNotice, Platform: "local",
				To: cadence.Recipient{Person: "ana"}, CreatedAt: start.Add(-time.Duration(i) * time.Hour),
				State: cadence.StatePending, Revision: 1, Body: cadence.Body{Title: fmt.Sprintf("Note %02d", i)}}
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	h.eng.deliver()
	h.eng.open("triage") // a pending prompt, shown above the messages on every page

	inbox := h.login("ana")
	noteRe := regexp.MustCompile(`<strong>Note (\d+)</strong>`)
	assert.Len(t, noteRe.FindAllString(inbox, -1), 19, "20 messages a page: the prompt and 19 notes")
	m := olderRe.FindStringSubmatch(inbox)
	require.NotNil(t, m)
	assert.Regexp(t, `^/me\?before=[^"#]+#messages$`, html.UnescapeString(m[1]))
	status, older := h.get(html.UnescapeString(m[1]))
	require.Equal(t, http.StatusOK, status)
	notes := noteRe.FindAllStringSubmatch(older, -1)
	require.Len(t, notes, 11)
	assert.Equal(t, "19", notes[0][1])
	assert.Equal(t, "29", notes[10][1])
	assert.Contains(t, older, `name="occurrence"`, "the prompt's form is on every page")
	assert.Contains(t, older, "21–31 of 31")

	status, body := h.get("/me?before=nope")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "is not a page position")
}
