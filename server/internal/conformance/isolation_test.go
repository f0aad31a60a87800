package conformance

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"wasmsite/server/internal/testenv"
)

// TestIsolationC: C modules (a Spin HTTP component and a WAGI module) change their
// static data, heap, stack and memory size on every request; through the real host,
// every request, sequential or concurrent, sees the state of a fresh instance.
func TestIsolationC(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testenv.CopyFile(t, buildC(t, "server/internal/conformance/testdata/isolation.c", true), filepath.Join(dir, "isolation.wasm"))
	testenv.CopyFile(t, buildC(t, "server/internal/conformance/testdata/isolation_wagi.c", false), filepath.Join(dir, "wagi.wasm"))
	testenv.WriteFile(t, filepath.Join(dir, "spin.toml"), `spin_manifest_version = 2
[application]
name = "isolation"
[[trigger.http]]
route = "/spin/..."
component = "spin"
[[trigger.http]]
route = "/wagi/..."
component = "wagi"
executor = { type = "wagi" }
[component.spin]
source = "isolation.wasm"
[component.wagi]
source = "wagi.wasm"
`)
	srv := testenv.Start(t, testenv.Options{Dir: dir, Args: []string{"--max-instances=2"}})
	first := get(t, srv.URL+"/spin/")
	if first.Status != 200 || !strings.HasPrefix(first.Body, "counter=0 buffer=initial heap=none pages=") {
		t.Fatalf("first request: %d %q", first.Status, first.Body)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 40 {
				path := "/spin/"
				if (i+w)%5 == 0 {
					path = "/grow"
				}
				if r := get(t, srv.URL+"/spin"+path); r.Body != first.Body {
					t.Errorf("request %d of worker %d saw %q, want %q", i, w, r.Body, first.Body)
				}
				q := fmt.Sprintf("n=%d-%d", w, i)
				want := fmt.Sprintf("counter=0 buffer=initial argc=2 arg1=%s query=%s\n", q, q)
				if r := get(t, srv.URL+"/wagi/x?"+q); r.Status != 200 || r.Body != want {
					t.Errorf("WAGI request %d of worker %d: %d %q, want %q", i, w, r.Status, r.Body, want)
				}
			}
		})
	}
	wg.Wait()
}
