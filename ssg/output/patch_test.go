package output

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"testing"
	"time"

	"wasmsite/ssg/config"
	"wasmsite/ssg/page"
	"wasmsite/ssg/source"
	"wasmsite/ssg/theme"
)

// patchSite is a site a test edits page by page: its pages, the model
// made of them, and a Planner that plans every version.
type patchSite struct {
	t       *testing.T
	all     []*page.Page
	model   page.Model
	planner *Planner
	in      Input // without Site and Patch
	keys    Keys
	now     time.Time
	// last are the paths and keys of the last plan, which the next one
	// patches in place.
	last []File
}

// newPatchSite returns a site of n posts (several search shards when n is
// over 1,000), some with aliases, a draft, and two standalone pages,
// planned once.
func newPatchSite(t *testing.T, n int) *patchSite {
	th, err := theme.Load(t.TempDir(), "https://example.org")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.BaseURL, cfg.Paginate, cfg.FeedLimit = "https://example.org", 3, 4
	s := &patchSite{t: t, planner: NewPlanner(), keys: NewKeys(), now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	s.in = Input{Theme: th, Keys: s.keys, SiteKey: 7, OutDir: t.TempDir(), Statics: []source.File{{Path: "c/static/a.txt", Rel: "static/a.txt"}}}
	tags := []page.TagRef{{Name: "Go", Slug: "go", URL: "/tags/go/"}, {Name: "web", Slug: "web", URL: "/tags/web/"}}
	for i := range n {
		p := &page.Page{Kind: "post", Slug: fmt.Sprint("p", i), Date: s.now.AddDate(0, 0, -i)}
		p.Tags = tags[i%2 : 1+i%3/2]
		if i%7 == 3 {
			p.Aliases = []string{fmt.Sprint("/old/", i, "/")}
		}
		p.Draft = i == 11
		s.all = append(s.all, p)
	}
	for _, slug := range []string{"about", "now"} {
		s.all = append(s.all, &page.Page{Kind: "page", Slug: slug})
	}
	for _, p := range s.all {
		p.URL = "/" + p.Kind + "/" + p.Slug + "/"
		if p.Kind == "page" {
			p.URL = "/" + p.Slug + "/"
		}
		p.OutPath, p.Permalink, p.File = p.URL[1:]+"index.html", "https://example.org"+p.URL, "c/"+p.Slug+".md"
		p.Lastmod = p.Date
		s.edit(p, "Page "+p.Slug, "first")
	}
	s.plan(false)
	return s
}

// edit sets p's title and content, and the key and card they give.
func (s *patchSite) edit(p *page.Page, title, content string) {
	p.Title, p.Content, p.Card = title, template.HTML("<p>"+content+"</p>"), template.HTML(title)
	p.Key = s.keys.New().Text(p.File).Text(title).Text(content).Text(p.Lastmod.String()).Text(fmt.Sprint(p.Aliases)).Key()
}

// replace puts an edited copy of the page at i of all in its place.
func (s *patchSite) replace(i int, change func(p *page.Page)) {
	c := *s.all[i]
	c.Prev, c.Next = nil, nil
	change(&c)
	s.edit(&c, c.Title, string(c.Content)+" edited")
	s.all[i] = &c
}

// plan updates the model and plans the site, patching the last plan when
// patch is set, and checks the plan against a fresh one; it returns whether
// the plan was patched.
func (s *patchSite) plan(patch bool) bool {
	t := s.t
	t.Helper()
	patched, err := s.model.Update(s.all, page.Filter{Now: s.now})
	if err != nil {
		t.Fatal(err)
	}
	in := s.in
	in.Site = page.NewSite(config.Config{BaseURL: "https://example.org", Paginate: 3, FeedLimit: 4}, s.model.Posts, s.model.Pages, s.model.Tags)
	if patch && patched {
		in.Patch = &Patch{Replaced: s.model.Replaced}
	}
	got, err := s.planner.Plan(in)
	if err != nil {
		t.Fatal(err)
	}
	in.Patch = nil
	want, err := NewPlanner().Plan(in)
	if err != nil {
		t.Fatal(err)
	}
	s.compare(got, want.Files)
	s.last = append(s.last[:0], got.Files...)
	return got.Changes != nil
}

// compare fails unless got has the files of want, in the same order, with
// the same keys and the same bytes (from a sample), and, when patched, names every file whose key
// differs from the last plan's.
func (s *patchSite) compare(got Planned, want []File) {
	t := s.t
	t.Helper()
	if len(got.Files) != len(want) {
		t.Fatalf("%d files, want %d", len(got.Files), len(want))
	}
	changed := map[int]bool{}
	if ch := got.Changes; ch != nil {
		for _, i := range ch.Indexes {
			changed[i] = true
		}
	}
	var a, b bytes.Buffer
	for i, f := range got.Files {
		w := want[i]
		if f.Path != w.Path || f.Origin != w.Origin || f.Key != w.Key {
			t.Fatalf("file %d: %s (%s) key %x, want %s (%s) key %x", i, f.Path, f.Origin, f.Key, w.Path, w.Origin, w.Key)
		}
		if got.Changes != nil && f.Key != s.last[i].Key && !changed[i] {
			t.Fatalf("file %d (%s): key changed, not in Changes", i, f.Path)
		}
		// Files are generated from a quarter of the places, and where they
		// changed; static files are not there to copy.
		if (i%4 != 0 && !changed[i]) || strings.HasPrefix(f.Origin, "c/static/") {
			continue
		}
		a.Reset()
		b.Reset()
		if err := f.Generate(&a); err != nil {
			t.Fatal(err)
		}
		if err := w.Generate(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("%s differs from a fresh plan's:\n%s\nwant\n%s", f.Path, a.Bytes(), b.Bytes())
		}
	}
}

// TestPatchMatchesFreshPlan edits a site of 1,100 posts in the ways a
// writer does, and checks every plan, patched or not, against a fresh plan
// of the same site: same files, keys and bytes.
func TestPatchMatchesFreshPlan(t *testing.T) {
	s := newPatchSite(t, 1100)
	title := func(tt string) func(p *page.Page) { return func(p *page.Page) { p.Title = tt } }
	cases := []struct {
		what  string
		edit  func()
		patch bool
	}{
		{"an old post's body", func() { s.replace(700, func(*page.Page) {}) }, true},
		{"the newest post's title", func() { s.replace(0, title("New title")) }, true},
		{"two neighbours", func() { s.replace(40, title("a")); s.replace(41, title("b")) }, true},
		{"a post with an alias", func() { s.replace(10, func(*page.Page) {}) }, true},
		{"a draft", func() { s.replace(11, func(*page.Page) {}) }, true},
		{"a standalone page's body", func() { s.replace(1100, func(*page.Page) {}) }, true},
		{"nothing", func() {}, true},
		{"the theme loaded again", func() {
			th, err := theme.Load(t.TempDir(), "https://example.org")
			if err != nil {
				t.Fatal(err)
			}
			s.in.Theme = th
			s.replace(20, title("t"))
		}, true},
		{"a standalone page's title", func() { s.replace(1101, title("Now!")) }, false},
		{"a post's modification date", func() { s.replace(5, func(p *page.Page) { p.Lastmod = p.Lastmod.Add(48 * time.Hour) }) }, false},
		{"a post's aliases", func() { s.replace(17, func(p *page.Page) { p.Aliases = []string{"/x/"} }) }, false},
		{"static files", func() {
			s.in.Statics = []source.File{{Path: "c/static/b.txt", Rel: "static/b.txt"}}
			s.replace(3, title("c"))
		}, false},
		{"a post again", func() { s.replace(3, title("d")) }, true},
	}
	for _, c := range cases {
		c.edit()
		if patched := s.plan(true); patched != c.patch {
			t.Errorf("%s: patched %v, want %v", c.what, patched, c.patch)
		}
	}
	// An edit the planner was not told of (its build failed before the
	// plan) makes a whole plan.
	s.replace(600, title("unplanned"))
	if _, err := s.model.Update(s.all, page.Filter{Now: s.now}); err != nil {
		t.Fatal(err)
	}
	s.replace(601, title("planned"))
	if s.plan(true) {
		t.Error("patched a plan that missed an edit")
	}
}
