package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"wasmsite/server/internal/build"
	"wasmsite/server/internal/templates"
	"wasmsite/server/internal/watch"
	"wasmsite/server/manifest"
)

// version is the release, set at link time (-ldflags "-X main.version=v1.2.3").
var version = "dev"

// newRootCommand is `server` and its subcommands. Errors are printed once, as
// "Error: …", without the usage text; unknown flags are named as typed.
func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "server",
		Short:         "A Spin-compatible host for WebAssembly components",
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: false,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("server {{.Version}}\n")
	root.AddCommand(upCommand(stdout, stderr), buildCommand(stdout), watchCommand(stdout), newCommand(stdout))
	return root
}

// versionString is the version, the commit and whether the tree was modified, as the
// Go toolchain recorded them, and the Go version.
func versionString() string {
	commit, modified := "unknown", ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision":
				commit = s.Value
			case s.Key == "vcs.modified" && s.Value == "true":
				modified = ", modified"
			}
		}
	}
	info, _ := debug.ReadBuildInfo()
	goVersion := "unknown"
	if info != nil {
		goVersion = info.GoVersion
	}
	return fmt.Sprintf("%s (commit %s%s, %s)", version, commit, modified, goVersion)
}

func upCommand(stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Serve an application: its HTTP routes and Redis channels",
		Args:  cobra.NoArgs,
	}
	flags := newUpFlags(cmd.Flags())
	cmd.RunE = func(*cobra.Command, []string) error { return runUp(flags, stdout, stderr) }
	return cmd
}

func buildCommand(stdout io.Writer) *cobra.Command {
	var from string
	var ids []string
	var up bool
	cmd := &cobra.Command{
		Use:   "build [-- up flags...]",
		Short: "Run each component's build command ([component.build] in the manifest)",
		Long: "Run each component's build command, from its workdir, in manifest order; stop at the first that fails.\n" +
			"With --up, serve the application afterwards, passing the arguments after -- to `server up`.",
		RunE: func(cmd *cobra.Command, args []string) error {
			app, err := manifest.Load(from)
			if err != nil {
				return err
			}
			if err := build.Components(cmd.Context(), app, ids, stdout); err != nil {
				return err
			}
			if !up {
				fmt.Fprintln(stdout, "Finished building all Spin components")
				return nil
			}
			return execUp(app.Path, args)
		},
	}
	cmd.Flags().StringVarP(&from, "from", "f", "spin.toml", "application manifest, or a directory containing spin.toml")
	cmd.Flags().StringArrayVarP(&ids, "component-id", "c", nil, "build only this component (repeatable)")
	cmd.Flags().BoolVarP(&up, "up", "u", false, "serve the application after building it")
	return cmd
}

// execUp replaces this process with `server up -f manifest args...`.
func execUp(manifestPath string, args []string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	return syscall.Exec(self, append([]string{self, "up", "-f", manifestPath}, args...), os.Environ())
}

func watchCommand(stdout io.Writer) *cobra.Command {
	var from string
	var skipBuild bool
	cmd := &cobra.Command{
		Use:   "watch [-- up flags...]",
		Short: "Build and serve an application, rebuilding and restarting it when its files change",
		Long: "Build and serve the application; when a file matching a component's build.watch globs changes,\n" +
			"rebuild that component and restart; when a component's Wasm file changes, restart; when the\n" +
			"manifest changes, rebuild everything and restart. Arguments after -- go to `server up`.",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			err := watch.Run(ctx, watch.Options{Manifest: from, SkipBuild: skipBuild, Out: stdout,
				Start: func() (watch.App, error) { return startUp(from, args, stdout) }})
			if ctx.Err() != nil {
				return nil
			}
			return err
		},
	}
	cmd.Flags().StringVarP(&from, "from", "f", "spin.toml", "application manifest, or a directory containing spin.toml")
	cmd.Flags().BoolVar(&skipBuild, "skip-build", false, "only restart on changes; run no build commands")
	return cmd
}

// upProcess is `server up` running as a child of `server watch`.
type upProcess struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func startUp(from string, args []string, out io.Writer) (watch.App, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, append([]string{"up", "-f", from}, args...)...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &upProcess{cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	return p, nil
}

// Stop sends SIGTERM (a graceful shutdown) and kills the process after 15 s.
func (p *upProcess) Stop() error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
	return nil
}

func newCommand(stdout io.Writer) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "new TEMPLATE NAME",
		Short: "Create an application from a template: " + templateNames(),
		Long:  "Create an application called NAME (kebab-case) in ./NAME, or --output DIR, from a template:\n" + templateList(),
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := output
			if dir == "" {
				dir = args[1]
			}
			if err := templates.Create(args[0], dir, args[1]); err != nil {
				return err
			}
			abs, _ := filepath.Abs(dir)
			fmt.Fprintf(stdout, "Created %s from %s in %s\nNext: server build --up -f %s\n", args[1], args[0], abs, dir)
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "directory to create the application in (default ./NAME)")
	return cmd
}

func templateNames() string {
	s := ""
	for i, t := range templates.All {
		if i > 0 {
			s += ", "
		}
		s += t.Name
	}
	return s
}

func templateList() string {
	s := ""
	for _, t := range templates.All {
		s += fmt.Sprintf("  %-9s %s\n", t.Name, t.Description)
	}
	return s
}
