package source

import (
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
