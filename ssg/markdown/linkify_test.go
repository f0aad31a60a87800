package markdown

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"

	"wasmsite/ssg/corpus"
)

// moduleDir returns where the module cache holds module.
func moduleDir(t testing.TB, module string) string {
	out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "list", "-m", "-f", "{{.Dir}}", module).Output()
	if err != nil {
		t.Fatalf("locating module %s: %v", module, err)
	}
	return strings.TrimSpace(string(out))
}

// goldmarkInputs returns the markdown inputs of goldmark's own tests: the
// CommonMark spec examples and every extension's cases.
func goldmarkInputs(t *testing.T) []string {
	dir := moduleDir(t, "github.com/yuin/goldmark")
	var inputs []string
	spec, err := os.ReadFile(filepath.Join(dir, "_test", "spec.json"))
	if err != nil {
		t.Fatal(err)
	}
	var examples []struct{ Markdown string }
	if err := json.Unmarshal(spec, &examples); err != nil {
		t.Fatal(err)
	}
	for _, e := range examples {
		inputs = append(inputs, e.Markdown)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "extension", "_test", "*.txt"))
	files = append(files, filepath.Join(dir, "_test", "extra.txt"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// Cases: a name line, "//- - -", the input, "//- - -", the output, "//= = =".
		for _, c := range strings.Split(string(b), "//= = = = = = = = = = = = = = = = = = = = = = = =//") {
			parts := strings.Split(c, "//- - - - - - - - -//\n")
			if len(parts) >= 3 {
				inputs = append(inputs, strings.ReplaceAll(parts[1], "→", "\t"))
			}
		}
	}
	if len(inputs) < 700 {
		t.Fatalf("only %d goldmark test inputs", len(inputs))
	}
	return inputs
}

// TestQuickLinkifyMatchesGoldmark renders goldmark's own test inputs, the
// benchmark corpus and autolink edge cases with the site's markdown setup and
// with the same setup using extension.GFM unchanged: the HTML must be equal.
func TestQuickLinkifyMatchesGoldmark(t *testing.T) {
	plain := goldmark.New(
		goldmark.WithExtensions(append([]goldmark.Extender{extension.GFM}, extensions...)...),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		goldmark.WithRendererOptions(html.WithUnsafe(), renderer.WithNodeRenderers(util.Prioritized(codeRenderer{}, 100))),
	)
	quick := newGoldmark()
	inputs := goldmarkInputs(t)
	for i := range 50 {
		inputs = append(inputs, string(corpus.Post(i, 50)))
	}
	inputs = append(inputs,
		"mail me at a@b.co, or x.y+z@sub.example.org. Not @ here, not a@b, not @b.com",
		"(https://example.com/x) *http://a.b* _www.c.d_ ~ftp://e.f~ HTTP://NOT.LINKED",
		"a\twww.tab.example\tb\tuser@tab.example\n",
		strings.Repeat("x", 64)+"@long.example "+strings.Repeat("y", 65)+"@too.long.example",
		"[www.in.label.example](/x) [me@label.example](/y) <https://auto.example>",
		"wwwx hhttp fftp: w h f @ @@ a@ @a.b ü@ü.example",
		"line end http://end.example\nwww.start.example next\n  indented me@indent.example",
	)
	for i, in := range inputs {
		var want, got bytes.Buffer
		if err := plain.Convert([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		if err := quick.Convert([]byte(in), &got); err != nil {
			t.Fatal(err)
		}
		if want.String() != got.String() {
			t.Errorf("input %d %q:\nGFM linkify: %q\nquick:       %q", i, in, want.String(), got.String())
		}
	}
	t.Logf("%d inputs", len(inputs))
}
