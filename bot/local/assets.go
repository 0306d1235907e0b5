package local

import (
	"embed"
	"html/template"
	"strings"
	"sync"
	"sync/atomic"
)

// assets are the stylesheet and the optional refresh script, served
// under /static/.
//
//go:embed static
var assets embed.FS

//go:embed templates
var templates embed.FS

// pages are the parsed page templates, parsed once per process on the
// first page served: parsing is ~5 ms of CPU, which a start spent before
// it could say it was ready (and every Server built again). Parsed
// templates are safe to execute from many goroutines.
var pages = sync.OnceValue(parsePages)

// pagesParsed counts parsePages' runs (tests hold it to one, after a
// page).
var pagesParsed atomic.Int32

// parsePages parses each page with the shared layout. Templates are part
// of the binary, so a parse error is a bug that tests catch.
func parsePages() map[string]*template.Template {
	pagesParsed.Add(1)
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
