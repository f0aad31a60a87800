package output

import (
	"bytes"

	"wasmsite/ssg/page"
)

// posts plans a page per post, in the order of Site.Posts, from the first
// file of the plan.
func (pl *planner) posts() {
	for _, p := range pl.Site.Posts {
		pl.add(pl.postFile(p))
	}
}

// postFile returns the page of the post p. A post shows its neighbours'
// titles: its key covers them.
func (pl *planner) postFile(p *page.Page) File {
	k := pl.Keys.New().Number(pl.navKey).Text("post").Number(p.Key)
	if p.Prev != nil {
		k.Number(p.Prev.Key)
	}
	if p.Next != nil {
		k.Number(p.Next.Key)
	}
	return file(p.OutPath, p.File, k.Key(), pl.renderPage("post", "post.html", p))
}

// pages plans a page per standalone page, in the order of Site.Pages.
func (pl *planner) pages() {
	pl.pagesAt = len(pl.files)
	for _, p := range pl.Site.Pages {
		pl.add(pl.pageFile(p))
	}
}

// pageFile returns the page of the standalone page p.
func (pl *planner) pageFile(p *page.Page) File {
	k := pl.Keys.New().Number(pl.navKey).Text("page").Number(p.Key).Key()
	return file(p.OutPath, p.File, k, pl.renderPage("page", "page.html", p))
}

// renderPage returns the generator of p's page, of kind, with the template
// tmpl. Its template data is made when it runs: most files of an
// incremental build are not generated.
func (pl *planner) renderPage(kind, tmpl string, p *page.Page) func(*bytes.Buffer) error {
	return func(w *bytes.Buffer) error {
		d := pl.data(kind, p.Title, p.URL)
		d.Page, d.Description = p, p.Description
		return pl.Theme.Render(tmpl, d)(w)
	}
}
