package output

import (
	"bytes"
	"maps"
	"slices"
	"sync/atomic"

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
	// Patch, when set, says how Site differs from the site of the last
	// plan of the Planner (see Planner.Plan).
	Patch *Patch
}

// Patch says that a site is the site a Planner planned last, patched in
// place by page.Model (its Posts, Pages and Tags are the same arrays), with
// the pages of Replaced put in place of others of the same shape, and that
// the files of page bundles are those it planned.
type Patch struct{ Replaced []page.Replacement }

// Planner plans the files of a site build after build. Between builds it
// keeps what makes a plan cheap to make again: the last plan, which it
// patches when only some pages' content changed, the paths and names of the
// list pages, and the table that finds two files at one path. Not safe for
// concurrent use.
type Planner struct {
	paths pathSet
	names map[string]*listNames // by list URL
	last  *planner              // the last plan; nil after an error
	size  int                   // files of the last plan
}

// Planned is a plan: the files of the site, its number, unique in the
// process (0: not a Planner's), and how it differs from the plan before
// when the Planner patched that one.
type Planned struct {
	Files   []File
	Number  uint64
	Changes *Changes // nil unless patched
}

// Changes tell how a patched plan differs from the plan it patched, number
// Base: they have the same files at the same paths in the same order, but
// the keys and generators of the files at Indexes (increasing) may differ,
// and the rendered pages of Replaced are others.
type Changes struct {
	Base     uint64
	Indexes  []int
	Replaced []page.Replacement
}

// plans numbers the plans of the process.
var plans atomic.Uint64

// NewPlanner returns a Planner that has planned nothing yet.
func NewPlanner() *Planner { return &Planner{names: map[string]*listNames{}} }

// Plan lists the files of the site with a new Planner (see Planner.Plan).
func Plan(in Input) ([]File, error) {
	p, err := NewPlanner().Plan(in)
	return p.Files, err
}

// planner collects the files of one plan, family by family, and records
// where each family is, for a later patch.
type planner struct {
	Input
	*Planner
	number   uint64 // see Changes
	files    []File
	rendered []*page.Page // Site.Rendered()
	// navKey adds the main navigation (the standalone pages' URLs and
	// titles) to SiteKey: every page built on base.html shows it.
	navKey uint64
	// contentKey adds every rendered post and page to SiteKey, from
	// contentSum (see allContentKey).
	contentKey, contentSum uint64
	// tagsKey covers the tags: names, slugs and post counts.
	tagsKey uint64
	// Where families start in files, and what a patch needs to redo them:
	// the post lists (each knows where its pages are), the search shards'
	// pages, and the first alias file of each page that has aliases.
	pagesAt, tagIndexAt, notFoundAt, shardsAt, feedsAt int
	lists                                              []*postList
	shards                                             [][]*page.Page
	aliasAt                                            map[*page.Page]int

	gitkeep bool        // the output directory has a .gitkeep
	entries *entryCache // made by the first patch, for the shards it redoes
	// plannedStatics and plannedExtra are copies of Statics and Extra as
	// planned: the caller's may change in place.
	plannedStatics []source.File
	plannedExtra   map[string][]byte
}

// Plan lists every file of the site, family by family in this order: posts
// and pages, the paginated lists, the tag index and 404 page, the search
// page and index, aliases, feeds, robots.txt, theme assets (by name),
// static files, page bundles, a .gitkeep the output directory has, extra
// files (by name), and the sitemap; in development mode (Snippet) HTML
// files get the snippet. Nothing is generated yet. Errors: an invalid alias
// (a *source.Error), a bundle file named index.html, and two files at one
// path.
//
// With in.Patch, when its last plan is of the site in.Site was patched
// from, with the same settings and static files, the Planner patches that
// plan: it redoes the files that show a replaced page (its own, its
// neighbours', the list pages, search shard and aliases that show it), and
// the tag index, 404 page and feeds, which show all content; a replaced
// standalone page with another title, or a page with other aliases, bundle
// files or modification date, makes a whole plan. The files of a patched
// plan are those of the last one, changed in place: a plan's files are
// valid until the next Plan.
func (pr *Planner) Plan(in Input) (Planned, error) {
	n := plans.Add(1)
	if last := pr.last; in.Patch != nil && last != nil && last.patchable(in) {
		ch := last.patch(in, n)
		return Planned{Files: last.files, Number: n, Changes: ch}, nil
	}
	pr.last = nil
	pl := &planner{Input: in, Planner: pr, number: n, files: make([]File, 0, pr.size+1), rendered: in.Site.Rendered(),
		aliasAt: map[*page.Page]int{}, plannedStatics: slices.Clone(in.Statics), plannedExtra: maps.Clone(in.Extra)}
	if err := pl.plan(); err != nil {
		return Planned{}, err
	}
	pr.last, pr.size = pl, len(pl.files)
	return Planned{Files: pl.files, Number: n}, nil
}

// plan lists the files of a whole plan.
func (pl *planner) plan() error {
	pl.navKey, pl.contentKey, pl.tagsKey = pl.navigationKey(), pl.allContentKey(), pl.allTagsKey()
	pl.posts()
	pl.pages()
	pl.lists = pl.postLists()
	pl.tagIndexAt = pl.add(pl.tagIndex())
	pl.notFoundAt = pl.add(pl.notFound())
	pl.search()
	if err := pl.aliases(); err != nil {
		return err
	}
	pl.feeds()
	pl.robots()
	pl.assets()
	pl.statics()
	if err := pl.bundles(); err != nil {
		return err
	}
	pl.planGitkeep()
	pl.extras()
	if err := pl.paths.check(pl.files); err != nil {
		return err
	}
	if err := pl.sitemap(); err != nil {
		return err
	}
	if pl.Snippet != "" {
		Inject(pl.files, pl.Snippet)
	}
	return nil
}

// add appends a file to the plan and returns its index.
func (pl *planner) add(f File) int {
	pl.files = append(pl.files, f)
	return len(pl.files) - 1
}

// file returns a File.
func file(path, origin string, key uint64, gen func(*bytes.Buffer) error) File {
	return File{Path: path, Origin: origin, Key: key, Generate: gen}
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

// allContentKey sets contentSum, the sum of contentTerm over the rendered
// pages, which a patch updates page by page, and returns contentKey.
func (pl *planner) allContentKey() uint64 {
	pl.contentSum = 0
	for i, p := range pl.rendered {
		pl.contentSum += pl.contentTerm(i, p)
	}
	return pl.contentKeyOf(pl.contentSum)
}

// contentTerm is the part of contentSum of the page p at i in the rendered
// pages.
func (pl *planner) contentTerm(i int, p *page.Page) uint64 {
	return pl.Keys.New().Number(uint64(i)).Number(p.Key).Key()
}

// contentKeyOf returns the contentKey of a contentSum.
func (pl *planner) contentKeyOf(sum uint64) uint64 {
	return pl.Keys.New().Number(pl.SiteKey).Text("content").Number(sum).Key()
}

// allTagsKey returns tagsKey (see planner).
func (pl *planner) allTagsKey() uint64 {
	k := pl.Keys.New().Number(pl.SiteKey).Text("tags")
	for _, tg := range pl.Site.Tags {
		k.Text(tg.Slug).Text(tg.Name).Number(uint64(len(tg.Pages)))
	}
	return k.Key()
}
