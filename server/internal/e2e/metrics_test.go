package e2e

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"wasmsite/server/internal/testenv"
)

// TestMetrics scrapes --metrics around requests to the real site: the metric names are
// there, and the counts move by what was done.
func TestMetrics(t *testing.T) {
	addr := testenv.FreeAddr(t)
	s := startSite(t, siteOptions{contentDir: writeContent(t, 2), args: []string{"--metrics", addr}})
	scrape := func() map[string]float64 { return scrapeMetrics(t, "http://"+addr+"/metrics") }
	before := scrape()
	c := newReader(t, s)
	post := postURL("post-01")
	for range 3 {
		c.do("GET", post, "", "", "Accept-Encoding", "gzip")
	}
	c.like(post)
	c.get(post)
	time.Sleep(100 * time.Millisecond) // the last request's deferred count
	after := scrape()

	// The static component also answers the likes component's fetch of /sitemap.xml:
	// a miss. The likes component's first GET is a miss (it has not answered
	// uncacheably yet); its POST is forwarded for its method.
	for name, want := range map[string]float64{
		`wasmsite_http_requests_total{cache="miss",code="2xx",component="static"}`:  2,
		`wasmsite_http_requests_total{cache="hit",code="2xx",component="static"}`:   2,
		`wasmsite_http_requests_total{cache="miss",code="2xx",component="likes"}`:   1,
		`wasmsite_http_requests_total{cache="method",code="2xx",component="likes"}`: 1,
		`wasmsite_http_request_duration_seconds_count{component="static"}`:          4,
		`wasmsite_http_cache_requests_total{result="hit"}`:                          2,
	} {
		if got := after[name] - before[name]; got != want {
			t.Errorf("%s moved by %v, want %v", name, got, want)
		}
	}
	for _, name := range []string{
		`wasmsite_store_operations_total{component="likes",interface="redis",result="ok"}`,
		`wasmsite_outbound_requests_total{component="likes",interface="http",result="allowed"}`,
		`wasmsite_instances_reused_total{component="static"}`,
		`wasmsite_instances_resets_total{component="static"}`,
	} {
		if after[name] <= before[name] {
			t.Errorf("%s did not move (%v → %v)", name, before[name], after[name])
		}
	}
	for _, name := range []string{`wasmsite_instances_live{component="likes"}`, `wasmsite_instances_created_total{component="static"}`, `wasmsite_instances_max{component="static"}`,
		`wasmsite_instances_rejected_total{component="static"}`, `wasmsite_instances_waits_total{component="static"}`,
		`wasmsite_http_cache_bytes`, `wasmsite_http_cache_max_bytes`, "go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := after[name]; !ok {
			t.Errorf("no %s", name)
		}
	}
	if after[`wasmsite_http_cache_max_bytes`] != 64<<20 {
		t.Errorf("cache bound %v", after[`wasmsite_http_cache_max_bytes`])
	}
}

// scrapeMetrics reads Prometheus's text format into name{labels} → value.
func scrapeMetrics(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q", line)
		}
		out[line[:i]] = v
	}
	return out
}
