package site

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"wasmsite/ssg/corpus"
	"wasmsite/ssg/disk"
	"wasmsite/ssg/pool"
)

// peakSampler records the highest HeapInuse seen while running.
type peakSampler struct {
	stop chan struct{}
	done chan uint64
}

func samplePeak() *peakSampler {
	s := &peakSampler{stop: make(chan struct{}), done: make(chan uint64)}
	go func() {
		var peak uint64
		var m runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-s.stop:
				s.done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *peakSampler) Stop() uint64 { close(s.stop); return <-s.done }

// benchDirs are the directories benchDir made; TestMain removes them when
// every test and benchmark of the package has run.
var (
	benchDirsMu sync.Mutex
	benchDirs   []string
)

// benchDir returns a new directory for a benchmark's corpus and outputs, in
// SSG_BENCH_DIR when set (e.g. /dev/shm, to leave the disk out) or the
// system's temporary directory. It is removed only when the test binary
// ends, not when the benchmark does (as b.TempDir would): on ext4 without a
// journal (this machine's root file system) inode allocation skips inodes
// freed in the last minute or more, so a build measured right after tens of
// thousands of files were deleted creates its files several times slower.
func benchDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp(os.Getenv("SSG_BENCH_DIR"), "ssg-bench-")
	if err != nil {
		tb.Fatal(err)
	}
	benchDirsMu.Lock()
	benchDirs = append(benchDirs, dir)
	benchDirsMu.Unlock()
	return dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range benchDirs {
		_ = os.RemoveAll(d)
	}
	os.Exit(code)
}

// buildSSG compiles the ssg command into dir: full builds are measured on the
// binary a writer runs, with its garbage-collector setting and process start.
func buildSSG(tb testing.TB, dir string) string {
	tb.Helper()
	bin := filepath.Join(dir, "ssg")
	out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "wasmsite/ssg").CombinedOutput()
	if err != nil {
		tb.Fatalf("go build ssg: %v\n%s", err, out)
	}
	return bin
}

// cpuUse is CPU time spent in user space and in the kernel (system time:
// file-system work, page faults).
type cpuUse struct{ user, sys time.Duration }

func (c cpuUse) plus(d cpuUse) cpuUse  { return cpuUse{c.user + d.user, c.sys + d.sys} }
func (c cpuUse) minus(d cpuUse) cpuUse { return cpuUse{c.user - d.user, c.sys - d.sys} }

// report reports c, the CPU time of n runs, per run as cpu-ms/<unit> (user
// and system) and sys-ms/<unit>.
func (c cpuUse) report(b *testing.B, n int, unit string) {
	b.ReportMetric(float64((c.user+c.sys).Milliseconds())/float64(n), "cpu-ms/"+unit)
	b.ReportMetric(float64(c.sys.Milliseconds())/float64(n), "sys-ms/"+unit)
}

// ssgRun is one measured run of the ssg command.
type ssgRun struct {
	wall    time.Duration
	cpu     cpuUse // of the process
	peakRSS uint64 // bytes
}

// runSSG runs the ssg binary on content into out after flushing dirty pages
// (the corpus was just written), and measures it.
func runSSG(tb testing.TB, bin, content, out string) ssgRun {
	tb.Helper()
	syncDisks()
	cmd := exec.Command(bin, "-content", content, "-out", out)
	start := time.Now()
	msg, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		tb.Fatalf("ssg: %v\n%s", err, msg)
	}
	ps := cmd.ProcessState
	return ssgRun{wall: wall, cpu: cpuUse{ps.UserTime(), ps.SystemTime()}, peakRSS: peakRSS(ps)}
}

