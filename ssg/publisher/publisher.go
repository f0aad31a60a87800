// Package publisher writes a generated site into its output directory.
// Each publish is atomic: the new generation is written into a staging
// directory next to the output, then swapped in at once, so a failed build
// leaves the site as it was. The replaced generation is kept (see PrevDir)
// and becomes the next staging directory, where only the files whose bytes
// differ are rewritten.
package publisher

import (
	"os"
	"path/filepath"
)

// Publisher publishes generations of a site into one output directory. It
// remembers the keys of the files it published and of the kept previous
// generation, so that a later publish by the same Publisher skips the files
// whose keys are unchanged without generating them. Not safe for concurrent
// use.
type Publisher struct {
	out     string // the output directory, cleaned
	gzip    bool
	workers int
	live    map[string]uint64 // keys of the live output; nil before the first publish
	prev    map[string]uint64 // keys of PrevDir(out) when known, else nil
	// liveSums and prevSums are what the sums files of the live and the
	// previous generation hold, when this Publisher wrote them: a watching
	// build need not read them back (8 ms for 10,000 posts).
	liveSums, prevSums *genSums
	track              bool // report changed files (TrackChanges)
	// plan is the number of the plan the live output was published from
	// (0: not a plan; see output.Planned); diff, when diffKnown, are the
	// indexes of its files that may differ from the previous generation's,
	// which has the same paths in the same order.
	plan      uint64
	diff      []int
	diffKnown bool
}

// New returns a Publisher into the directory out. With gzip, every text
// file of at least GzipMinSize bytes also gets a gzip-compressed sibling
// (name.gz, best compression, no name or time in its header, so builds stay
// byte-identical). workers is the number of CPUs to use; more goroutines
// than that write files (they mostly wait for the file system).
func New(out string, gzip bool, workers int) *Publisher {
	return &Publisher{out: filepath.Clean(out), gzip: gzip, workers: workers}
}

// Keys returns the keys of the files of the output as p last published it,
// by path; nil before p published.
func (p *Publisher) Keys() map[string]uint64 { return p.live }

// PrevKnown reports whether p knows what the kept previous generation
// holds. After the first publish of a process it does not: the next
// publish reads or rewrites the files it reuses.
func (p *Publisher) PrevKnown() bool { return p.prev != nil }

// PrevDir returns where the previous output generation is kept:
// <parent of out>/.cache/ssg/<name of out>.prev (e.g. .cache/ssg/public.prev,
// on the same file system as out and ignored by git). The next build claims
// it as its staging directory and rewrites only what differs, in place: on
// file systems where creating and deleting inodes is slow this is what
// makes rebuilds fast. Nothing serves it; deleting it is always safe.
func PrevDir(out string) string {
	out = filepath.Clean(out)
	return filepath.Join(filepath.Dir(out), ".cache", "ssg", filepath.Base(out)+".prev")
}

// keepPrev moves dir to PrevDir for the next build to reuse, and reports
// whether it could.
func (p *Publisher) keepPrev(dir string) bool {
	prev := PrevDir(p.out)
	if err := os.MkdirAll(filepath.Dir(prev), 0o755); err != nil {
		return false
	}
	_ = os.RemoveAll(prev) // normally absent: it was claimed
	return os.Rename(dir, prev) == nil
}
