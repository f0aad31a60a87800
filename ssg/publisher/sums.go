package publisher

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"wasmsite/ssg/disk"
)

// A build that reuses the previous generation (see PrevDir) must tell which of
// its files already hold what the build renders. Reading each one back costs
// the whole output in reads, and on this machine, whose page cache gives up
// files written minutes ago, a 10,000-post re-run spent 1-2 s reading 150 MB
// back from the disk. So each published generation gets a sums file: for
// every file, its size, modification time and the xxhash-64 of its content. A
// later build trusts an entry only while the file's size and modification
// time are unchanged and the generation is the same directory (inode), and
// then compares hashes instead of bytes; anything else falls back to reading
// the file back.
//
// The sums of the generation at out are in <parent>/.cache/ssg/<name>.sums,
// those of the kept one in <name>.prev.sums. A build that claims the kept
// generation renames the latter to <name>.stage.sums before changing it, a
// name no build trusts; once the generation is published it appends the
// entries that changed (a later line for a path replaces an earlier one, a
// size of -1 removes it) and renames the file to <name>.sums. Rewriting the
// whole file each time cost a rebuild after one edit 10 ms for 10,000 posts;
// it is rewritten only when appended lines outnumber the current entries.

// fileSum is one file's entry in a generation's sums.
type fileSum struct {
	disk.Stamp
	sum uint64 // xxhash-64 of the content
}

// genSums are the sums of one generation.
type genSums struct {
	dir   uint64             // inode of the generation's directory; 0 where unknown
	files map[string]fileSum // by output path (slash-separated, relative)
	lines int                // entry lines of its file, replaced ones included
}

// removedSize is the size of an entry line that removes its path's entry.
const removedSize = -1

// sumsHeader starts a sums file, followed by the directory's inode.
const sumsHeader = "ssg-sums 1"

// SumsFile returns where the sums of the generation at out (prev false) or
// at PrevDir(out) (prev true) are kept (see above).
func SumsFile(out string, prev bool) string {
	p := PrevDir(out)
	if !prev {
		p = strings.TrimSuffix(p, ".prev")
	}
	return p + ".sums"
}

// stageSumsFile returns where the sums of the generation a build claimed
// wait to be appended to (see above).
func stageSumsFile(out string) string {
	return strings.TrimSuffix(PrevDir(out), ".prev") + ".stage.sums"
}

// readSums reads a sums file; nil when it is absent or not valid.
func readSums(path string) *genSums {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	if !sc.Scan() {
		return nil
	}
	head := strings.Fields(sc.Text())
	if len(head) != 3 || head[0]+" "+head[1] != sumsHeader {
		return nil
	}
	g := &genSums{files: map[string]fileSum{}}
	if g.dir, err = strconv.ParseUint(head[2], 10, 64); err != nil {
		return nil
	}
	for sc.Scan() {
		// size mtime sum path (the path last: it may hold spaces)
		f := strings.SplitN(sc.Text(), " ", 4)
		if len(f) != 4 {
			return nil
		}
		var e fileSum
		var err1, err2, err3 error
		e.Size, err1 = strconv.ParseInt(f[0], 10, 64)
		e.Mtime, err2 = strconv.ParseInt(f[1], 10, 64)
		e.sum, err3 = strconv.ParseUint(f[2], 16, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil
		}
		g.lines++
		if e.Size == removedSize {
			delete(g.files, f[3])
			continue
		}
		g.files[f[3]] = e
	}
	if sc.Err() != nil {
		return nil
	}
	return g
}

// write writes g to path atomically (a temporary file renamed over it).
func (g *genSums) write(path string) error {
	b := make([]byte, 0, 64*(len(g.files)+1))
	b = strconv.AppendUint(append(b, sumsHeader+" "...), g.dir, 10)
	b = append(b, '\n')
	lines := 0
	for p, e := range g.files {
		if l := appendEntry(b, p, e); len(l) > len(b) {
			b, lines = l, lines+1
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	g.lines = lines
	return nil
}

// appendTo appends to the sums file at staged, which holds g as it was,
// the entries of paths as g has them now (a removal for a path it lacks),
// and renames it to path. The file is left at staged on error.
func (g *genSums) appendTo(staged, path string, paths []string) error {
	var b []byte
	lines := 0
	for _, p := range paths {
		e, ok := g.files[p]
		if !ok {
			e = fileSum{Stamp: disk.Stamp{Size: removedSize}}
		}
		if l := appendEntry(b, p, e); len(l) > len(b) {
			b, lines = l, lines+1
		}
	}
	fh, err := os.OpenFile(staged, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, err = fh.Write(b)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(staged, path); err != nil {
		return err
	}
	g.lines += lines
	return nil
}

// appendEntry appends the line of the entry e of the path p to b:
// size mtime sum path, the path last as it may hold spaces. A path with a
// line break cannot be listed: b is returned as it is, and such a file is
// read back instead.
func appendEntry(b []byte, p string, e fileSum) []byte {
	if strings.ContainsAny(p, "\n\r") {
		return b
	}
	b = append(strconv.AppendInt(b, e.Size, 10), ' ')
	b = append(strconv.AppendInt(b, e.Mtime, 10), ' ')
	b = append(strconv.AppendUint(b, e.sum, 16), ' ')
	return append(append(b, p...), '\n')
}

// unchanged reports whether the file at dst, the generation's file at rel,
// holds data (whose xxhash-64 is sum): by its entry in g when the file's
// stamp still matches it, else by reading it back (readBack). e is the file's
// entry for the new sums.
func (g *genSums) unchanged(dst, rel string, data []byte, sum uint64) (e fileSum, same, readBack bool) {
	if old, ok := g.lookup(rel); ok {
		if st, _, err := disk.Stat(dst); err == nil && st == old.Stamp {
			return old, old.sum == sum, false
		}
	}
	if !sameContent(dst, data) {
		return fileSum{}, false, true
	}
	st, _, err := disk.Stat(dst)
	return fileSum{st, sum}, err == nil, true
}

// lookup returns the entry of the file at rel; false when there is none or
// g is nil.
func (g *genSums) lookup(rel string) (fileSum, bool) {
	if g == nil {
		return fileSum{}, false
	}
	e, ok := g.files[rel]
	return e, ok
}

// sameContent reports whether the file at path holds exactly data.
func sameContent(path string, data []byte) bool {
	got, err := disk.ReadFile(path, int64(len(data)))
	return err == nil && bytes.Equal(got, data)
}
