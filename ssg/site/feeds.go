package site

import (
	"bytes"
	"encoding/xml"
	"html"
	"net/url"
	"regexp"
	"strings"
	"time"

	"wasmsite/ssg/page"
)

var urlAttrRe = regexp.MustCompile(`\b(?:href|src)="([^"]*)"`)

// absContent makes the links of feed content absolute URLs: feed readers
// have no page URL to resolve them against (some use the feed's). Site-absolute
// links get the base URL; relative ones, such as a page bundle's photo.jpg,
// are resolved against the post's permalink. Links with a scheme or host and
// fragment-only links are left as they are.
func absContent(baseURL string, p *page.Page) string {
	var base *url.URL
	return urlAttrRe.ReplaceAllStringFunc(string(p.Content), func(m string) string {
		q := strings.IndexByte(m, '"')
		v := m[q+1 : len(m)-1]
		switch {
		case v == "" || v[0] == '#' || strings.HasPrefix(v, "//"):
			return m
		case v[0] == '/':
			return m[:q+1] + baseURL + v + `"`
		}
		u, err := url.Parse(html.UnescapeString(v))
		if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" {
			return m
		}
		if base == nil {
			if base, err = url.Parse(p.Permalink); err != nil {
				return m
			}
		}
		return m[:q+1] + html.EscapeString(base.ResolveReference(u).String()) + `"`
	})
}

type rssFeed struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	AtomNS  string     `xml:"xmlns:atom,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssLink struct {
	XMLName xml.Name `xml:"atom:link"`
	Href    string   `xml:"href,attr"`
	Rel     string   `xml:"rel,attr"`
	Type    string   `xml:"type,attr"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language,omitempty"`
	Generator     string    `xml:"generator"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Self          rssLink   `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type rssItem struct {
	Title       string   `xml:"title"`
	Link        string   `xml:"link"`
	GUID        rssGUID  `xml:"guid"`
	PubDate     string   `xml:"pubDate"`
	Author      string   `xml:"author,omitempty"`
	Categories  []string `xml:"category"`
	Description string   `xml:"description"`
}

func newest(posts []*page.Page) time.Time {
	var t time.Time
	for _, p := range posts {
		if p.Lastmod.After(t) {
			t = p.Lastmod
		}
	}
	return t
}

func writeRSS(w *bytes.Buffer, site *page.Site, posts []*page.Page) error {
	cfg := site.Config
	desc := cfg.Description
	if desc == "" {
		desc = cfg.Title
	}
	f := rssFeed{Version: "2.0", AtomNS: "http://www.w3.org/2005/Atom", Channel: rssChannel{
		Title: cfg.Title, Link: cfg.BaseURL + "/", Description: desc, Language: cfg.Language,
		Generator: "wasmsite ssg",
		Self:      rssLink{Href: cfg.BaseURL + "/feed.xml", Rel: "self", Type: "application/rss+xml"},
	}}
	if t := newest(posts); !t.IsZero() {
		f.Channel.LastBuildDate = t.Format(time.RFC1123Z)
	}
	for _, p := range posts {
		it := rssItem{
			Title: p.Title, Link: p.Permalink, GUID: rssGUID{IsPermaLink: "true", Value: p.Permalink},
			PubDate: p.Date.Format(time.RFC1123Z), Description: absContent(cfg.BaseURL, p),
		}
		for _, t := range p.Tags {
			it.Categories = append(it.Categories, t.Name)
		}
		f.Channel.Items = append(f.Channel.Items, it)
	}
	return writeXML(w, f)
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomText struct {
	Type  string `xml:"type,attr,omitempty"`
	Value string `xml:",chardata"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string      `xml:"xml:lang,attr,omitempty"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Subtitle  string      `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Links      []atomLink     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    atomText       `xml:"content"`
}

func writeAtom(w *bytes.Buffer, site *page.Site, posts []*page.Page) error {
	cfg := site.Config
	author := cfg.Author
	if author == "" {
		author = cfg.Title
	}
	updated := newest(posts)
	if updated.IsZero() {
		updated = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	f := atomFeed{
		Lang: cfg.Language, ID: cfg.BaseURL + "/", Title: cfg.Title, Subtitle: cfg.Description,
		Updated: updated.Format(time.RFC3339),
		Links: []atomLink{
			{Href: cfg.BaseURL + "/atom.xml", Rel: "self", Type: "application/atom+xml"},
			{Href: cfg.BaseURL + "/", Rel: "alternate", Type: "text/html"},
		},
		Author: atomPerson{Name: author}, Generator: "wasmsite ssg",
	}
	for _, p := range posts {
		e := atomEntry{
			ID: p.Permalink, Title: p.Title,
			Updated: p.Lastmod.Format(time.RFC3339), Published: p.Date.Format(time.RFC3339),
			Links:   []atomLink{{Href: p.Permalink, Rel: "alternate", Type: "text/html"}},
			Content: atomText{Type: "html", Value: absContent(cfg.BaseURL, p)},
		}
		if p.Description != "" {
			e.Summary = &atomText{Type: "text", Value: p.Description}
		}
		for _, t := range p.Tags {
			e.Categories = append(e.Categories, atomCategory{Term: t.Slug, Label: t.Name})
		}
		f.Entries = append(f.Entries, e)
	}
	return writeXML(w, f)
}

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

func writeXML(w *bytes.Buffer, v any) error {
	w.WriteString(xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.WriteByte('\n')
	return nil
}
