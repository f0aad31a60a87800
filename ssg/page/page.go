// Package page is the generator's model: the pages made from markdown
// sources, the site they form, its tags and paginated lists, and the values
// templates execute with. Its errors about a source are *source.Error.
package page

import (
	"html/template"
	"path"
	"regexp"
	"strings"
	"time"

	"wasmsite/ssg/markdown"
	"wasmsite/ssg/source"
)

// Page is a rendered post or standalone page.
type Page struct {
	Kind        string // "post" or "page"
	File        string // source path as shown in messages
	Title       string
	Slug        string
	Description string
	URL         string // site path, e.g. /blog/hello/
	OutPath     string // its file in the output, e.g. blog/hello/index.html
	Permalink   string // absolute URL
	Date        time.Time
	Lastmod     time.Time
	Draft       bool
	Tags        []TagRef
	Aliases     []string
	Extra       map[string]any
	ShowTOC     bool
	TOC         []markdown.TOCItem
	Content     template.HTML
	Words       int
	Text        string // plain text, the start of it, for search (markdown.Rendered.Text)
	ReadingTime int    // minutes
	Prev, Next  *Page  // older and newer post
	// Card is the post's "card" template output, as shown in lists, and
	// CardKey the key of what it was rendered from (0: not rendered).
	Card    template.HTML
	CardKey uint64

	// Links are the link and image destinations of Content, in document
	// order.
	Links []string
	// Bundle are the files published beside the page (see AssignBundles).
	Bundle []BundleFile
	// Key identifies the page's source for incremental builds: its path,
	// the base URL and its bytes. The builder sets it.
	Key uint64

	fm *source.FrontMatter
}

// TagRef is a tag as attached to a page.
type TagRef struct{ Name, Slug, URL string }

// slugRe matches the slugs front matter may set: they become a URL path
// segment as they are.
var slugRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~-]*$`)

// New makes the page of the markdown source f, whose front matter is fm and
// rendered body r, for a site at baseURL. Sources under pages/ are
// standalone pages at /<slug>/, the others posts at /blog/<slug>/; the slug
// defaults to the file name (to the directory's for an index.md). An
// invalid slug or tag is an error at its place in fm.
func New(f source.File, fm *source.FrontMatter, r markdown.Rendered, baseURL string) (*Page, error) {
	p := &Page{
		Kind: "post", File: f.Path, Title: fm.Title, Description: fm.Description,
		Date: fm.Date, Lastmod: fm.Lastmod, Draft: fm.Draft, Aliases: fm.Aliases,
		Extra: fm.Extra, ShowTOC: fm.TOC, TOC: r.TOC, Content: r.HTML, Words: r.Words, Text: r.Text,
		ReadingTime: max(1, (r.Words+199)/200), fm: fm, Links: r.Links,
	}
	if strings.HasPrefix(f.Rel, "pages/") {
		p.Kind = "page"
	}
	p.Slug = fm.Slug
	if p.Slug == "" {
		base := strings.TrimSuffix(path.Base(f.Rel), ".md")
		if base == "index" && path.Dir(f.Rel) != "." {
			base = path.Base(path.Dir(f.Rel))
		}
		p.Slug = Slugify(base)
	} else if !slugRe.MatchString(p.Slug) {
		return nil, p.errorAt("slug", "slug %q: use letters, digits, '.', '_', '~' and '-' only", p.Slug)
	}
	if p.Title == "" {
		p.Title = p.Slug
	}
	if p.Kind == "post" {
		p.URL = "/blog/" + p.Slug + "/"
	} else {
		p.URL = "/" + p.Slug + "/"
	}
	p.Permalink = baseURL + p.URL
	p.OutPath = p.URL[1:] + "index.html"
	if p.Lastmod.IsZero() {
		p.Lastmod = p.Date
	}
	for _, t := range fm.Tags {
		s := Slugify(t)
		if s == "" {
			return nil, p.errorAt("tags", "tag %q has no letters or digits", t)
		}
		p.Tags = append(p.Tags, TagRef{Name: t, Slug: s, URL: "/tags/" + s + "/"})
	}
	return p, nil
}

// errorAt returns an error about p located at the value of the front-matter
// key.
func (p *Page) errorAt(key, format string, args ...any) *source.Error {
	line, col := p.fm.Locate(key)
	return source.ErrorAt(p.File, line, col, format, args...)
}

// Warnings returns the front-matter warnings of pages, in order.
func Warnings(pages []*Page) []string {
	var w []string
	for _, p := range pages {
		w = append(w, p.warnings()...)
	}
	return w
}

// warnings returns the front-matter warnings of p; none for a page made
// without front matter.
func (p *Page) warnings() []string {
	if p.fm == nil {
		return nil
	}
	return p.fm.Warnings
}
