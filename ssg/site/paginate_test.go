package site

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"wasmsite/ssg/output"
	"wasmsite/ssg/page"
)

// paginatedFiles is a site of five posts tagged "go" (newest first: p5 … p1)
// with paginate = 2; "pair" has exactly two posts and "solo" one.
func paginatedFiles() map[string]string {
	files := map[string]string{"content/site.toml": siteTOML}
	for i := 1; i <= 5; i++ {
		tags := `"go"`
		switch i {
		case 2, 3:
			tags += `, "pair"`
		case 4:
			tags += `, "solo"`
		}
		slug := fmt.Sprintf("p%d", i)
		files["content/blog/"+slug+".md"] = post(slug, fmt.Sprintf("2024-01-0%d", i), "tags = ["+tags+"]\n")
	}
	return files
}

var cardRe = regexp.MustCompile(`<article class="post-card">\s*<h2><a href="/blog/([^/"]+)/">`)

// listed returns the slugs of the post cards of a list page, in order.
func listed(html string) []string {
	var s []string
	for _, m := range cardRe.FindAllStringSubmatch(html, -1) {
		s = append(s, m[1])
	}
	return s
}

func TestPaginatedLists(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, paginatedFiles())
	if _, err := buildIn(t, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	out := readTree(t, filepath.Join(dir, "public"))
	for _, l := range []struct {
		base, title string
		want        [][]string // slugs per page
	}{
		{"/", "", [][]string{{"p5", "p4"}, {"p3", "p2"}, {"p1"}}},
		{"/blog/", "Blog", [][]string{{"p5", "p4"}, {"p3", "p2"}, {"p1"}}},
		{"/tags/go/", "Tag: go", [][]string{{"p5", "p4"}, {"p3", "p2"}, {"p1"}}},
		{"/tags/pair/", "Tag: pair", [][]string{{"p3", "p2"}}}, // exactly paginate posts: one page
		{"/tags/solo/", "Tag: solo", [][]string{{"p4"}}},
	} {
		total := len(l.want)
		for n := 1; n <= total+1; n++ {
			u := page.PagerURL(l.base, n)
			html, ok := out[output.URLFile(u)]
			if n > total {
				if ok {
					t.Errorf("%s exists: %s has only %d pages", u, l.base, total)
				}
				continue
			}
			if !ok {
				t.Errorf("%s missing", u)
				continue
			}
			if got := listed(html); fmt.Sprint(got) != fmt.Sprint(l.want[n-1]) {
				t.Errorf("%s lists %v, want %v", u, got, l.want[n-1])
			}
			if want := `<link rel="canonical" href="https://example.org` + u + `">`; !strings.Contains(html, want) {
				t.Errorf("%s lacks %s", u, want)
			}
			title := page.PagedTitle(l.title, n)
			if title != "" {
				title += " · "
			}
			if want := "<title>" + title + "Test Site</title>"; !strings.Contains(html, want) {
				t.Errorf("%s lacks %s", u, want)
			}
			nav := regexp.MustCompile(`(?s)<nav class="pagination" aria-label="Pagination">.*?</nav>`).FindString(html)
			if total == 1 {
				if nav != "" || strings.Contains(html, `rel="next"`) || strings.Contains(html, `rel="prev"`) {
					t.Errorf("%s has a single page but shows pagination:\n%s", u, nav)
				}
				continue
			}
			if !strings.Contains(nav, fmt.Sprintf("<span>Page %d of %d</span>", n, total)) {
				t.Errorf("%s: pagination lacks Page %d of %d:\n%s", u, n, total, nav)
			}
			prev := `<a rel="prev" href="` + page.PagerURL(l.base, max(1, n-1)) + `">`
			if n > 1 != strings.Contains(nav, prev) || (n == 1 && strings.Contains(nav, `rel="prev"`)) {
				t.Errorf("%s: prev link wrong (want %s: %v):\n%s", u, prev, n > 1, nav)
			}
			next := `<a rel="next" href="` + page.PagerURL(l.base, n+1) + `">`
			if n < total != strings.Contains(nav, next) || (n == total && strings.Contains(nav, `rel="next"`)) {
				t.Errorf("%s: next link wrong (want %s: %v):\n%s", u, next, n < total, nav)
			}
		}
	}
	// The tag index still counts every post of a tag.
	if !strings.Contains(out["tags/index.html"], `<a href="/tags/go/">go</a> <span class="count">(5)</span>`) {
		t.Errorf("tag index lacks the count of go:\n%s", out["tags/index.html"])
	}
	// The sitemap lists every page of every list, with its newest post's date.
	sm := out["sitemap.xml"]
	for u, lm := range map[string]string{
		"/": "2024-01-05", "/page/2/": "2024-01-03", "/page/3/": "2024-01-01",
		"/blog/": "2024-01-05", "/blog/page/2/": "2024-01-03", "/blog/page/3/": "2024-01-01",
		"/tags/go/": "2024-01-05", "/tags/go/page/3/": "2024-01-01", "/tags/pair/": "2024-01-03",
	} {
		if want := "<loc>https://example.org" + u + "</loc>\n    <lastmod>" + lm + "</lastmod>"; !strings.Contains(sm, want) {
			t.Errorf("sitemap lacks %s", want)
		}
	}
	for _, u := range []string{"/tags/pair/page/2/", "/page/4/", "/blog/page/4/"} {
		if strings.Contains(sm, "https://example.org"+u+"<") {
			t.Errorf("sitemap lists %s", u)
		}
	}
	sitemapLocs(t, sm, out)
}

