package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"wasmsite/server/internal/loadgen"
	"wasmsite/server/internal/testenv"
	"wasmsite/server/store/redistest"
)

// Load benchmark settings: connections, warm-up and measured time per run. Override
// the time with WASMSITE_LOAD_SECONDS.
const (
	loadConns  = 32
	loadWarmup = time.Second // per round (see runPair)
)

func loadDuration() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("WASMSITE_LOAD_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 6 * time.Second
}

// BenchmarkLoad measures whole requests over real HTTP from 32 keep-alive connections
// (closed loop, loadgen) through the real host (`server up` running the real
// components), beside a baseline started the same way (its own process) and measured in
// the same run:
//
//   - static: a blog post through the static component on a host without the HTTP
//     cache (the component runs for every request) / net/http's FileServer over the
//     same public/;
//   - static-cached: the same post from a host with the cache (every request after the
//     first a hit) / FileServer;
//   - static-miss: a different URL each request (the post with a unique query) on the
//     host with the cache, every request a miss that is stored / the same on the host
//     without it: the cost of a miss;
//   - c-hello: the C hello component (functions/examples/c/hello.c) / a Go handler
//     writing "hello\n";
//   - likes-get, likes-post: GET and POST /likes through the likes component with a
//     real redis-server / the same internal/likes handler built natively
//     (functions/likes/native) on go-redis and the same redis-server; both with a
//     token the component issued, as readers' tokens are.
//
// Each prints req/s, p50 and p99 for both and their ratio, and the host's peak RSS; the
// two sides are measured in alternating rounds (runPair). Run with -benchtime 1x (one
// run of each; WASMSITE_LOAD_SECONDS sets the measured time of each side).
func BenchmarkLoad(b *testing.B) {
	d := loadDuration()
	content := writeContent(b, 10)
	rs := redistest.Start(b)
	limits := []string{"SPIN_VARIABLE_RATE_LIMIT=100000000", "SPIN_VARIABLE_IP_RATE_LIMIT=100000000"}
	site := startSite(b, siteOptions{contentDir: content, redis: rs.URL(), env: limits})
	uncached := startSite(b, siteOptions{contentDir: content, args: []string{"--http-cache-size", "0"}})
	cApp := cHelloApp(b)

	fileserver := startBaseline(b, "fileserver", filepath.Join(site.dir, "public"))
	hello := startBaseline(b, "hello")
	native := startNativeLikes(b, rs.Addr(), site.siteURL)

	post := postURL("post-03")
	// A reader's token as readers get theirs: issued by the component with a first like.
	first := newReader(b, site).post(post)
	if first.status != http.StatusOK || first.cookie() == nil {
		b.Fatalf("first like: %s", first)
	}
	token := first.cookie().Value
	likeReq := func(host string) loadgen.Request {
		return loadgen.Request{Method: "POST", Path: "/likes", Host: host, Body: []byte(jsonBody(post)),
			Header: map[string]string{"Content-Type": "application/json", "Origin": site.siteURL, "Cookie": "likes_token=" + token}}
	}
	getReq := func(host string) loadgen.Request {
		return loadgen.Request{Path: "/likes?url=" + post, Host: host, Header: map[string]string{"Cookie": "likes_token=" + token}}
	}
	page := func(srv *testenv.Server) loadgen.Request { return loadgen.Request{Path: post, Host: srv.Addr} }
	unique := func(srv *testenv.Server) loadgen.Request {
		return loadgen.Request{Path: post, Host: srv.Addr, UniqueParam: "n"}
	}
	for _, c := range []struct {
		name, baseName string
		host, base     *testenv.Server
		hostReq, bReq  loadgen.Request
		want, wantBase int
	}{
		{"static", "FileServer", uncached.srv, fileserver, page(uncached.srv), page(fileserver), 200, 200},
		{"static-cached", "FileServer", site.srv, fileserver, page(site.srv), page(fileserver), 200, 200},
		{"static-miss", "uncached host", site.srv, uncached.srv, unique(site.srv), unique(uncached.srv), 200, 200},
		{"c-hello", "native", cApp, hello, loadgen.Request{Path: "/c-hello", Host: cApp.Addr}, loadgen.Request{Path: "/", Host: hello.Addr}, 200, 200},
		{"likes-get", "native", site.srv, native, getReq(site.srv.Addr), getReq(native.Addr), 200, 200},
		{"likes-post", "native", site.srv, native, likeReq(site.srv.Addr), likeReq(native.Addr), 200, 200},
	} {
		b.Run(c.name, func(b *testing.B) {
			host, base := runPair(b, c.host, c.base, c.hostReq, c.bReq, c.want, c.wantBase, d)
			b.ReportMetric(host.RPS(), "req/s")
			b.ReportMetric(ms(host.Percentile(50)), "p50-ms")
			b.ReportMetric(ms(host.Percentile(99)), "p99-ms")
			b.ReportMetric(base.RPS(), "baseline-req/s")
			b.ReportMetric(host.RPS()/base.RPS(), "ratio")
			rss, peak := rssMB(c.host.Pid())
			// Printed (not b.Logf): the log of a benchmark with sub-benchmarks is not shown.
			fmt.Printf("BenchmarkLoad/%s: host %.0f req/s p50 %.2f ms p99 %.2f ms | %s %.0f req/s p50 %.2f ms p99 %.2f ms | ratio %.2f× | host RSS %d MB (peak %d MB)\n",
				c.name, host.RPS(), ms(host.Percentile(50)), ms(host.Percentile(99)), c.baseName,
				base.RPS(), ms(base.Percentile(50)), ms(base.Percentile(99)), host.RPS()/base.RPS(), rss, peak)
		})
	}
}

