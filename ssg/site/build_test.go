package site

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"wasmsite/ssg/output"
	"wasmsite/ssg/publisher"
)

// writeTree creates files (slash paths) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree returns every file under dir keyed by slash path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func diffTrees(t *testing.T, a, b map[string]string) {
	t.Helper()
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	n := 0
	for _, k := range keys {
		if a[k] != b[k] {
			_, inA := a[k]
			_, inB := b[k]
			t.Errorf("trees differ at %s (in first: %v, in second: %v)", k, inA, inB)
			if n++; n > 5 {
				return
			}
		}
	}
}

const siteTOML = `title = "Test Site"
author = "Tess"
base_url = "https://example.org/"
description = "A test site"
paginate = 2
`

func post(slug, date, extra string) string {
	return "---\nslug = \"" + slug + "\"\ntitle = \"Post " + slug + "\"\ndescription = \"About " + slug + "\"\ncreated_date = \"" + date + "\"\n" + extra + "---\n\n## Section\n\nSome text for " + slug + " with a [link](/blog/one/).\n"
}

func sampleFiles() map[string]string {
	return map[string]string{
		"content/site.toml":          siteTOML,
		"content/blog/one.md":        post("one", "2022-06-5", "last_modified_date = \"2022-06-07\"\ntags = [\"Go\", \"wasm\"]\naliases = [\"/old/one/\", \"/2022/one.html\"]\n"),
		"content/blog/two.md":        "+++\ntitle = \"Two & more\"\ndate = 2022-07-01\ntags = [\"go\"]\n+++\n\nText <em>two</em> [one](/blog/one/#section).\n",
		"content/blog/2023/three.md": "---\ntitle: Three\ndate: 2023-01-02T10:00:00Z\ntags: [wasm]\ntoc: true\n---\n\n## A\n\n### B\n\nThree.\n",
		"content/blog/draft.md":      post("draft", "2024-01-01", "draft = true\n"),
		"content/pages/about.md":     "---\ntitle = \"About\"\n---\n\nAbout [home](/).\n",
		"content/static/img/x.svg":   "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
	}
}

func buildIn(t *testing.T, dir string, o Options) (*Result, error) {
	t.Helper()
	if o.ContentDir == "" {
		o.ContentDir = filepath.Join(dir, "content")
	}
	if o.OutDir == "" {
		o.OutDir = filepath.Join(dir, "public")
	}
	return Build(o)
}