func TestPaginatedListKeys(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, paginatedFiles())
	b := NewBuilder(Options{ContentDir: filepath.Join(dir, "content"), OutDir: filepath.Join(dir, "public")})
	if _, err := b.Build(); err != nil {
		t.Fatal(err)
	}
	before := b.publisher.Keys()
	// Edit the text of p1, the oldest post: only the last page of each list shows it.
	writeTree(t, dir, map[string]string{"content/blog/p1.md": post("p1", "2024-01-01", "tags = [\"go\"]\n") + "\nMore text.\n"})
	if _, err := b.Build(); err != nil {
		t.Fatal(err)
	}
	changed := func(p string) bool { return before[p] != b.publisher.Keys()[p] }
	for _, p := range []string{"page/3/index.html", "blog/page/3/index.html", "tags/go/page/3/index.html", "blog/p1/index.html"} {
		if !changed(p) {
			t.Errorf("%s not re-rendered after an edit of a post it shows", p)
		}
	}
	for _, p := range []string{
		"index.html", "page/2/index.html", "blog/index.html", "blog/page/2/index.html",
		"tags/go/index.html", "tags/go/page/2/index.html", "tags/pair/index.html", "tags/solo/index.html",
	} {
		if changed(p) {
			t.Errorf("%s re-rendered after an edit of a post it does not show", p)
		}
	}
	// A new post shifts every page: all of them change, and a page is added.
	before = b.publisher.Keys()
	writeTree(t, dir, map[string]string{"content/blog/p6.md": post("p6", "2024-01-06", "tags = [\"go\"]\n")})
	if _, err := b.Build(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"index.html", "blog/page/2/index.html", "blog/page/3/index.html", "tags/go/page/3/index.html"} {
		if !changed(p) {
			t.Errorf("%s not re-rendered after a new post shifted it", p)
		}
	}
	if _, ok := b.publisher.Keys()["blog/page/3/index.html"]; !ok {
		t.Error("6 posts, 2 per page: blog/page/3 missing")
	}
	// An untagged seventh post adds a blog page but leaves the tag's pages alone.
	before = b.publisher.Keys()
	writeTree(t, dir, map[string]string{"content/blog/p7.md": post("p7", "2024-01-07", "")})
	if _, err := b.Build(); err != nil {
		t.Fatal(err)
	}
	if changed("tags/go/index.html") || changed("tags/go/page/3/index.html") {
		t.Error("an untagged post re-rendered the pages of tag go")
	}
	if _, ok := b.publisher.Keys()["blog/page/4/index.html"]; !ok {
		t.Error("7 posts, 2 per page: blog/page/4 missing")
	}
}

func TestPaginatedStalePagesDisappear(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, paginatedFiles())
	content, out := filepath.Join(dir, "content"), filepath.Join(dir, "public")
	inc := NewBuilder(Options{ContentDir: content, OutDir: out})
	// Two builds, so that the previous generation is kept for reuse.
	for range 2 {
		if _, err := inc.Build(); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"page/3/index.html", "blog/page/3/index.html", "tags/go/page/3/index.html"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Fatal(err)
		}
	}
	// Delete p1, p2 and p3: three pages become one for go, and pair disappears.
	for i := 1; i <= 3; i++ {
		if err := os.Remove(filepath.Join(content, "blog", fmt.Sprintf("p%d.md", i))); err != nil {
			t.Fatal(err)
		}
	}
	check := func(who string) {
		t.Helper()
		for _, p := range []string{"page", "blog/page", "tags/go/page", "tags/pair"} {
			if _, err := os.Stat(filepath.Join(out, p)); !os.IsNotExist(err) {
				t.Errorf("%s: %s still exists after its posts were deleted", who, p)
			}
		}
		got := readTree(t, out)
		if l := listed(got["blog/index.html"]); fmt.Sprint(l) != "[p5 p4]" {
			t.Errorf("%s: blog lists %v", who, l)
		}
		if strings.Contains(got["blog/index.html"], `class="pagination"`) {
			t.Errorf("%s: single blog page still paginated", who)
		}
		if strings.Contains(got["sitemap.xml"], "/page/") {
			t.Errorf("%s: sitemap lists removed pages", who)
		}
		fresh := filepath.Join(t.TempDir(), "fresh")
		if _, err := Build(Options{ContentDir: content, OutDir: fresh}); err != nil {
			t.Fatal(err)
		}
		diffTrees(t, readTree(t, fresh), got)
	}
	if _, err := inc.Build(); err != nil {
		t.Fatal(err)
	}
	check("same builder")
	// A new process reuses the previous generation without knowing its keys.
	writeTree(t, dir, map[string]string{"content/blog/p2.md": post("p2", "2024-01-02", "tags = [\"go\"]\n")})
	if _, err := inc.Build(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(content, "blog", "p2.md")); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(Options{ContentDir: content, OutDir: out}); err != nil {
		t.Fatal(err)
	}
	check("new builder")
}

func TestEmptyBlog(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"content/site.toml": siteTOML, "content/pages/about.md": "---\ntitle = \"About\"\n---\nHi.\n"})
	if _, err := buildIn(t, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	out := readTree(t, filepath.Join(dir, "public"))
	for _, f := range []string{"index.html", "blog/index.html"} {
		if !strings.Contains(out[f], "<p>No posts yet.</p>") || strings.Contains(out[f], "pagination") {
			t.Errorf("%s of a site without posts:\n%s", f, out[f])
		}
	}
	for f := range out {
		if strings.Contains(f, "page/") {
			t.Errorf("site without posts has %s", f)
		}
	}
}
