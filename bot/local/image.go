package local

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cadencebot/cadencebot/cadence"
)

// imageView is a message's picture (the digest's chart) as a page shows it.
type imageView struct {
	Src, Alt string
}

// imagePath is where the image of the message with key is served, under
// the chat's mount prefix. The key is one escaped path segment.
func imagePath(base, key string) string { return base + "/img/" + url.PathEscape(key) }

// image serves the PNG attached to a delivered local message. Images are
// served from the store rather than inlined as data: URIs so the page's
// Content-Security-Policy stays "default-src 'self'" and pages stay small.
func (s *Server) image(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	var m *cadence.Message
	err := s.st.View(r.Context(), func(tx cadence.Tx) error {
		var err error
		m, err = tx.Message(key)
		return err
	})
	switch {
	case errors.Is(err, cadence.ErrNotFound):
	case err != nil:
		s.log.Error().Err(err).Str("key", key).Msg("image failed")
		http.Error(w, "The image could not be read; the error was logged.", statusOf(err))
		return
	}
	if m == nil || m.Platform != Platform || m.Ref.IsZero() || m.Body.Image == nil || len(m.Body.Image.PNG) == 0 {
		http.Error(w, "No image here.", http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Content-Length", strconv.Itoa(len(m.Body.Image.PNG)))
	// A key's image never changes: a new digest has a new key.
	h.Set("Cache-Control", "private, max-age=86400")
	_, _ = w.Write(m.Body.Image.PNG)
}
