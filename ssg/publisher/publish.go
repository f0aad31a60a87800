package publisher

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sync"

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

// Publish publishes files, which are not a Planner's plan (see PublishPlan).
func (s *Stage) Publish(files []output.File) (Counts, error) {
	return s.PublishPlan(output.Planned{Files: files})
}

// PublishPlan generates the files of a plan into the stage's directory and
// swaps it in for the output atomically. A file whose key shows it is
// already up to date there is not generated; one whose bytes are is not
// rewritten. Files the directory has and the plan lacks are removed. Paths
// must be unique. On error the output is unchanged: a reused generation,
// partly updated, is kept for the next build (with its keys unknown), a new
// directory is removed. Generation errors, and a path that is not clean or
// not inside the output (see checkPaths), name the file's origin.
//
// Apart from a map lookup per file, the work is proportional to what
// changed since the generation the stage reuses: the files to generate and
// the stale ones. When the plan patched the one the live output was
// published from, whose own patch told how it differed from the generation
// the stage reuses, there is no work per file at all: only the files either
// patch changed are looked at.
func (s *Stage) PublishPlan(plan output.Planned) (Counts, error) {
	files := plan.Files
	patch := s.p.patches(plan)
	if !patch { // else the paths are the live output's, which were checked
		if err := checkPaths(files); err != nil {
			return Counts{}, err // the stage is still to be released
		}
	}
	s.taken = true
	<-s.done
	if s.err != nil {
		if s.dir != "" {
			_ = os.RemoveAll(s.dir)
		}
		return Counts{}, s.err
	}
	g := s.generation(plan, patch)
	g.removeStale()
	g.prefetchRereads()
	// File creation is dominated by file-system latency, not CPU: more
	// goroutines than cores keep the disk busy.
	if err := pool.Run(len(g.todo), max(8, 4*s.p.workers), g.write); err != nil {
		return Counts{}, s.fail(err)
	}
	sums := g.updateSums()
	keys := g.updateKeys()
	var changed []string
	if s.p.track {
		changed = g.changedFromLive(keys, sums, plan, patch)
	}
	old, err := swap(s.dir, s.p.out)
	if err != nil {
		return Counts{}, s.fail(err)
	}
	s.p.retire(old, keys)
	s.p.published(plan, patch)
	g.writeSums(s.p.out, sums)
	return Counts{Written: len(g.todo) - int(g.unchanged.Load()), ReadBack: int(g.readBack.Load()), Changed: changed}, nil
}

// patches reports whether plan patched the plan the live output was
// published from.
func (p *Publisher) patches(plan output.Planned) bool {
	return plan.Changes != nil && p.plan != 0 && plan.Changes.Base == p.plan
}

// published records that the live output is now plan's, which patches the
// plan it replaced when patch is set.
func (p *Publisher) published(plan output.Planned, patch bool) {
	p.plan, p.diff, p.diffKnown = plan.Number, nil, patch
	if patch {
		p.diff = plan.Changes.Indexes
	}
}

// fail ends a publish that failed before the swap.
func (s *Stage) fail(err error) error {
	s.dropStagedSums()
	// Keep a reused generation for the next build; its keys are unknown
	// now, so everything will be rewritten.
	if s.have != nil && s.p.keepPrev(s.dir) {
		return err
	}
	_ = os.RemoveAll(s.dir)
	return err
}

// prefetchRereads has the kernel read ahead, in the order they are needed,
// the files to generate that the reused generation has without a sums
// entry: they will be read back to compare.
func (g *generation) prefetchRereads() {
	var reread []string
	for _, i := range g.todo {
		p := g.files[i].Path
		if _, ok := g.have[p]; ok {
			if _, ok := g.sums.lookup(p); !ok {
				reread = append(reread, filepath.Join(g.dir, filepath.FromSlash(p)))
			}
		}
	}
	disk.Prefetch(reread)
}

// write generates files[todo[j]] and writes it, and its .gz sibling, unless
// the directory already holds those bytes.
func (g *generation) write(j int) error {
	f := g.files[g.todo[j]]
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
		if g.holds(j, dst, buf.Bytes(), sum, zip) {
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
	g.entries[j] = fileSum{st, sum}
	return nil
}

// holds reports whether dst, files[todo[j]] in the reused generation,
// already holds data (whose xxhash-64 is sum), and its .gz sibling is
// present when zip and data call for one, and records its sums entry if so.
// The content is unknown to this process or the inputs changed: checking it
// is far cheaper than rewriting it, as truncating and refilling a file makes
// the file system free and allocate its blocks again.
func (g *generation) holds(j int, dst string, data []byte, sum uint64, zip bool) bool {
	rel := g.files[g.todo[j]].Path
	_, hasGz := g.have[rel+".gz"]
	if zip && hasGz != (len(data) >= GzipMinSize) {
		return false
	}
	e, same, read := g.sums.unchanged(dst, rel, data, sum)
	if read {
		g.readBack.Add(1)
	}
	if same {
		g.entries[j] = e
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
