package site

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFuturePosts: posts dated after the build are left out of every output
// (page, lists, tags, feeds, sitemap) unless Future is set, and the build
// says when the first of them becomes due.
func TestFuturePosts(t *testing.T) {
	dir := t.TempDir()
	files := sampleFiles()
	soon := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Second)
	files["content/blog/soon.md"] = post("soon", soon.Format(time.RFC3339), "tags = [\"later\"]\n")
	files["content/blog/far.md"] = post("far", "2999-01-01", "")
	writeTree(t, dir, files)
	res, err := buildIn(t, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.NextDue.Equal(soon) {
		t.Errorf("NextDue = %v, want %v", res.NextDue, soon)
	}
	out := readTree(t, filepath.Join(dir, "public"))
	for name, content := range out {
		if strings.Contains(content, "/blog/soon/") || strings.Contains(content, "/blog/far/") || strings.HasPrefix(name, "tags/later") {
			t.Errorf("%s shows a future post", name)
		}
	}
	res, err = buildIn(t, dir, Options{Future: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Posts != 5 || !res.NextDue.IsZero() {
		t.Errorf("with Future: %d posts, NextDue %v; want 5 and none", res.Posts, res.NextDue)
	}
	out = readTree(t, filepath.Join(dir, "public"))
	for _, f := range []string{"blog/soon/index.html", "blog/far/index.html", "tags/later/index.html"} {
		if _, ok := out[f]; !ok {
			t.Errorf("with Future: %s missing", f)
		}
	}
	if !strings.Contains(out["feed.xml"], "/blog/far/") {
		t.Error("with Future: the feed lacks the future post")
	}
}

// TestDraftBadge: a draft rendered with Drafts says so on its page and in
// lists; other posts carry no badge.
func TestDraftBadge(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, sampleFiles())
	if _, err := buildIn(t, dir, Options{Drafts: true}); err != nil {
		t.Fatal(err)
	}
	out := readTree(t, filepath.Join(dir, "public"))
	badge := `<span class="badge badge-draft">Draft</span>`
	if !strings.Contains(out["blog/draft/index.html"], badge) {
		t.Error("draft page has no badge")
	}
	card := out["index.html"][strings.Index(out["index.html"], `href="/blog/draft/"`):]
	card = card[:strings.Index(card, "</article>")]
	if !strings.Contains(card, badge) {
		t.Errorf("draft card on the home page has no badge:\n%s", card)
	}
	for _, f := range []string{"blog/one/index.html", "blog/two/index.html", "about/index.html"} {
		if strings.Contains(out[f], "badge-draft") {
			t.Errorf("%s: published post with a draft badge", f)
		}
	}
}
