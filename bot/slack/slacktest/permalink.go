package slacktest

import (
	"net/http"
	"strings"
)

// getPermalink answers chat.getPermalink as Slack does (see
// java-slack-sdk/chat.getPermalink.json): the message's web address in
// the workspace, "p" and its ts without the dot. The bot must see the
// conversation, and the message must exist.
func (s *Server) getPermalink(w http.ResponseWriter, _ *http.Request, in args) {
	c, code := s.conversation(in.str("channel"))
	if code != "" {
		writeErr(w, code, nil)
		return
	}
	ts := in.str("message_ts")
	if _, code := s.find(c.ID, ts); code != "" {
		writeErr(w, code, nil)
		return
	}
	writeJSON(w, map[string]any{"ok": true, "channel": c.ID,
		"permalink": "https://cadence-test.slack.com/archives/" + c.ID + "/p" + strings.ReplaceAll(ts, ".", "")})
}
