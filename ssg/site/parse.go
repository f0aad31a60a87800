package site

import (
	"fmt"

	"wasmsite/ssg/disk"
	"wasmsite/ssg/markdown"
	"wasmsite/ssg/output"
	"wasmsite/ssg/page"
	"wasmsite/ssg/pool"
	"wasmsite/ssg/source"
)

// cacheEntry is a page as parsed from a source of this size and
// modification time (ns).
type cacheEntry struct {
	mtime, size int64
	page        *page.Page
	deps        []imageDep // the image files it shows, as they were
	build       int        // the last build that used it
}

// parseChanged returns the pages of mds, in order: the cached page of an
// unchanged source, else a new one, parsed in parallel; and how many it
// parsed. Sources that are gone leave the cache, and a new base URL empties
// it (pages hold absolute URLs).
func (b *Builder) parseChanged(files source.Files, baseURL string) ([]*page.Page, int, error) {
	mds, index := files.Markdown, &fileIndex{files: files}
	b.builds++
	if baseURL != b.baseURL {
		clear(b.cache)
		b.baseURL = baseURL
	}
	all := make([]*page.Page, len(mds))
	var todo []int
	stale := len(b.cache) // entries of no source of mds
	for i, f := range mds {
		c := b.cache[f.Rel]
		if c != nil {
			stale--
		}
		if c != nil && c.mtime == f.Mtime && c.size == f.Size && !depsChanged(c.deps, index) {
			all[i], c.build = c.page, b.builds
			continue
		}
		todo = append(todo, i)
	}
	if stale > 0 {
		for rel, c := range b.cache {
			if c.build != b.builds {
				delete(b.cache, rel)
			}
		}
	}
	paths := make([]string, len(todo))
	for j, i := range todo {
		paths[j] = mds[i].Path
	}
	disk.Prefetch(paths)
	deps := make([][]imageDep, len(todo))
	if len(todo) > 0 {
		index.build() // before the parallel parses read it
	}
	err := pool.Run(len(todo), b.opts.Workers, func(j int) error {
		i := todo[j]
		p, err := b.parse(mds[i], baseURL, b.imageResolver(mds[i], index, &deps[j]))
		all[i] = p
		if p != nil {
			p.Key = b.keys.New().Number(p.Key).Number(b.depsKey(deps[j])).Key()
		}
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	for j, i := range todo {
		b.cache[mds[i].Rel] = &cacheEntry{mtime: mds[i].Mtime, size: mds[i].Size, page: all[i], deps: deps[j], build: b.builds}
	}
	return all, len(todo), nil
}

// parse reads and renders the markdown source f into its page, with images
// known from images.
func (b *Builder) parse(f source.File, baseURL string, images func(string) (markdown.Image, bool)) (*page.Page, error) {
	src, err := f.Read()
	if err != nil {
		return nil, err
	}
	fm, body, err := source.ParseFrontMatter(f.Path, src)
	if err != nil {
		return nil, err
	}
	r, err := markdown.RenderWith(body, markdown.Options{Images: images, TextLimit: output.SearchTextLimit})
	if err != nil {
		return nil, fmt.Errorf("%s:1:1: markdown: %v", f.Path, err)
	}
	p, err := page.New(f, fm, r, baseURL)
	if err != nil {
		return nil, err
	}
	p.Key = b.keys.New().Text(f.Rel).Text(baseURL).Bytes(src).Key()
	return p, nil
}
