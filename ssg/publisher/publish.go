package publisher

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"

	"wasmsite/ssg/disk"
	"wasmsite/ssg/output"
	"wasmsite/ssg/pool"
)

// Counts counts a publish's file operations.
type Counts struct {
	Written  int // files written
	ReadBack int // files of the reused generation read back to compare
	// Changed are the output paths whose content differs from the output
	// replaced, removed ones included (see TrackChanges); nil unless
	// tracked.
	Changed []string
}

// bufPool holds the buffers files are generated into.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Publish generates files into the stage's directory and swaps it in for the
// output atomically. A file whose key shows it is already up to date there is
// not generated; one whose bytes are is not rewritten. Files the directory
// has and files lacks are removed. On error the output is unchanged: a
// reused generation, partly updated, is kept for the next build (with its
// keys unknown), a new directory is removed. Generation errors, and a path
// that is not clean or not inside the output (see checkPaths), name the
// file's origin.
func (s *Stage) Publish(files []output.File) (Counts, error) {
	if err := checkPaths(files); err != nil {
		return Counts{}, err // the stage is still to be released
	}
	s.taken = true
	<-s.done
	if s.err != nil {
		if s.dir != "" {
			_ = os.RemoveAll(s.dir)
		}
		return Counts{}, s.err
	}
	g := s.generation(files)
	g.removeStale()
	todo := g.pending()
	g.prefetchRereads(todo)
	// File creation is dominated by file-system latency, not CPU: more
	// goroutines than cores keep the disk busy.
	if err := pool.Run(len(todo), max(8, 4*s.p.workers), func(j int) error { return g.write(todo[j]) }); err != nil {
		return Counts{}, s.fail(err)
	}
	var changed []string
	if s.p.track {
		changed = g.changedFromLive()
	}
	old, err := swap(s.dir, s.p.out)
	if err != nil {
		return Counts{}, s.fail(err)
	}
	s.p.retire(old, g.keys)
	g.writeSums(s.p.out)
	return Counts{Written: len(todo) - int(g.unchanged.Load()), ReadBack: int(g.readBack.Load()), Changed: changed}, nil
}

// fail ends a publish that failed before the swap.
func (s *Stage) fail(err error) error {
	// Keep a reused generation for the next build; its keys are unknown
	// now, so everything will be rewritten.
	if s.have != nil && s.p.keepPrev(s.dir) {
		return err
	}
	_ = os.RemoveAll(s.dir)
	return err
}

// generation is one publish in progress: files going into the stage's
// directory.
type generation struct {
	*Stage
	files []output.File
	keys  map[string]uint64 // the new generation's keys by path, .gz siblings included
	// entries[i] is files[i]'s entry for the new generation's sums, valid
	// when known[i]: kept for the files not redone, new for the rest.
	entries []fileSum
	known   []bool
	dirs    sync.Map // directories made in this publish
	// unchanged counts the files redone whose bytes were already there,
	// readBack those of them read back to compare.
	unchanged, readBack atomic.Int64
}

// generation starts publishing files into s: their keys, and the sums
// entries s has for them.
func (s *Stage) generation(files []output.File) *generation {
	g := &generation{Stage: s, files: files, keys: make(map[string]uint64, len(files))}
	for _, f := range files {
		g.keys[f.Path] = f.Key
		if s.p.gzip && Gzippable(f.Path) {
			// The sibling's key is the source's: both change together. It may be
			// absent when the source is under GzipMinSize; a stale one is then removed
			// by the write.
			g.keys[f.Path+".gz"] = f.Key
		}
	}
	g.entries = make([]fileSum, len(files))
	g.known = make([]bool, len(files))
	for i, f := range files {
		g.entries[i], g.known[i] = s.sums.lookup(f.Path)
	}
	return g
}

// removeStale removes what the reused generation has and this one does
// not, and the directories that leaves empty. It runs first: a stale file
// may stand where a directory is needed now.
func (g *generation) removeStale() {
	var stale []string
	for p := range g.have {
		if _, ok := g.keys[p]; !ok {
			stale = append(stale, p)
		}
	}
	for _, p := range stale {
		_ = os.Remove(filepath.Join(g.dir, filepath.FromSlash(p)))
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if os.Remove(filepath.Join(g.dir, filepath.FromSlash(d))) != nil {
				break
			}
		}
	}
}

