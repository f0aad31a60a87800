// Command server is the Spin-compatible host, with a command line like Spin's:
//
//	server up     serve an application (spin.toml, v1 or v2): its HTTP routes and Redis
//	              channels through WebAssembly components on wazero, like `spin up`
//	server build  run each component's build command, like `spin build`
//	server watch  rebuild and restart on changes, like `spin watch`
//	server new    create an application from a template (http-go, http-c, redis-go)
//
// `server help COMMAND` or `server COMMAND --help` lists a command's flags; `server
// --version` prints the version and the commit it was built from.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/dustin/go-humanize"

	"wasmsite/server/internal/app"
	"wasmsite/server/internal/metrics"
)

func main() {
	if err := newRootCommand(os.Stdout, os.Stderr).Execute(); err != nil {
		os.Exit(1)
	}
}

// runUp is `server up`: load the application, listen, serve until SIGINT or SIGTERM.
func runUp(flags *upFlags, stdout, stderr io.Writer) error {
	if err := flags.check(); err != nil {
		return err
	}
	opts, err := flags.options()
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if flags.quiet {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	opts.Log = log
	if flags.pprof != "" {
		go servePprof(flags.pprof, log)
	}
	if flags.metrics != "" {
		ln, err := net.Listen("tcp", flags.metrics)
		if err != nil {
			return fmt.Errorf("--metrics: %w", err)
		}
		opts.Metrics = metrics.New()
		go serveMetrics(ln, opts.Metrics, log)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.Load(ctx, opts)
	if err != nil {
		return err
	}
	defer a.Close(context.Background())
	l := a.Limits
	log.Info("limits per component", "instances", l.MaxInstances, "queue", l.MaxQueue,
		"memory_mb", l.MaxMemoryMB, "body_mb", l.MaxBodyMB, "memory_reset", a.Engine().MemoryMode(), "http_cache", cacheDescription(a))
	lns, err := a.Listen(flags.listen)
	if err != nil {
		return err
	}
	base := a.URL(lns)
	fmt.Fprintf(stdout, "Serving %s\nAvailable Routes:\n", base)
	for _, r := range a.HTTP.Router.Routes() {
		fmt.Fprintf(stdout, "  %s: %s%s\n", r.Component, base, r.Pattern)
	}
	return a.Serve(ctx, lns)
}

// cacheDescription is the HTTP cache's size for the start-up log, or "off".
func cacheDescription(a *app.App) string {
	if a.Cache == nil {
		return "off"
	}
	return humanize.IBytes(uint64(a.Cache.MaxBytes()))
}

// serveMetrics serves m at /metrics on ln alone.
func serveMetrics(ln net.Listener, m *metrics.Metrics, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil {
		log.Error("metrics listener", "err", err)
	}
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
