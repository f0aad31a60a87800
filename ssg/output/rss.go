package output

import (
	"bytes"
	"encoding/xml"
	"time"

	"wasmsite/ssg/page"
)

// rssFeed and the rss types it holds are the RSS 2.0 elements the feed
// has, as encoding/xml writes them.
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

// writeRSS writes the RSS 2.0 feed of site showing posts, with their full
// content.
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
