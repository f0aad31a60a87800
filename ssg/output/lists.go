package output

import (
	"strconv"

	"wasmsite/ssg/page"
)

// lists plans the paginated post lists: home, blog and one per tag (in the
// order of Site.Tags), and returns their pages for the sitemap.
func (pl *planner) lists() (home, blog []page.List, tags [][]page.List) {
	site := pl.Site
	desc := site.Config.Description
	home = pl.list("home", "home page", "/", "", "", desc, site.Posts)
	blog = pl.list("blog", "blog list", "/blog/", "Blog", "All posts", desc, site.Posts)
	tags = make([][]page.List, len(site.Tags))
	for i, tg := range site.Tags {
		tags[i] = pl.list("tag", "tag "+tg.Name, tg.URL, "Tag: "+tg.Name, "Posts tagged “"+tg.Name+"”", "", tg.Pages)
	}
	return home, blog, tags
}

// list plans the pages of the list of posts at base. A list page's key
// covers what it shows: its posts, its number and the number of pages.
func (pl *planner) list(kind, origin, base, title, heading, desc string, posts []*page.Page) []page.List {
	lps := page.Paginate(posts, pl.Site.Config.Paginate, base)
	for _, lp := range lps {
		pg := lp.Paginator
		k := pl.Keys.New().Number(pl.navKey).Text("list").Text(kind).Text(base).Text(title).Text(heading).Text(desc).
			Number(uint64(pg.Number)).Number(uint64(pg.Total))
		for _, p := range lp.Posts {
			k.Number(p.Key)
		}
		d := pl.data(kind, page.PagedTitle(title, pg.Number), pg.URL)
		d.Heading, d.Description, d.Pages, d.Paginator = heading, desc, lp.Posts, pg
		o := origin
		if pg.Number > 1 {
			o += " page " + strconv.Itoa(pg.Number)
		}
		pl.add(URLFile(pg.URL), o, k.Key(), pl.Theme.Render("list.html", d))
	}
	return lps
}

// tagIndex plans the page listing the tags.
func (pl *planner) tagIndex() {
	d := pl.data("tags", "Tags", "/tags/")
	d.Tags = pl.Site.Tags
	k := pl.Keys.New().Number(pl.tagsKey).Number(pl.contentKey).Key()
	pl.add("tags/index.html", "tag index", k, pl.Theme.Render("tags.html", d))
}

// notFound plans the 404 page.
func (pl *planner) notFound() {
	d := pl.data("404", "Page not found", "/404.html")
	k := pl.Keys.New().Number(pl.SiteKey).Text("404").Number(pl.contentKey).Key()
	pl.add("404.html", "404 page", k, pl.Theme.Render("404.html", d))
}
