package local_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot/local"
	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
)

var chart = []byte("\x89PNG\r\n\x1a\nnot really a chart")

func digestTo(to cadence.Recipient, platform string, delivered bool, img *cadence.Image) *cadence.Message {
	m := &cadence.Message{
		Key: cadence.DigestKey(start, to), Kind: cadence.KindDigest, Platform: platform, To: to,
		CreatedAt: start, Revision: 1, State: cadence.StatePending,
		Body: cadence.Body{Title: "Cadence digest · 2026-W48", Text: "Team score 82.", Image: img},
	}
	if delivered {
		m.State, m.SentRevision, m.Ref = cadence.StateSent, 1, cadence.Ref{Channel: local.Room(to), ID: m.Key}
	}
	return m
}

func TestDigestChartShownInlineAndServedFromTheStore(t *testing.T) {
	for _, prefix := range []string{"", "/chat"} {
		t.Run("mounted at "+prefix+"/", func(t *testing.T) {
			st, chat := cadencetest.NewStore(), local.NewChat()
			eng := &fakeEngine{t: t, roster: testRoster(t), rituals: []*cadence.Ritual{triageRitual(t)},
				st: st, chat: chat, clock: cadence.NewManualClock(start)}
			srv := local.NewServer(eng, st, eng.clock, zerolog.Nop(), local.WithChat(chat), local.WithRooms("ml-leads"))
			mux := http.NewServeMux()
			if prefix == "" {
				mux.Handle("/", srv.Handler())
			} else {
				mux.Handle(prefix+"/", http.StripPrefix(prefix, srv.Handler()))
			}
			ts := httptest.NewServer(mux)
			t.Cleanup(ts.Close)

			img := &cadence.Image{Name: "adherence.png", Alt: "Team score per ISO week", PNG: chart}
			toChannel := digestTo(cadence.Recipient{Channel: "ml-leads"}, local.Platform, true, img)
			toMax := digestTo(cadence.Recipient{Person: "max"}, local.Platform, true, img)
			pending := digestTo(cadence.Recipient{Person: "lena"}, local.Platform, false, img)
			onSlack := digestTo(cadence.Recipient{Person: "ana"}, "slack", true, img)
			noImage := digestTo(cadence.Recipient{Channel: "mlops"}, local.Platform, true, nil)
			require.NoError(t, st.Update(context.Background(), func(tx cadence.Tx) error {
				for _, m := range []*cadence.Message{toChannel, toMax, pending, onSlack, noImage} {
					if _, err := tx.Enqueue(m); err != nil {
						return err
					}
				}
				return nil
			}))

			get := func(path string) (*http.Response, string) {
				resp, err := http.Get(ts.URL + prefix + path)
				require.NoError(t, err)
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				return resp, string(b)
			}

			resp, page := get("/c/ml-leads")
			require.Equal(t, http.StatusOK, resp.StatusCode)
			src := prefix + "/img/" + url.PathEscape(toChannel.Key)
			assert.Contains(t, page, `<img src="`+src+`" alt="Team score per ISO week" loading="lazy">`)
			assert.Contains(t, page, `<a href="`+prefix+`/c/ml-leads" aria-current="page">#ml-leads</a>`, "the digest's room is in the navigation")
			assert.Equal(t, "default-src 'self'; frame-ancestors 'none'; form-action 'self'", resp.Header.Get("Content-Security-Policy"),
				"the image is same-origin: the policy needs no data: or blob:")

			resp, body := get("/img/" + url.PathEscape(toChannel.Key))
			require.Equal(t, http.StatusOK, resp.StatusCode, body)
			assert.Equal(t, "image/png", resp.Header.Get("Content-Type"))
			assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
			assert.Equal(t, string(chart), body)

			for _, m := range []*cadence.Message{pending, onSlack, noImage} {
				resp, _ := get("/img/" + url.PathEscape(m.Key))
				assert.Equal(t, http.StatusNotFound, resp.StatusCode, m.Key)
			}
			resp, _ = get("/img/" + url.PathEscape("digest/none/@max"))
			assert.Equal(t, http.StatusNotFound, resp.StatusCode)
		})
	}
}
