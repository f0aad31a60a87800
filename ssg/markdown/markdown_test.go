package markdown

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from output:\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

func TestGoldenMarkdown(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.md")
	if len(files) < 8 {
		t.Fatalf("expected markdown fixtures, got %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Render(src)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			b.WriteString(string(r.HTML))
			fmt.Fprintf(&b, "<!-- words: %d -->\n", r.Words)
			for _, h := range r.TOC {
				fmt.Fprintf(&b, "<!-- toc: h%d #%s %q -->\n", h.Level, h.ID, h.Text)
			}
			for _, l := range r.Links {
				fmt.Fprintf(&b, "<!-- link: %s -->\n", l)
			}
			golden(t, strings.TrimSuffix(f, ".md")+".golden.html", []byte(b.String()))
		})
	}
}

// Concrete expectations, independent of the golden files.
func TestMarkdownFeatures(t *testing.T) {
	src := "## Intro\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~x~~ \"q\" [^n]\n\n- [x] t\n\nT\n: d\n\n![alt](/i.svg)\n\n<aside-note>n</aside-note>\n\n```go\nfunc f() {}\n```\n\n[^n]: note\n"
	r, err := Render([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	h := string(r.HTML)
	for _, want := range []string{
		`<h2 id="intro">Intro <a class="anchor" href="#intro"`,
		"<table>", "<del>x</del>", "&ldquo;q&rdquo;", `class="footnote-ref"`,
		`<input checked="" disabled="" type="checkbox">`, "<dl>\n<dt>T</dt>\n<dd>d</dd>",
		`<img src="/i.svg" alt="alt" loading="lazy" decoding="async">`, "<aside-note>n</aside-note>",
		`<pre class="chroma"><code>`, `<span class="kd">func</span>`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("output lacks %q:\n%s", want, h)
		}
	}
	if len(r.TOC) != 1 || r.TOC[0].ID != "intro" {
		t.Errorf("TOC = %+v", r.TOC)
	}
}
