package site

import (
	"fmt"
	"slices"

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

// lastPages are the inputs and pages of a build's parse: copies of the
// lists of files (a rescan changes them in place), and the page of each
// markdown source.
type lastPages struct {
	mds, statics, others []source.File
	all                  []*page.Page
	baseURL              string
}

// pages returns the pages of files.Markdown, in order, with their bundles
// (see page.AssignBundles), and how many sources it parsed: the page of an
// unchanged source is the one parsed before. When the sources are those of
// the last parse, in the same places, and the static and other files are
// too, only the sources whose stamps changed are looked at (see samePlaces);
// else every source is looked up in the cache.
func (b *Builder) pages(files source.Files, baseURL string) ([]*page.Page, int, error) {
	last := b.last
	all, todo, same := b.samePlaces(files, baseURL)
	if !same {
		all, todo = b.cached(files, baseURL)
	}
	b.last = nil
	if err := b.parseAll(files, baseURL, all, todo); err != nil {
		return nil, 0, err
	}
	if same {
		for _, i := range todo { // same source, bundle files and bundles
			all[i].Bundle = last.all[i].Bundle
		}
	} else {
		page.AssignBundles(files.Markdown, all, files.Other)
	}
	b.last = &lastPages{mds: slices.Clone(files.Markdown), statics: slices.Clone(files.Static),
		others: slices.Clone(files.Other), all: all, baseURL: baseURL}
	return all, len(todo), nil
}

// samePlaces returns the pages of the last parse and the indexes of the
// sources whose stamps changed since, and true, when every source is where
// it was then, under the same base URL, and the static and other files (the
// images pages show, the bundles' files) are as they were.
func (b *Builder) samePlaces(files source.Files, baseURL string) ([]*page.Page, []int, bool) {
	last := b.last
	mds := files.Markdown
	if last == nil || last.baseURL != baseURL || len(mds) != len(last.mds) ||
		!slices.Equal(files.Static, last.statics) || !slices.Equal(files.Other, last.others) {
		return nil, nil, false
	}
	var todo []int
	for i, f := range mds {
		if f == last.mds[i] {
			continue
		}
		if f.Rel != last.mds[i].Rel {
			return nil, nil, false
		}
		todo = append(todo, i)
	}
	return slices.Clone(last.all), todo, true
}

// cached returns the pages of files.Markdown the cache holds for their
// sources' stamps (nil elsewhere), and the indexes of the others. Sources
// that are gone leave the cache, and a new base URL empties it (pages hold
// absolute URLs).
func (b *Builder) cached(files source.Files, baseURL string) ([]*page.Page, []int) {
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
	return all, todo
}

// parseAll parses the sources of files.Markdown at todo, in parallel, into
// all and the cache.
func (b *Builder) parseAll(files source.Files, baseURL string, all []*page.Page, todo []int) error {
	mds, index := files.Markdown, &fileIndex{files: files}
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
		return err
	}
	for j, i := range todo {
		b.cache[mds[i].Rel] = &cacheEntry{mtime: mds[i].Mtime, size: mds[i].Size, page: all[i], deps: deps[j], build: b.builds}
	}
	return nil
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
