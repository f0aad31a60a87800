// Package site is the wasmsite static site generator: it renders the
// markdown content directory into a static site.
package site

import (
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	toml "github.com/pelletier/go-toml/v2"

	"wasmsite/ssg/config"
	"wasmsite/ssg/disk"
	"wasmsite/ssg/markdown"
	"wasmsite/ssg/output"
	"wasmsite/ssg/page"
	"wasmsite/ssg/pool"
	"wasmsite/ssg/source"
	"wasmsite/ssg/theme"
)

// Options configure a build.
type Options struct {
	ContentDir string // default "content"
	OutDir     string // default "public"
	ConfigFile string // default <ContentDir>/site.toml
	Drafts     bool   // render drafts too
	BaseURL    string // overrides site.toml base_url when set
	Workers    int    // default GOMAXPROCS
	// Gzip also writes a gzip-compressed sibling (name.gz, best compression, no name or
	// mtime in the header, so builds stay byte-identical) of every text output of at
	// least GzipMinSize bytes, which the static component serves instead of compressing
	// per request.
	Gzip bool
	Warn io.Writer
}

// Result summarises a build.
type Result struct {
	Posts, Pages int // rendered posts and standalone pages
	Files        int // files in the output
	Parsed       int // sources parsed in this build
	Written      int // files written in this build
	// ReadBack counts files of the reused previous generation that were read
	// back to compare, for want of a usable sums entry (see sums.go).
	ReadBack int
	Warnings []string
	// Phases records how long each step took, for -watch logs and tuning.
	Phases []Phase
}

// Phase is one timed step of a build.
type Phase struct {
	Name string
	Time time.Duration
}

func (r *Result) phase(name string, start *time.Time) {
	now := time.Now()
	r.Phases = append(r.Phases, Phase{name, now.Sub(*start)})
	*start = now
}

// Builder renders a site; it keeps parsed pages between builds so that
// repeated Build calls only redo what changed. Not safe for concurrent use.
type Builder struct {
	opts      Options
	keys      output.Keys
	cache     map[string]*cacheEntry
	outKeys   map[string]uint64 // keys of the live output
	spareKeys map[string]uint64 // keys of <out>.prev when known
	tdir      string            // templates directory of the last build
}

type cacheEntry struct {
	mtime, size int64
	page        *page.Page
}

