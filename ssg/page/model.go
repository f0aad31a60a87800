package page

import (
	"slices"
	"sort"
)

// Model is a site's pages as Select keeps them, ordered by Order, with
// their Tags, kept from build to build. Most rebuilds change the content of
// a page or two and nothing that places them: Update then patches the model
// in place instead of selecting, sorting and grouping 10,000 pages again
// (11 ms). The zero value is an empty model. Not safe for concurrent use.
type Model struct {
	Selection
	Tags []*Tag
	// Replaced are the pages Update put in place of others, in the order of
	// the pages it was given, when it patched the model (selected or not);
	// nil when it made it afresh. Changed are those that are posts.
	Replaced []Replacement
	Changed  []*Page

	all    []*Page // the pages last selected from
	filter Filter  // what they were selected with
	made   bool    // all, Selection and Tags are a model of all
	// warnings are Warnings(all), when warned.
	warnings []string
	warned   bool
}

// Replacement is a page that replaced another of the same shape in a
// patched Model.
type Replacement struct{ Old, New *Page }

// maxPatched is the most pages Update replaces in place: each costs a scan
// of the posts and of its tags' posts.
const maxPatched = 16

// Update makes m the model of all under f: m.Selection is what Select(all,
// f) returns, ordered by Order, and m.Tags are Tags(m.Posts). When the
// pages of all are those of the last Update but a few (by pointer), of the
// same shape (see sameShape), under the same filter but a later time at
// which no page left out for its date has become due, it patches m and
// reports true. Errors are Select's; the next Update then starts afresh.
func (m *Model) Update(all []*Page, f Filter) (patched bool, err error) {
	if m.patch(all, f) {
		return true, nil
	}
	m.made, m.warned, m.Replaced, m.Changed = false, false, nil, nil
	sel, err := Select(all, f)
	if err != nil {
		return false, err
	}
	Order(sel.Posts, sel.Pages)
	m.Selection, m.Tags = sel, Tags(sel.Posts)
	m.all, m.filter, m.made = slices.Clone(all), f, true
	return false, nil
}

// patch puts the pages of all that replace others of the same shape in
// their places, and reports whether it could.
func (m *Model) patch(all []*Page, f Filter) bool {
	last := m.filter
	if !m.made || len(all) != len(m.all) || f.Drafts != last.Drafts || f.Future != last.Future || f.Now.Before(last.Now) ||
		(!m.NextDue.IsZero() && !f.Now.Before(m.NextDue)) {
		return false
	}
	var changed []int
	for i, p := range all {
		if p == m.all[i] {
			continue
		}
		if len(changed) == maxPatched || !sameShape(m.all[i], p) {
			return false
		}
		changed = append(changed, i)
	}
	m.Replaced, m.Changed = nil, nil
	for _, i := range changed {
		if len(m.all[i].warnings()) > 0 || len(all[i].warnings()) > 0 {
			m.warned = false
		}
		m.replace(m.all[i], all[i])
		m.Replaced = append(m.Replaced, Replacement{m.all[i], all[i]})
		m.all[i] = all[i]
	}
	m.filter = f
	return true
}

// Warnings returns the front-matter warnings of the pages of the last
// Update, selected or not, in their order: Warnings of them, kept while
// patches replace pages without warnings by pages without. They must not be
// changed.
func (m *Model) Warnings() []string {
	if !m.warned {
		m.warnings, m.warned = Warnings(m.all), true
	}
	return m.warnings
}

// sameShape reports whether b would be selected, ordered and tagged as a
// is: same kind, slug, date, draft flag and tags.
func sameShape(a, b *Page) bool {
	return a.Kind == b.Kind && a.Slug == b.Slug && a.URL == b.URL && a.Date.Equal(b.Date) &&
		a.Draft == b.Draft && slices.Equal(a.Tags, b.Tags)
}

// replace puts p in old's places: in the posts, linked to old's neighbours,
// in the posts of its tags, or in the standalone pages. A page that was
// not selected is in none.
func (m *Model) replace(old, p *Page) {
	if i := slices.Index(m.Pages, old); i >= 0 {
		m.Pages[i] = p
		return
	}
	i := slices.Index(m.Posts, old)
	if i < 0 {
		return
	}
	m.Posts[i] = p
	m.Changed = append(m.Changed, p)
	p.Prev, p.Next = old.Prev, old.Next
	if p.Prev != nil {
		p.Prev.Next = p
	}
	if p.Next != nil {
		p.Next.Prev = p
	}
	for _, t := range p.Tags {
		j := sort.Search(len(m.Tags), func(j int) bool { return m.Tags[j].Slug >= t.Slug })
		if j == len(m.Tags) || m.Tags[j].Slug != t.Slug {
			continue // not reached: old had the tag
		}
		if k := slices.Index(m.Tags[j].Pages, old); k >= 0 {
			m.Tags[j].Pages[k] = p
		}
	}
}
