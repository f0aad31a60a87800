package site

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"wasmsite/ssg/highlight"
)

//go:embed theme
var themeFS embed.FS

// pageTemplates are the templates executed to produce a file; every other
// *.html template file is a shared partial.
var pageTemplates = []string{"post.html", "page.html", "list.html", "tags.html", "404.html", "alias.html"}

// Theme is a parsed template set plus the static theme assets.
type Theme struct {
	pages  map[string]*template.Template
	assets map[string][]byte // output path -> content
	hash   []byte            // all sources, for incremental keys
}

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

// LoadTheme parses the embedded theme, with files from overrideDir (if it
// exists) replacing or adding templates and assets.
func LoadTheme(overrideDir, baseURL string) (*Theme, error) {
	files := map[string][]byte{}
	assets := map[string][]byte{}
	err := fs.WalkDir(themeFS, "theme", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := themeFS.ReadFile(p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, "theme/")
		if strings.HasPrefix(rel, "templates/") {
			files[strings.TrimPrefix(rel, "templates/")] = b
		} else {
			assets[rel] = b
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if overrideDir != "" {
		if st, err := os.Stat(overrideDir); err == nil && st.IsDir() {
			err := filepath.WalkDir(overrideDir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(overrideDir, p)
				rel = filepath.ToSlash(rel)
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				if strings.HasPrefix(rel, "assets/") {
					assets[rel] = b
				} else if strings.HasSuffix(rel, ".html") {
					files[rel] = b
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if css, ok := assets["assets/style.css"]; ok {
		assets["assets/style.css"] = append(append(append([]byte{}, css...), '\n'), highlight.CSS()...)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	isPage := map[string]bool{}
	for _, n := range pageTemplates {
		isPage[n] = true
	}
	t := &Theme{pages: map[string]*template.Template{}, assets: map[string][]byte{}}
	common := template.New("").Funcs(templateFuncs(baseURL))
	var h []byte
	for _, n := range names {
		h = append(h, n...)
		h = append(h, files[n]...)
		if isPage[n] {
			continue
		}
		if _, err := common.New(n).Parse(string(files[n])); err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
	}
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
		t.pages[n] = c
	}
	anames := make([]string, 0, len(assets))
	for n := range assets {
		anames = append(anames, n)
	}
	sort.Strings(anames)
	for _, n := range anames {
		t.assets[path.Clean(n)] = assets[n]
		h = append(h, n...)
		h = append(h, assets[n]...)
	}
	t.hash = h
	return t, nil
}
