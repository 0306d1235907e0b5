package cadence

import (
	"maps"
	"slices"
)

// Clone returns a deep copy of o. Stores copy values in and out with it,
// and the engine's pure decisions work on copies.
func (o *Occurrence) Clone() *Occurrence {
	if o == nil {
		return nil
	}
	c := *o
	c.Expected = slices.Clone(o.Expected)
	c.Excused = maps.Clone(o.Excused)
	c.PromptAt = maps.Clone(o.PromptAt)
	c.CloseAt = maps.Clone(o.CloseAt)
	c.Prompted = maps.Clone(o.Prompted)
	c.Reminded = maps.Clone(o.Reminded)
	return &c
}

// Clone returns a deep copy of a.
func (a *Answer) Clone() *Answer {
	if a == nil {
		return nil
	}
	c := *a
	c.Responses = slices.Clone(a.Responses)
	return &c
}

// Clone returns a deep copy of m.
func (m *Message) Clone() *Message {
	if m == nil {
		return nil
	}
	c := *m
	c.Body = m.Body.Clone()
	if m.LateBody != nil {
		lb := m.LateBody.Clone()
		c.LateBody = &lb
	}
	return &c
}

// Clone returns a deep copy of b.
func (b Body) Clone() Body {
	c := b
	if b.Sections != nil {
		c.Sections = make([]Section, len(b.Sections))
		for i, s := range b.Sections {
			c.Sections[i] = Section{Heading: s.Heading, Lines: slices.Clone(s.Lines), Entries: slices.Clone(s.Entries)}
		}
	}
	c.Questions = cloneQuestions(b.Questions)
	c.Prefill = maps.Clone(b.Prefill)
	c.Actions = slices.Clone(b.Actions)
	if b.Image != nil {
		img := *b.Image
		img.PNG = slices.Clone(b.Image.PNG)
		c.Image = &img
	}
	return c
}
