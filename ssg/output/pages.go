package output

// posts plans a page per post. A post shows its neighbours' titles: its key
// covers them.
func (pl *planner) posts() {
	for _, p := range pl.Site.Posts {
		k := pl.Keys.New().Number(pl.navKey).Text("post").Number(p.Key)
		if p.Prev != nil {
			k.Number(p.Prev.Key)
		}
		if p.Next != nil {
			k.Number(p.Next.Key)
		}
		d := pl.data("post", p.Title, p.URL)
		d.Page, d.Description = p, p.Description
		pl.add(URLFile(p.URL), p.File, k.Key(), pl.Theme.Render("post.html", d))
	}
}

// pages plans a page per standalone page.
func (pl *planner) pages() {
	for _, p := range pl.Site.Pages {
		d := pl.data("page", p.Title, p.URL)
		d.Page, d.Description = p, p.Description
		k := pl.Keys.New().Number(pl.navKey).Text("page").Number(p.Key).Key()
		pl.add(URLFile(p.URL), p.File, k, pl.Theme.Render("page.html", d))
	}
}
