package output

import "wasmsite/ssg/page"

// aliases plans a redirecting page per alias of every rendered page.
func (pl *planner) aliases() error {
	for _, p := range pl.rendered {
		for _, a := range p.Aliases {
			u, err := page.AliasURL(p, a)
			if err != nil {
				return err
			}
			d := pl.data("alias", p.Title, p.URL)
			k := pl.Keys.New().Number(pl.SiteKey).Text("alias").Text(u).Number(p.Key).Key()
			pl.add(URLFile(u), p.File+" (alias "+a+")", k, pl.Theme.Render("alias.html", d))
		}
	}
	return nil
}
