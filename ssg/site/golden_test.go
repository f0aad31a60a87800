package site

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
	files, _ := filepath.Glob("testdata/frontmatter/*.md")
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

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"2022-06-5":                 "2022-06-05T00:00:00Z",
		"2022-6-05":                 "2022-06-05T00:00:00Z",
		"2022-06-05":                "2022-06-05T00:00:00Z",
		"2022-06-05T10:11:12Z":      "2022-06-05T10:11:12Z",
		"2022-06-05T10:00:00+02:00": "2022-06-05T08:00:00Z",
	} {
		got, err := ParseDate(in)
		if err != nil || got.Format(time.RFC3339) != want {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"2022-13-01", "yesterday", "2022/06/05", ""} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) succeeded", bad)
		}
	}
}

func TestFrontMatterErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"toml syntax", "---\ntitle = \"x\"\ncreated_date = 2022-06-5\n---\n", "f.md:3:"},
		{"bad date", "---\ntitle = \"x\"\ncreated_date = \"2022-06-x\"\n---\n", "f.md:3:16: created_date: invalid date"},
		{"yaml syntax", "---\ntitle: x\ntags: [a, b\n---\n", "f.md:"},
		{"yaml bad date", "---\ntitle: x\ndate: nope\n---\n", "f.md:3:7: date: invalid date"},
		{"plus bad type", "+++\ntitle = 3\n+++\n", "f.md:2:9: title: expected a string"},
		{"unclosed", "---\ntitle = \"x\"\n", "f.md:1:1: front matter opened"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ParseFrontMatter("f.md", []byte(c.src))
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("error = %v, want prefix %q", err, c.want)
			}
		})
	}
}
