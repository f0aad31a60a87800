// Command server is the Spin-compatible host: `server up` loads a Spin application
// manifest (spin.toml, v1 or v2) and serves its HTTP routes and Redis channels through
// WebAssembly components on wazero, like `spin up`.
//
// Usage:
//
//	server up [-f spin.toml|DIR] [--listen 127.0.0.1:3000] [-e KEY=VALUE]...
//	          [--runtime-config-file FILE] [--state-dir DIR] [--request-timeout 30s]
//	          [--max-instances N] [--max-queue N] [--max-memory-mb 128] [--max-body-mb 16]
//	          [--max-connections 1024] [--header-timeout 10s] [--read-timeout 60s]
//	          [--write-timeout 60s] [--idle-timeout 60s] [--log-max-mb 10] [--log-backups 3]
//	          [--http-cache-size 64MiB] [--trusted-proxies CIDR,...] [--metrics ADDR]
//	          [--tls-domain DOMAIN,... [--tls-email ADDR] [--tls-ca URL] [--tls-ca-root FILE]
//	          | --tls-cert FILE --tls-key FILE] [--https-listen :443] [--hsts]
//	          [-q] [--pprof ADDR]
package main

import (
	"context"
	"errors"
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
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "up" {
		fmt.Fprintln(stderr, "usage: server up [-f spin.toml] [--listen ADDR] [-e KEY=VALUE] [--runtime-config-file FILE] [--state-dir DIR]")
		return errors.New("expected the subcommand `up`")
	}
	flags := newUpFlags(stderr)
	if err := flags.parse(args[1:]); err != nil {
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
