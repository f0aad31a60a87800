package source

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Rescan brings files, an earlier Scan of the content directory dir, up to
// date with the paths in changed: files or directories under dir that were
// created, modified or removed since (as a file-system watcher reports
// them, in any order, repeats allowed). A changed directory is scanned again
// as a whole; paths outside dir, or below a skipped name, are ignored. A
// listed symbolic link whose target is in changed gets its stamp again.
// The result is what Scan would return now, if changed is complete. Errors
// are Scan's.
func Rescan(files *Files, dir, configFile string, changed []string) error {
	s, err := newScanner(dir, configFile)
	if err != nil {
		return err
	}
	var rels []string
	for _, p := range changed {
		if rel, ok := s.relative(p); ok {
			rels = append(rels, rel)
		}
	}
	rels = topmost(rels)
	if len(rels) == 0 {
		return s.restampLinks(files, changed)
	}
	files.Markdown = dropCovered(files.Markdown, rels)
	files.Static = dropCovered(files.Static, rels)
	files.Other = dropCovered(files.Other, rels)
	var found Files
	for _, rel := range rels {
		if err := s.rescan(rel, &found); err != nil {
			return err
		}
	}
	files.Markdown = mergeWalk(files.Markdown, found.Markdown)
	files.Static = mergeWalk(files.Static, found.Static)
	files.Other = mergeWalk(files.Other, found.Other)
	return s.restampLinks(files, changed)
}

// relative returns p relative to the content directory (slash-separated),
// and false when p is outside it, is the directory itself, or lies below a
// skipped name.
func (s *scanner) relative(p string) (string, bool) {
	rel, err := filepath.Rel(s.dir, p)
	if err != nil || !filepath.IsLocal(rel) {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", false
		}
		if rel, err = filepath.Rel(s.dirAbs, abs); err != nil || !filepath.IsLocal(rel) {
			return "", false
		}
	}
	rel = filepath.ToSlash(rel)
	for _, name := range strings.Split(rel, "/") {
		if skipped(name) {
			return "", false
		}
	}
	return rel, true
}

// rescan adds to found the input files now at rel: the file, or every file
// of the directory.
func (s *scanner) rescan(rel string, found *Files) error {
	p := filepath.Join(s.dir, filepath.FromSlash(rel))
	st, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // removed
	}
	if err != nil {
		return err
	}
	if st.IsDir() {
		err := s.walk(p, func(f File, kind Kind) { found.add(kind, f) })
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed while walking: its removal is reported too
		}
		return err
	}
	f, kind, err := s.file(p, fs.FileInfoToDirEntry(st))
	if err == nil {
		found.add(kind, f)
	}
	return err
}

// restampLinks stats again the target of every listed symbolic link whose
// target is in changed.
func (s *scanner) restampLinks(files *Files, changed []string) error {
	var targets map[string]bool
	for _, list := range [][]File{files.Markdown, files.Static, files.Other} {
		for i := range list {
			f := &list[i]
			if f.Link == "" {
				continue
			}
			if targets == nil {
				targets = map[string]bool{}
				for _, p := range changed {
					if abs, err := filepath.Abs(p); err == nil {
						targets[abs] = true
					}
				}
			}
			if !targets[f.Link] {
				continue
			}
			st, err := os.Stat(f.Link)
			if err != nil {
				return err
			}
			f.Mtime, f.Size = st.ModTime().UnixNano(), st.Size()
		}
	}
	return nil
}

// topmost returns rels without repeats and without those inside another.
func topmost(rels []string) []string {
	slices.SortFunc(rels, walkCompare)
	rels = slices.Compact(rels)
	out := rels[:0]
	for _, r := range rels {
		if len(out) == 0 || !covered(out[len(out)-1:], r) {
			out = append(out, r)
		}
	}
	return out
}

// covered reports whether rel is one of rels or inside one of them.
func covered(rels []string, rel string) bool {
	for _, r := range rels {
		if rel == r || (strings.HasPrefix(rel, r) && rel[len(r)] == '/') {
			return true
		}
	}
	return false
}

// dropCovered returns list, in walk order, without the files rels cover:
// those of each rel are together in walk order, found by a binary search.
func dropCovered(list []File, rels []string) []File {
	for _, r := range rels {
		lo := walkIndex(list, r)
		hi := lo
		for hi < len(list) && covered([]string{r}, list[hi].Rel) {
			hi++
		}
		list = slices.Delete(list, lo, hi)
	}
	return list
}

// walkIndex returns the index of the first file of list, in walk order,
// at rel or after it.
func walkIndex(list []File, rel string) int {
	return sort.Search(len(list), func(i int) bool { return walkCompare(list[i].Rel, rel) >= 0 })
}

// mergeWalk returns a and b, both in walk order, merged in walk order: a
// few files of b are inserted in a's array, more make a new one.
func mergeWalk(a, b []File) []File {
	if len(b) == 0 {
		return a
	}
	if len(b) <= 8 {
		for _, f := range b {
			a = slices.Insert(a, walkIndex(a, f.Rel), f)
		}
		return a
	}
	out := make([]File, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if walkCompare(b[j].Rel, a[i].Rel) < 0 {
			out = append(out, b[j])
			j++
		} else {
			out = append(out, a[i])
			i++
		}
	}
	return append(append(out, a[i:]...), b[j:]...)
}

// walkCompare orders slash paths as filepath.WalkDir visits them: element
// by element, each element by name (a directory's files come right after
// it, before a sibling whose name it is a prefix of: "a/b" before "a-c").
func walkCompare(a, b string) int {
	for {
		ai, bi := strings.IndexByte(a, '/'), strings.IndexByte(b, '/')
		ae, be := a, b
		if ai >= 0 {
			ae = a[:ai]
		}
		if bi >= 0 {
			be = b[:bi]
		}
		if c := strings.Compare(ae, be); c != 0 || (ai < 0 && bi < 0) {
			return c
		}
		if ai < 0 {
			return -1
		}
		if bi < 0 {
			return 1
		}
		a, b = a[ai+1:], b[bi+1:]
	}
}
