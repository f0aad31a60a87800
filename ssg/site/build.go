package site

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	toml "github.com/pelletier/go-toml/v2"

	"wasmsite/ssg/config"
	"wasmsite/ssg/output"
	"wasmsite/ssg/page"
	"wasmsite/ssg/source"
	"wasmsite/ssg/theme"
)

// Build scans the inputs and renders the site, redoing only what changed
// since the Builder's last build. On error the previous output is left
// untouched.
func (b *Builder) Build() (*Result, error) { return b.build(nil, true) }

// BuildChanged is Build for a watcher that knows what changed since the
// last build: changed are the paths (files or directories, in the content
// directory, the templates directory or the settings file) created,
// modified or removed since; only those are scanned again. Empty, nothing
// changed on disk (a post may have become due). The first build of a
// Builder, and the one after a failed scan, scan everything.
func (b *Builder) BuildChanged(changed []string) (*Result, error) { return b.build(changed, false) }

// build renders the site after a scan of everything (full) or of changed.
func (b *Builder) build(changed []string, full bool) (*Result, error) {
	res := &Result{}
	start := time.Now()
	resized := b.images.Resized()
	// Claimed in the background while the build reads and parses.
	stage := b.publisher.Stage()
	defer stage.Release()
	set, err := b.settings(changed, full)
	if err != nil {
		return nil, err
	}
	res.phase("config+theme", &start)
	files, err := b.scan(changed, full)
	if err != nil {
		return nil, err
	}
	res.phase("scan", &start)
	site, patched, err := b.site(files, set, res, &start)
	if err != nil {
		return nil, err
	}
	planned, err := b.plan(site, patched, files, set)
	if err != nil {
		return nil, err
	}
	res.phase("plan", &start)
	b.warn(res, site, planned)
	res.Files = len(planned.Files)
	res.phase("links", &start)
	counts, err := stage.PublishPlan(planned)
	if err != nil {
		return nil, err
	}
	res.Written, res.ReadBack, res.Changed = counts.Written, counts.ReadBack, counts.Changed
	res.Resized = b.images.Resized() - resized
	res.phase("render+publish", &start)
	return res, nil
}

// site parses what changed of the markdown sources of files and returns the
// site they make, with the posts' cards, and whether its model was patched
// rather than made afresh (see page.Model). It records the parse and order
// phases in res.
func (b *Builder) site(files source.Files, set settings, res *Result, start *time.Time) (*page.Site, bool, error) {
	all, parsed, err := b.pages(files, set.cfg.BaseURL)
	if err != nil {
		return nil, false, err
	}
	res.Parsed = parsed
	res.phase("parse", start)
	m := &b.model
	patched, err := m.Update(all, page.Filter{Drafts: b.opts.Drafts, Future: b.opts.Future, Now: time.Now()})
	if err != nil {
		return nil, false, err
	}
	res.NextDue = m.NextDue
	res.Posts, res.Pages = len(m.Posts), len(m.Pages)
	res.phase("order", start)
	if err := b.cards(m.Posts, patched, set); err != nil {
		return nil, false, err
	}
	return page.NewSite(set.cfg, m.Posts, m.Pages, m.Tags), patched, nil
}

// plan plans the files of site, whose model was patched when patched: the
// planner then patches its last plan, unless a file that pages may bundle
// changed since.
func (b *Builder) plan(site *page.Site, patched bool, files source.Files, set settings) (output.Planned, error) {
	in := output.Input{
		Site: site, Theme: set.theme, Statics: files.Static,
		Keys: b.keys, SiteKey: set.siteKey, OutDir: b.opts.OutDir, Images: b.images,
	}
	if dev := b.opts.Dev; dev != nil {
		in.Snippet, in.Extra = dev.Snippet, dev.Files
	}
	if patched && slices.Equal(files.Other, b.plannedOthers) {
		in.Patch = &output.Patch{Replaced: b.model.Replaced}
	}
	planned, err := b.planner.Plan(in)
	if err != nil {
		return output.Planned{}, err
	}
	b.plannedOthers = slices.Clone(files.Other)
	return planned, nil
}

