package dashboard

import (
	"html/template"
	"time"
)

// parseTemplates builds one template set per page: the shared layout and
// partials plus that page's "content".
func parseTemplates() map[string]*template.Template {
	funcs := template.FuncMap{
		"date":     func(t time.Time) string { return t.Format(dateLayout) },
		"datetime": func(t time.Time) string { return t.Format("2006-01-02 15:04 MST") },
	}
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html"))
	pages := map[string]*template.Template{}
	for _, p := range []string{"overview", "people", "section", "error"} {
		pages[p] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/"+p+".html"))
	}
	return pages
}
