package publisher

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"

	"wasmsite/ssg/disk"
	"wasmsite/ssg/output"
)

// site is a plan's content by path; its keys are the content's hash, as a
// planner's would be.
type site map[string]string

// plan returns the files of s, sorted by path.
func (s site) plan(keys output.Keys) []output.File {
	var files []output.File
	for p, c := range s {
		files = append(files, output.File{Path: p, Origin: "test " + p, Key: keys.New().Text(c).Key(),
			Generate: func(w *bytes.Buffer) error { w.WriteString(c); return nil }})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files
}

// publish publishes s with p.
func publish(t *testing.T, p *Publisher, keys output.Keys, s site) Counts {
	t.Helper()
	st := p.Stage()
	defer st.Release()
	c, err := st.Publish(s.plan(keys))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tree returns the files under dir by slash path; none when there is no
// dir.
func tree(t *testing.T, dir string) site {
	t.Helper()
	s := site{}
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return s
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		s[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// edits are successive versions of a site: contents edited, files added and
// removed, a file replaced by a directory and back, a text file growing past
// GzipMinSize.
func edits() []site {
	big := strings.Repeat("big ", GzipMinSize)
	base := site{"index.html": "home", "a/index.html": "a", "b/index.html": "b", "b/c/index.html": "c", "x.txt": "x", "img.png": "png"}
	var out []site
	add := func(change func(s site)) {
		s := site{}
		for p, c := range base {
			s[p] = c
		}
		change(s)
		base = s
		out = append(out, s)
	}
	add(func(s site) {})
	add(func(s site) { s["a/index.html"] = "a edited" })
	add(func(s site) { s["d/index.html"] = "d" })
	add(func(s site) { delete(s, "b/c/index.html") })
	add(func(s site) { delete(s, "x.txt"); s["x.txt/index.html"] = "x as a directory" })
	add(func(s site) { s["index.html"] = big })
	add(func(s site) { delete(s, "x.txt/index.html"); s["x.txt"] = "x again" })
	add(func(s site) {})
	add(func(s site) { s["index.html"] = "home"; delete(s, "d/index.html") })
	add(func(s site) {})
	return out
}

// checkSums checks that the sums file at path, if any, describes the files
// of the generation at dir as they are.
func checkSums(t *testing.T, path, dir string) {
	t.Helper()
	gs := readSums(path)
	if gs == nil {
		if _, err := os.Stat(path); err == nil {
			t.Fatalf("%s is not valid", path)
		}
		return
	}
	for rel, e := range gs.files {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatalf("%s lists %s: %v", path, rel, err)
		}
		st, _, err := disk.Stat(filepath.Join(dir, rel))
		if err != nil || st != e.Stamp || xxhash.Sum64(data) != e.sum {
			t.Errorf("%s: entry of %s does not match the file", path, rel)
		}
	}
}

// TestPublishIncrementalMatchesFresh publishes successive versions of a site
// with one Publisher, which reuses its generations, and checks each output
// against a fresh publish of the version, and the sums files the publishes
// appended to against the files they describe.
func TestPublishIncrementalMatchesFresh(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "site", "public")
			keys := output.NewKeys()
			p := New(out, gz, 2)
			for i, s := range edits() {
				publish(t, p, keys, s)
				fresh := filepath.Join(dir, fmt.Sprintf("fresh-%d", i), "public")
				publish(t, New(fresh, gz, 2), keys, s)
				got, want := tree(t, out), tree(t, fresh)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("version %d: incremental output\n%v\nwant\n%v", i, got, want)
				}
				checkSums(t, SumsFile(out, false), out)
				checkSums(t, SumsFile(out, true), PrevDir(out))
			}
		})
	}
}

// TestSumsAppended: a rebuild after one change appends to the sums file
// instead of rewriting it, and a rewrite comes only once appended lines
// outnumber the entries.
func TestSumsAppended(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "public")
	keys := output.NewKeys()
	p := New(out, false, 2)
	s := site{}
	for i := range 200 {
		s[fmt.Sprintf("p%03d/index.html", i)] = fmt.Sprint(i)
	}
	lines := func() int {
		b, err := os.ReadFile(SumsFile(out, false))
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Count(b, []byte("\n")) - 1
	}
	publish(t, p, keys, s)
	publish(t, p, keys, s)
	if n := lines(); n != 200 {
		t.Fatalf("sums file has %d entries, want 200", n)
	}
	s["p007/index.html"] = "edited"
	publish(t, p, keys, s)
	publish(t, p, keys, s)
	// The second generation had 200 entries; the edit and bringing the
	// other generation up to date each appended one.
	if n := lines(); n != 201 {
		t.Errorf("sums file has %d lines after an edit, want 201 (appended)", n)
	}
	for i := range 250 {
		s["p007/index.html"] = fmt.Sprint("edit ", i)
		publish(t, p, keys, s)
	}
	if n := lines(); n > 2*200+64 {
		t.Errorf("sums file grew to %d lines for 200 files", n)
	}
	// A new process reuses the generation one edit behind: it tells the
	// other files unchanged by their sums.
	if c := publish(t, New(out, false, 2), keys, s); c.Written != 1 || c.ReadBack != 0 {
		t.Errorf("a new publisher wrote %d files and read back %d, want 1 and 0", c.Written, c.ReadBack)
	}
}

