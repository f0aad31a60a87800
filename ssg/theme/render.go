package theme

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	"wasmsite/ssg/page"
)

// Render returns a generator of the output of the page template name
// (post.html, list.html, …) executed with d. Its errors name the template
// and d.URL.
func (t *Theme) Render(name string, d *page.Data) func(*bytes.Buffer) error {
	return func(w *bytes.Buffer) error {
		if err := t.pages[name].ExecuteTemplate(w, name, d); err != nil {
			return fmt.Errorf("template %s (%s): %w", name, d.URL, err)
		}
		return nil
	}
}

// Card renders the "card" template of list.html, a post as lists show it,
// for p. Its errors name the template and p.URL.
func (t *Theme) Card(p *page.Page) (template.HTML, error) {
	var w strings.Builder
	if err := t.pages["list.html"].ExecuteTemplate(&w, "card", p); err != nil {
		return "", fmt.Errorf("template card (%s): %w", p.URL, err)
	}
	return template.HTML(w.String()), nil
}
