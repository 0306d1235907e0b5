package bot_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/bot"
	"github.com/cadencebot/cadencebot/cadence"
)

// rosterService is fakeService with a roster.
type rosterService struct {
	fakeService
	roster *cadence.Roster
}

func (s *rosterService) Roster() *cadence.Roster { return s.roster }

// oneForms is bot.ConfigForms knowing only the person inputs; every
// other call fails the test that reaches it.
type oneForms struct{ bot.ConfigForms }

func (oneForms) Fields(cadence.DefinitionKind) []bot.FormField {
	return []bot.FormField{{Key: "id", Kind: "text"}, {Key: "timezone", Kind: "text", Help: "english"}, {Key: "shoe_size", Kind: "text", Help: "a key the catalogs lack"}}
}

// The person editor speaks the actor's language: refusals, the form's
// title, labels and hints; a key the catalogs lack shows as itself with
// the file's help.
func TestPersonFormInTheActorsLanguage(t *testing.T) {
	svc := &rosterService{roster: cadence.NewRoster([]*cadence.Person{
		{ID: "jan", Name: "Jan", Role: cadence.RoleSpecialist, Language: "pl"},
		{ID: "uli", Name: "Uli", Role: cadence.RoleLead, Language: "de"},
	})}
	cmd, err := bot.ParseCommand("person new")
	require.NoError(t, err)

	_, refusal, err := bot.OpenPersonForm(context.Background(), oneForms{}, svc, svc.roster.Person("jan"), cmd)
	require.NoError(t, err)
	assert.Equal(t, "Tylko leadzi i admini dodają, zmieniają i usuwają osoby; twoja rola to specialist.", refusal)
	_, refusal, _ = bot.OpenPersonForm(context.Background(), nil, svc, svc.roster.Person("uli"), cmd)
	assert.Equal(t, "Personen im Chat zu bearbeiten ist bei diesem Bot nicht eingeschaltet.", refusal)

	form, refusal, err := bot.OpenPersonForm(context.Background(), oneForms{}, svc, svc.roster.Person("uli"), cmd)
	require.NoError(t, err)
	require.Empty(t, refusal)
	assert.Equal(t, "Neue Person", form.Title)
	assert.Equal(t, "Speichern", form.Submit)
	assert.Equal(t, []bot.PersonInput{
		{Key: "id", Kind: "text", Label: "ID", Help: "Eindeutig: Kleinbuchstaben, Ziffern und '-'; später nicht änderbar."},
		{Key: "timezone", Kind: "text", Label: "Zeitzone", Help: "IANA-Zone, z. B. Europe/Zurich"},
		{Key: "shoe_size", Kind: "text", Label: "shoe size", Help: "a key the catalogs lack"},
	}, form.Inputs)
}

func TestPersonEditorURL(t *testing.T) {
	for text, want := range map[string]string{
		"person new": "/admin/person/new", "person edit ana": "/admin/person/ana", "person remove ana": "/admin/person/ana/delete",
	} {
		cmd, err := bot.ParseCommand(text)
		require.NoError(t, err)
		assert.Equal(t, want, bot.PersonEditorURL(cmd), text)
	}
}