func TestBuildSite(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, sampleFiles())
	var warn bytes.Buffer
	res, err := buildIn(t, dir, Options{Warn: &warn})
	if err != nil {
		t.Fatal(err)
	}
	if res.Posts != 3 || res.Pages != 1 {
		t.Fatalf("posts=%d pages=%d, want 3 and 1", res.Posts, res.Pages)
	}
	if warn.Len() != 0 {
		t.Errorf("unexpected warnings: %s", warn.String())
	}
	out := readTree(t, filepath.Join(dir, "public"))
	for _, f := range []string{
		"index.html", "page/2/index.html", "blog/index.html", "blog/page/2/index.html", "blog/one/index.html", "blog/two/index.html",
		"blog/three/index.html", "about/index.html", "tags/index.html", "tags/go/index.html", "tags/wasm/index.html",
		"feed.xml", "atom.xml", "sitemap.xml", "robots.txt", "404.html", "assets/style.css", "assets/likes.js",
		"img/x.svg", "old/one/index.html", "2022/one.html",
	} {
		if _, ok := out[f]; !ok {
			t.Errorf("missing output %s", f)
		}
	}
	if _, ok := out["blog/draft/index.html"]; ok {
		t.Error("draft rendered without -drafts")
	}
	for _, f := range []string{"page/3/index.html", "blog/page/3/index.html", "tags/go/page/2/index.html"} {
		if _, ok := out[f]; ok {
			t.Errorf("%s: 3 posts (2 tagged go) with paginate=2 give 2 pages", f)
		}
	}
	one := out["blog/one/index.html"]
	for _, want := range []string{
		`<form class="like" method="post" action="/likes">`,
		`<input type="hidden" name="url" value="/blog/one/">`,
		`<input type="hidden" name="action" value="toggle">`,
		`<button type="submit" class="like-button" data-like-url="/blog/one/">`,
		`<link rel="canonical" href="https://example.org/blog/one/">`,
		`<meta property="og:title" content="Post one">`,
		`<meta name="twitter:card" content="summary">`,
		`<a class="skip-link" href="#main">`, `<main id="main"`,
		`rel="next" href="/blog/two/"`, `<time datetime="2022-06-05">5 June 2022</time>`,
		`<a href="/tags/go/" rel="tag">Go</a>`, `1 min read`, `aria-live="polite"`,
	} {
		if !strings.Contains(one, want) {
			t.Errorf("blog/one lacks %q", want)
		}
	}
	if strings.Contains(one, `class="toc"`) {
		t.Error("toc rendered without toc = true")
	}
	if !strings.Contains(out["blog/three/index.html"], `<li class="toc-h3"><a href="#b">B</a></li>`) {
		t.Error("toc missing on blog/three")
	}
	if !strings.Contains(out["blog/two/index.html"], "<title>Two &amp; more · Test Site</title>") {
		t.Error("title not escaped on blog/two")
	}
	home := out["index.html"]
	for _, want := range []string{
		`<span class="like-count" data-like-url="/blog/three/"></span>`,
		`<span class="like-count" data-like-url="/blog/two/"></span>`,
		`href="/page/2/"`,
	} {
		if !strings.Contains(home, want) {
			t.Errorf("home lacks %q", want)
		}
	}
	if strings.Contains(home, `data-like-url="/blog/one/"`) {
		t.Error("oldest post must be on page 2")
	}
	if strings.Index(home, "/blog/three/") > strings.Index(home, "/blog/two/") {
		t.Error("home not newest first")
	}
	alias := out["old/one/index.html"]
	for _, want := range []string{`<meta http-equiv="refresh" content="0; url=/blog/one/">`, `<link rel="canonical" href="https://example.org/blog/one/">`} {
		if !strings.Contains(alias, want) {
			t.Errorf("alias lacks %q:\n%s", want, alias)
		}
	}
	if out["robots.txt"] != "User-agent: *\nAllow: /\n\nSitemap: https://example.org/sitemap.xml\n" {
		t.Errorf("robots.txt = %q", out["robots.txt"])
	}
	css := out["assets/style.css"]
	if !strings.Contains(css, "prefers-color-scheme: dark") || !strings.Contains(css, ".chroma .kd") {
		t.Error("style.css lacks dark mode or chroma classes")
	}
	for name, c := range out {
		if strings.HasSuffix(name, ".html") && regexp.MustCompile(`(src="(https?:)?//)|(rel="(stylesheet|icon)" href="(https?:)?//)`).MatchString(c) {
			t.Errorf("%s references another origin", name)
		}
	}
	if strings.Contains(out["assets/likes.js"], "http") && !strings.Contains(out["assets/likes.js"], "HTTP ") {
		t.Error("likes.js must not reference other origins")
	}
	checkSitemap(t, out["sitemap.xml"], out)
	checkRSS(t, out["feed.xml"])
	checkAtom(t, out["atom.xml"])
}

func checkSitemap(t *testing.T, data string, out map[string]string) {
	t.Helper()
	locs := sitemapLocs(t, data, out)
	want := map[string]string{
		"https://example.org/blog/one/":    "2022-06-07",
		"https://example.org/blog/two/":    "2022-07-01",
		"https://example.org/blog/three/":  "2023-01-02",
		"https://example.org/about/":       "2023-01-02",
		"https://example.org/":             "2023-01-02",
		"https://example.org/page/2/":      "2022-06-07",
		"https://example.org/blog/":        "2023-01-02",
		"https://example.org/blog/page/2/": "2022-06-07",
		"https://example.org/tags/go/":     "2022-07-01",
	}
	for loc, lm := range want {
		if locs[loc] != lm {
			t.Errorf("sitemap %s lastmod = %q, want %q", loc, locs[loc], lm)
		}
	}
}

