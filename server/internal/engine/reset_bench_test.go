package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"wasmsite/server/internal/abi"
	"wasmsite/server/internal/engine"
	"wasmsite/server/internal/host"
	"wasmsite/server/internal/mountfs"
	"wasmsite/server/internal/testenv"
	"wasmsite/server/manifest"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// BenchmarkReset measures what giving a request a fresh instance costs (Acquire plus
// Release, the request itself not counted) for the static component (Go, serving a
// blog post of the project's content) and the C hello component
// (functions/examples/c/hello.c), in each memory mode, beside a new instance per
// request:
//
//   - tracked: slots mapped copy-on-write from the image, written pages found by the
//     kernel (userfaultfd write-protect, PAGEMAP_SCAN) and copied back;
//   - compare: the same slots, written pages found by comparing every page with the
//     image (what the host did before images were mapped);
//   - heap: the portable back end (Go heap, comparing);
//   - fresh: a new instance per request (instantiate, start function, _initialize).
//
// Each reports reset-µs (per request), request-µs (the guest call) and pages copied
// per reset. Run with -benchtime 300x or more.
func BenchmarkReset(b *testing.B) {
	public := filepath.Join(b.TempDir(), "public")
	testenv.RenderSite(b, filepath.Join(testenv.Root(b), "content"), public, "http://127.0.0.1:3000")
	static, err := os.ReadFile(testenv.Component(b, "functions/static"))
	if err != nil {
		b.Fatal(err)
	}
	hello, err := os.ReadFile(testenv.CComponent(b, "functions/examples/c/hello.c", true))
	if err != nil {
		b.Fatal(err)
	}
	post := "/blog/how-likes-work/"
	for _, guest := range []struct {
		name  string
		wasm  []byte
		files string
		path  string
	}{{"static", static, public, post}, {"c-hello", hello, "", "/c-hello"}} {
		for _, o := range resetModes(b) {
			b.Run(guest.name+"/"+o.name, func(b *testing.B) {
				m := compileForBench(b, o.opts, guest.wasm, guest.files)
				req := &abi.HTTPRequest{Method: "GET", URI: guest.path, Body: []byte{}, Headers: [][2]string{
					{"host", "127.0.0.1:3000"}, {"user-agent", "bench"}, {"accept", "*/*"}, {"cache-control", "no-cache"},
					{"spin-path-info", guest.path}, {"spin-full-url", "http://127.0.0.1:3000" + guest.path},
					{"spin-matched-route", "/..."}, {"spin-base-path", "/"}, {"spin-raw-component-route", "/..."},
					{"spin-component-route", ""}, {"spin-client-addr", "127.0.0.1:40000"}}}
				benchResets(b, m, req)
			})
		}
	}
}

type resetMode struct {
	name string
	opts engine.Options
}

func resetModes(b *testing.B) []resetMode {
	modes := []resetMode{{"compare", engine.Options{Memory: engine.MemoryCompare}},
		{"heap", engine.Options{Memory: engine.MemoryHeap}}, {"fresh", engine.Options{FreshInstances: true}}}
	if e, err := engine.New(context.Background(), engine.Options{Memory: engine.MemoryTracked}); err == nil {
		e.Close(context.Background())
		modes = append([]resetMode{{"tracked", engine.Options{Memory: engine.MemoryTracked}}}, modes...)
	} else {
		fmt.Printf("BenchmarkReset: mode tracked not measured: %v\n", err)
	}
	return modes
}

func compileForBench(b *testing.B, o engine.Options, wasm []byte, files string) *engine.Module {
	b.Helper()
	ctx := context.Background()
	e, err := engine.New(ctx, o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close(ctx) })
	if err := (&host.Host{}).Register(ctx, e); err != nil {
		b.Fatal(err)
	}
	s := engine.Settings{MaxInstances: 1}
	if files != "" {
		fsys, err := mountfs.New([]manifest.FileMount{{Source: files, Destination: "/", Dir: true}})
		if err != nil {
			b.Fatal(err)
		}
		s.FS = fsys
	}
	m, err := e.Compile(ctx, "bench", wasm, s)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close(ctx) })
	return m
}

// benchResets serves req b.N times on m, timing Acquire+Release apart from the call.
func benchResets(b *testing.B, m *engine.Module, req *abi.HTTPRequest) {
	ctx := context.Background()
	var reset, call time.Duration
	before := m.Stats()
	for b.Loop() {
		t0 := time.Now()
		inst, err := m.Acquire(ctx)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		g, err := abi.NewGuest(inst)
		if err != nil {
			b.Fatal(err)
		}
		g.SkipFrees = true
		resp, err := g.CallHTTPHandler(ctx, inst.Function("handle-http-request"), req)
		if err != nil || resp.Status != 200 {
			b.Fatalf("request: %v %+v", err, resp)
		}
		t2 := time.Now()
		inst.Release(true)
		reset += t1.Sub(t0) + time.Since(t2)
		call += t2.Sub(t1)
	}
	n := float64(b.N)
	after := m.Stats()
	b.ReportMetric(float64(reset.Microseconds())/n, "reset-µs")
	b.ReportMetric(float64(call.Microseconds())/n, "request-µs")
	if r := after.Resets - before.Resets; r > 0 {
		b.ReportMetric(float64(after.ResetPages-before.ResetPages)/float64(r), "pages/reset")
	}
}
