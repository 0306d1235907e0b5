package teams

import (
	"cmp"
	"encoding/base64"

	"github.com/cadencebot/cadencebot/cadence"
)

// imageBlock is an Adaptive Card Image. Teams shows a data: URL inline,
// which spares cadencebot hosting the picture: the chart travels inside
// the card, and so counts towards the activity's size.
type imageBlock struct {
	Type    string `json:"type"`
	URL     string `json:"url"`
	AltText string `json:"altText,omitempty"`
	Size    string `json:"size,omitempty"`
	Spacing string `json:"spacing,omitempty"`
}

func imageElement(img *cadence.Image) imageBlock {
	return imageBlock{Type: "Image", URL: "data:image/png;base64," + base64.StdEncoding.EncodeToString(img.PNG),
		AltText: imageAlt(img), Size: "Stretch", Spacing: "Medium"}
}

// imageAltLine stands in for a picture that would make the card too large.
func imageAltLine(img *cadence.Image) textBlock {
	return textBlock{Type: "TextBlock", Text: "Chart not shown (too large for one Teams message): " + imageAlt(img),
		Wrap: true, IsSubtle: true, Spacing: "Medium"}
}

func imageAlt(img *cadence.Image) string { return cmp.Or(img.Alt, img.Name, "chart") }
