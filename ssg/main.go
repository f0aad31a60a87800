// Command ssg renders the markdown content directory into a static site.
//
//	ssg [-content DIR] [-out DIR] [-config FILE] [-drafts] [-future] [-watch] [-poll DURATION]
//	    [-live ADDR] [-base-url URL] [-gzip] [-v] [-cpuprofile FILE]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"wasmsite/ssg/site"
)

// gcPercent is the garbage collector's target used when GOGC is not set. A build
// allocates mostly short-lived buffers and keeps about 100 MB live per 10,000 posts;
// collecting at 5× the live heap instead of 2× saves about a tenth of the CPU time
// (10,000 posts: 2.8 instead of 3.2 CPU-s) for ~360 MB peak RSS instead of ~200 MB.
const gcPercent = 400

func main() { os.Exit(run()) }

// flags are the command line.
type flags struct {
	content, out, config, baseURL, live, cpuprofile string
	drafts, future, watch, gzip, verbose            bool
	poll                                            time.Duration
}

func parseFlags() (flags, bool) {
	var f flags
	flag.StringVar(&f.content, "content", "content", "content directory")
	flag.StringVar(&f.out, "out", "public", "output directory (replaced atomically)")
	flag.StringVar(&f.config, "config", "", "site settings file (default <content>/site.toml)")
	flag.BoolVar(&f.drafts, "drafts", false, "render drafts too")
	flag.BoolVar(&f.future, "future", false, "render posts and pages dated in the future too")
	flag.BoolVar(&f.watch, "watch", false, "rebuild incrementally when inputs change (file-system notifications)")
	flag.DurationVar(&f.poll, "poll", 0, "with -watch: poll the inputs at this interval instead of using file-system notifications")
	flag.StringVar(&f.live, "live", "", "development mode (implies -watch): serve live-reload events on this address (host:port) and give every page the script that reloads it or shows build errors")
	flag.StringVar(&f.baseURL, "base-url", "", "override base_url from the settings file")
	flag.BoolVar(&f.gzip, "gzip", false, "also write name.gz next to each text file, served by the static component instead of compressing per request")
	flag.BoolVar(&f.verbose, "v", false, "print how long each build phase took")
	flag.StringVar(&f.cpuprofile, "cpuprofile", "", "write a CPU profile (pprof format) of the run to this file")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "ssg: unexpected arguments:", flag.Args())
		return f, false
	}
	if f.config == "" {
		f.config = filepath.Join(f.content, "site.toml")
	}
	f.watch = f.watch || f.live != ""
	return f, true
}

func run() int {
	f, ok := parseFlags()
	if !ok {
		return 2
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if f.cpuprofile != "" {
		pf, err := os.Create(f.cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(pf)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "ssg: cpu profile:", err)
			return 1
		}
		defer pf.Close()
		defer pprof.StopCPUProfile()
	}
	opts := site.Options{ContentDir: f.content, OutDir: f.out, ConfigFile: f.config, Drafts: f.drafts, Future: f.future,
		BaseURL: f.baseURL, Gzip: f.gzip, Warn: os.Stderr}
	if f.watch {
		return watch(f, opts)
	}
	start := time.Now()
	res, err := site.NewBuilder(opts).Build()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	printPhases(f, res)
	fmt.Fprintf(os.Stderr, "ssg: %s, %s, %s%s in %s → %s\n", count(res.Posts, "post"), count(res.Pages, "page"),
		count(res.Files, "file"), resized(res), time.Since(start).Round(time.Millisecond), f.out)
	return 0
}

// resized returns ", resized N images" when the build resized some.
func resized(res *site.Result) string {
	if res.Resized == 0 {
		return ""
	}
	return ", resized " + count(res.Resized, "image")
}

// printPhases prints how long each phase of res took, with -v.
func printPhases(f flags, res *site.Result) {
	if !f.verbose || res == nil {
		return
	}
	var s []string
	for _, p := range res.Phases {
		s = append(s, fmt.Sprintf("%s %s", p.Name, p.Time.Round(100*time.Microsecond)))
	}
	fmt.Fprintf(os.Stderr, "ssg: phases: %s\n", strings.Join(s, ", "))
}

// count returns "1 post", "2 posts": n and the noun, plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
