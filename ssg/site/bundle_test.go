package site

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func bundleFiles() map[string]string {
	return map[string]string{
		"content/site.toml": siteTOML,
		"content/blog/trip/index.md": "---\nslug = \"road-trip\"\ntitle = \"Trip\"\ndate = \"2024-03-01\"\n---\n\n" +
			"![A photo](photo.jpg) ![map](img/map.svg) [day two](../day2/) [notes](notes.txt)\n",
		"content/blog/trip/photo.jpg":        "JPEG",
		"content/blog/trip/img/map.svg":      "<svg/>",
		"content/blog/trip/notes.txt":        "notes",
		"content/blog/trip/.hidden":          "hidden",
		"content/blog/trip/_private.txt":     "private",
		"content/blog/trip/day2/index.md":    "---\ntitle = \"Day 2\"\ndate = \"2024-03-02\"\n---\n\n![](pic.png)\n",
		"content/blog/trip/day2/pic.png":     "PNG",
		"content/blog/trip/aside.md":         "---\ntitle = \"Aside\"\ndate = \"2024-03-03\"\n---\n\nA plain post inside a bundle.\n",
		"content/blog/plain.md":              "---\ntitle = \"Plain\"\ndate = \"2024-01-01\"\n---\n\nText.\n",
		"content/blog/plain.png":             "beside a non-index post",
		"content/pages/cv/index.md":          "---\ntitle = \"CV\"\n---\n\n[PDF](cv.pdf)\n",
		"content/pages/cv/cv.pdf":            "PDF",
		"content/readme.txt":                 "beside site.toml",
		"content/static/img/x.svg":           "<svg/>",
		"content/blog/trip/day2/extra/b.txt": "nested below day2",
	}
}

func TestPageBundles(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, bundleFiles())
	var warn bytes.Buffer
	res, err := buildIn(t, dir, Options{Warn: &warn})
	if err != nil {
		t.Fatal(err)
	}
	if res.Posts != 4 || res.Pages != 1 {
		t.Errorf("posts=%d pages=%d, want 4 and 1", res.Posts, res.Pages)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("links to bundle files reported broken: %q", res.Warnings)
	}
	out := readTree(t, filepath.Join(dir, "public"))
	for f, want := range map[string]string{
		"blog/road-trip/photo.jpg":   "JPEG",
		"blog/road-trip/img/map.svg": "<svg/>",
		"blog/road-trip/notes.txt":   "notes",
		"blog/day2/pic.png":          "PNG", // the nearest index.md owns a file
		"blog/day2/extra/b.txt":      "nested below day2",
		"cv/cv.pdf":                  "PDF",
		"img/x.svg":                  "<svg/>",
	} {
		if got, ok := out[f]; !ok || got != want {
			t.Errorf("%s = %q (present: %v), want %q", f, got, ok, want)
		}
	}
	for f := range out {
		for _, bad := range []string{"hidden", "_private", "plain.png", "readme", "road-trip/day2", "aside/"} {
			if strings.Contains(f, bad) && !strings.HasSuffix(f, "aside/index.html") {
				t.Errorf("unexpected output %s", f)
			}
		}
	}
	if _, ok := out["blog/aside/index.html"]; !ok {
		t.Error("a non-index post inside a bundle directory is no longer rendered")
	}
	if !strings.Contains(out["blog/road-trip/index.html"], `<img src="photo.jpg" alt="A photo" loading="lazy" decoding="async">`) {
		t.Errorf("relative image link changed:\n%s", out["blog/road-trip/index.html"])
	}
	if strings.Contains(readTree(t, filepath.Join(dir, "public"))["sitemap.xml"], "photo.jpg") {
		t.Error("sitemap lists a bundle file")
	}
}

