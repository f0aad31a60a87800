package app

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmsite/server/manifest"
)

func TestSourceError(t *testing.T) {
	dir := t.TempDir()
	app := &manifest.App{Dir: dir}
	missing := filepath.Join(dir, "build", "likes.wasm")
	_, notExist := os.ReadFile(missing)
	cases := []struct {
		name  string
		build *manifest.Build
		src   string
		err   error
		want  string
	}{
		{"build command", &manifest.Build{Commands: []string{"go build -o build/likes.wasm ./likes"}, Workdir: dir}, missing, notExist,
			"component \"likes\": source build/likes.wasm does not exist: run `server build`, or the component's build command: go build -o build/likes.wasm ./likes"},
		{"commands in a workdir", &manifest.Build{Commands: []string{"make", "wasm-opt -O x.wasm"}, Workdir: filepath.Join(dir, "likes")}, missing, notExist,
			"component \"likes\": source build/likes.wasm does not exist: run `server build`, or the component's build command (in likes): make && wasm-opt -O x.wasm"},
		{"no build command", nil, missing, notExist,
			"component \"likes\": source build/likes.wasm does not exist, and the component has no build command ([component.build] command): build the module and save it there"},
		{"outside the app dir", nil, "/elsewhere/likes.wasm", notExist,
			"component \"likes\": source /elsewhere/likes.wasm does not exist, and the component has no build command"},
		{"another error", &manifest.Build{Commands: []string{"make"}, Workdir: dir}, missing, &fs.PathError{Op: "read", Path: missing, Err: fs.ErrPermission},
			"component \"likes\": source: read " + missing + ": permission denied"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := sourceError(app, &manifest.Component{ID: "likes", Source: c.src, Build: c.build}, c.err)
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("got  %v\nwant %s", err, c.want)
			}
		})
	}
}
