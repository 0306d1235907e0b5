package slack

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/cadence/ops"
)

// Callback IDs of the MLOps modals in view_submission.
const (
	callbackOpsArg   = "ops_arg"      // the input a button needs (new owner, reason)
	callbackIncident = "ops_incident" // "Open incident from message"
	callbackFollowUp = "ops_followup"
	callbackRelease  = "ops_release"
	// shortcutOpenIncident is the message shortcut's callback_id in
	// slack-app-manifest.yaml.
	shortcutOpenIncident = "open_incident"
)

// Block IDs of the modals' inputs. Each input's action_id is its block
// id (inputValue). Where a domain field has an input, the block id is
// the field's name, so ErrorField and FieldErrors map onto it.
const (
	blockArg          = "arg"
	blockTitle        = "title"
	blockSeverity     = "severity"
	blockOwner        = "owner"
	blockIncident     = "incident"
	blockDue          = "due"
	blockContractNote = "contract_note"
)

// maxOptionText is Slack's cap on an option's text.
const maxOptionText = 75

func textInput(block, label string, initial string, multiline bool, maxLen int, optional bool) *slack.InputBlock {
	el := slack.NewPlainTextInputBlockElement(nil, block)
	el.Multiline, el.MaxLength = multiline, maxLen
	el.InitialValue = truncate(initial, maxLen)
	in := slack.NewInputBlock(block, plain(label), nil, el)
	in.Optional = optional
	return in
}

func option(value, text string) *slack.OptionBlockObject {
	return slack.NewOptionBlockObject(value, plain(truncate(text, maxOptionText)), nil)
}

func userSelect(block, label, initial string) *slack.InputBlock {
	el := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Pick a person"), block)
	el.InitialUser = initial
	return slack.NewInputBlock(block, plain(label), nil, el)
}

func modal(callback, title, submit, metadata string, blocks ...slack.Block) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: callback, PrivateMetadata: metadata,
		Title: plain(truncate(title, maxModalTitle)), Submit: plain(submit), Close: plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: blocks},
	}
}

// argModal asks for what a button needs before it can act: the new
// owner of a follow-up, or why a release is rejected.
func argModal(req argRequest, person *cadence.Person) slack.ModalViewRequest {
	md, _ := jsonString(req)
	if req.Action == ops.ActionFollowUpReassign {
		return modal(callbackOpsArg, "Reassign "+req.Value, "Reassign", md,
			slack.NewSectionBlock(markdown("Who takes over *"+escape(req.Value)+"*? They are told at once and get its reminders."), nil, nil),
			userSelect(blockArg, "New owner", ""))
	}
	return modal(callbackOpsArg, "Reject "+req.Value, "Reject", md,
		slack.NewSectionBlock(markdown("Why is *"+escape(req.Value)+"* rejected? Whoever proposed it reads this."), nil, nil),
		textInput(blockArg, "Reason", "", true, ops.MaxTitleLen, false))
}

// noticeModal shows a result where there is no channel to answer in
// (clicks in the App Home).
func noticeModal(text string) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type: slack.VTModal, Title: plain("cadencebot"), Close: plain("OK"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(markdown(truncate(text, maxSectionText)), nil, nil)}},
	}
}

// incidentDraft is the private_metadata of the incident modal: where the
// message came from, to link it and to confirm there.
type incidentDraft struct {
	Link string `json:"l,omitempty"`
	origin
}

// incidentModal opens an incident from a message: the title starts as
// the message's first line, the opener owns it unless they pick someone.
func incidentModal(d incidentDraft, messageText, user string) slack.ModalViewRequest {
	md, _ := jsonString(d)
	title := firstLine(messageText)
	var sev []*slack.OptionBlockObject
	for n := cadence.MinSeverity; n <= cadence.MaxSeverity; n++ {
		sev = append(sev, option(strconv.Itoa(n), severityLabel(n)))
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Severity"), blockSeverity, sev...)
	sel.InitialOption = sev[cadence.DefaultSeverity-cadence.MinSeverity]
	link := "_The message's link could not be fetched; the incident will have none._"
	if d.Link != "" {
		link = "From " + d.Link
	}
	return modal(callbackIncident, "Open incident", "Open", md,
		textInput(blockTitle, "Title", title, false, ops.MaxTitleLen, false),
		slack.NewInputBlock(blockSeverity, plain("Severity"), nil, sel),
		userSelect(blockOwner, "Owner", user),
		slack.NewContextBlock("link", markdown(link)),
	)
}

func severityLabel(n int) string {
	switch n {
	case cadence.MinSeverity:
		return fmt.Sprintf("%d — worst: users affected, models down", n)
	case cadence.DefaultSeverity:
		return fmt.Sprintf("%d — degraded", n)
	case cadence.MaxSeverity:
		return fmt.Sprintf("%d — minor", n)
	}
	return fmt.Sprintf("%d — serious", n)
}

// firstLine is a message's first non-empty line without Slack's markup
// of links and mentions, cut to a title's length.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(unslack(l)); l != "" {
			return truncate(l, ops.MaxTitleLen)
		}
	}
	return ""
}

// unslack turns "<https://x|label>" into "label", "<@U1>" into "@U1" and
// unescapes &amp; &lt; &gt;.
func unslack(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		j := strings.IndexByte(s[max(i, 0):], '>')
		if i < 0 || j < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		inner := s[i+1 : i+j]
		if _, label, ok := strings.Cut(inner, "|"); ok {
			inner = label
		} else if strings.HasPrefix(inner, "@") || strings.HasPrefix(inner, "#") {
			inner = inner[:1] + strings.TrimLeft(inner[1:], "!")
		}
		b.WriteString(inner)
		s = s[i+j+1:]
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(b.String())
}