// settings are what every output depends on.
type settings struct {
	cfg   config.Config
	theme *theme.Theme
	// siteKey covers cfg, the theme's sources, the drafts and future
	// options and development mode's snippet.
	siteKey uint64
}

// settings returns the settings of the last build unless they may have
// changed: on a full build, the first one, or when changed holds the
// settings file or a path in the templates directory.
func (b *Builder) settings(changed []string, full bool) (settings, error) {
	if full || b.set == nil || b.settingsChanged(changed) {
		b.set = nil
		set, err := b.loadSettings()
		if err != nil {
			return settings{}, err
		}
		b.set = &set
	}
	return *b.set, nil
}

// settingsChanged reports whether changed holds the settings file, or the
// templates directory or a path in it.
func (b *Builder) settingsChanged(changed []string) bool {
	cfg, _ := filepath.Abs(b.opts.ConfigFile)
	tdir, _ := filepath.Abs(b.tdir)
	for _, p := range changed {
		abs, _ := filepath.Abs(p)
		if abs == cfg || abs == tdir || strings.HasPrefix(abs, tdir+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// scan returns the input files: scanned afresh on a full build, the first
// one, or after a scan failed; else the last build's, rescanned at changed.
func (b *Builder) scan(changed []string, full bool) (source.Files, error) {
	if full || b.files == nil {
		b.files = nil
		files, err := source.Scan(b.opts.ContentDir, b.opts.ConfigFile)
		if err != nil {
			return source.Files{}, err
		}
		b.files = &files
		return files, nil
	}
	if err := source.Rescan(b.files, b.opts.ContentDir, b.opts.ConfigFile, changed); err != nil {
		b.files = nil
		return source.Files{}, err
	}
	return *b.files, nil
}

// loadSettings reads the settings file, with the base URL option applied,
// and the theme, with the templates directory's overrides.
func (b *Builder) loadSettings() (settings, error) {
	cfg, err := config.Load(b.opts.ConfigFile)
	if err != nil {
		return settings{}, err
	}
	if b.opts.BaseURL != "" {
		cfg.BaseURL = strings.TrimRight(b.opts.BaseURL, "/")
	}
	b.tdir = templatesDir(b.opts.ContentDir, cfg.TemplatesDir)
	th, err := theme.Load(b.tdir, cfg.BaseURL)
	if err != nil {
		return settings{}, err
	}
	cfgBytes, err := toml.Marshal(cfg)
	if err != nil {
		return settings{}, err
	}
	kh := b.keys.New().Text(string(cfgBytes)).Text(string(th.Hash())).Text(strconv.FormatBool(b.opts.Drafts)).Text(strconv.FormatBool(b.opts.Future))
	if dev := b.opts.Dev; dev != nil {
		kh.Text(dev.Snippet) // the files are in their own keys
	}
	k := kh.Key()
	return settings{cfg: cfg, theme: th, siteKey: k}, nil
}

// templatesDir returns the theme override directory: dir (templates_dir)
// resolved against the directory holding the content directory, where
// "templates" is the default.
func templatesDir(contentDir, dir string) string {
	root := filepath.Dir(filepath.Clean(contentDir))
	switch {
	case dir == "":
		return filepath.Join(root, "templates")
	case filepath.IsAbs(dir):
		return dir
	}
	return filepath.Join(root, dir)
}

// warn sets the build's warnings, the front-matter warnings of every source
// (drafts included) in path order, then broken links, and writes them to
// Warn.
func (b *Builder) warn(res *Result, site *page.Site, plan output.Planned) {
	res.Warnings = append(slices.Clone(b.model.Warnings()), b.links.Check(site, plan)...)
	for _, w := range res.Warnings {
		fmt.Fprintln(b.opts.Warn, w)
	}
}