func runLoad(b *testing.B, srv *testenv.Server, req loadgen.Request, want int, d time.Duration) *loadgen.Result {
	b.Helper()
	res, err := loadgen.Run(srv.Addr, req, loadConns, loadWarmup, d)
	if err != nil {
		b.Fatal(err)
	}
	if res.Errors > 0 || res.Statuses[want] != res.Requests {
		b.Fatalf("%s %s on %s: %s", req.Method, req.Path, srv.Addr, res)
	}
	return res
}

// loadRounds is how many times runPair alternates between the host and the baseline:
// drift in the machine's speed during a case (other tenants, the page cache, thermal
// state) then weighs on both sides alike instead of on whichever ran second.
const loadRounds = 3

// runPair measures the host and the baseline in alternating rounds, d in all for each.
func runPair(b *testing.B, host, base *testenv.Server, hostReq, baseReq loadgen.Request, want, wantBase int, d time.Duration) (h, bl *loadgen.Result) {
	b.Helper()
	var hs, bs []*loadgen.Result
	for range loadRounds {
		hs = append(hs, runLoad(b, host, hostReq, want, d/loadRounds))
		bs = append(bs, runLoad(b, base, baseReq, wantBase, d/loadRounds))
	}
	return loadgen.Merge(hs...), loadgen.Merge(bs...)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// startBaseline runs the native baseline server (server/internal/e2e/baseline).
func startBaseline(tb testing.TB, args ...string) *testenv.Server {
	tb.Helper()
	addr := testenv.FreeAddr(tb)
	bin := testenv.NativeCommand(tb, "server/internal/e2e/baseline")
	return testenv.StartCommand(tb, bin, addr, append([]string{"-listen", addr}, args...)...)
}

// startNativeLikes runs the likes handler natively (functions/likes/native) on Redis at
// redisAddr for the site siteURL, with the e2e secrets and limits that never bite.
func startNativeLikes(tb testing.TB, redisAddr, siteURL string) *testenv.Server {
	tb.Helper()
	addr := testenv.FreeAddr(tb)
	bin := testenv.NativeCommand(tb, "functions/likes/native")
	return testenv.StartCommand(tb, bin, addr, "-listen", addr, "-redis", redisAddr, "-site", siteURL,
		"-secret", newSecret+","+oldSecret, "-rate-limit", "100000000", "-ip-rate-limit", "100000000")
}

// cHelloApp serves functions/examples/c/hello.c alone at /c-hello.
func cHelloApp(tb testing.TB) *testenv.Server {
	tb.Helper()
	dir := tb.TempDir()
	testenv.CopyFile(tb, testenv.CComponent(tb, "functions/examples/c/hello.c", true), filepath.Join(dir, "hello.wasm"))
	testenv.WriteFile(tb, filepath.Join(dir, "spin.toml"), `spin_manifest_version = 2
[application]
name = "c-hello"
[[trigger.http]]
route = "/c-hello"
component = "hello"
[component.hello]
source = "hello.wasm"
`)
	return testenv.Start(tb, testenv.Options{Dir: dir, Args: []string{"-q"}})
}

// rssMB returns a process's resident set and its peak, in MiB (Linux /proc).
func rssMB(pid int) (rss, peak int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "VmRSS:":
			rss = kb >> 10
		case "VmHWM:":
			peak = kb >> 10
		}
	}
	return rss, peak
}
