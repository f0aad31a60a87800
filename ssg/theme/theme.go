// Package theme is the site's look: the templates pages are rendered with
// and the static assets published under /assets/. A theme is the embedded
// one (templates/ and assets/ here) with the files of an override directory
// replacing or adding to it.
package theme

import (
	"html/template"
	"path"
	"sort"

	"wasmsite/ssg/highlight"
)

// ImageSizes is the sizes attribute of the images of pages: the width of the
// default theme's content column (style.css: the body is at most 44rem wide,
// with 1.25rem of padding on each side).
const ImageSizes = "(min-width: 44rem) 41.5rem, calc(100vw - 2.5rem)"

// Theme is a parsed template set plus the static theme assets.
type Theme struct {
	pages  map[string]*template.Template // by page template name
	assets map[string][]byte             // output path -> content
	hash   []byte                        // all sources, for incremental keys
}

// Load parses the embedded theme, with files from overrideDir (if it
// exists) replacing or adding templates (*.html) and assets (assets/*). The
// highlighting stylesheet is appended to assets/style.css. baseURL is what
// the absURL template function prefixes. Errors name the template that does
// not parse or is missing, or are those of reading overrideDir.
func Load(overrideDir, baseURL string) (*Theme, error) {
	files, assets, err := readEmbedded()
	if err != nil {
		return nil, err
	}
	if err := readOverrides(overrideDir, files, assets); err != nil {
		return nil, err
	}
	if css, ok := assets["assets/style.css"]; ok {
		assets["assets/style.css"] = append(append(append([]byte{}, css...), '\n'), highlight.CSS()...)
	}
	t := &Theme{assets: map[string][]byte{}}
	if t.pages, err = parseTemplates(files, baseURL); err != nil {
		return nil, err
	}
	t.hash = hashSources(files)
	anames := make([]string, 0, len(assets))
	for n := range assets {
		anames = append(anames, n)
	}
	sort.Strings(anames)
	for _, n := range anames {
		t.assets[path.Clean(n)] = assets[n]
		t.hash = append(t.hash, n...)
		t.hash = append(t.hash, assets[n]...)
	}
	return t, nil
}

// Assets returns the theme's static files by output path (assets/…). The
// map is the theme's: it must not be changed.
func (t *Theme) Assets() map[string][]byte { return t.assets }

// Hash returns every source of the theme, names and contents in a fixed
// order: it changes when anything that may change an output does.
func (t *Theme) Hash() []byte { return t.hash }
