package page

import "sort"

// Order sorts posts newest first (by slug on equal dates) and pages by
// slug, and links every post to its older (Prev) and newer (Next)
// neighbour.
func Order(posts, pages []*Page) {
	sort.SliceStable(posts, func(i, j int) bool {
		if !posts[i].Date.Equal(posts[j].Date) {
			return posts[i].Date.After(posts[j].Date)
		}
		return posts[i].Slug < posts[j].Slug
	})
	sort.SliceStable(pages, func(i, j int) bool { return pages[i].Slug < pages[j].Slug })
	for i, p := range posts {
		p.Prev, p.Next = nil, nil
		if i+1 < len(posts) {
			p.Prev = posts[i+1]
		}
		if i > 0 {
			p.Next = posts[i-1]
		}
	}
}
