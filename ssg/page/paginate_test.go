package page

import (
	"fmt"
	"testing"
)

func TestPaginate(t *testing.T) {
	posts := make([]*Page, 7)
	for i := range posts {
		posts[i] = &Page{Slug: fmt.Sprint(i)}
	}
	for _, c := range []struct {
		n, per int
		sizes  []int
	}{
		{0, 3, []int{0}},
		{1, 3, []int{1}},
		{3, 3, []int{3}},
		{4, 3, []int{3, 1}},
		{6, 3, []int{3, 3}},
		{7, 3, []int{3, 3, 1}},
		{7, 1, []int{1, 1, 1, 1, 1, 1, 1}},
	} {
		lps := Paginate(posts[:c.n], c.per, "/x/")
		var sizes []int
		for i, lp := range lps {
			sizes = append(sizes, len(lp.Posts))
			pg := lp.Paginator
			if pg.Number != i+1 || pg.Total != len(lps) || pg.URL != PagerURL("/x/", i+1) ||
				pg.FirstURL != "/x/" || pg.LastURL != PagerURL("/x/", len(lps)) {
				t.Errorf("%d posts, %d per page: page %d paginator %+v", c.n, c.per, i+1, pg)
			}
			if len(lp.Posts) > 0 && lp.Posts[0] != posts[i*c.per] {
				t.Errorf("%d posts, %d per page: page %d starts with post %s", c.n, c.per, i+1, lp.Posts[0].Slug)
			}
		}
		if fmt.Sprint(sizes) != fmt.Sprint(c.sizes) {
			t.Errorf("%d posts, %d per page: pages of %v, want %v", c.n, c.per, sizes, c.sizes)
		}
	}
	if u := PagerURL("/", 1); u != "/" {
		t.Errorf("PagerURL(/, 1) = %s", u)
	}
	if u := PagerURL("/tags/go/", 3); u != "/tags/go/page/3/" {
		t.Errorf("PagerURL(/tags/go/, 3) = %s", u)
	}
}
