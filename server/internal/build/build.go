// Package build runs components' build commands, as `spin build` does: each
// component's `[component.build] command` (or each of Spin 3's array of commands, in
// order) through the shell, in its workdir (the manifest's directory unless `workdir`
// says otherwise), one component after another in manifest order, with the commands'
// output passed through.
package build

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"

	"wasmsite/server/manifest"
)

// ErrUnknownComponent is returned by Components for an id the manifest lacks.
var ErrUnknownComponent = errors.New("no such component")

// Components runs the build commands of the components named by ids (all when ids is
// empty) and writes what each runs, then its output, to out. Components without a
// build command are skipped (said so when named). It stops at the first command that
// fails, returning an error naming the component, the command and its exit status.
func Components(ctx context.Context, app *manifest.App, ids []string, out io.Writer) error {
	for _, id := range ids {
		if !slices.ContainsFunc(app.Components, func(c *manifest.Component) bool { return c.ID == id }) {
			return fmt.Errorf("%w %q in %s", ErrUnknownComponent, id, app.Path)
		}
	}
	for _, c := range app.Components {
		if len(ids) > 0 && !slices.Contains(ids, c.ID) {
			continue
		}
		if c.Build == nil || len(c.Build.Commands) == 0 {
			if len(ids) > 0 {
				fmt.Fprintf(out, "Component %s has no build command: skipped\n", c.ID)
			}
			continue
		}
		if err := Run(ctx, c, out); err != nil {
			return err
		}
	}
	return nil
}

// Run runs one component's build commands in order, stopping at the first that fails.
func Run(ctx context.Context, c *manifest.Component, out io.Writer) error {
	for _, command := range c.Build.Commands {
		fmt.Fprintf(out, "Building component %s with `%s`\n", c.ID, command)
		cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
		cmd.Dir = c.Build.Workdir
		cmd.Stdout, cmd.Stderr = out, out
		cmd.Env = os.Environ()
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build command for component %s failed (`%s` in %s): %w", c.ID, command, c.Build.Workdir, err)
		}
	}
	return nil
}
