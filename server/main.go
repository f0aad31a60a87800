// Command server is the Spin-compatible host: `server up` loads a Spin application
// manifest (spin.toml, v1 or v2) and serves its HTTP routes and Redis channels through
// WebAssembly components on wazero, like `spin up`.
//
// Usage:
//
//	server up [-f spin.toml|DIR] [--listen 127.0.0.1:3000] [-e KEY=VALUE]...
//	          [--runtime-config-file FILE] [--state-dir DIR] [--request-timeout 30s]
//	          [--max-instances N] [--max-queue N] [--max-memory-mb 128] [--max-body-mb 16]
//	          [--http-cache-size 64MiB] [-q] [--pprof ADDR]
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/dustin/go-humanize"

	"wasmsite/server/internal/app"
	"wasmsite/server/manifest"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

type envFlags map[string]string

func (e envFlags) String() string { return "" }
func (e envFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("environment variable must be of the form `key=value`, got %q", s)
	}
	e[k] = v
	return nil
}

type optionalString struct {
	v   string
	set bool
}

func (o *optionalString) String() string     { return o.v }
func (o *optionalString) Set(s string) error { o.v, o.set = s, true; return nil }

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "up" {
		fmt.Fprintln(stderr, "usage: server up [-f spin.toml] [--listen ADDR] [-e KEY=VALUE] [--runtime-config-file FILE] [--state-dir DIR]")
		return errors.New("expected the subcommand `up`")
	}
	fl := flag.NewFlagSet("server up", flag.ContinueOnError)
	fl.SetOutput(stderr)
	from := fl.String("from", "spin.toml", "application manifest, or a directory containing spin.toml")
	fl.StringVar(from, "f", "spin.toml", "shorthand for --from")
	listen := fl.String("listen", "127.0.0.1:3000", "address to serve HTTP on")
	env := envFlags{}
	fl.Var(env, "env", "KEY=VALUE added to every component's environment (repeatable)")
	fl.Var(env, "e", "shorthand for --env")
	rcFile := fl.String("runtime-config-file", os.Getenv("RUNTIME_CONFIG_FILE"), "runtime configuration file (TOML)")
	var stateDir optionalString
	fl.Var(&stateDir, "state-dir", "state directory (default <app dir>/.spin; \"\" keeps nothing)")
	timeout := fl.Duration("request-timeout", 30*time.Second, "time a component may take for one request or message")
	def := app.DefaultLimits()
	var limits manifest.Limits
	fl.IntVar(&limits.MaxInstances, "max-instances", 0, fmt.Sprintf("concurrent instances per component (default %d, or the runtime config's limits.max_instances)", def.MaxInstances))
	fl.IntVar(&limits.MaxQueue, "max-queue", 0, "requests waiting for a busy component's instance; more get 503 (default 8 × max-instances, or limits.max_queue)")
	fl.IntVar(&limits.MaxMemoryMB, "max-memory-mb", 0, fmt.Sprintf("linear memory limit of one instance, in MiB (default %d, or limits.max_memory_mb)", def.MaxMemoryMB))
	fl.IntVar(&limits.MaxBodyMB, "max-body-mb", 0, fmt.Sprintf("request body limit, in MiB; larger bodies get 413 (default %d, or limits.max_body_mb)", def.MaxBodyMB))
	cacheSize := fl.String("http-cache-size", "", fmt.Sprintf("size of the HTTP cache in front of the components, such as 64MiB; 0 disables it (default %s, or http_cache.size)", humanize.IBytes(app.DefaultHTTPCacheSize)))
	quiet := fl.Bool("q", false, "log only warnings and errors")
	pprofAddr := fl.String("pprof", "", "serve Go's net/http/pprof profiles on this address (debugging)")
	if err := fl.Parse(args[1:]); err != nil {
		return err
	}
	for name, v := range map[string]int{"max-instances": limits.MaxInstances, "max-queue": limits.MaxQueue,
		"max-memory-mb": limits.MaxMemoryMB, "max-body-mb": limits.MaxBodyMB} {
		if v < 0 {
			return fmt.Errorf("--%s must not be negative, got %d", name, v)
		}
	}
	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	if *pprofAddr != "" {
		go servePprof(*pprofAddr, log)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := app.Options{From: *from, Env: env, RuntimeConfigFile: *rcFile, RequestTimeout: *timeout,
		Limits: limits, Log: log}
	if *cacheSize != "" {
		n, err := manifest.ParseSize(*cacheSize)
		if err != nil {
			return fmt.Errorf("--http-cache-size: %w", err)
		}
		opts.HTTPCacheSize = cmp.Or(n, -1)
	}
	if stateDir.set {
		opts.StateDir = &stateDir.v
	}
	a, err := app.Load(ctx, opts)
	if err != nil {
		return err
	}
	defer a.Close(context.Background())
	l := a.Limits
	log.Info("limits per component", "instances", l.MaxInstances, "queue", l.MaxQueue,
		"memory_mb", l.MaxMemoryMB, "body_mb", l.MaxBodyMB, "memory_reset", a.Engine().MemoryMode(), "http_cache", cacheDescription(a))
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "Serving %s\nAvailable Routes:\n", base)
	for _, r := range a.HTTP.Router.Routes() {
		fmt.Fprintf(stdout, "  %s: %s%s\n", r.Component, base, r.Pattern)
	}
	return a.Serve(ctx, ln)
}

// cacheDescription is the HTTP cache's size for the start-up log, or "off".
func cacheDescription(a *app.App) string {
	if a.Cache == nil {
		return "off"
	}
	return humanize.IBytes(uint64(a.Cache.MaxBytes()))
}

// servePprof serves Go's profiles (net/http/pprof) on addr alone, from a mux of its own:
// nothing is registered on http.DefaultServeMux.
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	if err := http.ListenAndServe(addr, mux); err != nil {
		log.Error("pprof listener", "err", err)
	}
}
