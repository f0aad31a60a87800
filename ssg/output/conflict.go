package output

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
)

// pathSet finds two files of a plan at one path: an open-addressing table
// of the paths' 64-bit hashes, where a map of 14,000 paths cost 4 ms a plan
// (a cache miss for its group and one for each key's bytes) and sorting
// them 7 ms. Two equal hashes are confirmed by comparing the paths.
type pathSet struct {
	seed  maphash.Seed
	slots []uint64 // hashes with the low bit set; 0 is free
}

// check fills s with the paths of files and returns an error naming two
// files at one path, if it has any: those conflictError names.
func (s *pathSet) check(files []File) error {
	if s.slots == nil {
		s.seed = maphash.MakeSeed()
	}
	n := 1024
	for n < 2*len(files) {
		n *= 2
	}
	if len(s.slots) != n {
		s.slots = make([]uint64, n)
	} else {
		clear(s.slots)
	}
	for _, f := range files {
		if !s.insert(f.Path) {
			return conflictError(files) // nil if only the hashes are equal
		}
	}
	return nil
}

// insert adds path to s and reports whether its hash was new.
func (s *pathSet) insert(path string) bool {
	h, mask := maphash.String(s.seed, path)|1, uint64(len(s.slots)-1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			return true
		case h:
			return false
		}
	}
}

// has reports whether s may have path: always when it has, rarely when
// another path has the same hash.
func (s *pathSet) has(path string) bool {
	h, mask := maphash.String(s.seed, path)|1, uint64(len(s.slots)-1)
	for i := h & mask; s.slots[i] != 0; i = (i + 1) & mask {
		if s.slots[i] == h {
			return true
		}
	}
	return false
}

// conflictError returns an error naming two files of files at one path:
// the smallest such path, and the two of its files first in origin order,
// so that the error names the same files each time; nil when paths are
// unique.
func conflictError(files []File) error {
	sorted := slices.Clone(files)
	slices.SortFunc(sorted, func(a, b File) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Origin, b.Origin)
	})
	for i := 1; i < len(sorted); i++ {
		if sorted[i].Path == sorted[i-1].Path {
			return fmt.Errorf("%s: output /%s conflicts with %s", sorted[i].Origin, sorted[i].Path, sorted[i-1].Origin)
		}
	}
	return nil
}
