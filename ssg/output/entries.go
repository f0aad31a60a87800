package output

import (
	"encoding/json"
	"sync"

	"wasmsite/ssg/page"
)

// entryCache holds the search index entries of pages, as JSON, so that a
// shard written again after an edit encodes only the entry that changed:
// encoding a shard of 500 pages, 1 MB, cost 5 ms. An entry depends on its
// page alone, which does not change once parsed. A planner makes one when
// it is first patched, and only the shards a patch redoes use it: a single
// build needs none, and the cache grows by the shards of the pages edited
// (all of them would hold 24 MB for 10,000 posts). Safe for concurrent use:
// shards are generated in parallel.
type entryCache struct {
	mu sync.Mutex
	m  map[*page.Page][]byte
}

// entry returns the JSON of p's entry.
func (c *entryCache) entry(p *page.Page) ([]byte, error) {
	c.mu.Lock()
	b, ok := c.m[p]
	c.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := json.Marshal(searchEntryOf(p))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.m[p] = b
	c.mu.Unlock()
	return b, nil
}

// drop forgets p's entry.
func (c *entryCache) drop(p *page.Page) {
	c.mu.Lock()
	delete(c.m, p)
	c.mu.Unlock()
}
