package security

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wasmsite/server/internal/testenv"
)

// The guest-faults row's limits.
const (
	requestTimeout = 2 * time.Second
	// maxLogBytes bounds the component's log directory once rotation has settled: per
	// stream a current file of at most 1 MiB and one compressed backup.
	maxLogBytes   = 4 << 20
	droppedNotice = "[wasmsite: output over 1048576 bytes in one request dropped]"
)

// TestGuestFaults runs the faults component (testdata/faults) under
// --request-timeout 2s --max-memory-mb 64 --log-max-mb 1 --log-backups 1: each fault
// gets a 500 for its own request (an endless loop within 3 × the timeout), /ok answers
// 200 after every one, and after repeated floods of 64 MiB to stdout and stderr the
// component's log directory settles under 4 MiB, each request's output cut at 1 MiB.
func TestGuestFaults(t *testing.T) {
	manifest := `spin_manifest_version = 2
[application]
name = "security-faults"
[[trigger.http]]
route = "/..."
component = "faults"
[component.faults]
source = "faults.wasm"
`
	dir, state := componentApp(t, manifest, map[string]string{
		"faults.wasm": testenv.Component(t, "server/internal/security/testdata/faults"),
	})
	s := testenv.Start(t, testenv.Options{Dir: dir, Args: []string{"-q", "--state-dir", state,
		"--request-timeout", requestTimeout.String(), "--max-memory-mb", "64", "--log-max-mb", "1", "--log-backups", "1"}})
	rw := newRow(t, "faults", 20, "failures")
	for round := 1; round <= 2; round++ {
		for _, fault := range []string{"/loop", "/bomb", "/panic", "/nil", "/recurse", "/exit"} {
			start := time.Now()
			status, _ := get(t, s.URL+fault)
			took := time.Since(start)
			rw.check(status == 500 && took < slack*requestTimeout, "round %d, GET %s: %d after %v, want 500 within %v",
				round, fault, status, took.Round(time.Millisecond), slack*requestTimeout)
			status, body := get(t, s.URL+"/ok")
			rw.check(status == 200 && body == "ok", "GET /ok after %s: %d %q", fault, status, body)
		}
	}
	for i := 1; i <= 4; i++ {
		status, body := get(t, s.URL+"/flood")
		rw.check(status == 200 && body == "flooded", "flood %d: %d %q", i, status, body)
	}
	logs := filepath.Join(state, "logs")
	size := settledSize(t, logs, maxLogBytes, 20*time.Second)
	rw.check(size < maxLogBytes, "after 4 floods of 2 × 64 MiB the log directory holds %d bytes, want under %d", size, maxLogBytes)
	for _, stream := range []string{"stdout", "stderr"} {
		rw.check(strings.Contains(logText(t, logs, stream), droppedNotice), "the %s log does not say the output over 1 MiB was dropped", stream)
	}
	status, body := get(t, s.URL+"/ok")
	rw.check(status == 200 && body == "ok", "GET /ok after the floods: %d %q", status, body)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := probeClient.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// settledSize returns the bytes of the files in dir once under limit, or their size
// after waiting: rotated logs are compressed and old ones removed in the background,
// a second or two behind a burst of rotations.
func settledSize(t *testing.T, dir string, limit int64, wait time.Duration) int64 {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		size := dirSize(t, dir)
		if size < limit || time.Now().After(deadline) {
			t.Logf("log directory: %d bytes", size)
			return size
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, e := range ents {
		if info, err := e.Info(); err == nil {
			n += info.Size()
		}
	}
	return n
}

// logText is the text of every log file of the stream (stdout or stderr), rotated and
// compressed ones included.
func logText(t *testing.T, dir, stream string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "faults_"+stream+"*"))
	var all bytes.Buffer
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // rotated meanwhile
		}
		if strings.HasSuffix(f, ".gz") {
			if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
				b, _ = io.ReadAll(zr)
			}
		}
		all.Write(b)
	}
	if all.Len() == 0 {
		t.Errorf("no %s log in %s", stream, dir)
	}
	return all.String()
}
