package output

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

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

// planner collects the files of a plan, family by family.
type planner struct {
	Input
	files []File
	// navKey adds the main navigation (the standalone pages' URLs and
	// titles) to SiteKey: every page built on base.html shows it.
	navKey uint64
	// contentKey adds every rendered post and page to SiteKey.
	contentKey uint64
	// tagsKey covers the tags: names, slugs and post counts.
	tagsKey uint64
}

// Plan lists every file of the site, sorted by path: posts and pages, the
// paginated lists, the tag index and 404 page, the search page and index,
// aliases, feeds, robots.txt,
// theme assets, static files, page bundles, a .gitkeep the output directory
// has, extra files, and the sitemap; in development mode (Snippet) HTML
// files get the snippet. Nothing is generated yet. Errors: an invalid alias
// (a *source.Error), a bundle file named index.html, and two files at one
// path.
func Plan(in Input) ([]File, error) {
	pl := &planner{Input: in}
	pl.navKey, pl.contentKey, pl.tagsKey = pl.navigationKey(), pl.allContentKey(), pl.allTagsKey()
	pl.posts()
	pl.pages()
	home, blog, tags := pl.lists()
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
	if err := pl.sort(); err != nil {
		return nil, err
	}
	if err := pl.sitemap(home, blog, tags); err != nil {
		return nil, err
	}
	if pl.Snippet != "" {
		Inject(pl.files, pl.Snippet)
	}
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
	for _, p := range pl.Site.Posts {
		k.Number(p.Key)
	}
	for _, p := range pl.Site.Pages {
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

// sort sorts the files by path and fails on the first path two files share.
func (pl *planner) sort() error {
	files := pl.files
	slices.SortFunc(files, func(a, b File) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Origin, b.Origin) // conflict errors name the same file each time
	})
	for i := 1; i < len(files); i++ {
		if files[i].Path == files[i-1].Path {
			return fmt.Errorf("%s: output /%s conflicts with %s", files[i].Origin, files[i].Path, files[i-1].Origin)
		}
	}
	return nil
}
