package output

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"sort"
	"time"

	"wasmsite/ssg/page"
)

// sitemapEntry is a page of the sitemap: its site path and, unless zero,
// when it last changed.
type sitemapEntry struct {
	path    string
	lastmod time.Time
}

// sitemapEntries lists every HTML page but the 404 page and aliases: each page
// of the paginated lists (home, blog, tags, in tag order), the tag index, posts
// and pages. A list page's lastmod is the newest of the posts it shows.
func sitemapEntries(site *page.Site, home, blog []page.List, tags [][]page.List) []sitemapEntry {
	posts := site.Posts
	var es []sitemapEntry
	addList := func(lps []page.List) {
		for _, lp := range lps {
			es = append(es, sitemapEntry{lp.Paginator.URL, newest(lp.Posts)})
		}
	}
	addList(home)
	addList(blog)
	es = append(es, sitemapEntry{"/tags/", newest(posts)})
	for _, lps := range tags {
		addList(lps)
	}
	for _, p := range posts {
		es = append(es, sitemapEntry{p.URL, p.Lastmod})
	}
	for _, p := range site.Pages {
		lm := p.Lastmod
		if lm.IsZero() {
			lm = newest(posts) // undated pages: the site's last change
		}
		es = append(es, sitemapEntry{p.URL, lm})
	}
	return es
}

// writeSitemap writes the sitemap of es, with their paths made absolute by
// baseURL.
func writeSitemap(w *bytes.Buffer, baseURL string, es []sitemapEntry) error {
	w.WriteString(xml.Header)
	w.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for _, e := range es {
		w.WriteString("  <url>\n    <loc>")
		if err := xml.EscapeText(w, []byte(baseURL+e.path)); err != nil {
			return err
		}
		w.WriteString("</loc>\n")
		if !e.lastmod.IsZero() {
			w.WriteString("    <lastmod>" + e.lastmod.Format("2006-01-02") + "</lastmod>\n")
		}
		w.WriteString("  </url>\n")
	}
	w.WriteString("</urlset>\n")
	return nil
}

// sitemap inserts sitemap.xml in the sorted plan: every HTML page but the
// 404 page and aliases, from the same lists and pages as the plan so that
// it cannot drift. Its key covers exactly its entries: an edit that changes
// no page's address or date does not regenerate it. Another file at
// sitemap.xml is an error.
func (pl *planner) sitemap(home, blog []page.List, tags [][]page.List) error {
	entries := sitemapEntries(pl.Site, home, blog, tags)
	baseURL := pl.Site.Config.BaseURL
	kh := pl.Keys.New().Number(pl.SiteKey).Text("sitemap")
	for _, e := range entries {
		kh.Text(e.path).Number(uint64(e.lastmod.Unix()))
	}
	k := kh.Key()
	sm := File{Path: "sitemap.xml", Origin: "sitemap", Key: k, Generate: func(w *bytes.Buffer) error { return writeSitemap(w, baseURL, entries) }}
	files := pl.files
	i := sort.Search(len(files), func(i int) bool { return files[i].Path >= "sitemap.xml" })
	if i < len(files) && files[i].Path == "sitemap.xml" {
		return fmt.Errorf("%s: output /sitemap.xml conflicts with the generated sitemap", files[i].Origin)
	}
	pl.files = append(files[:i], append([]File{sm}, files[i:]...)...)
	return nil
}
