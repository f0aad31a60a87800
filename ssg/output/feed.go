package output

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

// urlAttrRe matches the link attributes of rendered content: href and src
// hold a URL, srcset a list of "URL width" candidates.
var urlAttrRe = regexp.MustCompile(`\b(?:href|src|srcset)="([^"]*)"`)

// absContent makes the links of feed content absolute URLs: feed readers
// have no page URL to resolve them against (some use the feed's). Site-absolute
// links get the base URL; relative ones, such as a page bundle's photo.jpg,
// are resolved against the post's permalink. Links with a scheme or host and
// fragment-only links are left as they are.
func absContent(baseURL string, p *page.Page) string {
	var base *url.URL
	abs := func(v string) string {
		switch {
		case v == "" || v[0] == '#' || strings.HasPrefix(v, "//"):
			return v
		case v[0] == '/':
			return baseURL + v
		}
		u, err := url.Parse(html.UnescapeString(v))
		if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" {
			return v
		}
		if base == nil {
			if base, err = url.Parse(p.Permalink); err != nil {
				base = nil
				return v
			}
		}
		return html.EscapeString(base.ResolveReference(u).String())
	}
	return urlAttrRe.ReplaceAllStringFunc(string(p.Content), func(m string) string {
		q := strings.IndexByte(m, '"')
		v := m[q+1 : len(m)-1]
		if !strings.HasPrefix(m, "srcset") {
			return m[:q+1] + abs(v) + `"`
		}
		cands := strings.Split(v, ",")
		for i, c := range cands {
			c = strings.TrimSpace(c)
			u, desc, _ := strings.Cut(c, " ")
			cands[i] = strings.TrimSpace(abs(u) + " " + desc)
		}
		return m[:q+1] + strings.Join(cands, ", ") + `"`
	})
}

// newest returns the latest Lastmod of posts; zero without posts.
func newest(posts []*page.Page) time.Time {
	var t time.Time
	for _, p := range posts {
		if p.Lastmod.After(t) {
			t = p.Lastmod
		}
	}
	return t
}

// writeXML writes an XML declaration and v, indented, and a final newline.
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

// feeds plans the RSS and Atom feeds.
func (pl *planner) feeds() {
	rss, atom := pl.feedFiles()
	pl.feedsAt = pl.add(rss)
	pl.add(atom)
}

// feedFiles returns the RSS and Atom feeds of the FeedLimit newest posts.
func (pl *planner) feedFiles() (rss, atom File) {
	posts := pl.Site.Posts[:min(pl.Site.Config.FeedLimit, len(pl.Site.Posts))]
	k := pl.Keys.New().Number(pl.SiteKey).Text("feed")
	for _, p := range posts {
		k.Number(p.Key)
	}
	feedKey := k.Key()
	return file("feed.xml", "RSS feed", feedKey, func(w *bytes.Buffer) error { return writeRSS(w, pl.Site, posts) }),
		file("atom.xml", "Atom feed", feedKey, func(w *bytes.Buffer) error { return writeAtom(w, pl.Site, posts) })
}
