package output

import (
	"bytes"
	"maps"
	"slices"
	"sort"

	"wasmsite/ssg/page"
)

// patchable reports whether pl, the last plan, can be patched into the plan
// of in (see Planner.Plan): the same settings, static files and extra
// files, and a site that is pl's, patched in place by replacements a patch
// can follow. The theme and settings may be new values: SiteKey covers
// them (a rescanning build loads them again). It changes nothing.
func (pl *planner) patchable(in Input) bool {
	last := pl.Input
	if in.SiteKey != last.SiteKey || in.Keys != last.Keys || in.Snippet != last.Snippet ||
		in.OutDir != last.OutDir || in.Images != last.Images || !slices.Equal(in.Statics, pl.plannedStatics) ||
		!maps.EqualFunc(in.Extra, pl.plannedExtra, bytes.Equal) || hasGitkeep(in.OutDir) != pl.gitkeep {
		return false
	}
	if !sameArray(in.Site.Posts, last.Site.Posts) || !sameArray(in.Site.Pages, last.Site.Pages) || !sameArray(in.Site.Tags, last.Site.Tags) {
		return false
	}
	for _, r := range in.Patch.Replaced {
		if !patchable(r) {
			return false
		}
	}
	return pl.rendersAfter(in)
}

// sameArray reports whether a and b are the same elements of one array.
func sameArray[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// patchable reports whether a patch can put r.New in r.Old's place: as
// well as the shape page.Model requires (places, lists and tags), the same
// source, title for a standalone page (the navigation shows it),
// modification date (the sitemap shows it), aliases and bundle files.
func patchable(r page.Replacement) bool {
	o, p := r.Old, r.New
	_, oz := o.Lastmod.Zone()
	_, pz := p.Lastmod.Zone()
	return o.Kind == p.Kind && o.URL == p.URL && o.OutPath == p.OutPath && o.File == p.File &&
		(o.Kind != "page" || o.Title == p.Title) && o.Lastmod.Equal(p.Lastmod) && oz == pz &&
		slices.Equal(o.Tags, p.Tags) && slices.Equal(o.Aliases, p.Aliases) && slices.Equal(o.Bundle, p.Bundle)
}

// rendersAfter reports whether the pages pl rendered, with in's
// replacements made, are in's: no page changed that in does not say.
func (pl *planner) rendersAfter(in Input) bool {
	posts, pages := in.Site.Posts, in.Site.Pages
	if len(pl.rendered) != len(posts)+len(pages) {
		return false
	}
	for i, p := range pl.rendered {
		var now *page.Page
		if i < len(posts) {
			now = posts[i]
		} else {
			now = pages[i-len(posts)]
		}
		if p != now && !slices.Contains(in.Patch.Replaced, page.Replacement{Old: p, New: now}) {
			return false
		}
	}
	return true
}

// patch makes pl, which patchable accepts for in, the plan of in, plan
// number n: it redoes the files that show a replaced page, and the tag
// index, 404 page and feeds, and returns what changed.
func (pl *planner) patch(in Input, n uint64) *Changes {
	ch := &Changes{Base: pl.number}
	pl.Input, pl.number = in, n
	if pl.entries == nil {
		pl.entries = &entryCache{m: map[*page.Page][]byte{}}
	}
	for _, r := range in.Patch.Replaced {
		pl.replace(r, ch)
	}
	pl.contentKey = pl.contentKeyOf(pl.contentSum)
	pl.files[pl.tagIndexAt], pl.files[pl.notFoundAt] = pl.tagIndex(), pl.notFound()
	pl.files[pl.feedsAt], pl.files[pl.feedsAt+1] = pl.feedFiles()
	ch.Indexes = append(ch.Indexes, pl.tagIndexAt, pl.notFoundAt, pl.feedsAt, pl.feedsAt+1)
	slices.Sort(ch.Indexes)
	ch.Indexes = slices.Compact(ch.Indexes)
	if pl.Snippet != "" {
		for _, i := range ch.Indexes {
			Inject(pl.files[i:i+1], pl.Snippet)
		}
	}
	return ch
}

// replace redoes the files that show r.New in r.Old's place, if it is
// rendered: its page and its neighbours', the list pages and the search
// shard that show it, and its aliases; it adds r and their indexes to ch.
func (pl *planner) replace(r page.Replacement, ch *Changes) {
	i := slices.Index(pl.rendered, r.Old)
	if i < 0 {
		return // not rendered: a draft or a page not due yet
	}
	ch.Replaced = append(ch.Replaced, r)
	pl.rendered[i] = r.New
	pl.contentSum += pl.contentTerm(i, r.New) - pl.contentTerm(i, r.Old)
	posts := pl.Site.Posts
	redo := func(j int, f File) {
		pl.files[j] = f
		ch.Indexes = append(ch.Indexes, j)
	}
	if i < len(posts) {
		for j := max(0, i-1); j <= min(len(posts)-1, i+1); j++ {
			redo(j, pl.postFile(posts[j]))
		}
		pl.eachListPage(i, r.New, func(l *postList, n int) { redo(l.at+n-1, pl.listFile(l, n)) })
	} else {
		redo(pl.pagesAt+i-len(posts), pl.pageFile(r.New))
	}
	s := shardOf(r.New, len(pl.shards))
	if k := slices.Index(pl.shards[s], r.Old); k >= 0 {
		pl.shards[s][k] = r.New
	}
	pl.entries.drop(r.Old)
	redo(pl.shardsAt+s, pl.shardFile(s, pl.entries))
	if at, ok := pl.aliasAt[r.Old]; ok {
		delete(pl.aliasAt, r.Old)
		pl.aliasAt[r.New] = at
		// r.Old's aliases, at the same URL, were valid: so are r.New's.
		files, _ := pl.aliasFiles(r.New)
		for k, f := range files {
			redo(at+k, f)
		}
	}
}

// eachListPage calls f with every list page that shows the post p, at i in
// Site.Posts: its page of the home and blog lists, and of its tags' lists.
func (pl *planner) eachListPage(i int, p *page.Page, f func(l *postList, n int)) {
	for _, l := range pl.lists[:2] {
		f(l, i/l.per+1)
	}
	tags := pl.Site.Tags
	for _, t := range p.Tags {
		ti := sort.Search(len(tags), func(j int) bool { return tags[j].Slug >= t.Slug })
		if ti == len(tags) || tags[ti].Slug != t.Slug {
			continue // not reached: p has the tag
		}
		l := pl.lists[2+ti]
		for k, q := range l.posts {
			if q == p {
				f(l, k/l.per+1)
			}
		}
	}
}
