package local

import (
	"embed"
	"html/template"
	"strings"
)

// assets are the stylesheet and the optional refresh script, served
// under /static/.
//
//go:embed static
var assets embed.FS

//go:embed templates
var templates embed.FS

// parsePages parses each page with the shared layout. Templates are part
// of the binary, so a parse error is a bug that tests catch.
func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"lower": strings.ToLower,
		"rich":  rich,
	}
	pages := map[string]*template.Template{}
	for _, name := range []string{"home", "inbox", "channel", "problem", "ops", "admin", "adminedit", "adminconfirm"} {
		pages[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templates,
			"templates/layout.html", "templates/message.html", "templates/opsactions.html", "templates/pager.html", "templates/"+name+".html"))
	}
	return pages
}