// planSeq publishes plans of one list of paths, numbered in order, with
// Changes when they patch the plan before.
type planSeq struct {
	t     *testing.T
	keys  output.Keys
	paths []string // in plan order, unsorted
	n     uint64   // the last plan's number
}

// plan returns the plan of contents (by index in paths), numbered next:
// patching the plan numbered base at the indexes changed, unless base is 0.
// A content of "fail" fails to generate.
func (q *planSeq) plan(contents []string, base uint64, changed ...int) output.Planned {
	q.n++
	pl := output.Planned{Number: q.n}
	if base != 0 {
		pl.Changes = &output.Changes{Base: base, Indexes: changed}
	}
	for i, c := range contents {
		pl.Files = append(pl.Files, output.File{Path: q.paths[i], Origin: "test", Key: q.keys.New().Text(c).Key(),
			Generate: func(w *bytes.Buffer) error {
				if c == "fail" {
					return fmt.Errorf("cannot")
				}
				w.WriteString(c)
				return nil
			}})
	}
	return pl
}

// TestPublishPatchedPlans publishes plans that patch the plan before, whole
// plans, a plan that fails and a stage released unpublished, and checks the
// output against a fresh publish each time, the sums, and the changes
// reported; a patch of a patch compares only the files either changed.
func TestPublishPatchedPlans(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "site", "public")
			q := &planSeq{t: t, keys: output.NewKeys()}
			contents := make([]string, 40)
			for i := range contents {
				q.paths = append(q.paths, fmt.Sprintf("z%02d/index.html", 40-i)) // not sorted
				contents[i] = strings.Repeat(fmt.Sprint(i), 1+i*30)              // some above GzipMinSize
			}
			p := New(out, gz, 2)
			p.TrackChanges()
			publishPlan := func(what string, pl output.Planned) {
				t.Helper()
				before := tree(t, out)
				st := p.Stage()
				c, err := st.PublishPlan(pl)
				st.Release()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				after := tree(t, out)
				var want []string
				for path, data := range after {
					if d, ok := before[path]; (!ok || d != data) && !strings.HasSuffix(path, ".gz") {
						want = append(want, path)
					}
				}
				for path := range before {
					if _, ok := after[path]; !ok && !strings.HasSuffix(path, ".gz") {
						want = append(want, path)
					}
				}
				sort.Strings(want)
				if fmt.Sprint(c.Changed) != fmt.Sprint(want) {
					t.Errorf("%s: Changed = %v, want %v", what, c.Changed, want)
				}
				fresh := filepath.Join(t.TempDir(), "public")
				fst := New(fresh, gz, 2).Stage()
				if _, err := fst.PublishPlan(pl); err != nil {
					t.Fatal(err)
				}
				if got, want := after, tree(t, fresh); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%s: output\n%v\nwant\n%v", what, got, want)
				}
				checkSums(t, SumsFile(out, false), out)
				checkSums(t, SumsFile(out, true), PrevDir(out))
			}
			set := func(i int, c string) int { contents[i] = c; return i }
			publishPlan("whole plan", q.plan(contents, 0))
			publishPlan("patch", q.plan(contents, q.n, set(3, "three")))
			publishPlan("patch of a patch", q.plan(contents, q.n, set(7, "seven"), set(8, strings.Repeat("8", 600))))
			publishPlan("empty patch", q.plan(contents, q.n))
			base := q.n
			st := p.Stage()
			if _, err := st.PublishPlan(q.plan(append(slices.Clone(contents[:5]), append([]string{"fail"}, contents[6:]...)...), base, 5)); err == nil {
				t.Fatal("a file that fails to generate was published")
			}
			publishPlan("patch after a failed publish", q.plan(contents, base, set(5, "five")))
			// Both generations are known again: a patch compares only the
			// files this patch and the last changed.
			pl := q.plan(contents, q.n, set(9, "nine"))
			st = p.Stage()
			<-st.done
			if g := st.generation(pl, p.patches(pl)); !g.patched || fmt.Sprint(g.todo) != "[5 9]" {
				t.Errorf("patch of a patch: compared all (%v) or generates %v, want [5 9]", !g.patched, g.todo)
			}
			st.Release()
			publishPlan("patch after a released stage", pl)
			q.paths, contents = q.paths[1:], contents[1:]
			publishPlan("whole plan without a file", q.plan(contents, 0))
			publishPlan("patch of a whole plan", q.plan(contents, q.n, set(0, "zero")))
			publishPlan("patch of that", q.plan(contents, q.n, set(1, "one")))
		})
	}
}
