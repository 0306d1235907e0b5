package store

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
	bolt "go.etcd.io/bbolt"
)

type answerRecord struct {
	OccurrenceID string           `json:"occurrence_id"`
	RitualID     string           `json:"ritual_id"`
	PersonID     string           `json:"person_id"`
	Responses    []responseRecord `json:"responses"`
	SubmittedAt  time.Time        `json:"submitted_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
	Edits        int              `json:"edits"`
	Via          string           `json:"via"`
}

type responseRecord struct {
	QuestionID string `json:"question_id"`
	Text       string `json:"text"`
}

func toAnswerRecord(a *cadence.Answer) answerRecord {
	r := answerRecord{
		OccurrenceID: a.OccurrenceID,
		RitualID:     a.RitualID,
		PersonID:     a.PersonID,
		SubmittedAt:  utc(a.SubmittedAt),
		UpdatedAt:    utc(a.UpdatedAt),
		Edits:        a.Edits,
		Via:          a.Via,
	}
	if a.Responses != nil {
		r.Responses = make([]responseRecord, len(a.Responses))
		for i, x := range a.Responses {
			r.Responses[i] = responseRecord{QuestionID: x.QuestionID, Text: x.Text}
		}
	}
	return r
}

const answerFillPercent = 0.9

// answerKey is "<occurrence ID>/<person ID>". Person IDs may not contain
// the separator, so the part after an occurrence's prefix tells its own
// answers from those of a longer occurrence ID.
func answerKey(occurrenceID, personID string) []byte { return join(occurrenceID, personID) }

// answerAtKey indexes an answer by its occurrence's scheduled instant,
// taken from the occurrence ID, so reports scan a time range even for
// answers whose occurrence record is gone.
func answerAtKey(occurrenceID, personID string) ([]byte, error) {
	_, at, err := cadence.ParseOccurrenceID(occurrenceID)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", cadence.ErrInvalidInput, err)
	}
	tk, err := timeKey("occurrence "+occurrenceID, at)
	if err != nil {
		return nil, err
	}
	return join(tk, occurrenceID, personID), nil
}

func (t *tx) Answer(occurrenceID, personID string) (*cadence.Answer, error) {
	b, err := t.bucket(bucketAnswers)
	if err != nil {
		return nil, err
	}
	texts, err := t.bucket(bucketAnswerTexts)
	if err != nil {
		return nil, err
	}
	key := answerKey(occurrenceID, personID)
	v := b.Get(key)
	if v == nil {
		return nil, fmt.Errorf("answer of %q to %q: %w", personID, occurrenceID, cadence.ErrNotFound)
	}
	var m answerMeta
	if err := decodeAnswerMeta(key, v, &m); err != nil {
		return nil, fmt.Errorf("answer of %q to %q: %w", personID, occurrenceID, err)
	}
	a := m.domain()
	if a.Responses, err = responsesOf(texts, key); err != nil {
		return nil, fmt.Errorf("answer of %q to %q: %w", personID, occurrenceID, err)
	}
	return a, nil
}

func (t *tx) PutAnswer(a *cadence.Answer) error {
	if err := t.writable("put answer"); err != nil {
		return err
	}
	if a == nil || a.OccurrenceID == "" || a.PersonID == "" {
		return fmt.Errorf("put answer: occurrence and person are required: %w", cadence.ErrInvalidInput)
	}
	if strings.Contains(a.PersonID, sep) {
		return fmt.Errorf("put answer: person id %q contains %q: %w", a.PersonID, sep, cadence.ErrInvalidInput)
	}
	at, err := answerAtKey(a.OccurrenceID, a.PersonID)
	if err != nil {
		return fmt.Errorf("put answer of %q: %w", a.PersonID, err)
	}
	answers, err := t.bucket(bucketAnswers)
	if err != nil {
		return err
	}
	index, err := t.bucket(bucketAnswersAt)
	if err != nil {
		return err
	}
	// Answers to one occurrence arrive roughly in key order, so pages
	// split fuller than bbolt's default half: the year benchmark's file
	// shrinks from 195 to 97 MiB.
	answers.FillPercent, index.FillPercent = answerFillPercent, answerFillPercent
	texts, err := t.bucket(bucketAnswerTexts)
	if err != nil {
		return err
	}
	texts.FillPercent = answerFillPercent
	key := answerKey(a.OccurrenceID, a.PersonID)
	r := toAnswerRecord(a)
	m := r.meta()
	if err := answers.Put(key, encodeAnswerMeta(key, &m)); err != nil {
		return fmt.Errorf("put answer of %q to %q: %w", a.PersonID, a.OccurrenceID, err)
	}
	if err := texts.Put(key, encodeResponses(r.Responses)); err != nil {
		return fmt.Errorf("put answer of %q to %q: text: %w", a.PersonID, a.OccurrenceID, err)
	}
	if err := index.Put(at, []byte{}); err != nil {
		return fmt.Errorf("put answer of %q to %q: index: %w", a.PersonID, a.OccurrenceID, err)
	}
	return nil
}

// Answers lists one occurrence's answers, by person ID, with a prefix scan.
func (t *tx) Answers(occurrenceID string) ([]*cadence.Answer, error) {
	b, err := t.bucket(bucketAnswers)
	if err != nil {
		return nil, err
	}
	texts, err := t.bucket(bucketAnswerTexts)
	if err != nil {
		return nil, err
	}
	return appendAnswers([]*cadence.Answer{}, b.Cursor(), texts, occurrenceID)
}

// Answerers reads only the keys of one occurrence's answers: no decoding.
func (t *tx) Answerers(occurrenceID string) ([]string, error) {
	b, err := t.bucket(bucketAnswers)
	if err != nil {
		return nil, err
	}
	out := []string{}
	prefix := []byte(occurrenceID + sep)
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		rest := k[len(prefix):]
		if bytes.Contains(rest, []byte(sep)) {
			continue // an answer to a longer occurrence ID
		}
		out = append(out, string(rest))
	}
	return out, nil
}

// answerMeta is what the answers bucket holds: an answer without its
// responses, which live in answer_texts under the same key. Listing who
// answered what when (adherence, reports) never reads the text, which is
// most of an answer's bytes.
type answerMeta struct {
	OccurrenceID string    `json:"occurrence_id"`
	RitualID     string    `json:"ritual_id"`
	PersonID     string    `json:"person_id"`
	SubmittedAt  time.Time `json:"submitted_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Edits        int       `json:"edits"`
	Via          string    `json:"via"`
}

