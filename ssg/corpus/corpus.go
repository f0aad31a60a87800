// Package corpus generates the synthetic site that benchmarks build and
// that tests use as typical input: varied posts of about 600 words.
package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"wasmsite/ssg/pool"
)

// tags are the tags posts take, two each.
var tags = []string{"go", "wasm", "web", "notes", "rust", "tooling", "design", "css", "http", "testing", "perf", "linux"}

// words are the words paragraphs, titles and descriptions are made of.
var words = strings.Fields(`component host module guest memory request response stream
table index render template cache worker buffer parser token lexer syntax
markdown static site feed sitemap atom archive draft author reader button
count cookie origin browser server runtime compile link binary archive`)

// Write writes a site of n posts into dir: dir/site.toml and
// dir/blog/post-00000.md … (Post(0, n) …), eight files at a time.
func Write(dir string, n int) error {
	if err := os.MkdirAll(filepath.Join(dir, "blog"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "site.toml"), []byte("title = \"Bench\"\nbase_url = \"https://bench.example\"\n"), 0o644); err != nil {
		return err
	}
	return pool.Run(n, 8, func(i int) error {
		return os.WriteFile(filepath.Join(dir, "blog", fmt.Sprintf("post-%05d.md", i)), Post(i, n), 0o644)
	})
}

// Post returns post i (0 ≤ i < n) of a corpus of n: front matter between
// "---" lines (slug post-i, dated 6 h after post i-1 from 2015-01-01, two of
// twelve tags), then about 600 words of markdown: paragraphs, headings, a
// list linking to the next post, a Go code block, a table and a quote.
func Post(i, n int) []byte {
	var b strings.Builder
	w := func(k int) string { return words[(i*7+k*13)%len(words)] }
	para := func(seed, count int) {
		for k := range count {
			if k > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w(seed + k))
		}
		b.WriteString(".\n\n")
	}
	day := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 6 * time.Hour)
	fmt.Fprintf(&b, "---\nslug = \"post-%d\"\ntitle = \"Post %d about %s\"\ndescription = \"Notes on %s and %s\"\n", i, i, w(1), w(2), w(3))
	fmt.Fprintf(&b, "created_date = %q\ntags = [%q, %q]\n---\n\n", day.Format(time.RFC3339), tags[i%len(tags)], tags[(i/3)%len(tags)])
	para(0, 80)
	fmt.Fprintf(&b, "## Background %d\n\n", i)
	para(5, 90)
	b.WriteString("- first " + w(1) + " item with **bold** text\n- second item with `code`\n- third item linking [another post](/blog/post-" + fmt.Sprint((i+1)%n) + "/)\n\n")
	fmt.Fprintf(&b, "```go\nfunc handler%d(w http.ResponseWriter, r *http.Request) {\n\tn := %d\n\tfmt.Fprintf(w, \"%s %%d\", n)\n}\n```\n\n", i, i, w(4))
	para(9, 100)
	b.WriteString("| Name | Value | Note |\n|------|-------|------|\n")
	for r := range 4 {
		fmt.Fprintf(&b, "| %s | %d | %s |\n", w(r), i*r, w(r+3))
	}
	b.WriteString("\n### Details\n\n")
	para(11, 120)
	b.WriteString("> A quote about " + w(7) + " and _emphasis_.\n\n")
	para(17, 100)
	b.WriteString("## Wrapping up\n\n")
	para(23, 90)
	return []byte(b.String())
}
