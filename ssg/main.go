// Command ssg renders the markdown content directory into a static site.
//
//	ssg [-content DIR] [-out DIR] [-config FILE] [-drafts] [-watch] [-base-url URL] [-gzip]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"wasmsite/ssg/site"
)

func main() {
	content := flag.String("content", "content", "content directory")
	out := flag.String("out", "public", "output directory (replaced atomically)")
	config := flag.String("config", "", "site settings file (default <content>/site.toml)")
	drafts := flag.Bool("drafts", false, "render drafts too")
	watch := flag.Bool("watch", false, "rebuild incrementally when inputs change")
	baseURL := flag.String("base-url", "", "override base_url from the settings file")
	gz := flag.Bool("gzip", false, "also write name.gz next to each text file, served by the static component instead of compressing per request")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "ssg: unexpected arguments:", flag.Args())
		os.Exit(2)
	}
	cfg := *config
	if cfg == "" {
		cfg = filepath.Join(*content, "site.toml")
	}
	opts := site.Options{ContentDir: *content, OutDir: *out, ConfigFile: cfg, Drafts: *drafts, BaseURL: *baseURL, Gzip: *gz, Warn: os.Stderr}
	b := site.NewBuilder(opts)
	if !*watch {
		start := time.Now()
		res, err := b.Build()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "ssg: %d posts, %d pages, %d files in %s → %s\n",
			res.Posts, res.Pages, res.Files, time.Since(start).Round(time.Millisecond), *out)
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(os.Stderr, "ssg: watching %s (Ctrl-C to stop)\n", *content)
	b.Watch(ctx, 300*time.Millisecond, func(res *site.Result, err error, d time.Duration) {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			fmt.Fprintln(os.Stderr, "ssg: build failed; previous output kept")
			return
		}
		fmt.Fprintf(os.Stderr, "ssg: %d posts, %d pages: parsed %d, wrote %d of %d files in %s\n",
			res.Posts, res.Pages, res.Parsed, res.Written, res.Files, d.Round(time.Millisecond))
	})
}