// BenchmarkBuild measures full builds of the ssg command, cold (empty output
// directory: every file and directory is new), cold-uncached (the same with
// the sources evicted from the page cache first, as for a first build) and
// warm (a re-run: the previous site and generation exist), and incremental
// rebuilds after one edit in a watching Builder (told the changed file, or
// rescanning every input), for 1,000 and 10,000 posts.
// SSG_BENCH_DIR puts the corpus and output elsewhere (e.g. /dev/shm, to
// separate disk cost).
func BenchmarkBuild(b *testing.B) {
	bin := buildSSG(b, benchDir(b))
	for _, n := range []int{1000, 10000} {
		dir := benchDir(b)
		content := filepath.Join(dir, "content")
		if err := corpus.Write(content, n); err != nil {
			b.Fatal(err)
		}
		var sources []string
		_ = filepath.WalkDir(content, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				sources = append(sources, p)
			}
			return err
		})
		for _, mode := range []string{"cold", "cold-uncached", "warm"} {
			b.Run(fmt.Sprintf("posts=%d/full-%s", n, mode), func(b *testing.B) {
				var total time.Duration
				var cpu cpuUse
				var peak uint64
				if mode == "warm" { // a previous site and generation exist, as for a re-run of ssg
					for range 2 {
						runSSG(b, bin, content, filepath.Join(dir, "public"))
					}
				}
				for i := 0; b.Loop(); i++ {
					out := filepath.Join(dir, "public")
					if mode != "warm" {
						out = filepath.Join(dir, fmt.Sprintf("%s-%d", mode, i))
					}
					if mode == "cold-uncached" { // as in a first build: the sources are not in the page cache
						if err := disk.Evict(sources); err != nil {
							b.Fatal(err)
						}
					}
					r := runSSG(b, bin, content, out)
					total += r.wall
					cpu = cpu.plus(r.cpu)
					peak = max(peak, r.peakRSS)
					if got, _ := filepath.Glob(filepath.Join(out, "blog", "post-*")); len(got) != n {
						b.Fatalf("built %d posts, want %d", len(got), n)
					}
				}
				iters := float64(b.N)
				b.ReportMetric(float64(n)*iters/total.Seconds(), "pages/s")
				b.ReportMetric(total.Seconds()*1000/iters, "ms/build")
				cpu.report(b, b.N, "build")
				b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
			})
		}
		// The floor under a cold build: the same directories and files, of the
		// same sizes, created with nothing else to do, in the same run.
		b.Run(fmt.Sprintf("posts=%d/file-creation-only", n), func(b *testing.B) {
			type file struct {
				path string
				size int
			}
			var files []file
			src := filepath.Join(dir, "public")
			if _, err := os.Stat(src); err != nil {
				runSSG(b, bin, content, src)
			}
			err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				info, err := d.Info()
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(src, p)
				files = append(files, file{rel, int(info.Size())})
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			data := make([]byte, 1<<20)
			var total time.Duration
			var cpu cpuUse
			for i := 0; b.Loop(); i++ {
				root := filepath.Join(dir, fmt.Sprintf("files-%d", i))
				syncDisks()
				start, cpu0 := time.Now(), cpuTime()
				err := pool.Run(len(files), 8, func(j int) error {
					f := files[j]
					dst := filepath.Join(root, f.path)
					if err := disk.MkdirAll(filepath.Dir(dst)); err != nil {
						return err
					}
					_, err := disk.WriteFile(dst, data[:min(f.size, len(data))])
					return err
				})
				total += time.Since(start)
				cpu = cpu.plus(cpuTime().minus(cpu0))
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(total.Seconds()*1000/float64(b.N), "ms/build")
			cpu.report(b, b.N, "build")
			b.ReportMetric(float64(len(files)), "files")
		})
		for _, mode := range []string{"incremental", "incremental-rescan"} {
			b.Run(fmt.Sprintf("posts=%d/%s", n, mode), func(b *testing.B) {
				benchIncremental(b, content, filepath.Join(dir, "public"), mode == "incremental-rescan")
			})
		}
	}
}

// benchIncremental measures rebuilds after an edit of one post in a Builder
// that has built the site: told what changed (BuildChanged), as -watch does
// with file-system notifications, or scanning every input (rescan), as a
// polling watch or a full Build does.
func benchIncremental(b *testing.B, content, out string, rescan bool) {
	bl := NewBuilder(Options{ContentDir: content, OutDir: out})
	// Two builds, as Watch does at startup: the second one brings the
	// previous generation up to date.
	for range 2 {
		if _, err := bl.Build(); err != nil {
			b.Fatal(err)
		}
	}
	post := filepath.Join(content, "blog", "post-00042.md")
	orig, err := os.ReadFile(post)
	if err != nil {
		b.Fatal(err)
	}
	defer os.WriteFile(post, orig, 0o644)
	var total time.Duration
	var cpu cpuUse
	var peak uint64
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		edited := append(append([]byte{}, orig...), fmt.Sprintf("\nEdit number %d.\n", i)...)
		if err := os.WriteFile(post, edited, 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		s := samplePeak()
		start, cpu0 := time.Now(), cpuTime()
		var res *Result
		if rescan {
			res, err = bl.Build()
		} else {
			res, err = bl.BuildChanged([]string{post})
		}
		total += time.Since(start)
		cpu = cpu.plus(cpuTime().minus(cpu0))
		peak = max(peak, s.Stop())
		if err != nil {
			b.Fatal(err)
		}
		if res.Parsed != 1 {
			b.Fatalf("parsed %d sources, want 1", res.Parsed)
		}
	}
	b.ReportMetric(total.Seconds()*1000/float64(b.N), "ms/rebuild")
	cpu.report(b, b.N, "rebuild")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
