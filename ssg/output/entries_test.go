package output

import (
	"bytes"
	"testing"
	"time"

	"wasmsite/ssg/page"
)

// TestShardFromCache: a shard written from cached entries is byte for byte
// the one json.Encoder writes, with text that JSON escapes, and the cache
// gives the entry of a page again.
func TestShardFromCache(t *testing.T) {
	pages := []*page.Page{
		{URL: "/a/", Title: `"Quotes" & <tags>`, Text: "line\u2028sep\u2029 \x00 bad \xff utf-8 ünï 𝄞", Date: time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC),
			Tags: []page.TagRef{{Name: "Go"}, {Name: "c++"}}},
		{URL: "/b/", Title: "Plain", Description: "tab\there"},
	}
	for _, ps := range [][]*page.Page{pages, nil, pages[:1]} {
		var want, got bytes.Buffer
		if err := writeShard(&want, ps, nil); err != nil {
			t.Fatal(err)
		}
		cache := &entryCache{m: map[*page.Page][]byte{}}
		for range 2 {
			got.Reset()
			if err := writeShard(&got, ps, cache); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("from the cache:\n%s\nwant\n%s", got.Bytes(), want.Bytes())
			}
		}
	}
}
