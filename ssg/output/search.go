package output

import (
	"bytes"
	"encoding/json"
	"hash/fnv"
	"strconv"

	"wasmsite/ssg/page"
)

// SearchTextLimit is how many bytes of each page's plain text the search
// index holds: with the title, description and tags, enough to find a post
// by what it is about, while 10,000 posts stay a download of a few MB.
const SearchTextLimit = 2000

// searchShardPages is about how many pages a shard of the search index
// holds: an edit rewrites only its page's shard.
const searchShardPages = 500

// searchEntry is a page as the search index holds it.
type searchEntry struct {
	URL   string   `json:"u"`
	Title string   `json:"t"`
	Date  string   `json:"d,omitempty"` // YYYY-MM-DD
	Desc  string   `json:"s,omitempty"`
	Tags  []string `json:"g,omitempty"`
	Text  string   `json:"x,omitempty"`
}

// search plans the search page and its index: /search/index.json lists the
// shards, /search/<n>.json, each the entries of the rendered pages whose URL
// hashes to it (see shardOf), in site order (posts newest first, then
// pages).
func (pl *planner) search() {
	pages := pl.rendered
	n := max(1, (len(pages)+searchShardPages-1)/searchShardPages)
	pl.shards = make([][]*page.Page, n)
	for _, p := range pages {
		i := shardOf(p, n)
		pl.shards[i] = append(pl.shards[i], p)
	}
	pl.shardsAt = len(pl.files)
	urls := make([]string, n)
	for i := range pl.shards {
		urls[i] = "/" + pl.files[pl.add(pl.shardFile(i, nil))].Path
	}
	k := pl.Keys.New().Number(pl.SiteKey).Text("search index").Number(uint64(n)).Key()
	pl.add(file("search/index.json", "search index", k, func(w *bytes.Buffer) error {
		return json.NewEncoder(w).Encode(map[string][]string{"shards": urls})
	}))
	d := pl.data("search", "Search", "/search/")
	pl.add(file("search/index.html", "search page", pl.Keys.New().Number(pl.navKey).Text("search").Key(), pl.Theme.Render("search.html", d)))
}

// shardOf returns the shard of n that holds p.
func shardOf(p *page.Page, n int) int {
	h := fnv.New32a()
	h.Write([]byte(p.URL))
	return int(h.Sum32() % uint32(n))
}

// shardFile returns shard i of the search index, written with the entries
// of cache when it is not nil.
func (pl *planner) shardFile(i int, cache *entryCache) File {
	sh := pl.shards[i]
	k := pl.Keys.New().Number(pl.SiteKey).Text("search shard").Number(uint64(i))
	for _, p := range sh {
		k.Number(p.Key)
	}
	return file("search/"+strconv.Itoa(i)+".json", "search index", k.Key(), func(w *bytes.Buffer) error { return writeShard(w, sh, cache) })
}

// writeShard writes the entries of pages as a JSON array, taking them from
// cache when it is not nil.
func writeShard(w *bytes.Buffer, pages []*page.Page, cache *entryCache) error {
	if cache == nil {
		entries := make([]searchEntry, len(pages))
		for i, p := range pages {
			entries[i] = searchEntryOf(p)
		}
		return json.NewEncoder(w).Encode(entries)
	}
	// As json.Encoder writes a slice: each element as json.Marshal does.
	w.WriteByte('[')
	for i, p := range pages {
		if i > 0 {
			w.WriteByte(',')
		}
		b, err := cache.entry(p)
		if err != nil {
			return err
		}
		w.Write(b)
	}
	w.WriteString("]\n")
	return nil
}

// searchEntryOf returns p's entry in the search index.
func searchEntryOf(p *page.Page) searchEntry {
	e := searchEntry{URL: p.URL, Title: p.Title, Desc: p.Description, Text: p.Text}
	if !p.Date.IsZero() {
		e.Date = p.Date.Format("2006-01-02")
	}
	for _, t := range p.Tags {
		e.Tags = append(e.Tags, t.Name)
	}
	return e
}
