package output

import (
	"bytes"
	"strconv"

	"wasmsite/ssg/page"
)

// postList is a paginated list of posts: home, blog or a tag's.
type postList struct {
	kind, origin, base, title, heading, desc string
	posts                                    []*page.Page
	per, total                               int // posts a page, pages
	names                                    *listNames
	at                                       int    // index of its first page in the plan
	head                                     uint64 // what the keys of its pages start with
}

// listNames are the site paths, output paths and origins of the pages of
// the list at one URL, page n at n-1, kept from plan to plan: making them
// was half the cost of planning a list page.
type listNames struct {
	first                string // the list's origin: that of its first page
	urls, paths, origins []string
}

// postLists plans the paginated post lists: home, blog and one per tag (in
// the order of Site.Tags), and returns them in that order.
func (pl *planner) postLists() []*postList {
	site := pl.Site
	desc := site.Config.Description
	ls := make([]*postList, 0, 2+len(site.Tags))
	ls = append(ls,
		&postList{kind: "home", origin: "home page", base: "/", desc: desc, posts: site.Posts},
		&postList{kind: "blog", origin: "blog list", base: "/blog/", title: "Blog", heading: "All posts", desc: desc, posts: site.Posts})
	for _, tg := range site.Tags {
		ls = append(ls, &postList{kind: "tag", origin: "tag " + tg.Name, base: tg.URL, title: "Tag: " + tg.Name,
			heading: "Posts tagged “" + tg.Name + "”", posts: tg.Pages})
	}
	for _, l := range ls {
		pl.list(l)
	}
	return ls
}

// list plans the pages of l. A list page's key covers what it shows: its
// posts, its number and the number of pages.
func (pl *planner) list(l *postList) {
	l.per = pl.Site.Config.Paginate
	l.total = page.Pages(len(l.posts), l.per)
	l.names = pl.listNames(l)
	l.at = len(pl.files)
	l.head = pl.Keys.New().Number(pl.navKey).Text("list").Text(l.kind).Text(l.base).Text(l.title).Text(l.heading).Text(l.desc).
		Number(uint64(l.total)).Key()
	for n := 1; n <= l.total; n++ {
		pl.add(pl.listFile(l, n))
	}
}

// listFile returns page n of l.
func (pl *planner) listFile(l *postList, n int) File {
	k := pl.Keys.New().Number(l.head).Number(uint64(n))
	for _, p := range page.PageOf(l.posts, l.per, n) {
		k.Number(p.Key)
	}
	return file(l.names.paths[n-1], l.names.origins[n-1], k.Key(), pl.renderList(l, n))
}

// listNames returns the names of l's pages, made for the pages the last
// plans did not have.
func (pr *Planner) listNames(l *postList) *listNames {
	ln := pr.names[l.base]
	if ln == nil || ln.first != l.origin {
		ln = &listNames{first: l.origin}
		pr.names[l.base] = ln
	}
	for n := len(ln.urls) + 1; n <= l.total; n++ {
		u := page.PagerURL(l.base, n)
		o := l.origin
		if n > 1 {
			o += " page " + strconv.Itoa(n)
		}
		ln.urls, ln.paths, ln.origins = append(ln.urls, u), append(ln.paths, URLFile(u)), append(ln.origins, o)
	}
	return ln
}

// renderList returns the generator of page n of l. Its template data is
// made when it runs: most files of an incremental build are not generated.
func (pl *planner) renderList(l *postList, n int) func(*bytes.Buffer) error {
	return func(w *bytes.Buffer) error {
		pg := page.Pager(l.base, n, l.total)
		d := pl.data(l.kind, page.PagedTitle(l.title, n), pg.URL)
		d.Heading, d.Description, d.Pages, d.Paginator = l.heading, l.desc, page.PageOf(l.posts, l.per, n), pg
		return pl.Theme.Render("list.html", d)(w)
	}
}

// tagIndex returns the page listing the tags.
func (pl *planner) tagIndex() File {
	d := pl.data("tags", "Tags", "/tags/")
	d.Tags = pl.Site.Tags
	k := pl.Keys.New().Number(pl.tagsKey).Number(pl.contentKey).Key()
	return file("tags/index.html", "tag index", k, pl.Theme.Render("tags.html", d))
}

// notFound returns the 404 page.
func (pl *planner) notFound() File {
	d := pl.data("404", "Page not found", "/404.html")
	k := pl.Keys.New().Number(pl.SiteKey).Text("404").Number(pl.contentKey).Key()
	return file("404.html", "404 page", k, pl.Theme.Render("404.html", d))
}
