// Package site is the wasmsite static site generator: it renders the
// markdown content directory into a static site.
package site

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	toml "github.com/pelletier/go-toml/v2"

	"wasmsite/ssg/config"
	"wasmsite/ssg/disk"
	"wasmsite/ssg/markdown"
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
	seed      maphash.Seed
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
	return &Builder{opts: o, seed: maphash.MakeSeed(), cache: map[string]*cacheEntry{}}
}

// Build renders the site once into opts.OutDir.
func Build(o Options) (*Result, error) {
	return NewBuilder(o).Build()
}

// keyer builds incremental-build keys.
type keyer struct{ h maphash.Hash }

func (b *Builder) newKey() *keyer {
	k := &keyer{}
	k.h.SetSeed(b.seed)
	return k
}
func (k *keyer) s(s string) *keyer { k.h.WriteString(s); k.h.WriteByte(0); return k }
func (k *keyer) u(v uint64) *keyer {
	var a [8]byte
	binary.LittleEndian.PutUint64(a[:], v)
	k.h.Write(a[:])
	return k
}
func (k *keyer) sum() uint64 { return k.h.Sum64() | 1 } // never 0

// output is one file of the generated site.
type output struct {
	path   string // slash-separated, relative to the output root
	origin string
	key    uint64
	gen    func(w *bytes.Buffer) error
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
	h := b.newKey().s(f.Rel).s(baseURL)
	h.h.Write(src)
	p.Key = h.sum()
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
	gk := b.newKey().s(string(cfgBytes)).s(string(th.Hash())).s(strconv.FormatBool(o.Drafts)).sum()

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
	outs, err := b.plan(site, th, gk, statics)
	if err != nil {
		return nil, err
	}
	res.phase("plan", &t0)
	// Front-matter warnings of every source, drafts included, in path order;
	// then broken links.
	res.Warnings = page.Warnings(all)
	res.Warnings = append(res.Warnings, checkLinks(site, outs)...)
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

func urlFile(u string) string {
	u = strings.TrimPrefix(u, "/")
	if u == "" || strings.HasSuffix(u, "/") {
		return u + "index.html"
	}
	return u
}

// copyFile generates an output by copying the file at abs.
func copyFile(abs string) func(*bytes.Buffer) error {
	return func(w *bytes.Buffer) error {
		fh, err := os.Open(abs)
		if err != nil {
			return err
		}
		defer fh.Close()
		_, err = w.ReadFrom(fh)
		return err
	}
}

func staticBytes(b []byte) func(*bytes.Buffer) error {
	return func(w *bytes.Buffer) error { w.Write(b); return nil }
}

// plan lists every output file with its incremental key and generator.
func (b *Builder) plan(site *page.Site, t *theme.Theme, gk uint64, statics []source.File) ([]output, error) {
	cfg := site.Config
	var outs []output
	add := func(p, origin string, key uint64, gen func(*bytes.Buffer) error) {
		outs = append(outs, output{path: p, origin: origin, key: key, gen: gen})
	}
	data := func(kind, title, u string) *page.Data {
		return &page.Data{Site: site, Kind: kind, Title: title, URL: u, Permalink: cfg.BaseURL + u}
	}
	posts := site.Posts
	// Cards are rendered once per post and reused by every list page.
	var stale []*page.Page
	for _, p := range posts {
		if k := b.newKey().u(gk).u(p.Key).sum(); p.CardKey != k {
			p.CardKey = k
			stale = append(stale, p)
		}
	}
	err := pool.Run(len(stale), b.opts.Workers, func(i int) error {
		card, err := t.Card(stale[i])
		if err != nil {
			stale[i].CardKey = 0
			return err
		}
		stale[i].Card = card
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Every page built on base.html shows the main navigation, which lists the
	// standalone pages: hk covers their URLs and titles on top of gk.
	nav := b.newKey().u(gk).s("nav")
	for _, p := range site.Pages {
		nav.s(p.URL).s(p.Title)
	}
	hk := nav.sum()
	for _, p := range posts {
		k := b.newKey().u(hk).s("post").u(p.Key)
		if p.Prev != nil {
			k.u(p.Prev.Key)
		}
		if p.Next != nil {
			k.u(p.Next.Key)
		}
		d := data("post", p.Title, p.URL)
		d.Page, d.Description = p, p.Description
		add(urlFile(p.URL), p.File, k.sum(), t.Render("post.html", d))
	}
	for _, p := range site.Pages {
		d := data("page", p.Title, p.URL)
		d.Page, d.Description = p, p.Description
		add(urlFile(p.URL), p.File, b.newKey().u(hk).s("page").u(p.Key).sum(), t.Render("page.html", d))
	}
	// Paginated lists: home, blog and one per tag. A list page's key covers
	// what it shows: its posts, its number and the number of pages.
	list := func(kind, origin, base, title, heading, desc string, posts []*page.Page) []page.List {
		lps := page.Paginate(posts, cfg.Paginate, base)
		for _, lp := range lps {
			pg := lp.Paginator
			k := b.newKey().u(hk).s("list").s(kind).s(base).s(title).s(heading).s(desc).u(uint64(pg.Number)).u(uint64(pg.Total))
			for _, p := range lp.Posts {
				k.u(p.Key)
			}
			d := data(kind, page.PagedTitle(title, pg.Number), pg.URL)
			d.Heading, d.Description, d.Pages, d.Paginator = heading, desc, lp.Posts, pg
			o := origin
			if pg.Number > 1 {
				o += " page " + strconv.Itoa(pg.Number)
			}
			add(urlFile(pg.URL), o, k.sum(), t.Render("list.html", d))
		}
		return lps
	}
	home := list("home", "home page", "/", "", "", cfg.Description, posts)
	blog := list("blog", "blog list", "/blog/", "Blog", "All posts", cfg.Description, posts)
	tagLists := make([][]page.List, len(site.Tags))
	for i, tg := range site.Tags {
		tagLists[i] = list("tag", "tag "+tg.Name, tg.URL, "Tag: "+tg.Name, "Posts tagged “"+tg.Name+"”", "", tg.Pages)
	}
	allKey := b.newKey().u(gk)
	for _, p := range posts {
		allKey.u(p.Key)
	}
	for _, p := range site.Pages {
		allKey.u(p.Key)
	}
	ak := allKey.sum()
	tk := b.newKey().u(gk).s("tags")
	for _, tg := range site.Tags {
		tk.s(tg.Slug).s(tg.Name).u(uint64(len(tg.Pages)))
	}
	d := data("tags", "Tags", "/tags/")
	d.Tags = site.Tags
	add("tags/index.html", "tag index", b.newKey().u(tk.sum()).u(ak).sum(), t.Render("tags.html", d))
	d = data("404", "Page not found", "/404.html")
	add("404.html", "404 page", b.newKey().u(gk).s("404").u(ak).sum(), t.Render("404.html", d))
	// Aliases.
	for _, p := range site.Rendered() {
		for _, a := range p.Aliases {
			u, err := page.AliasURL(p, a)
			if err != nil {
				return nil, err
			}
			d := data("alias", p.Title, p.URL)
			add(urlFile(u), p.File+" (alias "+a+")", b.newKey().u(gk).s("alias").s(u).u(p.Key).sum(), t.Render("alias.html", d))
		}
	}
	// Feeds, sitemap, robots.
	n := min(cfg.FeedLimit, len(posts))
	fk := b.newKey().u(gk).s("feed")
	for _, p := range posts[:n] {
		fk.u(p.Key)
	}
	feedKey := fk.sum()
	add("feed.xml", "RSS feed", feedKey, func(w *bytes.Buffer) error { return writeRSS(w, site, posts[:n]) })
	add("atom.xml", "Atom feed", feedKey, func(w *bytes.Buffer) error { return writeAtom(w, site, posts[:n]) })
	add("robots.txt", "robots.txt", b.newKey().u(gk).s("robots").sum(), func(w *bytes.Buffer) error {
		fmt.Fprintf(w, "User-agent: *\nAllow: /\n\nSitemap: %s/sitemap.xml\n", cfg.BaseURL)
		return nil
	})
	for name, content := range t.Assets() {
		add(name, "theme", b.newKey().u(gk).s(name).sum(), staticBytes(content))
	}
	for _, f := range statics {
		f := f
		rel := strings.TrimPrefix(f.Rel, "static/")
		k := b.newKey().s("static").s(f.Path).u(uint64(f.Mtime)).u(uint64(f.Size)).sum()
		add(rel, f.Path, k, copyFile(f.Path))
	}
	// Page bundles: a page's files go to its directory. Drafts that are not
	// rendered are not in posts or site.Pages, so their files are left out too.
	for _, p := range site.Rendered() {
		for _, f := range p.Bundle {
			if f.Dest == "index.html" {
				return nil, fmt.Errorf("%s: bundle file conflicts with the page generated from %s (/%s)", f.Path, p.File, urlFile(p.URL))
			}
			k := b.newKey().s("bundle").s(f.Path).u(uint64(f.Mtime)).u(uint64(f.Size)).sum()
			add(strings.TrimPrefix(p.URL, "/")+f.Dest, f.Path, k, copyFile(f.Path))
		}
	}
	if _, err := os.Stat(filepath.Join(b.opts.OutDir, ".gitkeep")); err == nil {
		add(".gitkeep", "kept", 1, func(*bytes.Buffer) error { return nil })
	}
	// Sitemap covers every HTML page except 404 and aliases; computed from
	// the plan so that it cannot drift.
	sort.Slice(outs, func(i, j int) bool {
		if outs[i].path != outs[j].path {
			return outs[i].path < outs[j].path
		}
		return outs[i].origin < outs[j].origin // conflict errors name the same file each time
	})
	for i := 1; i < len(outs); i++ {
		if outs[i].path == outs[i-1].path {
			return nil, fmt.Errorf("%s: output /%s conflicts with %s", outs[i].origin, outs[i].path, outs[i-1].origin)
		}
	}
	entries := sitemapEntries(site, home, blog, tagLists)
	sk := b.newKey().u(ak).u(tk.sum()).s("sitemap").sum()
	smOut := output{path: "sitemap.xml", origin: "sitemap", key: sk, gen: func(w *bytes.Buffer) error { return writeSitemap(w, cfg.BaseURL, entries) }}
	i := sort.Search(len(outs), func(i int) bool { return outs[i].path >= "sitemap.xml" })
	if i < len(outs) && outs[i].path == "sitemap.xml" {
		return nil, fmt.Errorf("%s: output /sitemap.xml conflicts with the generated sitemap", outs[i].origin)
	}
	outs = append(outs[:i], append([]output{smOut}, outs[i:]...)...)
	return outs, nil
}

// checkLinks warns about internal links that match no output: site-absolute
// ones (/blog/x/) and relative ones (photo.jpg, ../x/), resolved against the
// linking page's URL. Links with a scheme or a host, and fragment- or
// query-only links, are not checked.
func checkLinks(site *page.Site, outs []output) []string {
	known := make(map[string]bool, len(outs)*2)
	for _, o := range outs {
		known["/"+o.path] = true
		if o.path == "index.html" {
			known["/"] = true
		} else if strings.HasSuffix(o.path, "/index.html") {
			known["/"+strings.TrimSuffix(o.path, "index.html")] = true
		}
	}
	var warns []string
	for _, p := range site.Rendered() {
		base := &url.URL{Path: p.URL}
		for _, l := range p.Links {
			if l == "" || l[0] == '#' || l[0] == '?' || strings.HasPrefix(l, "//") {
				continue
			}
			u, err := url.Parse(l)
			if err != nil {
				warns = append(warns, fmt.Sprintf("%s: warning: malformed link %q", p.File, l))
				continue
			}
			if u.Scheme != "" || u.Host != "" || u.Opaque != "" {
				continue
			}
			pth := u.Path
			if !strings.HasPrefix(l, "/") {
				pth = base.ResolveReference(u).Path
			}
			if known[pth] || (!strings.HasSuffix(pth, "/") && known[pth+"/"]) {
				continue
			}
			if pth != u.Path {
				warns = append(warns, fmt.Sprintf("%s: warning: broken internal link %s (%s)", p.File, l, pth))
			} else {
				warns = append(warns, fmt.Sprintf("%s: warning: broken internal link %s", p.File, l))
			}
		}
	}
	sort.Strings(warns)
	return warns
}
