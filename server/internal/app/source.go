package app

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"wasmsite/server/manifest"
)

// sourceError is the start-up error for a component whose module cannot be read. A
// missing module is named as the manifest names it (relative to the app dir) with the
// fix: `server build`, or the component's [component.build] command (its commands
// joined by " && ", with its workdir), or, without one, that there is none.
func sourceError(app *manifest.App, mc *manifest.Component, err error) error {
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("component %q: source: %w", mc.ID, err)
	}
	src := appRelative(app.Dir, mc.Source)
	b := mc.Build
	if b == nil || len(b.Commands) == 0 {
		return fmt.Errorf("component %q: source %s does not exist, and the component has no build command ([component.build] command): build the module and save it there", mc.ID, src)
	}
	in := ""
	if filepath.Clean(b.Workdir) != filepath.Clean(app.Dir) {
		in = " (in " + appRelative(app.Dir, b.Workdir) + ")"
	}
	return fmt.Errorf("component %q: source %s does not exist: run `server build`, or the component's build command%s: %s",
		mc.ID, src, in, strings.Join(b.Commands, " && "))
}

// appRelative is p relative to dir when p is inside dir, else p.
func appRelative(dir, p string) string {
	rel, err := filepath.Rel(dir, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return p
	}
	return rel
}
