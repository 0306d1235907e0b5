package slacktest

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Block Kit limits the fake enforces, with Slack's invalid_blocks
// messages ("[ERROR] … [json-pointer:/blocks/0/text/text]").
var knownBlocks = map[string]bool{"section": true, "header": true, "actions": true, "context": true,
	"divider": true, "input": true, "image": true, "rich_text": true}

type block struct {
	Type     string          `json:"type"`
	Text     *textObj        `json:"text"`
	Elements json.RawMessage `json:"elements"`
	Label    *textObj        `json:"label"`
	Element  json.RawMessage `json:"element"`
	BlockID  string          `json:"block_id"`
}

type textObj struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type element struct {
	Type     string   `json:"type"`
	Text     *textObj `json:"text"`
	ActionID string   `json:"action_id"`
	Value    string   `json:"value"`
	Max      int      `json:"max_length"`
}

func errf(ptr, format string, a ...any) string {
	return fmt.Sprintf("[ERROR] %s [json-pointer:%s]", fmt.Sprintf(format, a...), ptr)
}

// checkBlocks validates a blocks array; it returns the raw JSON (nil when
// absent) or Slack's error messages.
func checkBlocks(raw string, maxBlocks int, ptr string) (json.RawMessage, []string) {
	if raw == "" {
		return nil, nil
	}
	var bs []block
	if err := json.Unmarshal([]byte(raw), &bs); err != nil {
		return nil, []string{errf(ptr, "invalid JSON: %v", err)}
	}
	var msgs []string
	if len(bs) > maxBlocks {
		msgs = append(msgs, errf(ptr, "no more than %d items allowed", maxBlocks))
	}
	ids := map[string]bool{}
	for i, b := range bs {
		p := fmt.Sprintf("%s/%d", ptr, i)
		if !knownBlocks[b.Type] {
			msgs = append(msgs, errf(p+"/type", "unsupported type %q", b.Type))
			continue
		}
		if b.BlockID != "" {
			if ids[b.BlockID] {
				msgs = append(msgs, errf(p+"/block_id", "duplicate block_id %q", b.BlockID))
			}
			ids[b.BlockID] = true
		}
		switch b.Type {
		case "section":
			if b.Text != nil && utf8.RuneCountInString(b.Text.Text) > 3000 {
				msgs = append(msgs, errf(p+"/text/text", "must be less than 3001 characters"))
			}
		case "header":
			if b.Text == nil || b.Text.Type != "plain_text" {
				msgs = append(msgs, errf(p+"/text", "must be plain_text"))
			} else if utf8.RuneCountInString(b.Text.Text) > 150 {
				msgs = append(msgs, errf(p+"/text/text", "must be less than 151 characters"))
			}
		case "actions":
			var els []element
			_ = json.Unmarshal(b.Elements, &els)
			if len(els) > 25 {
				msgs = append(msgs, errf(p+"/elements", "no more than 25 items allowed"))
			}
			seen := map[string]bool{}
			for j, e := range els {
				if e.Text != nil && utf8.RuneCountInString(e.Text.Text) > 75 {
					msgs = append(msgs, errf(fmt.Sprintf("%s/elements/%d/text/text", p, j), "must be less than 76 characters"))
				}
				if seen[e.ActionID] && e.ActionID != "" {
					msgs = append(msgs, errf(fmt.Sprintf("%s/elements/%d/action_id", p, j), "duplicate action_id"))
				}
				seen[e.ActionID] = true
			}
		case "context":
			var els []json.RawMessage
			_ = json.Unmarshal(b.Elements, &els)
			if len(els) > 10 {
				msgs = append(msgs, errf(p+"/elements", "no more than 10 items allowed"))
			}
		case "input":
			var e element
			_ = json.Unmarshal(b.Element, &e)
			if e.Max > 3000 {
				msgs = append(msgs, errf(p+"/element/max_length", "must be at most 3000"))
			}
			if b.Label == nil || utf8.RuneCountInString(b.Label.Text) > 2000 {
				msgs = append(msgs, errf(p+"/label", "must be plain_text of at most 2000 characters"))
			}
		}
	}
	return json.RawMessage(raw), msgs
}

// checkView validates a modal or home view: blocks and title length.
func checkView(raw []byte, maxBlocks, maxTitle int) []string {
	var v struct {
		Type   string          `json:"type"`
		Title  *textObj        `json:"title"`
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return []string{errf("/view", "invalid JSON: %v", err)}
	}
	var msgs []string
	if maxTitle > 0 && (v.Title == nil || utf8.RuneCountInString(v.Title.Text) > maxTitle) {
		msgs = append(msgs, errf("/view/title/text", "must be less than %d characters", maxTitle+1))
	}
	_, bm := checkBlocks(string(v.Blocks), maxBlocks, "/view/blocks")
	return append(msgs, bm...)
}

// checkMetadata validates chat.postMessage's metadata argument.
func checkMetadata(raw string) (json.RawMessage, bool) {
	if raw == "" {
		return nil, true
	}
	var md struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	if err := json.Unmarshal([]byte(raw), &md); err != nil || md.EventType == "" {
		return nil, false
	}
	return json.RawMessage(raw), true
}