// NewBuilder returns a Builder with defaults filled in.
func NewBuilder(o Options) *Builder {
	if o.ContentDir == "" {
		o.ContentDir = "content"
	}
	if o.OutDir == "" {
		o.OutDir = "public"
	}
	if o.ConfigFile == "" {
		o.ConfigFile = filepath.Join(o.ContentDir, "site.toml")
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Warn == nil {
		o.Warn = io.Discard
	}
	return &Builder{opts: o, keys: output.NewKeys(), cache: map[string]*cacheEntry{}}
}

// Build renders the site once into opts.OutDir.
func Build(o Options) (*Result, error) {
	return NewBuilder(o).Build()
}

// parse reads and renders one markdown source.
func (b *Builder) parse(f source.File, baseURL string) (*page.Page, error) {
	src, err := f.Read()
	if err != nil {
		return nil, err
	}
	fm, body, err := source.ParseFrontMatter(f.Path, src)
	if err != nil {
		return nil, err
	}
	r, err := markdown.Render(body)
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

// Build renders the site. On error the previous output is left untouched.
func (b *Builder) Build() (*Result, error) {
	o := b.opts
	res := &Result{}
	t0 := time.Now()
	claim := b.startClaim()
	published := false
	defer func() {
		if !published {
			b.release(claim)
		}
	}()
	cfg, err := config.Load(o.ConfigFile)
	if err != nil {
		return nil, err
	}
	if o.BaseURL != "" {
		cfg.BaseURL = strings.TrimRight(o.BaseURL, "/")
	}
	root := filepath.Dir(filepath.Clean(o.ContentDir))
	tdir := cfg.TemplatesDir
	if tdir == "" {
		tdir = filepath.Join(root, "templates")
	} else if !filepath.IsAbs(tdir) {
		tdir = filepath.Join(root, tdir)
	}
	b.tdir = tdir
	th, err := theme.Load(tdir, cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	cfgBytes, err := toml.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	gk := b.keys.New().Text(string(cfgBytes)).Text(string(th.Hash())).Text(strconv.FormatBool(o.Drafts)).Key()

	res.phase("config+theme", &t0)

	// Scan the content directory.
	files, err := source.Scan(o.ContentDir, o.ConfigFile)
	if err != nil {
		return nil, err
	}
	mds, statics, others := files.Markdown, files.Static, files.Other

	res.phase("scan", &t0)

	// Parse new and changed sources in parallel.
	all := make([]*page.Page, len(mds))
	var todo []int
	seen := make(map[string]bool, len(mds))
	for i, f := range mds {
		seen[f.Rel] = true
		if c := b.cache[f.Rel]; c != nil && c.mtime == f.Mtime && c.size == f.Size && c.page.Permalink == cfg.BaseURL+c.page.URL {
			all[i] = c.page
			continue
		}
		todo = append(todo, i)
	}
	for rel := range b.cache {
		if !seen[rel] {
			delete(b.cache, rel)
		}
	}
	paths := make([]string, len(todo))
	for j, i := range todo {
		paths[j] = mds[i].Path
	}
	disk.Prefetch(paths)
	err = pool.Run(len(todo), o.Workers, func(j int) error {
		i := todo[j]
		p, err := b.parse(mds[i], cfg.BaseURL)
		all[i] = p
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, i := range todo {
		b.cache[mds[i].Rel] = &cacheEntry{mtime: mds[i].Mtime, size: mds[i].Size, page: all[i]}
	}
	res.Parsed = len(todo)
	page.AssignBundles(mds, all, others)
	res.phase("parse", &t0)

	// Select, validate and order.
	posts, pages, err := page.Select(all, o.Drafts)
	if err != nil {
		return nil, err
	}
	page.Order(posts, pages)
	tags := page.Tags(posts)
	site := page.NewSite(cfg, posts, pages, tags)
	res.Posts, res.Pages = len(posts), len(pages)

	res.phase("order", &t0)
	if err := b.renderCards(site.Posts, th, gk); err != nil {
		return nil, err
	}
	outs, err := output.Plan(output.Input{Site: site, Theme: th, Statics: statics, Keys: b.keys, SiteKey: gk, OutDir: o.OutDir})
	if err != nil {
		return nil, err
	}
	res.phase("plan", &t0)
	// Front-matter warnings of every source, drafts included, in path order;
	// then broken links.
	res.Warnings = page.Warnings(all)
	res.Warnings = append(res.Warnings, output.BrokenLinks(site, outs)...)
	for _, w := range res.Warnings {
		fmt.Fprintln(o.Warn, w)
	}
	res.Files = len(outs)
	res.phase("links", &t0)
	published = true
	counts, err := b.publish(outs, claim)
	if err != nil {
		return nil, err
	}
	res.Written, res.ReadBack = counts.written, counts.readBack
	res.phase("render+publish", &t0)
	return res, nil
}

// renderCards renders the card of every post whose card is missing or out of
// date: cards are rendered once per post and reused by every list page.
func (b *Builder) renderCards(posts []*page.Page, th *theme.Theme, siteKey uint64) error {
	var stale []*page.Page
	for _, p := range posts {
		if k := b.keys.New().Number(siteKey).Number(p.Key).Key(); p.CardKey != k {
			p.CardKey = k
			stale = append(stale, p)
		}
	}
	return pool.Run(len(stale), b.opts.Workers, func(i int) error {
		card, err := th.Card(stale[i])
		if err != nil {
			stale[i].CardKey = 0
			return err
		}
		stale[i].Card = card
		return nil
	})
}
