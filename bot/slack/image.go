package slack

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"strings"

	"github.com/slack-go/slack"

	"github.com/cadencebot/cadencebot/cadence"
)

// nsFiles maps a message key to the Slack file its image was shared as
// ("F…"), or to "refused:<code>" when Slack refused it for good. Either
// way the image is not uploaded again.
const nsFiles = "slack.files"

// uploadMethod names the three-call upload (files.getUploadURLExternal,
// the POST of the bytes, files.completeUploadExternal) for the limiter.
const uploadMethod = "files.upload"

// imageNote is the context line under a message whose image is shared
// right after it.
func imageNote(img *cadence.Image) string {
	if img == nil || len(img.PNG) == 0 {
		return ""
	}
	return "Chart below: " + escape(cmp.Or(img.Alt, img.Name))
}

// shareImage uploads m's image into channel once, right after the message
// (top level, so the chart shows inline rather than in a thread). It runs
// after the first part is delivered, from Send and again from Lookup,
// which the dispatcher calls when a retryable upload error left the
// message "sending": the post is found by its metadata and only the
// image is retried. A permanent refusal (missing files:write scope) is
// logged and recorded; the message itself stays delivered.
//
// If the process dies after Slack completed the upload and before the
// file ID is stored, the retry uploads the chart a second time: a
// duplicated picture, never a duplicated digest.
func (a *Adapter) shareImage(ctx context.Context, m *cadence.Message, channel string) error {
	img := m.Body.Image
	if img == nil || len(img.PNG) == 0 {
		return nil
	}
	if _, done, err := a.getKV(ctx, nsFiles, m.Key); err != nil || done {
		return err
	}
	name := cmp.Or(img.Name, "chart.png")
	var file *slack.FileSummary
	err := a.call(ctx, uploadMethod, channel, func() (err error) {
		file, err = a.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader:   bytes.NewReader(img.PNG),
			FileSize: len(img.PNG),
			Filename: name,
			Title:    strings.TrimSuffix(name, ".png"),
			AltTxt:   img.Alt,
			Channel:  channel,
		})
		return err
	})
	log := a.log.With().Str("key", m.Key).Str("channel", channel).Logger()
	if err != nil {
		if isRetryable(err) {
			return err
		}
		code := cmp.Or(codeOf(err), "error")
		log.Error().Err(err).Str("code", code).
			Msg("slack refused the chart; the message went out without it (does the app have the files:write scope?)")
		return a.putKV(ctx, nsFiles, m.Key, []byte("refused:"+code))
	}
	if file == nil || file.ID == "" {
		return &cadence.SendError{Retryable: true, Code: "bad_response", Err: errors.New("slack files.completeUploadExternal returned no file")}
	}
	log.Debug().Str("file", file.ID).Msg("chart shared")
	return a.putKV(ctx, nsFiles, m.Key, []byte(file.ID))
}
