package output

import (
	"bytes"

	"wasmsite/ssg/images"
	"wasmsite/ssg/page"
	"wasmsite/ssg/source"
	"wasmsite/ssg/theme"
)

// Input is what Plan plans from.
type Input struct {
	Site    *page.Site
	Theme   *theme.Theme
	Statics []source.File // the content's static/ files, copied to the site root
	Keys    Keys
	// SiteKey covers the settings, the theme and the drafts option: every
	// file depends on them.
	SiteKey uint64
	OutDir  string // a .gitkeep there stays in the output
	// Snippet, when set, is inserted before </body> of every HTML file,
	// and Extra are more files, by output path: development mode's
	// live-reload script and its tag. SiteKey must cover both.
	Snippet string
	Extra   map[string][]byte
	// Images, when set, has the smaller copies of the raster images of
	// static/ and page bundles planned beside them.
	Images *images.Table
}

// Planner plans the files of a site build after build. Between builds it
// keeps what makes a plan cheap to make again: the paths and names of the
// list pages, and the table that finds two files at one path. Not safe for
// concurrent use.
type Planner struct {
	paths pathSet
	lists map[string]*listNames // by list URL
	size  int                   // files of the last plan
}

// NewPlanner returns a Planner that has planned nothing yet.
func NewPlanner() *Planner {
	return &Planner{lists: map[string]*listNames{}}
}

// Plan lists the files of the site with a new Planner (see Planner.Plan).
func Plan(in Input) ([]File, error) { return NewPlanner().Plan(in) }

// planner collects the files of one plan, family by family.
type planner struct {
	Input
	*Planner
	files    []File
	rendered []*page.Page // Site.Rendered()
	// navKey adds the main navigation (the standalone pages' URLs and
	// titles) to SiteKey: every page built on base.html shows it.
	navKey uint64
	// contentKey adds every rendered post and page to SiteKey.
	contentKey uint64
	// tagsKey covers the tags: names, slugs and post counts.
	tagsKey uint64
}

// Plan lists every file of the site, family by family in this order: posts
// and pages, the paginated lists, the tag index and 404 page, the search
// page and index, aliases, feeds, robots.txt, theme assets (by name),
// static files, page bundles, a .gitkeep the output directory has, extra
// files (by name), and the sitemap; in development mode (Snippet) HTML
// files get the snippet. Nothing is generated yet. Errors: an invalid alias
// (a *source.Error), a bundle file named index.html, and two files at one
// path.
func (pr *Planner) Plan(in Input) ([]File, error) {
	pl := &planner{Input: in, Planner: pr, files: make([]File, 0, pr.size+1), rendered: in.Site.Rendered()}
	pl.navKey, pl.contentKey, pl.tagsKey = pl.navigationKey(), pl.allContentKey(), pl.allTagsKey()
	pl.posts()
	pl.pages()
	lists := pl.lists()
	pl.tagIndex()
	pl.notFound()
	pl.search()
	if err := pl.aliases(); err != nil {
		return nil, err
	}
	pl.feeds()
	pl.robots()
	pl.assets()
	pl.statics()
	if err := pl.bundles(); err != nil {
		return nil, err
	}
	pl.gitkeep()
	pl.extras()
	if err := pr.paths.check(pl.files); err != nil {
		return nil, err
	}
	if err := pl.sitemap(lists); err != nil {
		return nil, err
	}
	if pl.Snippet != "" {
		Inject(pl.files, pl.Snippet)
	}
	pr.size = len(pl.files)
	return pl.files, nil
}

// add appends a file to the plan.
func (pl *planner) add(path, origin string, key uint64, gen func(*bytes.Buffer) error) {
	pl.files = append(pl.files, File{Path: path, Origin: origin, Key: key, Generate: gen})
}

// data returns the template data of a page of kind, titled title, at the
// site path u.
func (pl *planner) data(kind, title, u string) *page.Data {
	return &page.Data{Site: pl.Site, Kind: kind, Title: title, URL: u, Permalink: pl.Site.Config.BaseURL + u}
}

// navigationKey returns navKey (see planner).
func (pl *planner) navigationKey() uint64 {
	k := pl.Keys.New().Number(pl.SiteKey).Text("nav")
	for _, p := range pl.Site.Pages {
		k.Text(p.URL).Text(p.Title)
	}
	return k.Key()
}

// allContentKey returns contentKey (see planner).
func (pl *planner) allContentKey() uint64 {
	k := pl.Keys.New().Number(pl.SiteKey)
	for _, p := range pl.rendered {
		k.Number(p.Key)
	}
	return k.Key()
}

// allTagsKey returns tagsKey (see planner).
func (pl *planner) allTagsKey() uint64 {
	k := pl.Keys.New().Number(pl.SiteKey).Text("tags")
	for _, tg := range pl.Site.Tags {
		k.Text(tg.Slug).Text(tg.Name).Number(uint64(len(tg.Pages)))
	}
	return k.Key()
}