// sitemapLocs checks that a sitemap is well formed and lists only generated
// pages, and returns its lastmod by loc.
func sitemapLocs(t *testing.T, data string, out map[string]string) map[string]string {
	t.Helper()
	var sm struct {
		XMLName xml.Name
		URLs    []struct {
			Loc     string `xml:"loc"`
			Lastmod string `xml:"lastmod"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(data), &sm); err != nil {
		t.Fatalf("sitemap: %v", err)
	}
	if sm.XMLName.Space != "http://www.sitemaps.org/schemas/sitemap/0.9" || sm.XMLName.Local != "urlset" {
		t.Errorf("sitemap root = %v", sm.XMLName)
	}
	locs := map[string]string{}
	for _, u := range sm.URLs {
		locs[u.Loc] = u.Lastmod
		if !strings.HasPrefix(u.Loc, "https://example.org/") {
			t.Errorf("sitemap loc %q not absolute", u.Loc)
		}
		if _, err := time.Parse("2006-01-02", u.Lastmod); err != nil {
			t.Errorf("sitemap lastmod %q for %s: %v", u.Lastmod, u.Loc, err)
		}
		f := output.URLFile(strings.TrimPrefix(u.Loc, "https://example.org"))
		if _, ok := out[f]; !ok {
			t.Errorf("sitemap lists %s but %s was not generated", u.Loc, f)
		}
	}
	for loc := range locs {
		if strings.Contains(loc, "/old/") || strings.Contains(loc, "404") {
			t.Errorf("sitemap must not list %s", loc)
		}
	}
	return locs
}

func checkRSS(t *testing.T, data string) {
	t.Helper()
	var rss struct {
		XMLName xml.Name `xml:"rss"`
		Version string   `xml:"version,attr"`
		Channel struct {
			Title         string `xml:"title"`
			Description   string `xml:"description"`
			LastBuildDate string `xml:"lastBuildDate"`
			Links         []struct {
				XMLName xml.Name
				Href    string `xml:"href,attr"`
				Rel     string `xml:"rel,attr"`
				Value   string `xml:",chardata"`
			} `xml:"link"`
			Items []struct {
				Title       string `xml:"title"`
				Link        string `xml:"link"`
				PubDate     string `xml:"pubDate"`
				Description string `xml:"description"`
				GUID        string `xml:"guid"`
			} `xml:"item"`
		} `xml:"channel"`
	}
	if err := xml.Unmarshal([]byte(data), &rss); err != nil {
		t.Fatalf("feed.xml: %v", err)
	}
	c := rss.Channel
	var link, self string
	for _, l := range c.Links {
		switch l.XMLName.Space {
		case "":
			link = l.Value
		case "http://www.w3.org/2005/Atom":
			if l.Rel == "self" {
				self = l.Href
			}
		}
	}
	if rss.Version != "2.0" || c.Title != "Test Site" || link != "https://example.org/" || c.Description != "A test site" {
		t.Errorf("rss channel = %+v", c)
	}
	if self != "https://example.org/feed.xml" {
		t.Errorf("rss atom:link self = %q", self)
	}
	if _, err := time.Parse(time.RFC1123Z, c.LastBuildDate); err != nil {
		t.Errorf("lastBuildDate: %v", err)
	}
	if len(c.Items) != 3 {
		t.Fatalf("rss items = %d, want 3", len(c.Items))
	}
	if c.Items[0].Link != "https://example.org/blog/three/" || c.Items[0].GUID != c.Items[0].Link {
		t.Errorf("first item = %+v", c.Items[0])
	}
	for _, it := range c.Items {
		if it.Title == "" || !strings.HasPrefix(it.Link, "https://") {
			t.Errorf("item %+v", it)
		}
		if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil {
			t.Errorf("pubDate %q: %v", it.PubDate, err)
		}
	}
	if !strings.Contains(c.Items[1].Description, `Text <em>two</em> <a href="https://example.org/blog/one/#section">`) {
		t.Errorf("rss item lacks full content: %q", c.Items[1].Description)
	}
}

func checkAtom(t *testing.T, data string) {
	t.Helper()
	type link struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr"`
	}
	var f struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		ID      string   `xml:"id"`
		Title   string   `xml:"title"`
		Updated string   `xml:"updated"`
		Links   []link   `xml:"link"`
		Author  struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Entries []struct {
			ID        string `xml:"id"`
			Title     string `xml:"title"`
			Updated   string `xml:"updated"`
			Published string `xml:"published"`
			Links     []link `xml:"link"`
			Content   struct {
				Type string `xml:"type,attr"`
				Body string `xml:",chardata"`
			} `xml:"content"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(data), &f); err != nil {
		t.Fatalf("atom.xml: %v", err)
	}
	if f.ID != "https://example.org/" || f.Title != "Test Site" || f.Author.Name != "Tess" {
		t.Errorf("atom feed header: %+v", f)
	}
	if f.Updated != "2023-01-02T10:00:00Z" {
		t.Errorf("atom updated = %q", f.Updated)
	}
	self := false
	for _, l := range f.Links {
		self = self || (l.Rel == "self" && l.Href == "https://example.org/atom.xml")
	}
	if !self {
		t.Error("atom lacks rel=self link")
	}
	if len(f.Entries) != 3 {
		t.Fatalf("atom entries = %d", len(f.Entries))
	}
	for _, e := range f.Entries {
		if !strings.HasPrefix(e.ID, "https://example.org/blog/") || e.Title == "" || e.Content.Type != "html" || e.Content.Body == "" {
			t.Errorf("entry %+v", e)
		}
		for _, d := range []string{e.Updated, e.Published} {
			if _, err := time.Parse(time.RFC3339, d); err != nil {
				t.Errorf("entry date %q: %v", d, err)
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, sampleFiles())
	if _, err := buildIn(t, dir, Options{OutDir: filepath.Join(dir, "a")}); err != nil {
		t.Fatal(err)
	}
	// Touch every source: mtimes must not leak into the output.
	later := time.Now().Add(time.Hour)
	_ = filepath.WalkDir(filepath.Join(dir, "content"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			_ = os.Chtimes(p, later, later)
		}
		return err
	})
	if _, err := buildIn(t, dir, Options{OutDir: filepath.Join(dir, "b"), Workers: 1}); err != nil {
		t.Fatal(err)
	}
	a, b := readTree(t, filepath.Join(dir, "a")), readTree(t, filepath.Join(dir, "b"))
	if len(a) < 20 {
		t.Fatalf("only %d files", len(a))
	}
	diffTrees(t, a, b)
}

var posRe = regexp.MustCompile(`^\S+\.md:\d+:\d+: `)

func TestFailedBuildKeepsOutput(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, sampleFiles())
	if _, err := buildIn(t, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, filepath.Join(dir, "public"))
	writeTree(t, dir, map[string]string{
		"content/blog/broken.md": "---\ntitle = \"Broken\"\ncreated_date = \"2022-02-30\"\n---\nx\n",
		"content/blog/new.md":    post("new", "2025-01-01", ""),
	})
	_, err := buildIn(t, dir, Options{})
	if err == nil {
		t.Fatal("build with a bad date succeeded")
	}
	want := filepath.Join(dir, "content", "blog", "broken.md") + ":3:16: created_date: invalid date \"2022-02-30\""
	if !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("error = %q, want prefix %q", err, want)
	}
	diffTrees(t, before, readTree(t, filepath.Join(dir, "public")))
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("staging directory %s left behind", e.Name())
		}
	}
}

func TestDuplicateSlug(t *testing.T) {
	dir := t.TempDir()
	files := sampleFiles()
	files["content/blog/zz-copy.md"] = "---\ntitle = \"Copy\"\nslug = \"one\"\ncreated_date = \"2022-01-01\"\n---\n"
	writeTree(t, dir, files)
	_, err := buildIn(t, dir, Options{})
	want := filepath.Join(dir, "content", "blog", "zz-copy.md") + ":3:8: duplicate slug \"one\" (already used by " + filepath.Join(dir, "content", "blog", "one.md") + ")"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant    %s", err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "public")); !os.IsNotExist(err) {
		t.Error("failed first build created the output directory")
	}
}

func TestErrorPositionFormat(t *testing.T) {
	dir := t.TempDir()
	files := sampleFiles()
	files["content/blog/bad.md"] = "+++\ntitle = \"x\"\ndate = 2022-06-05\ntags = [\"a\",\n+++\n"
	writeTree(t, dir, files)
	_, err := buildIn(t, dir, Options{})
	if err == nil || !posRe.MatchString(strings.TrimPrefix(err.Error(), dir+string(filepath.Separator))) {
		t.Fatalf("error %v lacks file:line:col", err)
	}
}

func TestStaleFilesDisappear(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, sampleFiles())
	// Two builds, so that the third one reuses the previous generation
	// (public.prev) with unknown content, as a new ssg process would.
	for range 2 {
		if _, err := buildIn(t, dir, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".cache", "ssg", "public.prev", "blog", "three", "index.html")); err != nil {
		t.Fatalf("previous generation not kept: %v", err)
	}
	if err := os.Remove(filepath.Join(dir, "content", "blog", "2023", "three.md")); err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string]string{"content/blog/two.md": "---\ntitle = \"Two again\"\ncreated_date = \"2022-07-01\"\n---\nNew text.\n"})
	if _, err := buildIn(t, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"blog/three", "blog/three/index.html"} {
		if _, err := os.Stat(filepath.Join(dir, "public", p)); !os.IsNotExist(err) {
			t.Errorf("%s still exists after its post was deleted", p)
		}
	}
	out := readTree(t, filepath.Join(dir, "public"))
	if strings.Contains(out["sitemap.xml"], "three") {
		t.Error("sitemap still lists deleted post")
	}
	if !strings.Contains(out["blog/two/index.html"], "New text.") {
		t.Error("edited post not rewritten over the reused generation")
	}
	full := filepath.Join(t.TempDir(), "fresh")
	if _, err := buildIn(t, dir, Options{OutDir: full}); err != nil {
		t.Fatal(err)
	}
	diffTrees(t, readTree(t, full), out)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("staging directory %s left behind", e.Name())
		}
	}
}

func TestDrafts(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, sampleFiles())
	res, err := buildIn(t, dir, Options{Drafts: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Posts != 4 {
		t.Fatalf("posts = %d with drafts, want 4", res.Posts)
	}
	out := readTree(t, filepath.Join(dir, "public"))
	if _, ok := out["blog/draft/index.html"]; !ok {
		t.Error("draft not rendered with Drafts")
	}
}

func TestBaseURLOverride(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, sampleFiles())
	if _, err := buildIn(t, dir, Options{BaseURL: "http://127.0.0.1:3000/"}); err != nil {
		t.Fatal(err)
	}
	sm := readTree(t, filepath.Join(dir, "public"))["sitemap.xml"]
	if !strings.Contains(sm, "<loc>http://127.0.0.1:3000/blog/one/</loc>") || strings.Contains(sm, "example.org") {
		t.Errorf("base URL not overridden:\n%s", sm)
	}
}

func TestBrokenLinkWarning(t *testing.T) {
	dir := t.TempDir()
	files := sampleFiles()
	files["content/blog/links.md"] = post("links", "2022-01-01", "") + "\n[gone](/blog/nope/) [ok](/img/x.svg) [tag](/tags/go/) [ext](https://x.org/blog/nope/)\n"
	writeTree(t, dir, files)
	var warn bytes.Buffer
	res, err := buildIn(t, dir, Options{Warn: &warn})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "links.md: warning: broken internal link /blog/nope/") {
		t.Fatalf("warnings = %q", res.Warnings)
	}
	if !strings.Contains(warn.String(), "/blog/nope/") {
		t.Error("warning not written to Warn")
	}
}

func TestAliasConflict(t *testing.T) {
	dir := t.TempDir()
	files := sampleFiles()
	files["content/blog/clash.md"] = post("clash", "2022-01-01", "aliases = [\"/blog/one/\"]\n")
	writeTree(t, dir, files)
	_, err := buildIn(t, dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "conflicts with") {
		t.Fatalf("alias over a post: err = %v", err)
	}
}

func TestTemplateOverride(t *testing.T) {
	dir := t.TempDir()
	files := sampleFiles()
	files["templates/404.html"] = `{{template "base" .}}{{define "main"}}<p class="custom">Lost? {{.Site.Extra.motto}}</p>{{end}}`
	files["content/site.toml"] += "\n[extra]\nmotto = \"Keep going\"\n"
	writeTree(t, dir, files)
	if _, err := buildIn(t, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(readTree(t, filepath.Join(dir, "public"))["404.html"], `<p class="custom">Lost? Keep going</p>`) {
		t.Error("template override or site extra not applied")
	}
}

func TestIncrementalMatchesFull(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, sampleFiles())
	inc := NewBuilder(Options{ContentDir: filepath.Join(dir, "content"), OutDir: filepath.Join(dir, "inc")})
	// notified is told what changed, as a watcher using file-system
	// notifications does.
	notified := NewBuilder(Options{ContentDir: filepath.Join(dir, "content"), OutDir: filepath.Join(dir, "notified")})
	in := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
	steps := []func() []string{
		func() []string { return nil },
		func() []string { // edit one post (title changes neighbours' prev/next)
			writeTree(t, dir, map[string]string{"content/blog/two.md": "+++\ntitle = \"Two renamed\"\ndate = 2022-07-01\ntags = [\"go\", \"new\"]\n+++\n\nEdited.\n"})
			return []string{in("content/blog/two.md")}
		},
		func() []string {
			writeTree(t, dir, map[string]string{"content/blog/four.md": post("four", "2024-02-02", "tags = [\"go\"]\n")})
			return []string{in("content/blog/four.md")}
		},
		func() []string {
			_ = os.Remove(in("content/blog/one.md"))
			return []string{in("content/blog/one.md")}
		},
		func() []string {
			writeTree(t, dir, map[string]string{"content/static/img/y.svg": "<svg/>"})
			return []string{in("content/static/img/y.svg")}
		},
		func() []string { // a page's title is in the navigation of every page
			writeTree(t, dir, map[string]string{"content/pages/about.md": "---\ntitle = \"About us\"\n---\n\nAbout [home](/).\n"})
			return []string{in("content/pages/about.md")}
		},
		func() []string { // a new directory: a page bundle
			writeTree(t, dir, map[string]string{"content/blog/trip/index.md": post("trip", "2023-05-05", ""), "content/blog/trip/a.txt": "a"})
			return []string{in("content/blog/trip")}
		},
		func() []string { // settings
			writeTree(t, dir, map[string]string{"content/site.toml": siteTOML + "\n[extra]\nmotto = \"m\"\n"})
			return []string{in("content/site.toml")}
		},
		func() []string { // a template override
			writeTree(t, dir, map[string]string{"templates/404.html": `{{template "base" .}}{{define "main"}}<p>{{.Site.Extra.motto}}</p>{{end}}`})
			return []string{in("templates/404.html")}
		},
		func() []string { return nil }, // brings the spare generation up to date
		func() []string { return nil }, // nothing left to write
	}
	for i, step := range steps {
		changed := step()
		if _, err := notified.BuildChanged(changed); err != nil {
			t.Fatalf("step %d: notified build: %v", i, err)
		}
		res, err := inc.Build()
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		t.Logf("step %d: parsed %d wrote %d", i, res.Parsed, res.Written)
		if i == len(steps)-1 && (res.Parsed != 0 || res.Written != 0) {
			t.Errorf("no-op rebuild parsed %d and wrote %d files", res.Parsed, res.Written)
		}
		if i == 1 && res.Parsed != 1 {
			t.Errorf("edit of one post parsed %d sources", res.Parsed)
		}
		full := filepath.Join(dir, "full")
		if _, err := Build(Options{ContentDir: filepath.Join(dir, "content"), OutDir: full}); err != nil {
			t.Fatal(err)
		}
		diffTrees(t, readTree(t, full), readTree(t, filepath.Join(dir, "inc")))
		diffTrees(t, readTree(t, full), readTree(t, filepath.Join(dir, "notified")))
		if t.Failed() {
			t.Fatalf("step %d: incremental output differs from a full build", i)
		}
	}
	if !inc.publisher.PrevKnown() {
		t.Error("builder does not know the keys of the previous generation")
	}
	// A failing incremental build keeps the output.
	before := readTree(t, filepath.Join(dir, "inc"))
	writeTree(t, dir, map[string]string{"content/blog/bad.md": "---\ntitle: [\n---\n"})
	if _, err := inc.Build(); err == nil {
		t.Fatal("bad YAML accepted")
	}
	diffTrees(t, before, readTree(t, filepath.Join(dir, "inc")))
}

// TestSampleContent builds the sample site as the repository has it
// committed (git's HEAD), not the working tree's content/, which is the
// writer's: it must build with no warning.
func TestSampleContent(t *testing.T) {
	var warn bytes.Buffer
	dir := t.TempDir()
	committedContent(t, dir)
	out := filepath.Join(dir, "public")
	res, err := Build(Options{ContentDir: filepath.Join(dir, "content"), OutDir: out, Warn: &warn})
	if err != nil {
		t.Fatal(err)
	}
	if res.Posts < 3 {
		t.Errorf("sample content has %d posts, want at least 3", res.Posts)
	}
	if warn.Len() > 0 {
		t.Errorf("sample content has warnings:\n%s", warn.String())
	}
}

func TestGzipSiblings(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, sampleFiles())
	out := filepath.Join(dir, "a")
	if _, err := buildIn(t, dir, Options{OutDir: out, Gzip: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := buildIn(t, dir, Options{OutDir: filepath.Join(dir, "b"), Gzip: true, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	a := readTree(t, out)
	diffTrees(t, a, readTree(t, filepath.Join(dir, "b")))
	siblings := 0
	for p, data := range a {
		gz, ok := a[p+".gz"]
		switch {
		case !publisher.Gzippable(p) || len(data) < publisher.GzipMinSize:
			if ok {
				t.Errorf("%s: unexpected .gz sibling", p)
			}
		case !ok:
			t.Errorf("%s: no .gz sibling", p)
		default:
			siblings++
			zr, err := gzip.NewReader(strings.NewReader(string(gz)))
			if err != nil {
				t.Fatalf("%s.gz: %v", p, err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil || string(plain) != string(data) {
				t.Errorf("%s.gz does not decompress to %s (%v)", p, p, err)
			}
			if zr.Header.Name != "" || !zr.Header.ModTime.IsZero() {
				t.Errorf("%s.gz header carries a name or mtime: %+v", p, zr.Header)
			}
		}
	}
	if siblings < 10 {
		t.Fatalf("only %d .gz siblings", siblings)
	}
	// Turning the option off removes the siblings.
	if _, err := buildIn(t, dir, Options{OutDir: out}); err != nil {
		t.Fatal(err)
	}
	for p := range readTree(t, out) {
		if strings.HasSuffix(p, ".gz") {
			t.Errorf("stale %s after a build without Gzip", p)
		}
	}
}

// TestRerunWritesOnlyChanges: a new process (a new Builder) reusing the
// previous generation, whose file contents it does not know, rewrites only the
// files whose bytes differ, and still produces a fresh build's output,
// .gz siblings included.
func TestRerunWritesOnlyChanges(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, sampleFiles())
	opts := Options{Gzip: true}
	for range 2 { // the second build leaves a complete previous generation
		if _, err := buildIn(t, dir, opts); err != nil {
			t.Fatal(err)
		}
	}
	res, err := buildIn(t, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != 0 {
		t.Errorf("re-run without changes wrote %d files, want 0", res.Written)
	}
	// A post edit, and a previous generation that lost a .gz sibling (as after
	// a build without -gzip) and holds a corrupted file.
	writeTree(t, dir, map[string]string{"content/blog/two.md": "---\ntitle = \"Two again\"\ncreated_date = \"2022-07-01\"\n---\nNew text.\n"})
	prev := publisher.PrevDir(filepath.Join(dir, "public"))
	if err := os.Remove(filepath.Join(prev, "assets", "style.css.gz")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(prev, "tags", "index.html"), []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	if res, err = buildIn(t, dir, opts); err != nil {
		t.Fatal(err)
	}
	if res.Written == 0 || res.Written > res.Files/2 {
		t.Errorf("re-run after one edit wrote %d of %d files", res.Written, res.Files)
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	o := opts
	o.OutDir = fresh
	if _, err := buildIn(t, dir, o); err != nil {
		t.Fatal(err)
	}
	diffTrees(t, readTree(t, fresh), readTree(t, filepath.Join(dir, "public")))
}

// TestRerunUsesSums checks that a re-run (a new Builder, as a new ssg process)
// tells unchanged files of the reused generation by their sums, without
// reading them back, and falls back to reading them when the sums are missing
// or belong to another directory.
func TestRerunUsesSums(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, sampleFiles())
	out := filepath.Join(dir, "public")
	rerun := func(what string, wantReadBack bool) {
		t.Helper()
		res, err := buildIn(t, dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Written != 0 {
			t.Errorf("%s: wrote %d files, want 0", what, res.Written)
		}
		if got := res.ReadBack > 0; got != wantReadBack {
			t.Errorf("%s: read back %d of %d files", what, res.ReadBack, res.Files)
		}
	}
	for range 2 {
		if _, err := buildIn(t, dir, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	rerun("re-run with sums", false)
	rerun("second re-run with sums", false)

	// A build that fails before publishing gives the claimed generation back
	// with its sums.
	good, err := os.ReadFile(filepath.Join(dir, "content", "blog", "two.md"))
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string]string{"content/blog/two.md": "---\ncreated_date = \"2022-13-01\"\n---\nx\n"})
	if _, err := buildIn(t, dir, Options{}); err == nil {
		t.Fatal("a post with an invalid date built")
	}
	if _, err := os.Stat(publisher.SumsFile(out, true)); err != nil {
		t.Errorf("after a failed build: %v", err)
	}
	writeTree(t, dir, map[string]string{"content/blog/two.md": string(good)})
	rerun("re-run after a failed build", false)

	if err := os.Remove(publisher.SumsFile(out, true)); err != nil {
		t.Fatal(err)
	}
	rerun("re-run without the previous generation's sums", true)

	// A copy of the previous generation in its place: same files, same
	// stamps, another directory. Its sums describe the original.
	prev := publisher.PrevDir(out)
	if err := os.Rename(prev, prev+".orig"); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(prev, os.DirFS(prev+".orig")); err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(prev+".orig", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(prev+".orig", p)
		return os.Chtimes(filepath.Join(prev, rel), fi.ModTime(), fi.ModTime())
	})
	if err != nil {
		t.Fatal(err)
	}
	rerun("re-run with a copied previous generation", true)
	rerun("re-run after that", false)

	// A file of the previous generation changed behind ssg's back is read
	// back and rewritten.
	victim := filepath.Join(publisher.PrevDir(out), "index.html")
	if err := os.WriteFile(victim, []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := buildIn(t, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != 1 || res.ReadBack != 1 {
		t.Errorf("after a change in the previous generation: wrote %d, read back %d; want 1 and 1", res.Written, res.ReadBack)
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	if _, err := buildIn(t, dir, Options{OutDir: fresh}); err != nil {
		t.Fatal(err)
	}
	diffTrees(t, readTree(t, fresh), readTree(t, out))
}

func TestFrontMatterWarningsInBuild(t *testing.T) {
	dir := t.TempDir()
	files := sampleFiles()
	files["content/blog/typo.md"] = "---\ntitle = \"Typo\"\ndate = \"2022-01-01\"\ntag = [\"go\"]\n---\n\n[gone](/nope/)\n"
	files["content/blog/draft2.md"] = "---\ntitle: Draft\ndraft: true\ndate: 2022-01-01\nslugg: d\n---\n"
	writeTree(t, dir, files)
	var warn bytes.Buffer
	b := NewBuilder(Options{ContentDir: filepath.Join(dir, "content"), OutDir: filepath.Join(dir, "public"), Warn: &warn})
	c := filepath.Join(dir, "content", "blog")
	want := []string{
		filepath.Join(c, "draft2.md") + `:5:1: warning: unknown front-matter key "slugg" (did you mean "slug"?)`,
		filepath.Join(c, "typo.md") + `:4:1: warning: unknown front-matter key "tag" (did you mean "tags"?)`,
		filepath.Join(c, "typo.md") + `: warning: broken internal link /nope/`,
	}
	for i := range 2 { // the second build re-parses nothing and warns again
		warn.Reset()
		res, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 && res.Parsed != 0 {
			t.Errorf("rebuild parsed %d sources", res.Parsed)
		}
		if got := strings.Join(res.Warnings, "\n"); got != strings.Join(want, "\n") {
			t.Errorf("build %d: warnings:\n%s\nwant:\n%s", i+1, got, strings.Join(want, "\n"))
		}
		if warn.String() != strings.Join(want, "\n")+"\n" {
			t.Errorf("build %d: Warn got:\n%s", i+1, warn.String())
		}
	}
}

// committedContent extracts content/ as committed at git's HEAD into dir
// (dir/content). It skips the test outside a git checkout.
func committedContent(t *testing.T, dir string) {
	t.Helper()
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed: the committed sample content cannot be read")
	}
	cmd := exec.Command(git, "archive", "--format=tar", "HEAD", "content")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	archive, err := cmd.Output()
	if err != nil {
		if strings.Contains(stderr.String(), "not a git repository") {
			t.Skip("not a git checkout: the committed sample content cannot be read")
		}
		t.Fatalf("git archive HEAD content: %v\n%s", err, stderr.String())
	}
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		writeTree(t, dir, map[string]string{h.Name: string(data)})
	}
}
