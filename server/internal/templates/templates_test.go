package templates

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each template writes its files with the name filled in; Go ones carry the SDK
// without its tests; bad names, unknown templates and non-empty directories are
// refused. (That the applications build and serve is tested with the real binary in
// package server.)
func TestCreate(t *testing.T) {
	want := map[string][]string{
		"http-go":  {"spin.toml", "main.go", "go.mod", "sdk/go.mod", "sdk/functions/sdk/spinhttp/spinhttp.go", "sdk/functions/sdk/spin/header.go"},
		"http-c":   {"spin.toml", "main.c"},
		"redis-go": {"spin.toml", "main.go", "go.mod", "sdk/functions/sdk/redistrigger/redistrigger.go"},
	}
	for _, tmpl := range All {
		dir := filepath.Join(t.TempDir(), "app")
		if err := Create(tmpl.Name, dir, "my-app"); err != nil {
			t.Fatalf("%s: %v", tmpl.Name, err)
		}
		for _, f := range want[tmpl.Name] {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%s: %v", tmpl.Name, err)
			}
		}
		manifest, _ := os.ReadFile(filepath.Join(dir, "spin.toml"))
		if !strings.Contains(string(manifest), `[component.my-app]`) || strings.Contains(string(manifest), "{{") {
			t.Errorf("%s: spin.toml:\n%s", tmpl.Name, manifest)
		}
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if strings.HasSuffix(p, "_test.go") || strings.HasSuffix(p, ".tmpl") {
				t.Errorf("%s: wrote %s", tmpl.Name, p)
			}
			return nil
		})
		if err := Create(tmpl.Name, dir, "my-app"); !errors.Is(err, ErrExists) {
			t.Errorf("%s into a non-empty directory: %v", tmpl.Name, err)
		}
	}
	for _, bad := range []string{"My-App", "1app", "app_", "a--b", ""} {
		if err := Create("http-go", t.TempDir(), bad); err == nil || !strings.Contains(err.Error(), "kebab-case") {
			t.Errorf("name %q: %v", bad, err)
		}
	}
	if err := Create("http-rust", t.TempDir(), "x"); err == nil || !strings.Contains(err.Error(), "http-go, http-c, redis-go") {
		t.Errorf("unknown template: %v", err)
	}
}
