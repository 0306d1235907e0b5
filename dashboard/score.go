package dashboard

import (
	"html/template"
	"net/http"

	"github.com/cadencebot/cadencebot/cadence"
)

// ScorePath is the page, relative to the dashboard's mount point, that
// says how the adherence score works; the digest links to it.
const ScorePath = "score"

// ScoreSentence is the score in one sentence, for readers who will not
// open the page (the digest's footer).
const ScoreSentence = "The score (0–100) weighs answers given (40%), answers on time (40%) and rituals held on time (20%)."

// scorePage is static: the formula, in words, and what counts as what.
var scorePage = template.Must(template.New("score").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>How the score works · cadencebot</title>
<link rel="stylesheet" href="assets/style.css">
</head>
<body>
<header class="top"><a class="brand" href="./">cadencebot</a></header>
<main>
<h1>How the score works</h1>
<p>{{.Sentence}}</p>
<ul>
<li><strong>Answers given</strong>: of the prompts people were sent, the share they answered, late answers included.</li>
<li><strong>Answers on time</strong>: the share answered before the ritual closed.</li>
<li><strong>Rituals held on time</strong>: of the occurrences not skipped, the share that opened on time (not late, and not missed while the bot was down).</li>
</ul>
<p>Skipped occurrences, and people out of office, on holiday or who declined a prompt, are left out rather than counted as missing. When a part has nothing to count (no prompt was sent, say), it is dropped and the other weights are scaled up to make 100.</p>
<p>The formula: <code>{{.Formula}}</code>.</p>
<p>The digest lists the people below its threshold by their own share of prompts answered on time, as figures; the score itself is the team's and each ritual's.</p>
<p><a href="./">Back to the dashboard</a></p>
</main>
</body>
</html>
`))

func (s *Server) scoreHelp(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := scorePage.Execute(w, struct{ Sentence, Formula string }{ScoreSentence, cadence.ScoreFormula}); err != nil {
		s.log.Warn().Err(err).Msg("score page")
	}
}