// pending returns the indexes of the files to generate: all but those the
// directory has with the same key (and, with gzip, a sibling of that key).
func (g *generation) pending() []int {
	var todo []int
	for i, f := range g.files {
		if k, ok := g.have[f.Path]; ok && k != output.UnknownKey && k == f.Key {
			if !g.p.gzip || !Gzippable(f.Path) || g.have[f.Path+".gz"] == f.Key {
				continue
			}
		}
		todo = append(todo, i)
	}
	return todo
}

// prefetchRereads has the kernel read ahead, in the order they are needed,
// the files of todo that the reused generation has without a sums entry:
// they will be read back to compare.
func (g *generation) prefetchRereads(todo []int) {
	var reread []string
	for _, i := range todo {
		p := g.files[i].Path
		if _, ok := g.have[p]; ok {
			if _, ok := g.sums.lookup(p); !ok {
				reread = append(reread, filepath.Join(g.dir, filepath.FromSlash(p)))
			}
		}
	}
	disk.Prefetch(reread)
}

// write generates files[i] and writes it, and its .gz sibling, unless the
// directory already holds those bytes.
func (g *generation) write(i int) error {
	f := g.files[i]
	g.known[i] = false
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := f.Generate(buf); err != nil {
		return fmt.Errorf("%s: %w", f.Origin, err)
	}
	dst := filepath.Join(g.dir, filepath.FromSlash(f.Path))
	zip := g.p.gzip && Gzippable(f.Path)
	sum := xxhash.Sum64(buf.Bytes())
	if _, ok := g.have[f.Path]; ok {
		if g.holds(i, dst, buf.Bytes(), sum, zip) {
			return nil
		}
	} else if err := g.mkdir(path.Dir(f.Path)); err != nil {
		return err
	}
	// The .gz sibling first: a file whose content is current then always
	// has a current sibling, even after a build that failed between the two.
	if zip {
		if err := writeGzip(dst+".gz", buf.Bytes()); err != nil {
			return err
		}
	}
	// In place: the staging directory is not served, and truncating an
	// existing file is far cheaper than creating a new inode.
	st, err := disk.WriteFile(dst, buf.Bytes())
	if err != nil {
		return err
	}
	g.entries[i], g.known[i] = fileSum{st, sum}, true
	return nil
}

// holds reports whether dst, files[i] in the reused generation, already
// holds data (whose xxhash-64 is sum), and its .gz sibling is present when
// zip and data call for one, and records its sums entry if so. The content
// is unknown to this process or the inputs changed: checking it is far
// cheaper than rewriting it, as truncating and refilling a file makes the
// file system free and allocate its blocks again.
func (g *generation) holds(i int, dst string, data []byte, sum uint64, zip bool) bool {
	_, hasGz := g.have[g.files[i].Path+".gz"]
	if zip && hasGz != (len(data) >= GzipMinSize) {
		return false
	}
	e, same, read := g.sums.unchanged(dst, g.files[i].Path, data, sum)
	if read {
		g.readBack.Add(1)
	}
	if same {
		g.entries[i], g.known[i] = e, true
		g.unchanged.Add(1)
	}
	return same
}

// mkdir makes the directory d (relative, slash-separated) of the staging
// directory, once per publish.
func (g *generation) mkdir(d string) error {
	if d == "." {
		return nil
	}
	if _, ok := g.dirs.Load(d); ok {
		return nil
	}
	if err := disk.MkdirAll(filepath.Join(g.dir, filepath.FromSlash(d))); err != nil {
		return err
	}
	g.dirs.Store(d, true)
	return nil
}

// writeSums writes the sums of the generation now at out; without them the
// next build reads its files back.
func (g *generation) writeSums(out string) {
	_, ino, err := disk.Stat(out)
	if err != nil {
		return
	}
	gs := &genSums{dir: ino, files: make(map[string]fileSum, len(g.files))}
	for i, f := range g.files {
		if g.known[i] {
			gs.files[f.Path] = g.entries[i]
		}
	}
	if gs.write(SumsFile(out, false)) == nil {
		g.p.liveSums = gs
	}
}
