package output

import (
	"bytes"
	"encoding/xml"
	"time"

	"wasmsite/ssg/page"
)

// atomFeed and the atom types it holds are the Atom (RFC 4287) elements
// the feed has, as encoding/xml writes them.
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

// writeAtom writes the Atom feed of site showing posts, with their full
// content.
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