func (r answerRecord) meta() answerMeta {
	return answerMeta{OccurrenceID: r.OccurrenceID, RitualID: r.RitualID, PersonID: r.PersonID,
		SubmittedAt: r.SubmittedAt, UpdatedAt: r.UpdatedAt, Edits: r.Edits, Via: r.Via}
}

func (m *answerMeta) domain() *cadence.Answer {
	return &cadence.Answer{OccurrenceID: m.OccurrenceID, RitualID: m.RitualID, PersonID: m.PersonID,
		SubmittedAt: m.SubmittedAt, UpdatedAt: m.UpdatedAt, Edits: m.Edits, Via: m.Via}
}

// responsesOf reads an answer's text; nil when it has none.
func responsesOf(texts *bolt.Bucket, key []byte) ([]cadence.Response, error) {
	var rs []responseRecord
	if v := texts.Get(key); v != nil {
		var err error
		if rs, err = decodeResponses(key, v); err != nil {
			return nil, fmt.Errorf("text: %w", err)
		}
	}
	if rs == nil {
		return nil, nil
	}
	out := make([]cadence.Response, len(rs))
	for i, x := range rs {
		out[i] = cadence.Response{QuestionID: x.QuestionID, Text: x.Text}
	}
	return out, nil
}

// appendAnswers reads one occurrence's answers with a prefix scan of the
// metadata; texts, when given, adds each answer's responses.
func appendAnswers(out []*cadence.Answer, c *bolt.Cursor, texts *bolt.Bucket, occurrenceID string) ([]*cadence.Answer, error) {
	prefix := []byte(occurrenceID + sep)
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if bytes.Contains(k[len(prefix):], []byte(sep)) {
			continue // an answer to a longer occurrence ID
		}
		var m answerMeta
		if err := decodeAnswerMeta(k, v, &m); err != nil {
			return nil, fmt.Errorf("answers to %q: %w", occurrenceID, err)
		}
		a := m.domain()
		if texts != nil {
			var err error
			if a.Responses, err = responsesOf(texts, k); err != nil {
				return nil, fmt.Errorf("answers to %q: %q: %w", occurrenceID, k, err)
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// AnswersBetween finds the occurrences in range from the time index, then
// reads each one's answers with a sequential prefix scan of the primary
// bucket (same order as the index, and faster than a lookup per answer).
func (t *tx) AnswersBetween(from, to time.Time) ([]*cadence.Answer, error) {
	return t.answersBetween(from, to, true)
}

// SubmissionsBetween is AnswersBetween without the responses.
func (t *tx) SubmissionsBetween(from, to time.Time) ([]*cadence.Answer, error) {
	return t.answersBetween(from, to, false)
}

func (t *tx) answersBetween(from, to time.Time, withResponses bool) ([]*cadence.Answer, error) {
	index, err := t.bucket(bucketAnswersAt)
	if err != nil {
		return nil, err
	}
	answers, err := t.bucket(bucketAnswers)
	if err != nil {
		return nil, err
	}
	var texts *bolt.Bucket
	if withResponses {
		if texts, err = t.bucket(bucketAnswerTexts); err != nil {
			return nil, err
		}
	}
	var out []*cadence.Answer
	c := answers.Cursor()
	// A longer occurrence ID can sort amid a shorter one's people
	// ("ml@T/ana", "ml@T/x@T/bo", "ml@T/zed"): remember all seen.
	seen := map[string]bool{}
	err = scanTimeRange(index, from, to, func(k, _ []byte) (bool, error) {
		_, pk, ok := splitTimeKey(k)
		i := strings.LastIndex(pk, sep)
		if !ok || i < 0 {
			return false, fmt.Errorf("answers index: malformed key %q: %w", k, ErrCorrupt)
		}
		if occ := pk[:i]; !seen[occ] {
			seen[occ] = true
			if out, err = appendAnswers(out, c, texts, occ); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	return out, err
}

// reindexAnswers rebuilds the time index from the primary bucket.
func (t *tx) reindexAnswers() error {
	answers, err := t.bucket(bucketAnswers)
	if err != nil {
		return err
	}
	index, err := t.bucket(bucketAnswersAt)
	if err != nil {
		return err
	}
	return answers.ForEach(func(k, v []byte) error {
		var r answerMeta
		if err := decodeAnswerMeta(k, v, &r); err != nil {
			return fmt.Errorf("index answers: %w", err)
		}
		at, err := answerAtKey(r.OccurrenceID, r.PersonID)
		if err != nil {
			return fmt.Errorf("index answers: key %q: %w", k, err)
		}
		return index.Put(at, []byte{})
	})
}
