package site

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestFrontMatterTypoWarnings(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
	}{
		{"toml dashes", `---
titel = "x"
date = "2024-01-01"
tag = ["a"]
  descripton = "d"
"dat" = "2024-01-01"
mood = "ok"
math = true
Title = "T"
created_at = "2024-01-01"

[extra]
draftt = 1

[draftt]
x = 1
---
Body.
`, []string{
			`f.md:2:1: warning: unknown front-matter key "titel" (did you mean "title"?)`,
			`f.md:4:1: warning: unknown front-matter key "tag" (did you mean "tags"?)`,
			`f.md:5:3: warning: unknown front-matter key "descripton" (did you mean "description"?)`,
			`f.md:6:1: warning: unknown front-matter key "dat" (did you mean "date"?)`,
			`f.md:9:1: warning: unknown front-matter key "Title" (did you mean "title"?)`,
			`f.md:10:1: warning: unknown front-matter key "created_at" (did you mean "created_date"?)`,
			`f.md:15:2: warning: unknown front-matter key "draftt" (did you mean "draft"?)`,
		}},
		{"toml plus", `+++
title = "x"
dat = 2024-01-01
lastmdo = 2024-01-02
desription.en = "d"
tags = ["a"]

[ extr ]
a = 1
+++
`, []string{
			`f.md:3:1: warning: unknown front-matter key "dat" (did you mean "date"?)`,
			`f.md:4:1: warning: unknown front-matter key "lastmdo" (did you mean "lastmod"?)`,
			`f.md:5:1: warning: unknown front-matter key "desription" (did you mean "description"?)`,
			`f.md:8:3: warning: unknown front-matter key "extr" (did you mean "extra"?)`,
		}},
		{"yaml", `---
date: 2024-01-01
extra:
  titel: nested
titel: x
Tags: [a]
slugg: s
"descripton": d
image: /x.png
---
`, []string{
			`f.md:5:1: warning: unknown front-matter key "titel" (did you mean "title"?)`,
			`f.md:6:1: warning: unknown front-matter key "Tags" (did you mean "tags"?)`,
			`f.md:7:1: warning: unknown front-matter key "slugg" (did you mean "slug"?)`,
			`f.md:8:1: warning: unknown front-matter key "descripton" (did you mean "description"?)`,
		}},
		{"no typos", "---\ntitle = \"x\"\nimage = \"/x.png\"\nmath = true\nweight = 3\n---\n", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fm, _, err := ParseFrontMatter("f.md", []byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := strings.Join(fm.Warnings, "\n"), strings.Join(c.want, "\n"); got != want {
				t.Errorf("warnings:\n%s\nwant:\n%s", got, want)
			}
			// The keys stay available to templates.
			for _, w := range c.want {
				k := strings.Split(w, `"`)[1]
				if _, ok := fm.Extra[k]; !ok {
					t.Errorf("%q not in Extra: %v", k, fm.Extra)
				}
			}
		})
	}
}

func TestCloseField(t *testing.T) {
	for key, want := range map[string]string{
		"titel": "title", "tilte": "title", "Title": "title", "TITLE": "title", "tittle": "title",
		"tag": "tags", "tgas": "tags", "Tags": "tags", "dat": "date", "dtae": "date", "Date": "date",
		"descripton": "description", "desc": "", "sumary": "summary", "draf": "draft", "drafts": "draft",
		"lastMod": "lastmod", "last_modified": "", "createddate": "created_date", "created-date": "created_date",
		"alias": "aliases", "TOC": "toc", "taxonomy": "", "extras": "extra",
		"data": "date", // a real custom key may still get a (harmless) warning
		// Common custom keys are not typos.
		"math": "", "path": "", "name": "", "katex": "", "image": "", "images": "", "weight": "", "author": "",
		"authors": "", "categories": "", "series": "", "type": "", "layout": "", "cover": "", "keywords": "",
		"url": "", "lang": "", "hidden": "", "comments": "", "showToc": "", "params": "",
		// Known keys of the wrong type are kept as they are, without a suggestion.
		"taxonomies": "",
	} {
		if got := closeField(key); got != want {
			t.Errorf("closeField(%q) = %q, want %q", key, got, want)
		}
	}
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
