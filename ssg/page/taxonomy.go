package page

import "sort"

// Tag groups the posts carrying one tag.
type Tag struct {
	Name, Slug, URL string
	Pages           []*Page
}

// Tags groups posts by the slugs of their tags, in slug order; a tag is
// named as on its first post, and its pages are in the order of posts.
func Tags(posts []*Page) []*Tag {
	bySlug := map[string]*Tag{}
	var tags []*Tag
	for _, p := range posts {
		for _, t := range p.Tags {
			tg := bySlug[t.Slug]
			if tg == nil {
				tg = &Tag{Name: t.Name, Slug: t.Slug, URL: t.URL}
				bySlug[t.Slug] = tg
				tags = append(tags, tg)
			}
			tg.Pages = append(tg.Pages, p)
		}
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Slug < tags[j].Slug })
	return tags
}
