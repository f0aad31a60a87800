package site

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"wasmsite/ssg/corpus"
)

// hugoLayouts are minimal Hugo templates producing what ssg's theme produces for the
// corpus: a page per post, paginated list and tag pages, and the built-in RSS and sitemap.
var hugoLayouts = map[string]string{
	"layouts/_default/baseof.html": `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body><main>{{ block "main" . }}{{ end }}</main></body></html>`,
	"layouts/_default/single.html": `{{ define "main" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format "2 January 2006" }}</time> · {{ .ReadingTime }} min read{{ .Content }}</article>{{ end }}`,
	"layouts/_default/list.html":   `{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range (.Paginate .Pages).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Description }}</li>{{ end }}</ul>{{ end }}`,
	"layouts/index.html":           `{{ define "main" }}<ul>{{ range (.Paginate .Site.RegularPages).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}`,
	"config.toml": `baseURL = "https://bench.example/"
title = "Bench"
paginate = 10
[markup.goldmark.renderer]
unsafe = true
[markup.highlight]
noClasses = false
`,
}

// BenchmarkVsHugo renders the same 10,000-post corpus with ssg and with Hugo (when a
// `hugo` binary is on PATH, e.g. Debian's package) in the same run, cold (empty output)
// each time, and prints both times and the ratio.
func BenchmarkVsHugo(b *testing.B) {
	hugo, err := exec.LookPath("hugo")
	if err != nil {
		b.Skip("hugo not installed (apt-get install hugo): no baseline to compare with")
	}
	const n = 10000
	root := benchDir(b)
	content := filepath.Join(root, "ssg")
	if err := corpus.Write(content, n); err != nil {
		b.Fatal(err)
	}
	// The same posts for Hugo: TOML front matter between +++ (Hugo reads --- as YAML).
	hsite := filepath.Join(root, "hugo")
	for name, text := range hugoLayouts {
		p := filepath.Join(hsite, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(text), 0o644)
	}
	os.MkdirAll(filepath.Join(hsite, "content", "blog"), 0o755)
	for i := range n {
		post := corpus.Post(i, n)
		post = bytes.Replace(post, []byte("---\n"), []byte("+++\n"), 2)
		os.WriteFile(filepath.Join(hsite, "content", "blog", fmt.Sprintf("post-%05d.md", i)), post, 0o644)
	}
	var ssgTime, hugoTime time.Duration
	bin := buildSSG(b, benchDir(b))
	b.Run("ssg", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ssgTime += runSSG(b, bin, content, filepath.Join(root, fmt.Sprintf("ssg-out-%d", i))).wall
		}
		ssgTime /= time.Duration(b.N)
		b.ReportMetric(ssgTime.Seconds()*1000, "ms/build")
	})
	b.Run("hugo", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			out := filepath.Join(root, fmt.Sprintf("hugo-out-%d", i))
			cmd := exec.Command(hugo, "--quiet", "-s", hsite, "-d", out)
			syncDisks()
			start := time.Now()
			if msg, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("hugo: %v\n%s", err, msg)
			}
			hugoTime += time.Since(start)
		}
		hugoTime /= time.Duration(b.N)
		b.ReportMetric(hugoTime.Seconds()*1000, "ms/build")
	})
	if ssgTime > 0 && hugoTime > 0 {
		fmt.Printf("BenchmarkVsHugo: %d posts, cold build: ssg %s, hugo %s; hugo/ssg = %.2f×\n",
			n, ssgTime.Round(time.Millisecond), hugoTime.Round(time.Millisecond), hugoTime.Seconds()/ssgTime.Seconds())
	}
}
