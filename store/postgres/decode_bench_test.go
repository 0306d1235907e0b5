package postgres

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cadencebot/cadencebot/cadence"
)

// BenchmarkDecodeAnswerPath decodes what an answer with a streak of five
// reads (BenchmarkIngest): the occurrence's doc and the person's, the
// five earlier ones, and six answers with their responses — by the scan
// and, for comparison, by json.Unmarshal alone.
//
//	go test ./store/postgres -run '^$' -bench DecodeAnswerPath
func BenchmarkDecodeAnswerPath(b *testing.B) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s, err := encodeOcc(&cadence.Occurrence{ID: "standup-0000@20260302T0900Z", RitualID: "standup-0000", Scheduled: at, Status: cadence.StatusOpen,
		DueAt: at, OpenedAt: at.Add(time.Minute), ClosesAt: at.Add(8 * time.Hour), Expected: []string{"p000001"},
		PromptAt: map[string]time.Time{"p000001": at}, CloseAt: map[string]time.Time{"p000001": at.Add(8 * time.Hour)},
		Prompted: map[string]time.Time{"p000001": at.Add(time.Minute)}, Reminded: map[string]int{"p000001": 1}})
	if err != nil {
		b.Fatal(err)
	}
	occ, person := s.doc, s.people["p000001"].doc
	ans, _ := json.Marshal(cadence.Answer{OccurrenceID: "standup-0000@20260302T0900Z", RitualID: "standup-0000", PersonID: "p000001",
		SubmittedAt: at.Add(20 * time.Minute), UpdatedAt: at.Add(20 * time.Minute), Via: "bench"})
	text, _ := json.Marshal([]cadence.Response{{QuestionID: "yesterday", Text: "Shipped the feature-store backfill for the churn model; row counts match the warehouse."},
		{QuestionID: "today", Text: "Canary for ranker v42, then the drift monitor in the release lane."}, {QuestionID: "blockers", Text: "none"}})
	for _, c := range []struct {
		name      string
		occ       func([]byte, *cadence.Occurrence) error
		person    func([]byte, *personDoc) error
		answer    func([]byte, *cadence.Answer) error
		responses func([]byte, *[]cadence.Response) error
	}{
		{"scan", unmarshalOccDoc, unmarshalPersonDoc, unmarshalAnswerDoc, unmarshalResponses},
		{"json", func(d []byte, o *cadence.Occurrence) error { return json.Unmarshal(d, o) }, func(d []byte, p *personDoc) error { return json.Unmarshal(d, p) },
			func(d []byte, a *cadence.Answer) error { return json.Unmarshal(d, a) }, func(d []byte, rs *[]cadence.Response) error { return json.Unmarshal(d, rs) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for range 6 {
					var o cadence.Occurrence
					var p personDoc
					var a cadence.Answer
					var rs []cadence.Response
					if c.occ(occ, &o) != nil || c.person(person, &p) != nil || c.answer(ans, &a) != nil || c.responses(text, &rs) != nil {
						b.Fatal("does not decode")
					}
				}
			}
		})
	}
}
