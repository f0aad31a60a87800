package watch

import (
	"path/filepath"
	"testing"

	"wasmsite/server/manifest"
)

func TestMatches(t *testing.T) {
	b := &manifest.Build{Workdir: "/app", Watch: []string{"**/*.go", "go.mod", "static/*.css"}}
	for path, want := range map[string]bool{
		"/app/main.go": true, "/app/internal/x/y.go": true, "/app/go.mod": true, "/app/static/a.css": true,
		"/app/static/deep/a.css": false, "/app/main.wasm": false, "/other/main.go": false, "/app/../x.go": false,
	} {
		if got := matches(b, filepath.FromSlash(path)); got != want {
			t.Errorf("%s: %v", path, got)
		}
	}
}

// What a burst of changes calls for: rebuild and restart, restart only, or nothing.
func TestPlan(t *testing.T) {
	w := &watcher{app: &manifest.App{Path: "/app/spin.toml", Components: []*manifest.Component{
		{ID: "go", Source: "/app/go/main.wasm", Build: &manifest.Build{Workdir: "/app/go", Watch: []string{"**/*.go"}}},
		{ID: "pre", Source: "/app/pre.wasm"},
	}}}
	for _, c := range []struct {
		changed []string
		rebuild []string
		restart bool
	}{
		{[]string{"/app/go/x.go"}, []string{"go"}, true},
		{[]string{"/app/pre.wasm"}, nil, true},
		{[]string{"/app/go/main.wasm", "/app/go/README.md"}, nil, true},
		{[]string{"/app/notes.txt"}, nil, false},
	} {
		rebuild, restart := w.plan(c.changed)
		if restart != c.restart || len(rebuild) != len(c.rebuild) || (len(rebuild) > 0 && rebuild[0] != c.rebuild[0]) {
			t.Errorf("%v: rebuild %v restart %v", c.changed, rebuild, restart)
		}
	}
}
