package manifest

import (
	"path/filepath"
	"reflect"
	"testing"

	"wasmsite/server/internal/testenv"
)

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		pat, name string
		want      bool
	}{
		{"*.txt", "a.txt", true},
		{"*.txt", "d/a.txt", false},
		{"**/*.txt", "a.txt", true},
		{"**/*.txt", "d/e/a.txt", true},
		{"d/**", "d/e/a.txt", true},
		{"d/**", "x/a.txt", false},
		{"d/**/a.txt", "d/a.txt", true},
		{"d/*/a.txt", "d/a.txt", false},
		{"d/?.txt", "d/a.txt", true},
		{"[ab].txt", "c.txt", false},
	}
	for _, c := range cases {
		if got := globMatch(c.pat, c.name); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v", c.pat, c.name, got)
		}
	}
}

func TestExcludeRegexp(t *testing.T) {
	cases := []struct {
		pat, name string
		want      bool
	}{
		{"*.txt", "a.txt", true},
		{"*.txt", "d/a.txt", true}, // '*' matches '/' like Spin's glob::Pattern
		{"d/*.txt", "d/e/a.txt", true},
		{"**/*.txt", "a.txt", true},
		{"**/*.txt", "x/y/a.txt", true},
		{"d/**/a.txt", "d/a.txt", true},
		{"d/**", "d/x/y", true},
		{"d/**", "e/x", false},
		{"?.md", "a.md", true},
		{"?.md", "ab.md", false},
		{"[ab].md", "b.md", true},
		{"[!ab].md", "b.md", false},
		{"[!ab].md", "c.md", true},
		{"a+b.md", "a+b.md", true},
		{"a.md", "a_md", false},
	}
	for _, c := range cases {
		re, err := excludeRegexp(c.pat)
		if err != nil {
			t.Fatal(err)
		}
		if got := re.MatchString(c.name); got != c.want {
			t.Errorf("exclude %q on %q = %v", c.pat, c.name, got)
		}
	}
	if _, err := excludeRegexp("a[b"); err == nil {
		t.Fatal("want error")
	}
}

