// Package site is the wasmsite static site generator: it renders the
// markdown content directory into a static site. A Builder runs the stages
// in order (see Build): source finds and decodes the inputs, markdown renders
// them, page models the site, theme renders it, output plans its files and
// publisher writes them.
package site

import (
	"io"
	"path/filepath"
	"runtime"

	"wasmsite/ssg/images"
	"wasmsite/ssg/output"
	"wasmsite/ssg/page"
	"wasmsite/ssg/publisher"
	"wasmsite/ssg/source"
)

// Options configure a build.
type Options struct {
	ContentDir string // default "content"
	OutDir     string // default "public"
	ConfigFile string // default <ContentDir>/site.toml
	Drafts     bool   // render drafts too
	Future     bool   // render pages dated in the future too
	BaseURL    string // overrides site.toml base_url when set
	Workers    int    // default GOMAXPROCS
	// Gzip also writes a gzip-compressed sibling (name.gz, best compression, no name or
	// mtime in the header, so builds stay byte-identical) of every text output of at
	// least publisher.GzipMinSize bytes, which the static component serves instead of
	// compressing per request.
	Gzip bool
	Warn io.Writer
	// Dev, when set, is development mode: every HTML page gets its snippet
	// and the site its files (the live-reload script), and each build
	// reports which outputs changed (Result.Changed).
	Dev *Dev
}

// Dev is what development mode adds to a site.
type Dev struct {
	Snippet string            // HTML inserted before </body> of every page
	Files   map[string][]byte // files added, by output path
}

// Builder renders a site; it keeps parsed pages between builds so that
// repeated Build calls only redo what changed. When an edit leaves every
// page where it was (a post's text or title, say), it patches the site
// model, the plan and the output instead of making them again: a rebuild
// then costs about what the edited page does (see page.Model,
// output.Planner, publisher.Stage.PublishPlan). Not safe for concurrent use.
type Builder struct {
	opts    Options
	keys    output.Keys
	planner *output.Planner
	cache   map[string]*cacheEntry // parsed sources by path relative to the content directory
	last    *lastPages             // the last parse; nil after an error
	model   page.Model             // the pages of the last build, selected and ordered
	// cardsKey is the siteKey all posts' cards were last rendered with; 0
	// when some may not be.
	cardsKey uint64
	// plannedOthers are the files that may belong to page bundles as the
	// planner last planned them (a copy: a rescan changes files in place).
	plannedOthers []source.File
	builds        int    // builds that parsed, for the cache's entries
	baseURL       string // the base URL of the cached pages
	publisher     *publisher.Publisher
	tdir          string // templates directory of the last build, watched by Watch
	// set and files are the settings and input files of the last build,
	// reused by BuildChanged; nil when they must be read again.
	set    *settings
	files  *source.Files
	links  output.LinkChecker
	images *images.Table // image sizes and copies
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
	b := &Builder{
		opts:      o,
		keys:      output.NewKeys(),
		planner:   output.NewPlanner(),
		cache:     map[string]*cacheEntry{},
		publisher: publisher.New(o.OutDir, o.Gzip, o.Workers),
		images:    images.NewTable(ImageCacheDir(o.OutDir)),
	}
	if o.Dev != nil {
		b.publisher.TrackChanges()
	}
	return b
}

// ImageCacheDir returns where the resized copies of images are cached
// for the output directory out: <parent of out>/.cache/ssg/images, beside
// the previous generation (see publisher.PrevDir). Deleting it is always
// safe: copies are made again.
func ImageCacheDir(out string) string {
	return filepath.Join(filepath.Dir(filepath.Clean(out)), ".cache", "ssg", "images")
}

// Build renders the site once into o.OutDir.
func Build(o Options) (*Result, error) {
	return NewBuilder(o).Build()
}
