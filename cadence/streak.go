package cadence

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// streakCap bounds how far back a streak is counted after an answer: at
// most this many earlier occurrences of the ritual are read (one range
// read and one answer lookup each), so an answer costs the same however
// long the history. A longer streak reads "30+".
const streakCap = 30

// answerStreak counts the person's on-time answers in a row to r, the
// one just given to o included: earlier occurrences are read newest
// first; one they were excused from (out of office, declined) or not
// asked in is passed over, a missed or late one ends the streak.
// capped says the count reached streakCap.
func answerStreak(tx Tx, r *Ritual, o *Occurrence, person string) (n int, capped bool, err error) {
	occs, err := tx.Occurrences(streakFilter(r.ID, o.Scheduled, person))
	if err != nil {
		return 0, false, fmt.Errorf("earlier occurrences of %s: %w", r.ID, err)
	}
	n = 1
	for _, prev := range occs {
		if !prev.IsExpected(person) {
			continue // excused or not asked: neither counts nor breaks
		}
		a, err := tx.Answer(prev.ID, person)
		if errors.Is(err, ErrNotFound) && prev.Status == StatusOpen {
			continue // still open (overlapping windows): not missed yet
		}
		if errors.Is(err, ErrNotFound) {
			return n, false, nil
		}
		if err != nil {
			return 0, false, fmt.Errorf("answer of %s to %s: %w", person, prev.ID, err)
		}
		if a.SubmittedAt.After(prev.PersonCloseAt(person)) {
			return n, false, nil
		}
		n++
	}
	return n, len(occs) == streakCap, nil
}

// streakFilter lists the occurrences of ritual before scheduled that a
// streak of person's looks back on, newest first.
func streakFilter(ritual string, scheduled time.Time, person string) OccurrenceFilter {
	return OccurrenceFilter{RitualID: ritual, To: scheduled, Status: []Status{StatusOpen, StatusClosed}, Newest: true, Limit: streakCap, Person: person}
}

// streakText is the line a receipt adds for a streak of n on-time
// answers: "That's 7 on time in a row for Daily standup." Nothing for
// fewer than two.
func streakText(n int, capped bool, title string) string {
	if n < 2 {
		return ""
	}
	count := strconv.Itoa(n)
	if capped {
		count += "+"
	}
	return fmt.Sprintf(" That's %s on time in a row for %s.", count, title)
}
