package page

import "strconv"

// Paginator describes one page of a paginated post list (home, blog, a tag):
// page Number of Total, at URL. PrevURL (newer posts) and NextURL (older
// posts) are empty on the first and last page.
type Paginator struct {
	Number, Total     int
	URL               string
	PrevURL, NextURL  string
	FirstURL, LastURL string
}

// List is one page of a paginated post list.
type List struct {
	Posts     []*Page
	Paginator *Paginator
}

// PagerURL is the URL of page n of the list at base: base itself for the
// first page, then base/page/n/.
func PagerURL(base string, n int) string {
	if n == 1 {
		return base
	}
	return base + "page/" + strconv.Itoa(n) + "/"
}

// Paginate splits posts into pages of per posts for the list at base ("/",
// "/blog/", "/tags/go/"). There is always at least one page, empty when
// there are no posts.
func Paginate(posts []*Page, per int, base string) []List {
	total := Pages(len(posts), per)
	lps := make([]List, total)
	for n := 1; n <= total; n++ {
		lps[n-1] = List{Posts: PageOf(posts, per, n), Paginator: Pager(base, n, total)}
	}
	return lps
}

// Pages returns how many pages a list of n posts has with per posts a page:
// at least one.
func Pages(n, per int) int { return max(1, (n+per-1)/per) }

// PageOf returns the posts page n (from 1) of a list shows with per posts a
// page.
func PageOf(posts []*Page, per, n int) []*Page {
	return posts[min((n-1)*per, len(posts)):min(n*per, len(posts))]
}

// Pager returns the paginator of page n of total of the list at base.
func Pager(base string, n, total int) *Paginator {
	pg := &Paginator{Number: n, Total: total, URL: PagerURL(base, n), FirstURL: base, LastURL: PagerURL(base, total)}
	if n > 1 {
		pg.PrevURL = PagerURL(base, n-1)
	}
	if n < total {
		pg.NextURL = PagerURL(base, n+1)
	}
	return pg
}

// PagedTitle is the title of page n of a list titled title: "Blog",
// "Blog, page 2"; the untitled home's later pages are "Page 2".
func PagedTitle(title string, n int) string {
	switch {
	case n == 1:
		return title
	case title == "":
		return "Page " + strconv.Itoa(n)
	}
	return title + ", page " + strconv.Itoa(n)
}