func TestExpandFiles(t *testing.T) {
	dir := testenv.TempTree(t, map[string]string{
		"static/index.html":       "",
		"static/css/site.css":     "",
		"static/css/site.css.map": "",
		"static/secret.key":       "",
		"content/a.md":            "",
		"content/blog/b.md":       "",
		"content/blog/draft.txt":  "",
		"root.txt":                "",
		"public/x.html":           "",
	})
	abs := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
	cases := []struct {
		name     string
		files    []any
		excludes []string
		want     []FileMount
	}{
		{"single file", []any{"root.txt"}, nil, []FileMount{{Source: abs("root.txt"), Destination: "/root.txt"}}},
		{"directory string is a dir mount", []any{"content"}, nil, []FileMount{{Source: abs("content"), Destination: "/content", Dir: true}}},
		{"dot is a dir mount at /", []any{"."}, []string{}, []FileMount{{Source: dir, Destination: "/", Dir: true}}},
		{"star glob", []any{"content/*.md"}, nil, []FileMount{{Source: abs("content/a.md"), Destination: "/content/a.md"}}},
		{"doublestar glob", []any{"content/**/*.md"}, nil, []FileMount{
			{Source: abs("content/a.md"), Destination: "/content/a.md"},
			{Source: abs("content/blog/b.md"), Destination: "/content/blog/b.md"},
		}},
		{"glob with exclusion", []any{"content/**/*"}, []string{"**/*.txt"}, []FileMount{
			{Source: abs("content/a.md"), Destination: "/content/a.md"},
			{Source: abs("content/blog/b.md"), Destination: "/content/blog/b.md"},
		}},
		{"placement", []any{map[string]any{"source": "static", "destination": "/"}}, nil, []FileMount{{Source: abs("static"), Destination: "/", Dir: true}}},
		{"placement untouched by exclusion stays a dir", []any{map[string]any{"source": "public", "destination": "/pub"}}, []string{"static/*.key"}, []FileMount{{Source: abs("public"), Destination: "/pub", Dir: true}}},
		{"placement expanded by exclusion (manifest-relative)", []any{map[string]any{"source": "static", "destination": "/s"}}, []string{"static/*.key", "**/*.map"}, []FileMount{
			{Source: abs("static/css/site.css"), Destination: "/s/css/site.css"},
			{Source: abs("static/index.html"), Destination: "/s/index.html"},
		}},
		// Exclusions are matched against manifest-relative paths only (Spin 1.x).
		{"placement: source-relative exclusion does not apply", []any{map[string]any{"source": "static", "destination": "/"}}, []string{"secret.key"}, []FileMount{{Source: abs("static"), Destination: "/", Dir: true}}},
		// '*' in exclude_files also matches '/' (Rust glob crate Pattern::matches_path).
		{"star in exclusion crosses directories", []any{map[string]any{"source": "static", "destination": "/"}}, []string{"static/*.map"}, []FileMount{
			{Source: abs("static/css/site.css"), Destination: "/css/site.css"},
			{Source: abs("static/index.html"), Destination: "/index.html"},
			{Source: abs("static/secret.key"), Destination: "/secret.key"},
		}},
		// Spin 2.x (spin@v2.7.0 crates/loader/src/local.rs copy_file_mounts): a file may be
		// placed, exclusions aside; source "" is the manifest dir; destinations are under "/".
		{"file placement", []any{map[string]any{"source": "root.txt", "destination": "/etc/app.txt"}}, []string{"*.txt"}, []FileMount{{Source: abs("root.txt"), Destination: "/etc/app.txt"}}},
		{"empty placement source is the manifest dir", []any{map[string]any{"source": "", "destination": "/"}}, nil, []FileMount{{Source: dir, Destination: "/", Dir: true}}},
		{"relative placement destination", []any{map[string]any{"source": "static", "destination": "assets"}}, nil, []FileMount{{Source: abs("static"), Destination: "/assets", Dir: true}}},
		{"empty placement destination is /", []any{map[string]any{"source": "static", "destination": ""}}, nil, []FileMount{{Source: abs("static"), Destination: "/", Dir: true}}},
		{"dir string expanded by exclusion", []any{"content"}, []string{"content/blog/**"}, []FileMount{{Source: abs("content/a.md"), Destination: "/content/a.md"}}},
		{"excluded single file", []any{"root.txt"}, []string{"*.txt"}, nil},
		{"glob matching nothing", []any{"nothing/**/*.x", "*.none"}, nil, nil},
		{"duplicates removed", []any{"root.txt", "*.txt"}, nil, []FileMount{{Source: abs("root.txt"), Destination: "/root.txt"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := expandFiles(dir, c.files, c.excludes)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
	errs := []struct {
		files []any
		excl  []string
		want  string
	}{
		{[]any{map[string]any{"source": "root.txt", "destination": "/"}}, nil, `files[0]: source "root.txt" is a file: its destination "/" must name a file, such as "/root.txt"`},
		{[]any{map[string]any{"source": "root.txt", "destination": "/etc/"}}, nil, `its destination "/etc/" must name a file`},
		{[]any{map[string]any{"source": "root.txt", "destination": ""}}, nil, `its destination "" must name a file`},
		{[]any{map[string]any{"source": "nope", "destination": "/"}}, nil, `files[0]: source "nope": no such file or directory`},
		{[]any{map[string]any{"source": "../x", "destination": "/"}}, nil, `files[0]: source: "../x" points outside the manifest directory`},
		{[]any{map[string]any{"destination": "/"}}, nil, `files[0]: missing field "source"`},
		{[]any{map[string]any{"source": "static"}}, nil, `files[0]: missing field "destination"`},
		{[]any{map[string]any{"source": 3, "destination": "/"}}, nil, `files[0]: field "source" must be a string`},
		{[]any{int64(3)}, nil, `files[0]: expected a string or a { source, destination } table`},
		{[]any{"/etc/passwd"}, nil, `files[0]: "/etc/passwd" must be relative`},
		{[]any{"a[b"}, nil, `files[0]: invalid glob "a[b"`},
		{[]any{"root.txt"}, []string{"../x"}, `exclude_files[0]: "../x" points outside`},
	}
	for _, e := range errs {
		_, err := expandFiles(dir, e.files, e.excl)
		wantErr(t, err, e.want)
	}
}

func TestFilesInManifest(t *testing.T) {
	dir := testenv.TempTree(t, map[string]string{"public/index.html": "", "public/drafts/x.html": "", "notes.md": ""})
	m := v1Head + "[[component]]\nid = \"a\"\nsource = \"a.wasm\"\nfiles = [{ source = \"public\", destination = \"/\" }, \"*.md\"]\nexclude_files = [\"public/drafts/**\"]\n[component.trigger]\nroute = \"/...\"\n"
	app := mustParse(t, dir, m)
	want := []FileMount{
		{Source: filepath.Join(dir, "public/index.html"), Destination: "/index.html"},
		{Source: filepath.Join(dir, "notes.md"), Destination: "/notes.md"},
	}
	if got := app.Components[0].Files; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v", got)
	}
}
