package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// symlink makes a symbolic link at dir/link (slash path) to target.
func symlink(t *testing.T, dir, link, target string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(link))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

// TestSymlinksOutsideContent: a file of the content or templates directory
// that resolves outside it is a build error naming the file, and nothing is
// published; a dangling link too.
func TestSymlinksOutsideContent(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret.txt")
	// A valid post, so that a generator following the links would publish it.
	if err := os.WriteFile(secret, []byte(post("secret", "2022-01-01", "")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, link, target string }{
		{"bundle file", "content/blog/trip/passwd.txt", "/etc/passwd"},
		{"bundle file, relative", "content/blog/trip/secret.txt", "../../../../secret.txt"},
		{"static file", "content/static/secret.txt", secret},
		{"post", "content/blog/leak.md", secret},
		{"link to a link outside", "content/blog/trip/hop.txt", "../../static/img/out.txt"},
		{"dangling", "content/blog/trip/gone.txt", "nothing-here.txt"},
		{"template asset", "templates/assets/secret.txt", secret},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(filepath.Dir(secret), "site-"+strings.ReplaceAll(c.name, " ", "-"))
			files := sampleFiles()
			files["content/blog/trip/index.md"] = post("trip", "2022-08-01", "")
			writeTree(t, dir, files)
			if c.name == "link to a link outside" {
				symlink(t, dir, "content/static/img/out.txt", secret)
			}
			symlink(t, dir, c.link, c.target)
			_, err := buildIn(t, dir, Options{})
			if err == nil {
				t.Fatalf("a symbolic link to %s built", c.target)
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, filepath.FromSlash(c.link))) && !strings.Contains(err.Error(), filepath.Join(dir, "content/static/img/out.txt")) {
				t.Errorf("error does not name the link: %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "public")); !os.IsNotExist(err) {
				t.Errorf("something was published: %v", err)
			}
		})
	}
}

// TestSymlinksInsideContent: links that stay inside the content directory
// keep working, with the content and stamp of their target; links to
// directories are not followed.
func TestSymlinksInsideContent(t *testing.T) {
	dir := t.TempDir()
	files := sampleFiles()
	files["content/blog/trip/index.md"] = post("trip", "2022-08-01", "")
	files["content/_drafts/linked.md"] = post("linked", "2022-09-01", "")
	writeTree(t, dir, files)
	symlink(t, dir, "content/blog/trip/logo.svg", "../../static/img/x.svg")
	symlink(t, dir, "content/blog/linked.md", "../_drafts/linked.md")
	symlink(t, dir, "content/blog/trip/img", "../../static/img") // a directory: not followed
	b := NewBuilder(Options{ContentDir: filepath.Join(dir, "content"), OutDir: filepath.Join(dir, "public")})
	if _, err := b.Build(); err != nil {
		t.Fatal(err)
	}
	out := readTree(t, filepath.Join(dir, "public"))
	if out["blog/trip/logo.svg"] != files["content/static/img/x.svg"] {
		t.Errorf("linked bundle file: %q", out["blog/trip/logo.svg"])
	}
	if !strings.Contains(out["blog/linked/index.html"], "Some text for linked") {
		t.Error("linked post not rendered")
	}
	for p := range out {
		if strings.HasPrefix(p, "blog/trip/img") {
			t.Errorf("linked directory followed: %s", p)
		}
	}
	// The link's target changes: the next build sees it (its stamp is the target's).
	writeTree(t, dir, map[string]string{"content/static/img/x.svg": `<svg xmlns="http://www.w3.org/2000/svg" width="2"/>`})
	if _, err := b.Build(); err != nil {
		t.Fatal(err)
	}
	if got := readTree(t, filepath.Join(dir, "public"))["blog/trip/logo.svg"]; !strings.Contains(got, `width="2"`) {
		t.Errorf("after the target changed, linked bundle file is %q", got)
	}
}

// TestOutputPathsStayInside: tags and aliases cannot form paths outside the
// output directory: a tag without letters or digits ("../../..") is an
// error at the tag, one with some is slugified, and an alias that would
// make an absolute or unclean path ("//host/x") is refused before
// anything is written.
func TestOutputPathsStayInside(t *testing.T) {
	for _, c := range []struct{ name, extra, want string }{
		{"dots", "tags = [\"../../..\"]\n", `tag "../../.." has no letters or digits`},
		{"alias with host", "aliases = [\"//evil.example/x/\"]\n", `output path "/evil.example/x/index.html" is not a clean path`},
		{"alias with empty element", "aliases = [\"/a//b/\"]\n", `output path "a//b/index.html" is not a clean path`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			files := sampleFiles()
			files["content/blog/evil.md"] = post("evil", "2022-09-09", c.extra)
			writeTree(t, dir, files)
			_, err := buildIn(t, dir, Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "evil.md") {
				t.Fatalf("got %v, want an error naming evil.md: %s", err, c.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "public")); !os.IsNotExist(err) {
				t.Errorf("something was published: %v", err)
			}
		})
	}
	dir := t.TempDir()
	files := sampleFiles()
	files["content/blog/evil.md"] = post("evil", "2022-09-09", "tags = [\"../../etc\"]\n")
	writeTree(t, dir, files)
	if _, err := buildIn(t, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	out := readTree(t, filepath.Join(dir, "public"))
	if _, ok := out["tags/etc/index.html"]; !ok {
		t.Error("tag ../../etc not published at /tags/etc/")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 { // content, public, .cache
		t.Errorf("the build wrote beside its output: %v", entries)
	}
}
