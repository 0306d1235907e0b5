package cadence

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// answersTx serves one occurrence's answers and counts how it was asked:
// each call is a round trip on PostgreSQL.
type answersTx struct {
	Tx      // nil: previousAnswers may call only Answer and Answers
	answers map[string]*Answer
	one     int // Answer calls
	all     int // Answers calls
}

func (t *answersTx) Answer(occID, person string) (*Answer, error) {
	t.one++
	if a := t.answers[person]; a != nil {
		return a, nil
	}
	return nil, ErrNotFound
}

func (t *answersTx) Answers(occID string) ([]*Answer, error) {
	t.all++
	var out []*Answer
	for _, a := range t.answers {
		out = append(out, a)
	}
	return out, nil
}

// A prompt round reads the previous occurrence's answers in one go when it
// asks many people or a good part of the roster, and one by one when it
// asks a few of many; either way each person gets their own answer or
// ErrNotFound.
func TestPreviousAnswersReadsOnceForARound(t *testing.T) {
	tests := []struct {
		name             string
		expected, asking int
		wantOne, wantAll int
	}{
		{name: "the whole team of 500", expected: 500, asking: 500, wantAll: 1},
		{name: "a team of 3", expected: 3, asking: 3, wantAll: 1},
		{name: "32 of 1,000", expected: 1000, asking: 32, wantAll: 1},
		{name: "a quarter of 100", expected: 100, asking: 25, wantAll: 1},
		{name: "one zone's 20 of 100", expected: 100, asking: 20, wantOne: 20},
		{name: "a late joiner of 500", expected: 500, asking: 1, wantOne: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prev := &Occurrence{ID: "standup@prev"}
			tx := &answersTx{answers: map[string]*Answer{}}
			for i := 0; i < tc.expected; i++ {
				p := fmt.Sprintf("p%04d", i)
				prev.Expected = append(prev.Expected, p)
				if i%2 == 0 { // every other person answered
					tx.answers[p] = &Answer{OccurrenceID: prev.ID, PersonID: p}
				}
			}
			answerOf, err := previousAnswers(tx, prev, prev.Expected[:tc.asking])
			require.NoError(t, err)
			for i, p := range prev.Expected[:tc.asking] {
				a, err := answerOf(p)
				if i%2 == 0 {
					require.NoError(t, err, p)
					assert.Equal(t, p, a.PersonID)
				} else {
					assert.True(t, errors.Is(err, ErrNotFound), "%s: %v", p, err)
				}
			}
			assert.Equal(t, tc.wantOne, tx.one, "answers read one by one")
			assert.Equal(t, tc.wantAll, tx.all, "reads of all the answers")
		})
	}
}
