package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// File is an upload as the fake stores it: announced with
// files.getUploadURLExternal, its bytes POSTed to the upload URL, then
// shared with files.completeUploadExternal.
type File struct {
	ID, Name, Title, Alt string
	Length               int    // announced in files.getUploadURLExternal
	Content              []byte // what reached the upload URL
	Completed            bool
	// Where completeUploadExternal shared it; Channel is empty for a file
	// completed without a channel (private to the bot).
	Channel, ThreadTS, TS string
}

// Files returns copies of the files completed so far, in upload order.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []File
	for _, id := range s.fileOrder {
		if f := s.files[id]; f.Completed {
			c := *f
			c.Content = append([]byte(nil), f.Content...)
			out = append(out, c)
		}
	}
	return out
}

func (s *Server) getUploadURLExternal(w http.ResponseWriter, _ *http.Request, in args) {
	name := in.str("filename")
	length, err := strconv.Atoi(in.str("length"))
	if name == "" || err != nil || length <= 0 {
		writeErr(w, "invalid_arguments", []string{"[ERROR] filename and a positive length are required"})
		return
	}
	s.seq++
	f := &File{ID: fmt.Sprintf("F%08d", s.seq), Name: name, Alt: in.str("alt_txt"), Length: length}
	s.files[f.ID] = f
	s.fileOrder = append(s.fileOrder, f.ID)
	writeJSON(w, map[string]any{"ok": true, "upload_url": s.srv.URL + "/upload/v1/" + f.ID, "file_id": f.ID})
}

// serveUpload receives the bytes of a file as a multipart form (field
// "file"), like files.slack.com: plain-text "OK - <bytes>", or an HTTP
// error status. The byte count must match the announced length.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/upload/v1/")
	part, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, "no file part", http.StatusBadRequest)
		return
	}
	defer part.Close()
	data, err := io.ReadAll(part)
	if err != nil {
		http.Error(w, "unreadable file part", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["upload"]++
	f := s.files[id]
	switch {
	case f == nil || f.Completed:
		http.Error(w, "unknown upload", http.StatusNotFound)
		return
	case len(data) != f.Length:
		http.Error(w, fmt.Sprintf("got %d bytes, %d announced", len(data), f.Length), http.StatusBadRequest)
		return
	}
	f.Content = data
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "OK - %d", len(data))
}

func (s *Server) completeUploadExternal(w http.ResponseWriter, _ *http.Request, in args) {
	var refs []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(in.str("files")), &refs); err != nil || len(refs) == 0 {
		writeErr(w, "invalid_arguments", []string{"[ERROR] files must be a JSON array of {id, title}"})
		return
	}
	var files []*File
	for _, ref := range refs {
		f := s.files[ref.ID]
		switch {
		case f == nil:
			writeErr(w, "file_not_found", nil)
			return
		case f.Content == nil:
			// The bytes never reached the upload URL.
			writeErr(w, "file_upload_not_completed", nil)
			return
		}
		files = append(files, f)
	}
	var c *Channel
	if ch := in.str("channel_id"); ch != "" {
		var code string
		if c, code = s.conversation(ch); code != "" {
			writeErr(w, code, nil)
			return
		}
		if !c.IM && !c.BotMember {
			writeErr(w, "not_in_channel", nil)
			return
		}
	}
	out := []map[string]any{}
	for i, f := range files {
		f.Completed, f.Title = true, refs[i].Title
		out = append(out, map[string]any{"id": f.ID, "title": f.Title})
	}
	if c != nil {
		m := &Message{Channel: c.ID, TS: s.nextTS(), ThreadTS: in.str("thread_ts"), Text: in.str("initial_comment"),
			User: BotUser, BotID: BotID}
		for _, f := range files {
			f.Channel, f.ThreadTS, f.TS = c.ID, m.ThreadTS, m.TS
			m.Files = append(m.Files, f.ID)
		}
		s.messages[c.ID] = append(s.messages[c.ID], m)
	}
	writeJSON(w, map[string]any{"ok": true, "files": out})
}
