package site

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmsite/ssg/corpus"
)

// TestIncrementalEditsMatchFull edits a site of 60 posts, 3 a list page (so
// that tags have several), in the ways a writer does, and after each edit
// compares the output of two watching Builders with a full build's: one
// told what changed, in development mode, and one rescanning everything,
// with gzip siblings. An edit of a post's body or title, or of a standalone
// page's body, patches the model and the plan, and rewrites only the files
// that show it; warnings are a full build's too.
func TestIncrementalEditsMatchFull(t *testing.T) {
	dir := t.TempDir()
	content := filepath.Join(dir, "content")
	if err := corpus.Write(content, 60); err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string]string{"content/site.toml": "title = \"T\"\nbase_url = \"https://t.example\"\npaginate = 3\n"})
	in := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	postPath := func(i int) string { return in(fmt.Sprintf("content/blog/post-%05d.md", i)) }
	edit := func(p, old, new string) []string {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), old) {
			t.Fatalf("%s: %q not found (%v)", p, old, err)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		return []string{p}
	}
	write := func(rel, data string) []string {
		writeTree(t, dir, map[string]string{rel: data})
		return []string{in(rel)}
	}
	write("content/pages/about.md", "---\ntitle = \"About\"\n---\n\nAbout [home](/).\n")
	edit(postPath(10), "---\n\n", "aliases = [\"/old/ten/\"]\n---\n\n")
	dev := &Dev{Snippet: "<script src=/assets/live.js></script>", Files: map[string][]byte{"assets/live.js": []byte("//")}}
	notified := NewBuilder(Options{ContentDir: content, OutDir: in("notified"), Dev: dev})
	rescan := NewBuilder(Options{ContentDir: content, OutDir: in("rescan"), Gzip: true})
	steps := []struct {
		what   string
		change func() []string
		few    bool // rewrites few files, the other generation being up to date
	}{
		{"first build", func() []string { return nil }, false},
		{"second build", func() []string { return nil }, false},
		{"a post's body", func() []string { return edit(postPath(30), "## Wrapping up", "## Wrapping it up") }, true},
		{"the same post's body again", func() []string { return edit(postPath(30), "## Wrapping it up", "## Done") }, true},
		{"a post's title", func() []string { return edit(postPath(31), "title = \"Post 31", "title = \"Retitled post 31") }, true},
		{"a broken link", func() []string { return edit(postPath(35), "## Wrapping up", "[gone](/blog/gone/)\n\n## Wrapping up") }, true},
		{"a front-matter warning", func() []string { return edit(postPath(36), "---\n\n", "tag = [\"x\"]\n---\n\n") }, true},
		{"both fixed", func() []string {
			return append(edit(postPath(35), "[gone](/blog/gone/)", "[here](/blog/)"), edit(postPath(36), "tag = [\"x\"]\n", "")...)
		}, true},
		{"a post with an alias", func() []string { return edit(postPath(10), "## Wrapping up", "## To sum up") }, true},
		{"a standalone page's body", func() []string { return edit(in("content/pages/about.md"), "About [home]", "All about [home]") }, true},
		{"a post's date", func() []string { return edit(postPath(32), "created_date = \"2015-", "created_date = \"2016-") }, false},
		{"a post's tags", func() []string { return edit(postPath(33), "tags = [", "tags = [\"new\", ") }, false},
		{"a post's modification date", func() []string { return edit(postPath(34), "---\n\n", "last_modified_date = \"2020-01-01\"\n---\n\n") }, false},
		{"a new post", func() []string {
			return write("content/blog/zz-new.md", post("zz-new", "2014-12-01", "tags = [\"go\"]\n"))
		}, false},
		{"a removed post", func() []string {
			if err := os.Remove(postPath(5)); err != nil {
				t.Fatal(err)
			}
			return []string{postPath(5)}
		}, false},
		{"a new page bundle", func() []string {
			return append(write("content/blog/trip/index.md", post("trip", "2015-02-02", "")+"![a](a.svg)\n"),
				write("content/blog/trip/a.svg", "<svg/>")...)
		}, false},
		{"the bundle's page", func() []string { return edit(in("content/blog/trip/index.md"), "Some text", "Other text") }, false},
		{"the bundle's page again", func() []string { return edit(in("content/blog/trip/index.md"), "Other text", "More text") }, true},
		{"a bundle file", func() []string { return write("content/blog/trip/a.svg", `<svg width="2"/>`) }, false},
		{"a standalone page's title", func() []string {
			return edit(in("content/pages/about.md"), "title = \"About\"", "title = \"About us\"")
		}, false},
		{"templates, the posts' cards' among them", func() []string {
			partials, err := os.ReadFile("../theme/templates/partials.html")
			if err != nil || !strings.Contains(string(partials), `<article class="post-card">`) {
				t.Fatalf("the theme's card: %v", err)
			}
			return append(write("templates/post.html", `{{template "base" .}}{{define "main"}}<article>{{.Page.Content}}</article>{{end}}`),
				write("templates/partials.html", strings.Replace(string(partials), `<article class="post-card">`, `<article class="post-card edited">`, 1))...)
		}, false},
		// The other generation catches up with the template: not few.
		{"a post's body after the template", func() []string { return edit(postPath(40), "## Wrapping up", "## The end") }, false},
		{"another post's body", func() []string { return edit(postPath(41), "## Wrapping up", "## The end") }, true},
		{"nothing", func() []string { return nil }, true},
	}
	for _, s := range steps {
		changed := s.change()
		res, err := notified.BuildChanged(changed)
		if err != nil {
			t.Fatalf("%s: notified build: %v", s.what, err)
		}
		if s.few && res.Written > 40 {
			t.Errorf("%s: wrote %d of %d files", s.what, res.Written, res.Files)
		}
		res2, err := rescan.Build()
		if err != nil {
			t.Fatalf("%s: rescanning build: %v", s.what, err)
		}
		for _, c := range []struct {
			out  string
			dev  *Dev
			gzip bool
			res  *Result
		}{{"notified", dev, false, res}, {"rescan", nil, true, res2}} {
			// A full build by a new Builder, as a new process makes: it
			// renders every file. Into the same directory each time, as
			// creating files is slow here.
			full := in("full-" + c.out)
			fres, err := Build(Options{ContentDir: content, OutDir: full, Dev: c.dev, Gzip: c.gzip})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := strings.Join(c.res.Warnings, "\n"), strings.Join(fres.Warnings, "\n"); got != want {
				t.Errorf("%s: %s warnings:\n%s\nwant\n%s", s.what, c.out, got, want)
			}
			diffTrees(t, readTree(t, full), readTree(t, in(c.out)))
			if t.Failed() {
				t.Fatalf("%s: the %s output differs from a full build", s.what, c.out)
			}
		}
	}
}
