package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/cadencetest"
	"github.com/cadencebot/cadencebot/store/postgres"
	"github.com/cadencebot/cadencebot/store/postgres/pgtest"
)

// Answers through the engine on PostgreSQL (answer, receipt and summary
// revision in one transaction), and, in the same run, the floor: one raw
// INSERT of an answer row of the same size per transaction.
//
//	go test ./store/postgres -run '^$' -bench 'SubmitAnswer|RawAnswerInsert' -benchtime 2000x
func BenchmarkSubmitAnswer(b *testing.B) {
	cadencetest.BenchmarkSubmitAnswer(b, func(b *testing.B) cadence.Store { return openTemp(b) }, 50)
}

func BenchmarkRawAnswerInsert(b *testing.B) {
	url := pgtest.URL(b)
	db, err := postgres.Open(context.Background(), url) // migrates the schema
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	at := time.Date(2026, 11, 30, 8, 30, 0, 0, time.UTC)
	occ := cadence.OccurrenceID("standup", at)
	doc, _ := json.Marshal(&cadence.Answer{OccurrenceID: occ, RitualID: "standup", PersonID: "p",
		Responses: []cadence.Response{{QuestionID: "today", Text: "retrain the ranker"}}, SubmittedAt: at, UpdatedAt: at})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO answers (occurrence_id, person_id, scheduled_ns, doc) VALUES ($1, $2, $3, $4)`,
				occ, fmt.Sprintf("p%07d", i), at.UnixNano(), doc)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "answers/s")
}

func BenchmarkStatusWithLateAnswers(b *testing.B) {
	cadencetest.BenchmarkStatusWithLateAnswers(b, func(b *testing.B) cadence.Store { return openTemp(b) })
}
