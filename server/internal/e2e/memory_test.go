package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"wasmsite/server/internal/testenv"
)

// Limits the memory test runs the host with, and the bound they document (README,
// "Limits"): components × max instances × (max memory + max body) + overhead.
const (
	memInstances  = 4
	memMemoryMB   = 64
	memBodyMB     = 16
	memComponents = 3   // static, likes, bomb
	memOverheadMB = 256 // the host's own: Go runtime, compiled code, images, store
)

// TestMemoryBound loads the host with 64 concurrent 16 MiB request bodies and 8
// concurrent guests that allocate until their memory limit stops them, and checks the
// host's resident memory against the documented bound during the load and 10 s after.
func TestMemoryBound(t *testing.T) {
	if testing.Short() {
		t.Skip("a load test")
	}
	content := writeContent(t, 2)
	dir := testenv.SiteApp(t, content, "http://127.0.0.1:3000")
	testManifest(t, dir)
	testenv.CopyFile(t, testenv.Component(t, "server/internal/e2e/testdata/bomb"), filepath.Join(dir, "build", "bomb.wasm"))
	appendBomb(t, dir)
	srv := testenv.Start(t, testenv.Options{Dir: dir, Args: []string{"-q",
		fmt.Sprintf("--max-instances=%d", memInstances), fmt.Sprintf("--max-memory-mb=%d", memMemoryMB),
		fmt.Sprintf("--max-body-mb=%d", memBodyMB)},
		Env: []string{"SPIN_VARIABLE_JWT_SECRET=" + newSecret, "SPIN_VARIABLE_SITE_URL=http://127.0.0.1:3000"}})
	bound := memComponents*memInstances*(memMemoryMB+memBodyMB) + memOverheadMB
	before, _ := rssMB(srv.Pid())

	var peak atomic.Int64
	stop := sampleRSS(srv.Pid(), &peak)
	statuses := overload(t, srv.URL)
	stop()
	time.Sleep(10 * time.Second)
	after, _ := rssMB(srv.Pid())
	t.Logf("host RSS: %d MiB before, %d MiB peak during the load, %d MiB 10 s after; bound %d MiB; statuses %v",
		before, peak.Load(), after, bound, statuses)
	if int(peak.Load()) > bound || after > bound {
		t.Errorf("host RSS exceeded the documented bound of %d MiB (peak %d, after %d)", bound, peak.Load(), after)
	}
	if after > before+memInstances*memMemoryMB {
		t.Errorf("memory not given back after the load: %d MiB, was %d MiB before", after, before)
	}
	for status := range statuses {
		if status != http.StatusMethodNotAllowed && status != http.StatusServiceUnavailable && status != http.StatusInternalServerError {
			t.Errorf("unexpected status %d under load", status)
		}
	}
	if statuses[http.StatusMethodNotAllowed] == 0 || statuses[http.StatusInternalServerError] == 0 {
		t.Errorf("the load did not reach the guests: %v", statuses)
	}
	if resp, err := http.Get(srv.URL + "/"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("after the load GET / = %v, %v", resp, err)
	} else {
		resp.Body.Close()
	}
}

// overload sends 64 concurrent 16 MiB POSTs to the static component (which answers 405
// once the body is in its memory) and 8 concurrent requests to the bomb, and returns the
// statuses; those refused for a full queue must be 503 with Retry-After.
func overload(t *testing.T, base string) map[int]int {
	body := bytes.Repeat([]byte("x"), memBodyMB<<20)
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	do := func(method, path string, body []byte) {
		defer wg.Done()
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		resp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "1" {
			t.Errorf("503 without Retry-After: %v", resp.Header)
		}
		mu.Lock()
		statuses[resp.StatusCode]++
		mu.Unlock()
	}
	for range 64 {
		wg.Add(1)
		go do("POST", "/blog/post-00/", body)
	}
	for range 8 {
		wg.Add(1)
		go do("GET", "/bomb", nil)
	}
	wg.Wait()
	return statuses
}

// sampleRSS records the process's largest resident set every 20 ms until stopped.
func sampleRSS(pid int, peak *atomic.Int64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			if rss, _ := rssMB(pid); int64(rss) > peak.Load() {
				peak.Store(int64(rss))
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-finished }
}

// appendBomb adds the bomb component at /bomb to the app's manifest (v1).
func appendBomb(t *testing.T, dir string) {
	t.Helper()
	manifest := filepath.Join(dir, "spin.toml")
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	testenv.WriteFile(t, manifest, string(b)+`
[[component]]
id = "bomb"
source = "build/bomb.wasm"
[component.trigger]
route = "/bomb"
`)
}