func TestBundleIndexHTMLConflict(t *testing.T) {
	for _, kind := range []string{"blog/trip", "pages/cv"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			files := bundleFiles()
			files["content/"+kind+"/index.html"] = "<p>old export</p>"
			writeTree(t, dir, files)
			_, err := buildIn(t, dir, Options{})
			page := map[string]string{"blog/trip": "/blog/road-trip/index.html", "pages/cv": "/cv/index.html"}[kind]
			c := filepath.Join(dir, "content", filepath.FromSlash(kind))
			want := filepath.Join(c, "index.html") + ": bundle file conflicts with the page generated from " + filepath.Join(c, "index.md") + " (" + page + ")"
			if err == nil || err.Error() != want {
				t.Fatalf("error = %v\nwant    %s", err, want)
			}
			if _, err := os.Stat(filepath.Join(dir, "public")); !os.IsNotExist(err) {
				t.Error("failed build created the output")
			}
		})
	}
	// Any other clash with a generated file is an error naming both sources.
	dir := t.TempDir()
	files := bundleFiles()
	files["content/blog/plain.md"] = "---\ntitle = \"Plain\"\ndate = \"2024-01-01\"\naliases = [\"/blog/road-trip/photo.jpg\"]\n---\n"
	files["content/blog/plain.md"] = strings.Replace(files["content/blog/plain.md"], "photo.jpg", "photo.jpg.html", 1)
	files["content/blog/trip/photo.jpg.html"] = "x"
	writeTree(t, dir, files)
	_, err := buildIn(t, dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "output /blog/road-trip/photo.jpg.html conflicts with") ||
		!strings.Contains(err.Error(), "photo.jpg.html") || !strings.Contains(err.Error(), "plain.md") {
		t.Fatalf("alias over a bundle file: err = %v", err)
	}
}

func TestBundleDrafts(t *testing.T) {
	dir := t.TempDir()
	files := bundleFiles()
	files["content/blog/trip/index.md"] = strings.Replace(files["content/blog/trip/index.md"], "date =", "draft = true\ndate =", 1)
	writeTree(t, dir, files)
	content, out := filepath.Join(dir, "content"), filepath.Join(dir, "public")
	b := NewBuilder(Options{ContentDir: content, OutDir: out})
	if _, err := b.Build(); err != nil {
		t.Fatal(err)
	}
	got := readTree(t, out)
	for f := range got {
		if strings.HasPrefix(f, "blog/road-trip/") {
			t.Errorf("skipped draft's bundle file %s published", f)
		}
	}
	if _, ok := got["blog/day2/pic.png"]; !ok {
		t.Error("a nested bundle lost its files because its parent is a draft")
	}
	if _, err := buildIn(t, dir, Options{OutDir: filepath.Join(dir, "drafts"), Drafts: true}); err != nil {
		t.Fatal(err)
	}
	if readTree(t, filepath.Join(dir, "drafts"))["blog/road-trip/photo.jpg"] != "JPEG" {
		t.Error("draft's bundle files not published with Drafts")
	}
	// Publishing the draft copies its files; making it a draft again removes them.
	writeTree(t, dir, map[string]string{"content/blog/trip/index.md": bundleFiles()["content/blog/trip/index.md"]})
	if _, err := b.Build(); err != nil {
		t.Fatal(err)
	}
	if readTree(t, out)["blog/road-trip/photo.jpg"] != "JPEG" {
		t.Error("published draft's files missing")
	}
	writeTree(t, dir, map[string]string{"content/blog/trip/index.md": files["content/blog/trip/index.md"]})
	if _, err := b.Build(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "blog", "road-trip")); !os.IsNotExist(err) {
		t.Error("files of a post made a draft again still published")
	}
}

