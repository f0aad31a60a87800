package theme

import (
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"
)

// pageTemplates are the templates executed to produce a file; every other
// *.html template file is a shared partial.
var pageTemplates = []string{"post.html", "page.html", "list.html", "tags.html", "404.html", "alias.html", "search.html"}

// templateFuncs are the functions templates may call besides html/template's.
func templateFuncs(baseURL string) template.FuncMap {
	return template.FuncMap{
		"isoDate":   func(t time.Time) string { return t.Format("2006-01-02") },
		"rfc3339":   func(t time.Time) string { return t.Format(time.RFC3339) },
		"humanDate": func(t time.Time) string { return t.Format("2 January 2006") },
		"absURL": func(v any) string {
			s := fmt.Sprint(v)
			if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
				return s
			}
			return baseURL + "/" + strings.TrimLeft(s, "/")
		},
	}
}

// parseTemplates parses the template files (by name) into one template set
// per page template, each holding every partial.
func parseTemplates(files map[string][]byte, baseURL string) (map[string]*template.Template, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	isPage := map[string]bool{}
	for _, n := range pageTemplates {
		isPage[n] = true
	}
	common := template.New("").Funcs(templateFuncs(baseURL))
	for _, n := range names {
		if isPage[n] {
			continue
		}
		if _, err := common.New(n).Parse(string(files[n])); err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
	}
	pages := map[string]*template.Template{}
	for _, n := range pageTemplates {
		src, ok := files[n]
		if !ok {
			return nil, fmt.Errorf("template %s: missing", n)
		}
		c, err := common.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := c.New(n).Parse(string(src)); err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		pages[n] = c
	}
	return pages, nil
}