// followUpModal adds an action item to an incident: preselected when the
// form was opened for one, else picked from the open incidents.
func followUpModal(incs []*cadence.Incident, preselect string, from origin, user string) slack.ModalViewRequest {
	md, _ := jsonString(from)
	var opts []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for i, inc := range incs {
		if i == 100 { // Slack's cap on a select's options
			break
		}
		o := option(inc.ID(), fmt.Sprintf("%s · sev %d · %s", inc.ID(), inc.Severity, inc.Title))
		if strings.EqualFold(inc.ID(), preselect) {
			initial = o
		}
		opts = append(opts, o)
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Incident"), blockIncident, opts...)
	sel.InitialOption = initial
	return modal(callbackFollowUp, "Add follow-up", "Add", md,
		slack.NewInputBlock(blockIncident, plain("Incident"), nil, sel),
		textInput(blockTitle, "What needs doing", "", false, ops.MaxTitleLen, false),
		userSelect(blockOwner, "Owner", user),
		slack.NewInputBlock(blockDue, plain("Due"), plain("In the owner's calendar; reminders start the day before."), slack.NewDatePickerBlockElement(blockDue)),
	)
}

// releaseModal proposes a release: the fields of ops.ReleaseInput,
// block ids named as the domain names its FieldErrors.
func releaseModal(from origin) slack.ModalViewRequest {
	md, _ := jsonString(from)
	var changes, risks []*slack.OptionBlockObject
	for _, c := range cadence.ChangeTypes {
		changes = append(changes, option(string(c), string(c)))
	}
	for _, r := range cadence.Risks {
		risks = append(risks, option(string(r), string(r)))
	}
	yes, no := option("yes", "Passed"), option("no", "Not passed (say why below)")
	contract := slack.NewRadioButtonsBlockElement(ops.FieldDataContract, yes, no)
	planned := slack.NewInputBlock(ops.FieldPlanned, plain("Planned day"), nil, slack.NewDatePickerBlockElement(ops.FieldPlanned))
	planned.Optional = true
	return modal(callbackRelease, "Propose a release", "Propose", md,
		textInput(ops.FieldModel, "Model or pipeline", "", false, 100, false),
		textInput(ops.FieldVersion, "Version", "", false, 100, false),
		slack.NewInputBlock(ops.FieldChange, plain("Change"), nil,
			slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Change type"), ops.FieldChange, changes...)),
		slack.NewInputBlock(ops.FieldRisk, plain("Risk"), nil,
			slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Risk"), ops.FieldRisk, risks...)),
		textInput(ops.FieldEvidence, "Evaluation evidence (link)", "", false, 2000, true),
		textInput(ops.FieldRollback, "Rollback plan", "", true, maxInputLength, true),
		slack.NewInputBlock(ops.FieldDataContract, plain("Data-contract check"), nil, contract),
		textInput(blockContractNote, "Data-contract note", "", true, maxInputLength, true),
		planned,
		textInput(ops.FieldNotes, "Notes", "", true, maxInputLength, true),
	)
}

// releaseBlocks maps the domain's release fields to the modal's blocks.
var releaseBlocks = map[string]string{
	ops.FieldModel: ops.FieldModel, ops.FieldVersion: ops.FieldVersion,
	ops.FieldChange: ops.FieldChange, ops.FieldRisk: ops.FieldRisk,
	ops.FieldEvidence: ops.FieldEvidence, ops.FieldRollback: ops.FieldRollback,
	ops.FieldDataContract: ops.FieldDataContract,
	ops.FieldContractNote: blockContractNote,
	ops.FieldPlanned:      ops.FieldPlanned, ops.FieldNotes: ops.FieldNotes,
}

// releaseInput reads a submitted release modal.
func releaseInput(st *slack.ViewState) (ops.ReleaseInput, map[string]string) {
	val := func(b string) string {
		v, _ := inputValue(st, b)
		return v.Value
	}
	sel := func(b string) string {
		v, _ := inputValue(st, b)
		return v.SelectedOption.Value
	}
	in := ops.ReleaseInput{
		Model: val(ops.FieldModel), Version: val(ops.FieldVersion),
		Change: cadence.ChangeType(sel(ops.FieldChange)), Risk: cadence.Risk(sel(ops.FieldRisk)),
		Evidence: val(ops.FieldEvidence), RollbackPlan: val(ops.FieldRollback),
		DataContract: ops.ParseContractCheck(sel(ops.FieldDataContract)), DataContractNote: val(blockContractNote),
		Notes: val(ops.FieldNotes),
	}
	var bad map[string]string
	if v, _ := inputValue(st, ops.FieldPlanned); v.SelectedDate != "" {
		d, err := cadence.ParseDate(v.SelectedDate)
		if err != nil {
			bad = map[string]string{ops.FieldPlanned: fmt.Sprintf("%q is not a date", v.SelectedDate)}
		}
		in.Planned = d
	}
	return in, bad
}

// severityOf reads the severity select; 0 (the default) when unset.
func severityOf(st *slack.ViewState) int {
	v, _ := inputValue(st, blockSeverity)
	n, _ := strconv.Atoi(v.SelectedOption.Value)
	return n
}
