package cadence

// Outlived reports whether a delivered message can be deleted outright
// once past the outbox retention, rather than kept in compact form: a
// direct message to one person about an occurrence (prompt, reminder,
// snooze, receipt) whose occurrence st is no longer open.
//
// Nothing reads, enqueues or edits such a key again: the planner plans
// open occurrences only (its cursor never goes back); answers are edited
// only before the person's close, and a late first answer's receipt is
// ReceiptKey(…, 0) of a person who had no answer, so never an earlier
// key; snoozes and declines are refused once closed (a late answer drops
// the snoozes still waiting, looking at each key); nothing is threaded
// under a direct message. Channel posts (agenda, summary) stay compact:
// a late answer redraws them.
func Outlived(m *Message, st Status) bool {
	if m.OccurrenceID == "" || m.To.Person == "" || st == StatusOpen || st == "" {
		return false
	}
	switch m.Kind {
	case KindPrompt, KindReminder, KindReceipt:
		return true
	}
	return false
}
