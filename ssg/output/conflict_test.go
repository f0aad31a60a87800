package output

import (
	"fmt"
	"testing"
)

// TestPathSetConflicts: a plan with two files at one path fails, naming
// the smallest such path and its first two files in origin order, wherever
// they are in the plan; a plan without is accepted, also by a set that
// checked a bigger plan before.
func TestPathSetConflicts(t *testing.T) {
	var files []File
	for i := range 3000 {
		files = append(files, File{Path: fmt.Sprintf("blog/p%d/index.html", i), Origin: fmt.Sprint("post ", i)})
	}
	var s pathSet
	if err := s.check(files); err != nil {
		t.Fatalf("unique paths: %v", err)
	}
	if !s.has("blog/p7/index.html") || s.has("blog/p7/other.html") {
		t.Error("has does not tell the paths checked")
	}
	dup := append(files[:2000:2000],
		File{Path: "blog/p9/index.html", Origin: "z alias"},
		File{Path: "blog/p10/index.html", Origin: "b alias"},
		File{Path: "blog/p10/index.html", Origin: "a alias"})
	err := s.check(dup)
	want := "b alias: output /blog/p10/index.html conflicts with a alias"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	if err := s.check(files[:10]); err != nil {
		t.Errorf("a smaller plan after: %v", err)
	}
}