func TestBundleIncremental(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, bundleFiles())
	content, out := filepath.Join(dir, "content"), filepath.Join(dir, "inc")
	b := NewBuilder(Options{ContentDir: content, OutDir: out})
	photo := filepath.Join(content, "blog", "trip", "photo.jpg")
	later := time.Now().Add(time.Hour)
	steps := []struct {
		name    string
		do      func()
		changed []string // outputs whose key must change
	}{
		{"first", func() {}, nil},
		{"spare", func() {}, nil},
		{"edit photo", func() { writeTree(t, dir, map[string]string{"content/blog/trip/photo.jpg": "JPEG v2"}) }, []string{"blog/road-trip/photo.jpg"}},
		{"touch photo", func() { _ = os.Chtimes(photo, later, later) }, []string{"blog/road-trip/photo.jpg"}},
		{"add file", func() { writeTree(t, dir, map[string]string{"content/blog/trip/new.txt": "new"}) }, []string{"blog/road-trip/new.txt"}},
		{"remove file", func() { _ = os.Remove(filepath.Join(content, "blog", "trip", "notes.txt")) }, nil},
		{"change slug", func() {
			writeTree(t, dir, map[string]string{"content/blog/trip/index.md": strings.Replace(bundleFiles()["content/blog/trip/index.md"], "road-trip", "trip-2024", 1)})
		}, []string{"blog/trip-2024/photo.jpg", "blog/trip-2024/img/map.svg"}},
		{"spare up to date", func() {}, nil}, // the kept previous generation catches up
		{"no-op", func() {}, nil},
	}
	for _, st := range steps {
		before := b.publisher.Keys()
		st.do()
		res, err := b.Build()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		for _, p := range st.changed {
			if before[p] == b.publisher.Keys()[p] {
				t.Errorf("%s: key of %s unchanged", st.name, p)
			}
		}
		if st.name == "edit photo" || st.name == "touch photo" {
			for p, k := range before {
				if b.publisher.Keys()[p] != k && p != "blog/road-trip/photo.jpg" {
					t.Errorf("%s: %s re-rendered", st.name, p)
				}
			}
		}
		if st.name == "no-op" && res.Written != 0 {
			t.Errorf("no-op rebuild wrote %d files", res.Written)
		}
		full := filepath.Join(dir, "full")
		if _, err := Build(Options{ContentDir: content, OutDir: full}); err != nil {
			t.Fatal(err)
		}
		diffTrees(t, readTree(t, full), readTree(t, out))
		if t.Failed() {
			t.Fatalf("%s: incremental output differs from a full build", st.name)
		}
	}
	got := readTree(t, out)
	if got["blog/trip-2024/photo.jpg"] != "JPEG v2" || got["blog/trip-2024/new.txt"] != "new" {
		t.Errorf("bundle after edits: %v", got)
	}
	for f := range got {
		if strings.HasPrefix(f, "blog/road-trip/") || strings.HasSuffix(f, "notes.txt") {
			t.Errorf("stale bundle output %s", f)
		}
	}
}

func TestRelativeLinkWarnings(t *testing.T) {
	dir := t.TempDir()
	files := bundleFiles()
	files["content/blog/trip/index.md"] += "\n![gone](missing.jpg) [up](../plain/) [bad](../nope/) [ext](mailto:a@b.c) [frag](#x) [q](?a=1)\n[abs](/blog/road-trip/img/map.svg) [enc](img/m%61p.svg)\n"
	writeTree(t, dir, files)
	res, err := buildIn(t, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "content", "blog", "trip", "index.md")
	want := []string{
		f + ": warning: broken internal link ../nope/ (/blog/nope/)",
		f + ": warning: broken internal link missing.jpg (/blog/road-trip/missing.jpg)",
	}
	if strings.Join(res.Warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(res.Warnings, "\n"), strings.Join(want, "\n"))
	}
}

// TestFeedContentLinksAbsolute checks that the feeds make a bundle's
// relative links absolute (output's TestAbsContent checks how).
func TestFeedContentLinksAbsolute(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, bundleFiles())
	if _, err := buildIn(t, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	out := readTree(t, filepath.Join(dir, "public"))
	for _, feed := range []string{"feed.xml", "atom.xml"} {
		if !strings.Contains(out[feed], `src=&#34;https://example.org/blog/road-trip/photo.jpg&#34;`) {
			t.Errorf("%s: bundle image not made absolute:\n%s", feed, out[feed])
		}
	}
}
