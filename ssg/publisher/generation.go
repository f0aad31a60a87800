package publisher

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"

	"wasmsite/ssg/disk"
	"wasmsite/ssg/output"
)

// generation is one publish in progress: files going into the stage's
// directory, which holds the generation the stage reuses (or nothing).
type generation struct {
	*Stage
	files []output.File
	// todo are the indexes of the files to generate: those the directory
	// lacks, or has under another key or an unknown one. stale are the
	// paths it has that files lack, .gz siblings included.
	todo  []int
	stale []string
	// entries[j] is files[todo[j]]'s entry in the new generation's sums,
	// once written or found unchanged.
	entries []fileSum
	// patched: only the files the plans changed were compared (see
	// generation).
	patched bool
	dirs    sync.Map // directories made in this publish
	// unchanged counts the files redone whose bytes were already there,
	// readBack those of them read back to compare.
	unchanged, readBack atomic.Int64
}

// generation starts publishing the files of plan into s: it compares their
// keys with those of the files s's directory has, a map lookup per file (two
// with a .gz sibling), and lists the stale files only when some are. When
// plan patches the live output's plan (patch) and s reuses the generation
// before that one, with the keys this Publisher gave it, only the files
// either patch changed are compared: the others, and the paths, are the
// same in the three.
func (s *Stage) generation(plan output.Planned, patch bool) *generation {
	g := &generation{Stage: s, files: plan.Files}
	if g.patched = patch && s.exact && s.p.diffKnown; g.patched {
		for _, i := range union(s.p.diff, plan.Changes.Indexes) {
			g.compare(i)
		}
	} else if kept := g.compareAll(); kept < len(s.have) {
		g.stale = g.findStale()
	}
	g.entries = make([]fileSum, len(g.todo))
	return g
}

// compareAll compares every file with the directory's and returns how many
// paths of the directory the new generation keeps.
func (g *generation) compareAll() (kept int) {
	for i := range g.files {
		kept += g.compare(i)
	}
	return kept
}

// compare adds files[i] to todo unless the directory has it with its key
// (and, with gzip, a sibling of that key), and returns how many of those
// two paths the directory has.
func (g *generation) compare(i int) (kept int) {
	f := g.files[i]
	k, ok := g.have[f.Path]
	if ok {
		kept++
	}
	current := ok && k != output.UnknownKey && k == f.Key
	if g.p.gzip && Gzippable(f.Path) {
		// The sibling's key is the source's: both change together. It may be
		// absent when the source is under GzipMinSize; a stale one is then
		// removed by the write.
		kz, ok := g.have[f.Path+".gz"]
		if ok {
			kept++
		}
		current = current && kz == f.Key
	}
	if !current {
		g.todo = append(g.todo, i)
	}
	return kept
}

// union returns the increasing indexes of a and b, both increasing.
func union(a, b []int) []int {
	out := make([]int, 0, len(a)+len(b))
	for len(a) > 0 || len(b) > 0 {
		switch {
		case len(b) == 0 || (len(a) > 0 && a[0] < b[0]):
			out, a = append(out, a[0]), a[1:]
		case len(a) == 0 || b[0] < a[0]:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	return out
}

// findStale returns the paths the directory has and the new generation
// does not.
func (g *generation) findStale() []string {
	keep := make(map[string]struct{}, len(g.files))
	for _, f := range g.files {
		keep[f.Path] = struct{}{}
		if g.p.gzip && Gzippable(f.Path) {
			keep[f.Path+".gz"] = struct{}{}
		}
	}
	var stale []string
	for p := range g.have {
		if _, ok := keep[p]; !ok {
			stale = append(stale, p)
		}
	}
	return stale
}

// removeStale removes the stale files and the directories that leaves
// empty. It runs first: a stale file may stand where a directory is needed
// now.
func (g *generation) removeStale() {
	for _, p := range g.stale {
		_ = os.Remove(filepath.Join(g.dir, filepath.FromSlash(p)))
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if os.Remove(filepath.Join(g.dir, filepath.FromSlash(d))) != nil {
				break
			}
		}
	}
}

// updateKeys returns the new generation's keys by path, .gz siblings
// included: the stage's map, which it changes, with the stale paths removed
// and the files generated set. The stage's keys are no longer known after.
func (g *generation) updateKeys() map[string]uint64 {
	keys := g.have
	if keys == nil {
		keys = make(map[string]uint64, len(g.files))
	}
	for _, p := range g.stale {
		delete(keys, p)
	}
	for _, i := range g.todo {
		f := g.files[i]
		keys[f.Path] = f.Key
		if g.p.gzip && Gzippable(f.Path) {
			keys[f.Path+".gz"] = f.Key
		}
	}
	return keys
}

// updateSums returns the new generation's sums: the stage's, which it
// changes, with the stale files' entries removed and those of the files
// generated set.
func (g *generation) updateSums() *genSums {
	gs := g.sums
	if gs == nil {
		gs = &genSums{files: make(map[string]fileSum, len(g.todo))}
	}
	for _, p := range g.stale {
		delete(gs.files, p)
	}
	for j, i := range g.todo {
		gs.files[g.files[i].Path] = g.entries[j]
	}
	return gs
}

// writeSums records sums, the sums of the generation now at out, in its
// sums file: the stage's file with this publish's changes appended, when the
// stage has one and it has not grown past twice the entries it holds; else
// a whole new file. Without them the next process reads the generation's
// files back.
func (g *generation) writeSums(out string, sums *genSums) {
	_, ino, err := disk.Stat(out)
	if err != nil {
		g.dropStagedSums()
		return
	}
	dst := SumsFile(out, false)
	changed := slices.Clone(g.stale)
	for _, i := range g.todo {
		changed = append(changed, g.files[i].Path)
	}
	if g.sumsStaged && sums.dir == ino && sums.lines+len(changed) <= 2*len(sums.files)+64 {
		err = sums.appendTo(stageSumsFile(out), dst, changed)
	} else {
		g.dropStagedSums()
		sums.dir = ino
		err = sums.write(dst)
	}
	if err == nil {
		g.p.liveSums = sums
	}
}
