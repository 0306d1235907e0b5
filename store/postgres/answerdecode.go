package postgres

import (
	"encoding/json"

	"github.com/cadencebot/cadencebot/cadence"
)

// An answer's docs are read by the scan occdecode.go describes, for the
// same reason: a streak reads the person's answer to each earlier
// occurrence. Whatever the scan does not recognise (an escape — json
// writes <, > and & as escapes —, an unknown key) goes to json.Unmarshal.

// unmarshalAnswerDoc is json.Unmarshal(doc, a) for a zero a.
func unmarshalAnswerDoc(doc []byte, a *cadence.Answer) error {
	if scanAnswerDoc(doc, a) {
		return nil
	}
	*a = cadence.Answer{}
	return json.Unmarshal(doc, a)
}

// unmarshalResponses is json.Unmarshal(doc, rs) for a nil *rs.
func unmarshalResponses(doc []byte, rs *[]cadence.Response) error {
	if scanResponses(doc, rs) {
		return nil
	}
	*rs = nil
	return json.Unmarshal(doc, rs)
}

// scanAnswerDoc decodes the metadata doc PutAnswer writes (Responses
// null), reporting false for anything else.
func scanAnswerDoc(doc []byte, a *cadence.Answer) bool {
	s := scanner{b: doc}
	return s.object(func(key []byte) bool {
		switch string(key) {
		case "OccurrenceID":
			return s.str(&a.OccurrenceID)
		case "RitualID":
			return s.str(&a.RitualID)
		case "PersonID":
			return s.str(&a.PersonID)
		case "Via":
			return s.str(&a.Via)
		case "SubmittedAt":
			return s.time(&a.SubmittedAt)
		case "UpdatedAt":
			return s.time(&a.UpdatedAt)
		case "Edits":
			return s.int(&a.Edits)
		case "Responses":
			a.Responses = nil
			return s.lit("null")
		}
		return false
	})
}

// scanResponses decodes a list of responses, reporting false for
// anything but an array of objects of plain strings.
func scanResponses(doc []byte, rs *[]cadence.Response) bool {
	s := scanner{b: doc}
	if !s.lit("[") {
		return false
	}
	out := []cadence.Response{}
	if !s.lit("]") {
		for {
			var r cadence.Response
			if !s.fields(func(key []byte) bool {
				switch string(key) {
				case "QuestionID":
					return s.str(&r.QuestionID)
				case "Text":
					return s.str(&r.Text)
				}
				return false
			}) {
				return false
			}
			out = append(out, r)
			if s.lit("]") {
				break
			}
			if !s.lit(",") {
				return false
			}
		}
	}
	if !s.end() {
		return false
	}
	*rs = out
	return true
}
