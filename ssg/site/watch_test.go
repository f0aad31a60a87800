package site

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// watching runs b.Watch with o until the test ends, and returns its
// outcomes.
func watching(t *testing.T, b *Builder, o WatchOptions) <-chan Outcome {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outcomes := make(chan Outcome, 16)
	done := make(chan error, 1)
	o.Report = func(out Outcome) bool { outcomes <- out; return true }
	go func() { done <- b.Watch(ctx, o) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
	return outcomes
}

// nextOutcome waits for the next build of a watch.
func nextOutcome(t *testing.T, outcomes <-chan Outcome, what string) Outcome {
	t.Helper()
	select {
	case out := <-outcomes:
		if out.Err != nil {
			t.Fatalf("%s: %v", what, out.Err)
		}
		return out
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no rebuild within 10 s", what)
	}
	return Outcome{}
}

// settledChanges waits for the next build of a watch and for any that follow it
// within a second, and returns the outputs they changed (Result.Changed, merged and
// sorted). A change written in steps (a page bundle's files, a file created and then
// written) can be built in more than one go when the machine is slow enough for the
// steps to be further apart than WatchOptions.Settle, the first of them from a partial
// state that may not even build; the last build must succeed.
func settledChanges(t *testing.T, outcomes <-chan Outcome, what string) []string {
	t.Helper()
	changed := map[string]bool{}
	last := Outcome{Err: errors.New("no rebuild within 10 s")}
	wait := 10 * time.Second
	for {
		select {
		case o := <-outcomes:
			last, wait = o, time.Second
			if o.Err == nil {
				for _, p := range o.Result.Changed {
					changed[p] = true
				}
			}
		case <-time.After(wait):
			if last.Err != nil {
				t.Fatalf("%s: %v", what, last.Err)
			}
			return slices.Sorted(maps.Keys(changed))
		}
	}
}

// changedFiles returns the paths whose content differs between two trees.
func changedFiles(a, b map[string]string) []string {
	var out []string
	for p, c := range a {
		if d, ok := b[p]; !ok || d != c {
			out = append(out, p)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// TestWatchNotifies edits a site under a watching Builder (file-system
// notifications, development mode) in the ways a writer does: after each
// change a rebuild comes by itself, its output is a fresh full build's, and
// Result.Changed names exactly the files whose content changed.
func TestWatchNotifies(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, sampleFiles())
	out := filepath.Join(dir, "public")
	b := NewBuilder(Options{ContentDir: filepath.Join(dir, "content"), OutDir: out,
		Dev: &Dev{Snippet: "<script src=/assets/live.js></script>", Files: map[string][]byte{"assets/live.js": []byte("//")}}})
	outcomes := watching(t, b, WatchOptions{})
	if first := nextOutcome(t, outcomes, "first build"); !first.First {
		t.Fatal("the first outcome is not marked First")
	}
	tree := readTree(t, out)
	if !strings.Contains(tree["blog/one/index.html"], "<script src=/assets/live.js></script></body>") || tree["assets/live.js"] != "//" {
		t.Error("development mode: no script in the page, or no script file")
	}
	if strings.Contains(tree["feed.xml"], "live.js") {
		t.Error("development mode: snippet in the feed")
	}
	steps := []struct {
		what   string
		change func()
	}{
		{"edit a post", func() {
			writeTree(t, dir, map[string]string{"content/blog/two.md": "+++\ntitle = \"Two\"\ndate = 2022-07-01\n+++\n\nEdited text.\n"})
		}},
		{"new post", func() { writeTree(t, dir, map[string]string{"content/blog/four.md": post("four", "2024-02-02", "")}) }},
		{"new page bundle", func() {
			writeTree(t, dir, map[string]string{"content/blog/trip/index.md": post("trip", "2023-05-05", ""), "content/blog/trip/img/a.svg": "<svg/>"})
		}},
		{"rename a directory", func() {
			if err := os.Rename(filepath.Join(dir, "content/blog/trip"), filepath.Join(dir, "content/blog/voyage")); err != nil {
				t.Fatal(err)
			}
		}},
		{"edit in the renamed directory", func() { writeTree(t, dir, map[string]string{"content/blog/voyage/img/a.svg": "<svg width=\"1\"/>"}) }},
		{"remove a post", func() { _ = os.Remove(filepath.Join(dir, "content/blog/one.md")) }},
		{"save by rename, as editors do", func() {
			writeTree(t, dir, map[string]string{"content/pages/.about.md.swp": "---\ntitle = \"About us\"\n---\n\nHi.\n"})
			if err := os.Rename(filepath.Join(dir, "content/pages/.about.md.swp"), filepath.Join(dir, "content/pages/about.md")); err != nil {
				t.Fatal(err)
			}
		}},
		{"settings", func() {
			writeTree(t, dir, map[string]string{"content/site.toml": strings.Replace(siteTOML, "A test site", "New description", 1)})
		}},
		{"new templates directory", func() {
			writeTree(t, dir, map[string]string{"templates/404.html": `{{template "base" .}}{{define "main"}}<p>Gone.</p>{{end}}`})
		}},
		{"edit a template", func() {
			writeTree(t, dir, map[string]string{"templates/404.html": `{{template "base" .}}{{define "main"}}<p>Really gone.</p>{{end}}`})
		}},
	}
	for _, s := range steps {
		before := readTree(t, out)
		s.change()
		got := settledChanges(t, outcomes, s.what)
		after := readTree(t, out)
		if want := changedFiles(before, after); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Changed = %v, want %v", s.what, got, want)
		}
		full := filepath.Join(t.TempDir(), "full")
		if _, err := Build(Options{ContentDir: filepath.Join(dir, "content"), OutDir: full, Dev: b.opts.Dev}); err != nil {
			t.Fatal(err)
		}
		diffTrees(t, readTree(t, full), after)
		if t.Failed() {
			t.Fatalf("%s: the watched output differs from a full build", s.what)
		}
	}
	if !strings.Contains(readTree(t, out)["404.html"], "Really gone.") {
		t.Error("template edit not rendered")
	}
}

// TestWatchPolls: with Poll set, changes are found by polling.
func TestWatchPolls(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, sampleFiles())
	out := filepath.Join(dir, "public")
	b := NewBuilder(Options{ContentDir: filepath.Join(dir, "content"), OutDir: out})
	outcomes := watching(t, b, WatchOptions{Poll: 20 * time.Millisecond})
	nextOutcome(t, outcomes, "first build")
	writeTree(t, dir, map[string]string{"content/blog/two.md": "+++\ntitle = \"Polled\"\ndate = 2022-07-01\n+++\n\nText.\n"})
	nextOutcome(t, outcomes, "after an edit")
	if !strings.Contains(readTree(t, out)["blog/two/index.html"], "Polled") {
		t.Error("edit not rendered")
	}
}

// TestWatchDue: a watching build publishes a future post when it becomes
// due, without any change on disk.
func TestWatchDue(t *testing.T) {
	dir := t.TempDir()
	files := sampleFiles()
	due := time.Now().UTC().Add(3 * time.Second).Truncate(time.Second) // later than a slow first build
	files["content/blog/soon.md"] = post("soon", due.Format(time.RFC3339), "")
	writeTree(t, dir, files)
	out := filepath.Join(dir, "public")
	outcomes := watching(t, NewBuilder(Options{ContentDir: filepath.Join(dir, "content"), OutDir: out}), WatchOptions{})
	if first := nextOutcome(t, outcomes, "first build"); !first.Result.NextDue.Equal(due) {
		t.Fatalf("first build: NextDue %v, want %v", first.Result.NextDue, due)
	}
	if _, ok := readTree(t, out)["blog/soon/index.html"]; ok {
		t.Fatal("a future post was published")
	}
	nextOutcome(t, outcomes, "when the post is due")
	if _, ok := readTree(t, out)["blog/soon/index.html"]; !ok {
		t.Error("the post was not published when due")
	}
}

// TestWatchKeepsLastGoodSite: a watching build in development mode whose
// first build fails keeps the last good site, built for production, and
// gives its pages the script (dropping the .gz siblings that lack it), so
// that they show the error; the next good build replaces it.
func TestWatchKeepsLastGoodSite(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, sampleFiles())
	out := filepath.Join(dir, "public")
	if _, err := buildIn(t, dir, Options{Gzip: true}); err != nil {
		t.Fatal(err)
	}
	good := readTree(t, out)
	writeTree(t, dir, map[string]string{"content/blog/bad.md": "---\ncreated_date = \"2022-13-01\"\n---\nx\n"})
	dev := &Dev{Snippet: "<script src=/assets/live.js></script>", Files: map[string][]byte{"assets/live.js": []byte("//")}}
	outcomes := watching(t, NewBuilder(Options{ContentDir: filepath.Join(dir, "content"), OutDir: out, Dev: dev}), WatchOptions{})
	select {
	case o := <-outcomes:
		if o.Err == nil || !strings.Contains(o.Err.Error(), "bad.md:2:16") {
			t.Fatalf("first build: %v, want the error at bad.md:2:16", o.Err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no first build")
	}
	kept := readTree(t, out)
	for p, c := range good {
		switch {
		case strings.HasSuffix(p, ".gz"):
			if _, ok := kept[p]; ok {
				t.Errorf("%s kept: it lacks the script", p)
			}
		case strings.HasSuffix(p, ".html"):
			if want := strings.Replace(c, "</body>", dev.Snippet+"</body>", 1); kept[p] != want {
				t.Errorf("%s: not the last good page with the script", p)
			}
		case kept[p] != c:
			t.Errorf("%s changed", p)
		}
	}
	if kept["assets/live.js"] != "//" {
		t.Error("no script file")
	}
	_ = os.Remove(filepath.Join(dir, "content/blog/bad.md"))
	nextOutcome(t, outcomes, "after the fix")
	full := filepath.Join(t.TempDir(), "full")
	if _, err := Build(Options{ContentDir: filepath.Join(dir, "content"), OutDir: full, Dev: dev}); err != nil {
		t.Fatal(err)
	}
	diffTrees(t, readTree(t, full), readTree(t, out))
}
