package output

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"time"

	"wasmsite/ssg/page"
)

// sitemapEntries calls add with every HTML page but the 404 page and
// aliases, in sitemap order, with its site path and, unless zero, when it
// last changed: each page of the paginated lists (home, blog, then the tag
// index, then the tags' lists in tag order), posts and pages. A list page's
// lastmod is the newest of the posts it shows. lists are home, blog and the
// tags' lists, as planned.
func sitemapEntries(site *page.Site, lists []*postList, add func(path string, lastmod time.Time)) {
	posts := site.Posts
	addList := func(l *postList) {
		for n := 1; n <= l.total; n++ {
			add(l.names.urls[n-1], newest(page.PageOf(l.posts, l.per, n)))
		}
	}
	addList(lists[0])
	addList(lists[1])
	all := newest(posts)
	add("/tags/", all)
	for _, l := range lists[2:] {
		addList(l)
	}
	for _, p := range posts {
		add(p.URL, p.Lastmod)
	}
	for _, p := range site.Pages {
		lm := p.Lastmod
		if lm.IsZero() {
			lm = all // undated pages: the site's last change
		}
		add(p.URL, lm)
	}
}

// writeSitemap writes the sitemap of site, whose lists are lists, with the
// paths of its entries made absolute by the base URL.
func writeSitemap(w *bytes.Buffer, site *page.Site, lists []*postList) error {
	baseURL := site.Config.BaseURL
	w.WriteString(xml.Header)
	w.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	var err error
	sitemapEntries(site, lists, func(path string, lastmod time.Time) {
		w.WriteString("  <url>\n    <loc>")
		if e := xml.EscapeText(w, []byte(baseURL+path)); e != nil && err == nil {
			err = e
		}
		w.WriteString("</loc>\n")
		if !lastmod.IsZero() {
			w.WriteString("    <lastmod>" + lastmod.Format("2006-01-02") + "</lastmod>\n")
		}
		w.WriteString("  </url>\n")
	})
	if err != nil {
		return err
	}
	w.WriteString("</urlset>\n")
	return nil
}

// sitemap adds sitemap.xml to the plan: every HTML page but the 404 page
// and aliases, from the same lists and pages as the plan so that it cannot
// drift. Its key covers exactly its entries (a lastmod by its instant and
// zone offset, which give its date): an edit that changes no page's address
// or date does not regenerate it. Another file at sitemap.xml is an error.
func (pl *planner) sitemap() error {
	if pl.paths.has("sitemap.xml") {
		for _, f := range pl.files {
			if f.Path == "sitemap.xml" {
				return fmt.Errorf("%s: output /sitemap.xml conflicts with the generated sitemap", f.Origin)
			}
		}
	}
	site, lists := pl.Site, pl.lists
	kh := pl.Keys.New().Number(pl.SiteKey).Text("sitemap")
	sitemapEntries(site, lists, func(path string, lastmod time.Time) {
		_, offset := lastmod.Zone()
		kh.Text(path).Number(uint64(lastmod.Unix())).Number(uint64(offset))
	})
	pl.add(file("sitemap.xml", "sitemap", kh.Key(), func(w *bytes.Buffer) error { return writeSitemap(w, site, lists) }))
	return nil
}
