package page

import (
	"path"

	"wasmsite/ssg/source"
)

// BundleFile is a file of a page bundle: a file that is not markdown in the
// directory of an index.md or below it, published next to the page.
type BundleFile struct {
	source.File
	Dest string // slash path relative to the bundle directory, and so to the page's URL
}

// AssignBundles gives every page parsed from an index.md the other files of
// its directory and subdirectories, each going to the nearest index.md above
// it (a subdirectory with its own index.md is its own bundle). Files beside
// other markdown files, and beside an index.md at the top of the content
// directory, belong to no bundle and are ignored. all[i] is the page of
// mds[i]; others are the candidate files, in path order.
func AssignBundles(mds []source.File, all []*Page, others []source.File) {
	dirs := map[string]*Page{}
	for i, f := range mds {
		all[i].Bundle = nil
		if d := path.Dir(f.Rel); path.Base(f.Rel) == "index.md" && d != "." {
			dirs[d] = all[i]
		}
	}
	if len(dirs) == 0 {
		return
	}
	for _, f := range others {
		for d := path.Dir(f.Rel); d != "."; d = path.Dir(d) {
			if p := dirs[d]; p != nil {
				p.Bundle = append(p.Bundle, BundleFile{File: f, Dest: f.Rel[len(d)+1:]})
				break
			}
		}
	}
}
