package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"wasmsite/ssg/config"
	"wasmsite/ssg/live"
	"wasmsite/ssg/site"
)

// devServer is development mode's live-reload endpoint: listening from the
// start (its port is in every page), serving from the first build on.
type devServer struct {
	ln     net.Listener
	events *live.Server
	http   *http.Server
}

// newDevServer listens on addr and sets opts up for development mode.
func newDevServer(f flags, opts *site.Options) (*devServer, error) {
	siteURL := f.baseURL
	if siteURL == "" {
		cfg, err := config.Load(f.config)
		if err != nil {
			return nil, err
		}
		siteURL = cfg.BaseURL
	}
	events, err := live.NewServer(siteURL)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", f.live)
	if err != nil {
		return nil, fmt.Errorf("live reload: %w", err)
	}
	snippet, err := live.Snippet(ln.Addr().String())
	if err != nil {
		ln.Close()
		return nil, err
	}
	opts.Dev = &site.Dev{Snippet: snippet, Files: map[string][]byte{live.ScriptPath: live.Script}}
	return &devServer{ln: ln, events: events, http: &http.Server{Handler: events, ReadHeaderTimeout: 10 * time.Second}}, nil
}

// serve answers browsers until close.
func (d *devServer) serve() {
	go func() {
		if err := d.http.Serve(d.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "ssg: live reload:", err)
		}
	}()
}

func (d *devServer) close() { d.http.Close(); d.ln.Close() }

// watch builds, then rebuilds after every change until interrupted. With
// -live it serves the live-reload events and, when the first build fails,
// keeps serving the last good site, or gives up when there is none.
func watch(f flags, opts site.Options) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var dev *devServer
	if f.live != "" {
		var err error
		if dev, err = newDevServer(f, &opts); err != nil {
			fmt.Fprintln(os.Stderr, "ssg:", err)
			return 1
		}
		defer dev.close()
	}
	code := 0
	report := func(o site.Outcome) bool {
		if o.First && o.Err != nil && dev != nil && !hasSite(f.out) {
			fmt.Fprintln(os.Stderr, o.Err)
			fmt.Fprintf(os.Stderr, "ssg: no site to serve: %s has no previous build. Fix the file named above and run again.\n", f.out)
			code = 1
			return false
		}
		reportBuild(f, o, dev)
		if o.First {
			if dev != nil {
				dev.serve()
				fmt.Fprintf(os.Stderr, "ssg: live reload on http://%s/events\n", dev.ln.Addr())
			}
			fmt.Fprintf(os.Stderr, "ssg: watching %s for changes\n", f.content)
		}
		return true
	}
	b := site.NewBuilder(opts)
	if err := b.Watch(ctx, site.WatchOptions{Poll: f.poll, Report: report, Log: os.Stderr}); err != nil {
		fmt.Fprintln(os.Stderr, "ssg:", err)
		return 1
	}
	return code
}

// reportBuild prints the outcome of a watching build and tells the
// browsers.
func reportBuild(f flags, o site.Outcome, dev *devServer) {
	if o.Err != nil {
		fmt.Fprintln(os.Stderr, o.Err)
		fmt.Fprintf(os.Stderr, "ssg: build failed; %s keeps the last good site. Fix the file and save: it rebuilds by itself.\n", f.out)
		if dev != nil {
			dev.events.Failed(o.Err)
		}
		return
	}
	res := o.Result
	printPhases(f, res)
	fmt.Fprintf(os.Stderr, "ssg: %s, %s: parsed %d, wrote %d of %s%s in %s\n", count(res.Posts, "post"), count(res.Pages, "page"),
		res.Parsed, res.Written, count(res.Files, "file"), resized(res), o.Took.Round(time.Millisecond))
	if dev != nil {
		dev.events.Built(res.Changed)
	}
}

// hasSite reports whether out holds a built site (its home page).
func hasSite(out string) bool {
	_, err := os.Stat(filepath.Join(out, "index.html"))
	return err == nil
}
