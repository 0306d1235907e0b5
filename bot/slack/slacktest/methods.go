package slacktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

type handler func(w http.ResponseWriter, r *http.Request, in args)

func (s *Server) methods() map[string]handler {
	return map[string]handler{
		"auth.test":             s.authTest,
		"chat.postMessage":      s.postMessage,
		"chat.update":           s.update,
		"chat.delete":           s.deleteMessage,
		"chat.postEphemeral":    s.postEphemeral,
		"chat.getPermalink":     s.getPermalink,
		"conversations.history": s.history,
		"conversations.replies": s.replies,
		"conversations.join":    s.join,
		"conversations.open":    s.open,
		"conversations.list":    s.list,
		"users.lookupByEmail":   s.lookupByEmail,
		"users.info":            s.usersInfo,
		"views.open":            s.viewsOpen,
		"views.publish":         s.viewsPublish,
		"views.update":          s.viewsUpdate,
		"apps.connections.open": s.connectionsOpen,

		"files.getUploadURLExternal":   s.getUploadURLExternal,
		"files.completeUploadExternal": s.completeUploadExternal,
	}
}

func (s *Server) authTest(w http.ResponseWriter, _ *http.Request, _ args) {
	writeJSON(w, map[string]any{"ok": true, "url": "https://cadence-test.slack.com/", "team": "Cadence Test",
		"user": "cadencebot", "team_id": TeamID, "user_id": BotUser, "bot_id": BotID, "is_enterprise_install": false})
}

// conversation resolves a channel argument (ID or name) like Slack: the
// bot must see it (public, or private with the bot a member).
func (s *Server) conversation(arg string) (*Channel, string) {
	if strings.HasPrefix(arg, "U") || strings.HasPrefix(arg, "W") {
		if s.users[arg] == nil {
			return nil, "channel_not_found"
		}
		return s.imWith(arg), ""
	}
	c := s.channels[arg]
	if c == nil {
		name := strings.TrimPrefix(arg, "#")
		for _, cc := range s.channels {
			if cc.Name == name && !cc.IM {
				c = cc
			}
		}
	}
	if c == nil || (c.Private && !c.BotMember) {
		return nil, "channel_not_found"
	}
	return c, ""
}

// imWith returns the DM channel with a user, opening it on first use.
func (s *Server) imWith(user string) *Channel {
	for _, c := range s.channels {
		if c.IM && c.User == user {
			return c
		}
	}
	c := &Channel{ID: "D" + strings.TrimPrefix(user, "U"), IM: true, User: user, BotMember: true, Private: true}
	s.channels[c.ID] = c
	return c
}

func (s *Server) postMessage(w http.ResponseWriter, _ *http.Request, in args) {
	c, code := s.conversation(in.str("channel"))
	if code != "" {
		writeErr(w, code, nil)
		return
	}
	switch {
	case c.Archived:
		writeErr(w, "is_archived", nil)
		return
	case !c.IM && !c.BotMember && !(s.WritePublic && !c.Private):
		writeErr(w, "not_in_channel", nil)
		return
	}
	blocks, msgs := checkBlocks(in.str("blocks"), 50, "/blocks")
	if msgs != nil {
		writeErr(w, "invalid_blocks", msgs)
		return
	}
	if in.str("text") == "" && blocks == nil {
		writeErr(w, "no_text", nil)
		return
	}
	md, ok := checkMetadata(in.str("metadata"))
	if !ok {
		writeErr(w, "invalid_metadata_format", nil)
		return
	}
	m := &Message{Channel: c.ID, TS: s.nextTS(), ThreadTS: in.str("thread_ts"), Text: in.str("text"),
		Blocks: blocks, Metadata: md, User: BotUser, BotID: BotID}
	s.messages[c.ID] = append(s.messages[c.ID], m)
	writeJSON(w, map[string]any{"ok": true, "channel": c.ID, "ts": m.TS, "message": s.wire(m, true)})
}

func (s *Server) find(channel, ts string) (*Message, string) {
	if s.channels[channel] == nil {
		return nil, "channel_not_found"
	}
	for _, m := range s.messages[channel] {
		if m.TS == ts {
			return m, ""
		}
	}
	return nil, "message_not_found"
}

