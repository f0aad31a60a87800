package site

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestSearchIndex: the build writes /search/ and an index of every rendered
// page, sharded so that an edit rewrites one shard; code blocks are left out
// of the text, which is cut at the limit.
func TestSearchIndex(t *testing.T) {
	dir := t.TempDir()
	files := sampleFiles()
	files["content/blog/code.md"] = post("code", "2022-09-09", "") + "\n```go\nfunc hiddenInCode() {}\n```\n\nAfter the code, `spanned` words.\n"
	files["content/blog/long.md"] = post("long", "2022-09-10", "") + "\n" + strings.Repeat("lengthy ", 600) + "\n"
	for i := range 600 { // more than a shard's worth of posts
		files[fmt.Sprintf("content/blog/gen/p%03d.md", i)] = post(fmt.Sprintf("p%03d", i), "2021-01-01", "")
	}
	writeTree(t, dir, files)
	b := NewBuilder(Options{ContentDir: filepath.Join(dir, "content"), OutDir: filepath.Join(dir, "public")})
	if _, err := b.Build(); err != nil {
		t.Fatal(err)
	}
	out := readTree(t, filepath.Join(dir, "public"))
	var manifest struct{ Shards []string }
	if err := json.Unmarshal([]byte(out["search/index.json"]), &manifest); err != nil || len(manifest.Shards) != 2 {
		t.Fatalf("search/index.json: %+v (%v), want 2 shards", manifest, err)
	}
	entries := map[string]map[string]any{}
	for _, u := range manifest.Shards {
		var shard []map[string]any
		if err := json.Unmarshal([]byte(out[strings.TrimPrefix(u, "/")]), &shard); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		for _, e := range shard {
			entries[e["u"].(string)] = e
		}
	}
	if len(entries) != 606 {
		t.Errorf("%d pages in the index, want 606 (posts and pages, no draft)", len(entries))
	}
	one := entries["/blog/one/"]
	if one["t"] != "Post one" || one["d"] != "2022-06-05" || one["s"] != "About one" || fmt.Sprint(one["g"]) != "[Go wasm]" ||
		!strings.HasPrefix(one["x"].(string), "Section Some text for one with a link.") {
		t.Errorf("/blog/one/ entry: %v", one)
	}
	if x := entries["/blog/code/"]["x"].(string); strings.Contains(x, "hiddenInCode") || !strings.Contains(x, "spanned words") {
		t.Errorf("code post text %q: code blocks are left out, code spans kept", x)
	}
	if x := entries["/blog/long/"]["x"].(string); len(x) > 2000 || len(x) < 1900 || strings.HasSuffix(x, " ") {
		t.Errorf("long post text: %d bytes, want about 2,000 cut at a word", len(x))
	}
	if _, ok := entries["/blog/draft/"]; ok {
		t.Error("a draft is in the index")
	}
	if !strings.Contains(out["search/index.html"], `<form class="search-form" action="/search/" method="get" role="search">`) ||
		!strings.Contains(out["index.html"], `<a href="/search/">Search</a>`) || strings.Contains(out["sitemap.xml"], "/search/") {
		t.Error("no search page, no link to it, or it is in the sitemap")
	}
	// An edit rewrites one shard.
	before := b.publisher.Keys()
	writeTree(t, dir, map[string]string{"content/blog/one.md": strings.Replace(files["content/blog/one.md"], "Some text", "Other text", 1)})
	if _, err := b.BuildChanged([]string{filepath.Join(dir, "content/blog/one.md")}); err != nil {
		t.Fatal(err)
	}
	changed := 0
	for _, u := range manifest.Shards {
		if p := strings.TrimPrefix(u, "/"); before[p] != b.publisher.Keys()[p] {
			changed++
		}
	}
	if changed != 1 {
		t.Errorf("an edit of one post changed %d shards, want 1", changed)
	}
}
