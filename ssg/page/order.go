package page

import (
	"slices"
	"strings"
)

// Order sorts posts newest first (by slug on equal dates) and pages by
// slug, and links every post to its older (Prev) and newer (Next)
// neighbour.
func Order(posts, pages []*Page) {
	slices.SortStableFunc(posts, func(a, b *Page) int {
		if c := b.Date.Compare(a.Date); c != 0 {
			return c
		}
		return strings.Compare(a.Slug, b.Slug)
	})
	slices.SortStableFunc(pages, func(a, b *Page) int { return strings.Compare(a.Slug, b.Slug) })
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