func (s *Server) update(w http.ResponseWriter, _ *http.Request, in args) {
	m, code := s.find(in.str("channel"), in.str("ts"))
	if code != "" {
		writeErr(w, code, nil)
		return
	}
	if m.BotID != BotID {
		writeErr(w, "cant_update_message", nil)
		return
	}
	blocks, msgs := checkBlocks(in.str("blocks"), 50, "/blocks")
	if msgs != nil {
		writeErr(w, "invalid_blocks", msgs)
		return
	}
	md, ok := checkMetadata(in.str("metadata"))
	if !ok {
		writeErr(w, "invalid_metadata_format", nil)
		return
	}
	m.Text, m.Blocks, m.Updates = in.str("text"), blocks, m.Updates+1
	if md != nil {
		m.Metadata = md
	}
	writeJSON(w, map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS, "text": m.Text, "message": s.wire(m, false)})
}

func (s *Server) deleteMessage(w http.ResponseWriter, _ *http.Request, in args) {
	ch, ts := in.str("channel"), in.str("ts")
	if _, code := s.find(ch, ts); code != "" {
		writeErr(w, code, nil)
		return
	}
	msgs := s.messages[ch][:0]
	for _, m := range s.messages[ch] {
		if m.TS != ts {
			msgs = append(msgs, m)
		}
	}
	s.messages[ch] = msgs
	writeJSON(w, map[string]any{"ok": true, "channel": ch, "ts": ts})
}

func (s *Server) postEphemeral(w http.ResponseWriter, _ *http.Request, in args) {
	c, code := s.conversation(in.str("channel"))
	if code != "" {
		writeErr(w, code, nil)
		return
	}
	if s.users[in.str("user")] == nil {
		writeErr(w, "user_not_in_channel", nil)
		return
	}
	s.ephemerals = append(s.ephemerals, Ephemeral{Channel: c.ID, User: in.str("user"), ThreadTS: in.str("thread_ts"), Text: in.str("text")})
	writeJSON(w, map[string]any{"ok": true, "message_ts": s.nextTS()})
}

