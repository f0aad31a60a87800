package build

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmsite/server/manifest"
)

// Build commands (Spin 3 arrays in order) run through the shell in their workdirs, in
// manifest order, and the first failure stops the build naming its component.
func TestComponents(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	app := &manifest.App{Path: filepath.Join(dir, "spin.toml"), Components: []*manifest.Component{
		{ID: "a", Build: &manifest.Build{Commands: []string{"pwd > a.out && echo built a"}, Workdir: dir}},
		{ID: "none"},
		{ID: "b", Build: &manifest.Build{Commands: []string{"pwd > b.out", "echo second >> b.out"}, Workdir: sub}},
		{ID: "bad", Build: &manifest.Build{Commands: []string{"exit 3", "touch bad-second.out"}, Workdir: dir}},
		{ID: "after", Build: &manifest.Build{Commands: []string{"touch after.out"}, Workdir: dir}},
	}}
	var out strings.Builder
	err := Components(context.Background(), app, nil, &out)
	if err == nil || !strings.Contains(err.Error(), "component bad") || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("err %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(sub, "b.out")); string(b) != sub+"\nsecond\n" {
		t.Errorf("b's two commands, in order, in its workdir wrote %q", b)
	}
	for _, f := range []string{"after.out", "bad-second.out"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s: a command after the failure ran", f)
		}
	}
	if !strings.Contains(out.String(), "Building component a with `pwd > a.out && echo built a`\nbuilt a\n") {
		t.Errorf("output:\n%s", out.String())
	}

	out.Reset()
	if err := Components(context.Background(), app, []string{"b", "none"}, &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "component a") || !strings.Contains(out.String(), "none has no build command") {
		t.Errorf("selected build output:\n%s", out.String())
	}
	if err := Components(context.Background(), app, []string{"zzz"}, &out); !errors.Is(err, ErrUnknownComponent) {
		t.Errorf("unknown id: %v", err)
	}
}
