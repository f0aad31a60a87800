package output

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"wasmsite/ssg/page"
)

// LinkChecker finds the broken internal links of a site's pages. It keeps
// each page's result while the set of output paths stays the same, so that
// a rebuild after an edit checks only the pages it parsed again; after a
// patched plan (see Changes), only the pages it replaced. The zero value is
// ready to use; not safe for concurrent use.
type LinkChecker struct {
	keys     Keys
	seeded   bool
	pathsKey uint64          // key of the output paths the results are for
	known    map[string]bool // site paths that exist
	results  map[*page.Page][]string
	plan     uint64   // the number of the plan last checked; 0 if none
	warns    []string // what that check returned
}

// Check returns warnings, sorted, about the internal links of the
// rendered pages of site that match none of the files of plan:
// site-absolute ones (/blog/x/) and relative ones (photo.jpg, ../x/),
// resolved against the linking page's URL. Links with a scheme or a host,
// and fragment- or query-only links, are not checked. The warnings must not
// be changed: a later Check may return them again.
func (c *LinkChecker) Check(site *page.Site, plan Planned) []string {
	if ch := plan.Changes; ch != nil && c.plan != 0 && ch.Base == c.plan {
		c.plan = plan.Number
		c.replace(ch.Replaced)
		return c.warns
	}
	c.plan = 0
	c.index(plan.Files)
	pages := site.Rendered()
	if len(c.results) > 2*len(pages) { // pages replaced by newer parses
		c.results = map[*page.Page][]string{}
	}
	var warns []string
	for _, p := range pages {
		w, ok := c.results[p]
		if !ok {
			w = brokenLinks(p, c.known)
			c.results[p] = w
		}
		warns = append(warns, w...)
	}
	sort.Strings(warns)
	c.plan, c.warns = plan.Number, warns
	return warns
}

// replace checks the pages that replace others in a patched plan, whose
// paths are those of the plan last checked, and updates the warnings.
func (c *LinkChecker) replace(rs []page.Replacement) {
	var gone, added []string
	for _, r := range rs {
		gone = append(gone, c.results[r.Old]...)
		delete(c.results, r.Old)
		w := brokenLinks(r.New, c.known)
		c.results[r.New] = w
		added = append(added, w...)
	}
	if len(gone) == 0 && len(added) == 0 {
		return
	}
	warns := slices.Clone(c.warns)
	for _, w := range gone {
		if i, ok := slices.BinarySearch(warns, w); ok {
			warns = slices.Delete(warns, i, i+1)
		}
	}
	for _, w := range added {
		i, _ := slices.BinarySearch(warns, w)
		warns = slices.Insert(warns, i, w)
	}
	c.warns = warns
}

// index makes known the site paths of files, unless they are those of the
// last check, whose results then stand.
func (c *LinkChecker) index(files []File) {
	if !c.seeded {
		c.keys, c.seeded = NewKeys(), true
	}
	k := c.keys.New()
	for _, o := range files {
		k.Text(o.Path)
	}
	if key := k.Key(); key != c.pathsKey || c.known == nil {
		c.pathsKey = key
		c.known = knownPaths(files)
		c.results = map[*page.Page][]string{}
	}
}

// knownPaths returns the site paths of files: /path, and /dir/ for a
// dir/index.html.
func knownPaths(files []File) map[string]bool {
	known := make(map[string]bool, len(files)*2)
	for _, o := range files {
		known["/"+o.Path] = true
		if o.Path == "index.html" {
			known["/"] = true
		} else if strings.HasSuffix(o.Path, "/index.html") {
			known["/"+strings.TrimSuffix(o.Path, "index.html")] = true
		}
	}
	return known
}

// brokenLinks returns the warnings about p's links to none of known.
func brokenLinks(p *page.Page, known map[string]bool) []string {
	var warns []string
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
	return warns
}
