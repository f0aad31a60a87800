package source

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"wasmsite/ssg/pool"
)

// Files are the inputs of a content directory, each list in path order
// (the order filepath.WalkDir visits them in: see walkLess).
type Files struct {
	Markdown []File // *.md outside static/: posts and pages
	Static   []File // under static/: copied to the site root
	// Other are the remaining files below the top directory: they belong
	// to a page bundle when an index.md is above them.
	Other []File
}

// Scan lists the files of the content directory dir. Files and directories
// whose name starts with '.' or '_' are skipped, and so are the settings
// file configFile and the files at the top of dir that are not markdown.
// A symbolic link to a file is listed with the stamp of the file it
// resolves to; one to a directory is not followed. Errors are those of
// walking dir, and a symbolic link that resolves outside dir (or cannot be
// resolved), naming the link.
func Scan(dir, configFile string) (Files, error) {
	s, err := newScanner(dir, configFile)
	if err != nil {
		return Files{}, err
	}
	var files Files
	err = s.walk(dir, func(f File, kind Kind) { files.add(kind, f) })
	return files, err
}

// Kind is the list of Files a file belongs to.
type Kind int

// The kinds of input.
const (
	KindNone     Kind = iota // not an input
	KindMarkdown             // Files.Markdown
	KindStatic               // Files.Static
	KindOther                // Files.Other
)

// add appends f to the list of kind.
func (files *Files) add(kind Kind, f File) {
	switch kind {
	case KindMarkdown:
		files.Markdown = append(files.Markdown, f)
	case KindStatic:
		files.Static = append(files.Static, f)
	case KindOther:
		files.Other = append(files.Other, f)
	}
}

// scanner classifies the files of one content directory.
type scanner struct {
	dir     string // as given
	dirAbs  string // absolute
	realDir string // absolute, symbolic links resolved: where links may point
	cfgAbs  string // the settings file, absolute
}

// newScanner returns the scanner of the content directory dir whose
// settings file is configFile.
func newScanner(dir, configFile string) (*scanner, error) {
	s := &scanner{dir: dir}
	var err error
	if s.dirAbs, err = filepath.Abs(dir); err != nil { // once: Abs of a relative path stats the working directory
		return nil, err
	}
	if s.realDir, err = filepath.EvalSymlinks(s.dirAbs); err != nil {
		return nil, err
	}
	s.cfgAbs, _ = filepath.Abs(configFile)
	return s, nil
}

// skipped reports whether a file or directory of this name is left out.
func skipped(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// statWorkers is how many files walk stats at a time: a stat is a system
// call of 3 µs here, 30 ms for 10,000 posts one after the other, and more
// calls than cores keep a disk busy when the metadata is not cached.
const statWorkers = 8

// walk calls found with every input file under root (dir or a path below
// it), in walk order. It lists the directories first, then stats the files
// in parallel; its error is the first in walk order.
func (s *scanner) walk(root string, found func(File, Kind)) error {
	type entry struct {
		p string
		d fs.DirEntry
	}
	var entries []entry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != s.dir && skipped(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			entries = append(entries, entry{p, d})
		}
		return nil
	})
	files, kinds, errs := make([]File, len(entries)), make([]Kind, len(entries)), make([]error, len(entries))
	_ = pool.Run(len(entries), statWorkers, func(i int) error {
		files[i], kinds[i], errs[i] = s.file(entries[i].p, entries[i].d)
		return nil
	})
	for i := range entries {
		if errs[i] != nil {
			return errs[i]
		}
		if kinds[i] != KindNone {
			found(files[i], kinds[i])
		}
	}
	return err
}

// file returns the File at p, whose directory entry is d, and its kind.
func (s *scanner) file(p string, d fs.DirEntry) (File, Kind, error) {
	rel, err := filepath.Rel(s.dir, p)
	if err != nil {
		return File{}, KindNone, err
	}
	rel = filepath.ToSlash(rel)
	kind := classify(rel)
	if kind == KindNone || filepath.Join(s.dirAbs, filepath.FromSlash(rel)) == s.cfgAbs {
		return File{}, KindNone, nil
	}
	f := File{Path: p, Rel: rel}
	var info fs.FileInfo
	if d.Type()&fs.ModeSymlink != 0 {
		target, isDir, err := ResolveLink(s.realDir, p)
		if err != nil || isDir {
			return File{}, KindNone, err // a directory: not followed
		}
		f.Link = target
		info, err = os.Stat(target)
		if err != nil {
			return File{}, KindNone, err
		}
	} else if info, err = d.Info(); err != nil {
		return File{}, KindNone, err
	}
	f.Mtime, f.Size = info.ModTime().UnixNano(), info.Size()
	return f, kind, nil
}

// classify returns the kind of the file at rel (slash-separated, relative
// to the content directory).
func classify(rel string) Kind {
	switch {
	case strings.HasPrefix(rel, "static/"):
		return KindStatic
	case strings.HasSuffix(rel, ".md"):
		return KindMarkdown
	case !strings.Contains(rel, "/"):
		return KindNone // beside site.toml: never part of a bundle
	}
	return KindOther
}
