package local

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

type channelView struct {
	Name     string
	Rituals  []string
	Messages []messageView
}

// channel shows a room: agendas and notices, newest first, each with its
// thread (reminders, the summary at its latest revision).
func (s *Server) channel(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("channel")
	now := s.clock.Now()
	ss := s.sessions.ensure(w, r, now, cookiePath(basePath(r)))
	var ms []*cadence.Message
	err := s.st.View(r.Context(), func(tx cadence.Tx) error {
		var err error
		ms, err = tx.Messages(cadence.MessageFilter{Platform: Platform, To: &cadence.Recipient{Channel: name}, Since: now.Add(-history)})
		return err
	})
	if err != nil {
		s.log.Error().Err(err).Str("channel", name).Msg("channel failed")
		s.problem(w, r, statusOf(err), "Channel unavailable", "The channel could not be read; the error was logged. Try again in a minute.", nil)
		return
	}
	known := slices.Contains(s.channels(), name)
	if !known && len(ms) == 0 {
		s.problem(w, r, http.StatusNotFound, "No such channel", "No ritual posts to #"+name+".", nil)
		return
	}
	p := s.newPage(r, ss, "#"+name, true)
	p.Flash = s.sessions.takeFlash(ss)
	cv := &channelView{Name: name}
	for _, rit := range s.svc.Rituals() {
		if rit.Channel == name {
			cv.Rituals = append(cv.Rituals, rit.Title)
		}
	}
	loc := locOf(p.Me)
	if p.Me == nil {
		loc = s.channelZone(name)
	}
	cv.Messages = threads(ms, loc, p.Base)
	s.attachActions(cv.Messages, p, "/c/"+url.PathEscape(name))
	p.Channel = cv
	s.render(w, r, http.StatusOK, "channel", p)
}

// channelZone is the zone of the first ritual posting to the channel, for
// visitors who have not said who they are.
func (s *Server) channelZone(name string) *time.Location {
	for _, rit := range s.svc.Rituals() {
		if rit.Channel == name && rit.Location != nil {
			return rit.Location
		}
	}
	return time.UTC
}
