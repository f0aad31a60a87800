package source

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

func TestGoldenFrontMatter(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.md")
	if len(files) < 4 {
		t.Fatalf("expected front-matter fixtures, got %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			fm, body, err := ParseFrontMatter(f, src)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]any{
				"format": fm.Format, "title": fm.Title, "slug": fm.Slug, "description": fm.Description,
				"date": fm.Date.Format(time.RFC3339), "lastmod": fm.Lastmod.Format(time.RFC3339),
				"draft": fm.Draft, "toc": fm.TOC, "tags": fm.Tags, "aliases": fm.Aliases,
				"extra": fm.Extra, "body": string(body),
			}
			j, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, strings.TrimSuffix(f, ".md")+".golden.json", append(j, '\n'))
		})
	}
}