// wire is a message as the Web API returns it; metadata only when asked.
func (s *Server) wire(m *Message, withMetadata bool) map[string]any {
	out := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
	if m.User != "" {
		out["user"] = m.User
	}
	if m.BotID != "" {
		out["bot_id"] = m.BotID
		out["subtype"] = "bot_message"
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if m.Blocks != nil {
		out["blocks"] = m.Blocks
	}
	if withMetadata && m.Metadata != nil {
		out["metadata"] = m.Metadata
	}
	if len(m.Files) > 0 {
		var files []map[string]any
		for _, id := range m.Files {
			if f := s.files[id]; f != nil {
				files = append(files, map[string]any{"id": f.ID, "name": f.Name, "title": f.Title, "mimetype": "image/png"})
			}
		}
		out["files"] = files
	}
	return out
}

// readable checks the bot may read a conversation's history.
func (s *Server) readable(id string) (*Channel, string) {
	c := s.channels[id]
	switch {
	case c == nil || (c.Private && !c.BotMember):
		return nil, "channel_not_found"
	case !c.BotMember:
		return nil, "not_in_channel"
	}
	return c, ""
}

func page(in args, n int) (start, end int, next string) {
	limit, _ := strconv.Atoi(in.str("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	start, _ = strconv.Atoi(strings.TrimPrefix(in.str("cursor"), "off:"))
	start = min(max(start, 0), n)
	end = min(start+limit, n)
	if end < n {
		next = fmt.Sprintf("off:%d", end)
	}
	return start, end, next
}

func (s *Server) history(w http.ResponseWriter, _ *http.Request, in args) {
	c, code := s.readable(in.str("channel"))
	if code != "" {
		writeErr(w, code, nil)
		return
	}
	meta := in.str("include_all_metadata") == "1" || in.str("include_all_metadata") == "true"
	oldest := in.str("oldest")
	var top []*Message
	for i := len(s.messages[c.ID]) - 1; i >= 0; i-- { // newest first
		m := s.messages[c.ID][i]
		if (m.ThreadTS == "" || m.ThreadTS == m.TS) && tsAfter(m.TS, oldest) {
			top = append(top, m)
		}
	}
	start, end, next := page(in, len(top))
	out := []map[string]any{}
	for _, m := range top[start:end] {
		out = append(out, s.wire(m, meta))
	}
	writeJSON(w, map[string]any{"ok": true, "messages": out, "has_more": next != "",
		"response_metadata": map[string]any{"next_cursor": next}})
}

func (s *Server) replies(w http.ResponseWriter, _ *http.Request, in args) {
	c, code := s.readable(in.str("channel"))
	if code != "" {
		writeErr(w, code, nil)
		return
	}
	ts := in.str("ts")
	meta := in.str("include_all_metadata") == "1" || in.str("include_all_metadata") == "true"
	var thread []*Message
	for _, m := range s.messages[c.ID] {
		if m.TS == ts || (m.ThreadTS == ts && tsAfter(m.TS, in.str("oldest"))) {
			thread = append(thread, m)
		}
	}
	if len(thread) == 0 || thread[0].TS != ts {
		writeErr(w, "thread_not_found", nil)
		return
	}
	start, end, next := page(in, len(thread))
	out := []map[string]any{}
	for _, m := range thread[start:end] {
		out = append(out, s.wire(m, meta))
	}
	writeJSON(w, map[string]any{"ok": true, "messages": out, "has_more": next != "",
		"response_metadata": map[string]any{"next_cursor": next}})
}

func tsAfter(ts, oldest string) bool {
	if oldest == "" {
		return true
	}
	a, _ := strconv.ParseFloat(ts, 64)
	b, _ := strconv.ParseFloat(oldest, 64)
	return a >= b
}

func channelJSON(c *Channel) map[string]any {
	return map[string]any{"id": c.ID, "name": c.Name, "is_channel": !c.Private && !c.IM, "is_group": c.Private && !c.IM,
		"is_im": c.IM, "is_private": c.Private, "is_archived": c.Archived, "is_member": c.BotMember, "user": c.User}
}

func (s *Server) join(w http.ResponseWriter, _ *http.Request, in args) {
	c := s.channels[in.str("channel")]
	switch {
	case c == nil || (c.Private && !c.BotMember):
		writeErr(w, "channel_not_found", nil)
	case c.IM || c.Private:
		writeErr(w, "method_not_supported_for_channel_type", nil)
	case c.Archived:
		writeErr(w, "is_archived", nil)
	default:
		c.BotMember = true
		writeJSON(w, map[string]any{"ok": true, "channel": channelJSON(c)})
	}
}

func (s *Server) open(w http.ResponseWriter, _ *http.Request, in args) {
	users := strings.Split(in.str("users"), ",")
	if len(users) != 1 || s.users[users[0]] == nil {
		writeErr(w, "user_not_found", nil)
		return
	}
	writeJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": s.imWith(users[0]).ID}})
}

func (s *Server) list(w http.ResponseWriter, _ *http.Request, in args) {
	var cs []*Channel
	for _, c := range s.channels {
		if c.IM || (c.Private && !c.BotMember) || (c.Archived && in.str("exclude_archived") == "true") {
			continue
		}
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
	start, end, next := page(in, len(cs))
	out := []map[string]any{}
	for _, c := range cs[start:end] {
		out = append(out, channelJSON(c))
	}
	writeJSON(w, map[string]any{"ok": true, "channels": out, "response_metadata": map[string]any{"next_cursor": next}})
}

func userJSON(u *User) map[string]any {
	return map[string]any{"id": u.ID, "team_id": TeamID, "name": u.Name, "real_name": u.Name, "tz": u.TZ,
		"tz_label": u.TZ, "tz_offset": 0, "deleted": false, "is_bot": false,
		"profile": map[string]any{"email": u.Email, "real_name": u.Name, "display_name": u.Name, "team": TeamID}}
}

func (s *Server) lookupByEmail(w http.ResponseWriter, _ *http.Request, in args) {
	email := strings.ToLower(in.str("email"))
	for _, u := range s.users {
		if strings.ToLower(u.Email) == email && email != "" {
			writeJSON(w, map[string]any{"ok": true, "user": userJSON(u)})
			return
		}
	}
	writeErr(w, "users_not_found", nil)
}

func (s *Server) usersInfo(w http.ResponseWriter, _ *http.Request, in args) {
	u := s.users[in.str("user")]
	if u == nil {
		writeErr(w, "user_not_found", nil)
		return
	}
	writeJSON(w, map[string]any{"ok": true, "user": userJSON(u)})
}

func (s *Server) viewsOpen(w http.ResponseWriter, _ *http.Request, in args) {
	t, ok := s.triggers[in.str("trigger_id")]
	switch {
	case !ok:
		writeErr(w, "invalid_trigger_id", nil)
		return
	case s.Now().After(t.expires):
		writeErr(w, "expired_trigger_id", nil)
		return
	}
	delete(s.triggers, in.str("trigger_id")) // a trigger opens one view
	view := []byte(in.str("view"))
	if msgs := checkView(view, 100, 24); msgs != nil {
		writeErr(w, "invalid_arguments", msgs)
		return
	}
	s.seq++
	v := View{ID: fmt.Sprintf("V%08d", s.seq), User: t.user, JSON: view, Hash: s.nextHash()}
	s.opened = append(s.opened, v)
	cur := v
	s.modals[v.ID] = &cur
	writeJSON(w, map[string]any{"ok": true, "view": viewJSON(v)})
}

// viewsUpdate replaces an open modal, as documented: view_id or
// external_id names it (this fake keeps no external ids: not_found),
// hash, when given, must be the view's current one (hash_conflict), and
// the view is checked as views.open checks it. The new view gets a new
// hash.
func (s *Server) viewsUpdate(w http.ResponseWriter, _ *http.Request, in args) {
	id, hash := in.str("view_id"), in.str("hash")
	if id == "" && in.str("external_id") == "" {
		writeErr(w, "invalid_arguments", []string{"[ERROR] either view_id or external_id is required"})
		return
	}
	cur := s.modals[id]
	switch {
	case cur == nil:
		writeErr(w, "not_found", nil)
		return
	case hash != "" && hash != cur.Hash:
		writeErr(w, "hash_conflict", nil)
		return
	}
	view := []byte(in.str("view"))
	if msgs := checkView(view, 100, 24); msgs != nil {
		writeErr(w, "invalid_arguments", msgs)
		return
	}
	cur.JSON, cur.Hash = view, s.nextHash()
	s.viewCalls = append(s.viewCalls, ViewUpdate{ViewID: id, Hash: hash, JSON: view})
	writeJSON(w, map[string]any{"ok": true, "view": viewJSON(*cur)})
}

// nextHash is a view hash in Slack's shape ("1764491400.5f2a9c3b").
func (s *Server) nextHash() string {
	s.seq++
	return fmt.Sprintf("%d.%08x", s.Now().Unix(), s.seq*2654435761%(1<<32))
}

func (s *Server) viewsPublish(w http.ResponseWriter, _ *http.Request, in args) {
	user := in.str("user_id")
	if s.users[user] == nil {
		writeErr(w, "user_not_found", nil)
		return
	}
	view := []byte(in.str("view"))
	if msgs := checkView(view, 100, 0); msgs != nil {
		writeErr(w, "invalid_arguments", msgs)
		return
	}
	s.seq++
	v := View{ID: fmt.Sprintf("V%08d", s.seq), User: user, JSON: view, Hash: s.nextHash()}
	s.published[user] = v
	writeJSON(w, map[string]any{"ok": true, "view": viewJSON(v)})
}

func viewJSON(v View) map[string]any {
	var out map[string]any
	_ = json.Unmarshal(v.JSON, &out)
	out["id"], out["team_id"], out["app_id"], out["bot_id"] = v.ID, TeamID, AppID, BotID
	out["state"] = map[string]any{"values": map[string]any{}}
	out["hash"] = v.Hash
	return out
}

func (s *Server) connectionsOpen(w http.ResponseWriter, _ *http.Request, _ args) {
	s.seq++
	u := strings.Replace(s.srv.URL, "http://", "ws://", 1) + fmt.Sprintf("/link/?ticket=fake-%d&app_id=%s", s.seq, AppID)
	writeJSON(w, map[string]any{"ok": true, "url": u})
}
