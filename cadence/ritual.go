package cadence

import (
	"time"
)

// Kind is the type of ritual; it decides default questions and, for MLOps
// rituals, how the agenda is built from live state.
type Kind string

const (
	KindTriage             Kind = "triage"
	KindDeploymentPlanning Kind = "deployment-planning"
	KindQualityReview      Kind = "quality-review"
	KindStandup            Kind = "standup"
	// KindHandoff is bound to an on-call rotation (Ritual.Rotation): at
	// each hand-off the outgoing on-call is asked for notes, and the
	// incoming one gets them by DM.
	KindHandoff Kind = "handoff"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	switch k {
	case KindTriage, KindDeploymentPlanning, KindQualityReview, KindStandup, KindHandoff:
		return true
	}
	return false
}

// Question is one prompt a participant answers.
type Question struct {
	ID   string // stable key for answers: "yesterday", "blockers"
	Text string
	// Texts words Text in other languages, by code ("de"); a reader
	// whose language it lacks reads Text. See In.
	Texts map[string]string `json:",omitempty"`
	// Lang is the language Text is in once In chose it: the words a
	// form adds (Yes, No, when a follow-up applies) follow it.
	Lang     string `json:",omitempty"`
	Required bool
	// Blocker marks the question whose non-empty answer flags a blocker in
	// the summary (e.g. "Anything blocking you?").
	Blocker bool
	// Plan marks the question whose answer (what the person means to do)
	// the next occurrence's prompt shows back, so "done" can refer to it.
	Plan bool

	// Type is the kind of answer (question.go); free text when empty.
	Type QuestionType `json:",omitempty"`
	// Options of a choice or multi_choice question, in display order.
	Options []string `json:",omitempty"`
	// Min and Max bound a number question when set.
	Min *float64 `json:",omitempty"`
	Max *float64 `json:",omitempty"`
	// FollowUpOf names an earlier question; this one is asked only when
	// that one was answered with one of When ("Blocked?" yes → "What
	// blocks you?").
	FollowUpOf string   `json:",omitempty"`
	When       []string `json:",omitempty"`
}

// MaxAnswerLen is the longest answer to one question we accept, in runes.
const MaxAnswerLen = 4000

// Ritual is a recurring meeting-like routine, configured by leads.
type Ritual struct {
	ID       string
	Title    string
	Kind     Kind
	Platform string // "slack", "teams" or "local"; empty means the default chat
	Channel  string // channel name or ID on that platform

	// Spec is the cron expression as written in config (for display);
	// Schedule computes fire times from it.
	Spec     string
	Schedule *Schedule
	Location *time.Location

	Participants []string // resolved person IDs, in roster order
	// Facilitators rotate one per occurrence; a single entry is a fixed
	// facilitator. Empty means none.
	Facilitators []string
	Lead         string // person told about problems (private channel, app not installed)

	Questions []Question
	Window    time.Duration
	// Reminders are offsets before the close of the window at which those
	// who have not answered are reminded ("1h before close" → 1h).
	Reminders []time.Duration
	// PerPersonTime: the prompt fires at the schedule's wall-clock time in
	// each participant's own zone (standups at 09:15 local for everyone).
	PerPersonTime bool
	SkipDates     []Date // holidays of the team: no occurrence on these dates
	Checklist     []string
	// Rotation is the on-call rotation a hand-off ritual follows: only
	// the outgoing on-call is asked, and only when a hand-off happens.
	Rotation string
}

// Question returns the question with the given ID, or nil.
func (r *Ritual) Question(id string) *Question {
	for i := range r.Questions {
		if r.Questions[i].ID == id {
			return &r.Questions[i]
		}
	}
	return nil
}

// DefaultQuestions are used when a ritual's config gives none; each is
// worded in every language of the catalogs (default_question.<kind>).
func DefaultQuestions(k Kind) []Question {
	qs := defaultQuestions(k)
	for i := range qs {
		q := &qs[i]
		for _, lang := range Languages() {
			if lang != DefaultLanguage {
				if q.Texts == nil {
					q.Texts = map[string]string{}
				}
				q.Texts[lang] = UIText(lang, "default_question."+string(k)+"."+q.ID)
			}
		}
	}
	return qs
}

func defaultQuestions(k Kind) []Question {
	switch k {
	case KindStandup:
		return []Question{
			{ID: "yesterday", Text: "What did you finish since the last standup?", Required: true},
			{ID: "today", Text: "What are you working on today?", Required: true, Plan: true},
			{ID: "blockers", Text: "Anything blocking you? (leave empty if not)", Blocker: true},
		}
	case KindTriage:
		return []Question{
			{ID: "incidents", Text: "Which model or pipeline incidents did you see since the last triage?", Required: true},
			{ID: "alerts", Text: "Which alerts fired that need an owner or tuning?"},
			{ID: "blockers", Text: "What blocks you from closing your follow-ups?", Blocker: true},
		}
	case KindDeploymentPlanning:
		return []Question{
			{ID: "releases", Text: "Which models or pipelines do you plan to release this week (version, change type)?", Required: true},
			{ID: "risks", Text: "What is the riskiest change, and what is its rollback plan?"},
			{ID: "blockers", Text: "Anything blocking a release (approvals, data contracts, evaluation)?", Blocker: true},
		}
	case KindHandoff:
		return []Question{
			{ID: "incidents", Text: "Which incidents are still open, and where do they stand?", Required: true},
			{ID: "ongoing", Text: "What ongoing issues should the next on-call keep working on?"},
			{ID: "watch", Text: "What should the next on-call watch (alerts, releases, flaky jobs)?"},
		}
	case KindQualityReview:
		return []Question{
			{ID: "quality", Text: "How did your models perform this week (drift, evaluation regressions, SLOs)?", Required: true},
			{ID: "actions", Text: "What should the team change or follow up on?"},
			{ID: "blockers", Text: "Anything blocking quality work?", Blocker: true},
		}
	}
	return nil
}
