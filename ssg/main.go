// Command ssg renders the markdown content directory into a static site.
//
//	ssg [-content DIR] [-out DIR] [-config FILE] [-drafts] [-future] [-watch] [-base-url URL] [-gzip] [-v] [-cpuprofile FILE]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"wasmsite/ssg/site"
)

// gcPercent is the garbage collector's target used when GOGC is not set. A build
// allocates mostly short-lived buffers and keeps about 100 MB live per 10,000 posts;
// collecting at 5× the live heap instead of 2× saves about a tenth of the CPU time
// (10,000 posts: 2.8 instead of 3.2 CPU-s) for ~360 MB peak RSS instead of ~200 MB.
const gcPercent = 400

func main() { os.Exit(run()) }

func run() int {
	content := flag.String("content", "content", "content directory")
	out := flag.String("out", "public", "output directory (replaced atomically)")
	config := flag.String("config", "", "site settings file (default <content>/site.toml)")
	drafts := flag.Bool("drafts", false, "render drafts too")
	future := flag.Bool("future", false, "render posts and pages dated in the future too")
	watch := flag.Bool("watch", false, "rebuild incrementally when inputs change")
	baseURL := flag.String("base-url", "", "override base_url from the settings file")
	gz := flag.Bool("gzip", false, "also write name.gz next to each text file, served by the static component instead of compressing per request")
	verbose := flag.Bool("v", false, "print how long each build phase took")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile (pprof format) of the run to this file")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "ssg: unexpected arguments:", flag.Args())
		return 2
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "ssg: cpu profile:", err)
			return 1
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	cfg := *config
	if cfg == "" {
		cfg = filepath.Join(*content, "site.toml")
	}
	opts := site.Options{ContentDir: *content, OutDir: *out, ConfigFile: cfg, Drafts: *drafts, Future: *future, BaseURL: *baseURL, Gzip: *gz, Warn: os.Stderr}
	b := site.NewBuilder(opts)
	phases := func(res *site.Result) {
		if !*verbose || res == nil {
			return
		}
		var s []string
		for _, p := range res.Phases {
			s = append(s, fmt.Sprintf("%s %s", p.Name, p.Time.Round(100*time.Microsecond)))
		}
		fmt.Fprintf(os.Stderr, "ssg: phases: %s\n", strings.Join(s, ", "))
	}
	if !*watch {
		start := time.Now()
		res, err := b.Build()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		phases(res)
		fmt.Fprintf(os.Stderr, "ssg: %s, %s, %s in %s → %s\n", count(res.Posts, "post"), count(res.Pages, "page"),
			count(res.Files, "file"), time.Since(start).Round(time.Millisecond), *out)
		return 0
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
		phases(res)
		fmt.Fprintf(os.Stderr, "ssg: %s, %s: parsed %d, wrote %d of %s in %s\n", count(res.Posts, "post"), count(res.Pages, "page"),
			res.Parsed, res.Written, count(res.Files, "file"), d.Round(time.Millisecond))
	})
	return 0
}

// count returns "1 post", "2 posts": n and the noun, plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
