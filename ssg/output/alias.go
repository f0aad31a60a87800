package output

import "wasmsite/ssg/page"

// aliases plans a redirecting page per alias of every rendered page.
func (pl *planner) aliases() error {
	for _, p := range pl.rendered {
		if len(p.Aliases) == 0 {
			continue
		}
		files, err := pl.aliasFiles(p)
		if err != nil {
			return err
		}
		pl.aliasAt[p] = len(pl.files)
		pl.files = append(pl.files, files...)
	}
	return nil
}

// aliasFiles returns the redirecting pages of p's aliases.
func (pl *planner) aliasFiles(p *page.Page) ([]File, error) {
	files := make([]File, len(p.Aliases))
	for i, a := range p.Aliases {
		u, err := page.AliasURL(p, a)
		if err != nil {
			return nil, err
		}
		d := pl.data("alias", p.Title, p.URL)
		k := pl.Keys.New().Number(pl.SiteKey).Text("alias").Text(u).Number(p.Key).Key()
		files[i] = file(URLFile(u), p.File+" (alias "+a+")", k, pl.Theme.Render("alias.html", d))
	}
	return files, nil
}
