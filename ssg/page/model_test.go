package page

import (
	"fmt"
	"testing"
	"time"

	"wasmsite/ssg/source"
)

// modelPages returns n pages: posts dated a day apart (some on the same
// day), a draft, one in the future, with tags among three, and standalone
// pages.
func modelPages(n int, now time.Time) []*Page {
	var all []*Page
	tags := []TagRef{{"Go", "go", "/tags/go/"}, {"wasm", "wasm", "/tags/wasm/"}, {"Web", "web", "/tags/web/"}}
	for i := range n {
		p := &Page{Kind: "post", Slug: fmt.Sprint("p", i), Title: fmt.Sprint("Post ", i), Date: now.AddDate(0, 0, -n+i/2), fm: &source.FrontMatter{}}
		p.Tags = []TagRef{tags[i%3], tags[(i/3)%3]}
		if i%3 == (i/3)%3 {
			p.Tags = p.Tags[:1]
		}
		p.Draft = i == 5
		all = append(all, p)
	}
	all[n-1].Date = now.Add(time.Hour)
	for _, s := range []string{"about", "contact"} {
		all = append(all, &Page{Kind: "page", Slug: s, Title: s, fm: &source.FrontMatter{}})
	}
	for _, p := range all {
		p.URL = "/" + p.Kind + "/" + p.Slug + "/"
	}
	return all
}

// describe returns the places of m's pages: posts with their neighbours,
// pages, tags and their posts, and when a post comes due. Pages are shared
// between models, and Order links them: a model is described before
// another is made.
func describe(m *Model) string {
	list := func(ps []*Page) string {
		out := ""
		for _, p := range ps {
			out += fmt.Sprintf("%p<%p>%p ", p.Prev, p, p.Next)
		}
		return out
	}
	out := fmt.Sprintf("posts %s\npages %s\ndue %v\n", list(m.Posts), list(m.Pages), m.NextDue)
	for _, tg := range m.Tags {
		out += fmt.Sprintf("tag %s %s %s: %s\n", tg.Slug, tg.Name, tg.URL, list(tg.Pages))
	}
	return out
}

// TestModelPatch: an Update that replaces a few pages by pages of the same
// shape patches the model, and the model is then the one an Update made
// afresh; any other change makes it afresh.
func TestModelPatch(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	all := modelPages(40, now)
	var m Model
	if patched, err := m.Update(all, Filter{Now: now}); err != nil || patched {
		t.Fatalf("first update: patched %v, %v", patched, err)
	}
	clone := func(p *Page) *Page { c := *p; c.Prev, c.Next = nil, nil; c.Title += " edited"; return &c }
	cases := []struct {
		what   string
		change func(all []*Page) []*Page
		now    time.Time
		patch  bool
	}{
		{"nothing", func(all []*Page) []*Page { return all }, now, true},
		{"a post's content", func(all []*Page) []*Page { all[7] = clone(all[7]); return all }, now, true},
		{"the newest and oldest posts", func(all []*Page) []*Page { all[0], all[38] = clone(all[0]), clone(all[38]); return all }, now, true},
		{"two posts of one day", func(all []*Page) []*Page { all[10], all[11] = clone(all[10]), clone(all[11]); return all }, now, true},
		{"a draft", func(all []*Page) []*Page { all[5] = clone(all[5]); return all }, now, true},
		{"a future post", func(all []*Page) []*Page { all[39] = clone(all[39]); return all }, now, true},
		{"a standalone page", func(all []*Page) []*Page { all[40] = clone(all[40]); return all }, now, true},
		{"a date", func(all []*Page) []*Page {
			c := clone(all[7])
			c.Date = c.Date.AddDate(0, 0, 5)
			all[7] = c
			return all
		}, now, false},
		{"a tag", func(all []*Page) []*Page { c := clone(all[16]); c.Tags = c.Tags[:1]; all[16] = c; return all }, now, false},
		{"a tag's name", func(all []*Page) []*Page {
			c := clone(all[9])
			c.Tags = append([]TagRef{}, c.Tags...)
			c.Tags[0].Name = "GO"
			all[9] = c
			return all
		}, now, false},
		{"a slug", func(all []*Page) []*Page {
			c := clone(all[12])
			c.Slug, c.URL = "x", "/post/x/"
			all[12] = c
			return all
		}, now, false},
		{"a draft flag", func(all []*Page) []*Page { c := clone(all[13]); c.Draft = true; all[13] = c; return all }, now, false},
		{"a post added", func(all []*Page) []*Page { c := clone(all[14]); c.Slug, c.URL = "y", "/post/y/"; return append(all, c) }, now, false},
		{"a post removed", func(all []*Page) []*Page { return all[1:] }, now, false},
		{"a post become due", func(all []*Page) []*Page { return all }, now.Add(2 * time.Hour), false},
		{"the clock set back", func(all []*Page) []*Page { return all }, now.Add(-time.Minute), false},
		{"drafts shown", func(all []*Page) []*Page { return all }, now, false},
		{"many posts", func(all []*Page) []*Page {
			for i := range maxPatched + 1 {
				all[i] = clone(all[i])
			}
			return all
		}, now, false},
	}
	for _, c := range cases {
		// Each case starts from the model of all as it is.
		if _, err := m.Update(all, Filter{Now: now}); err != nil {
			t.Fatal(err)
		}
		all = c.change(append([]*Page{}, all...))
		f := Filter{Now: c.now, Drafts: c.what == "drafts shown"}
		patched, err := m.Update(all, f)
		if err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if patched != c.patch {
			t.Errorf("%s: patched %v, want %v", c.what, patched, c.patch)
		}
		got := describe(&m)
		var fresh Model
		if _, err := fresh.Update(all, f); err != nil {
			t.Fatal(err)
		}
		if want := describe(&fresh); got != want {
			t.Errorf("%s: model\n%s\nwant (made afresh)\n%s", c.what, got, want)
		}
	}
}
