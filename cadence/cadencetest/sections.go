package cadencetest

import "github.com/cadencebot/cadencebot/cadence"

// SectionLines returns the lines of b's section headed heading, or nil.
func SectionLines(b cadence.Body, heading string) []string {
	for _, s := range b.Sections {
		if s.Heading == heading {
			return s.Lines
		}
	}
	return nil
}
