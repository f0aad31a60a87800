package security

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// maxBody is the body limit the oversized row starts the host with (--max-body-mb 1).
const maxBody = 1 << 20

// TestOversizedRequests: with --max-body-mb 1, a body declared larger gets 413 before
// any of it is sent, and a chunked one once it passes the limit; a header section over
// 64 KiB (one large header, thousands of small ones, a long URL) gets 431 (or 414); a
// body at the limit and thousands of headers within it are served; the host keeps
// serving after each.
func TestOversizedRequests(t *testing.T) {
	dir, addr := siteApp(t)
	s := startSite(t, dir, addr, nil, "--max-body-mb", "1")
	rw := newRow(t, "oversized", 15, "not refused")
	for _, c := range oversizedCases(addr) {
		// The host closes without reading what is left: the body after the status may
		// be cut by a reset, the status is what counts.
		r, err := rawDo(s.Addr, c.request)
		rw.check(c.want(r.status), "%s: status %d (%v)", c.name, r.status, err)
		rw.check(servesHome(s.Addr), "the host does not serve / after %s", c.name)
	}
	for _, path := range []string{"/", "/likes"} {
		status := chunkedPost(t, s.URL+path, 2*maxBody)
		rw.check(status == http.StatusRequestEntityTooLarge, "chunked body of 2 MiB to %s: %d, want 413", path, status)
	}
}

type oversizedCase struct {
	name    string
	request string
	want    func(status int) bool
}

func is(codes ...int) func(int) bool {
	return func(status int) bool {
		for _, c := range codes {
			if status == c {
				return true
			}
		}
		return false
	}
}

func oversizedCases(addr string) []oversizedCase {
	head := func(line string, headers ...string) string {
		return line + "\r\nHost: " + addr + "\r\nConnection: close\r\n" + joinLines(headers) + "\r\n"
	}
	manyHeaders := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("X-H-%05d: v", i)
		}
		return out
	}
	tooLarge := is(http.StatusRequestEntityTooLarge)
	headersTooLarge := is(http.StatusRequestHeaderFieldsTooLarge)
	return []oversizedCase{
		{"declared body of 1 MiB + 1 (not sent)", head("POST / HTTP/1.1", fmt.Sprintf("Content-Length: %d", maxBody+1)), tooLarge},
		{"declared body of 10 GiB (not sent)", head("POST / HTTP/1.1", "Content-Length: 10737418240"), tooLarge},
		{"declared body of 2 MiB to /likes (not sent)", head("POST /likes HTTP/1.1", "Content-Type: application/json",
			fmt.Sprintf("Content-Length: %d", 2*maxBody)), tooLarge},
		{"declared body of 2 MiB with Expect: 100-continue", head("PUT / HTTP/1.1", "Expect: 100-continue",
			fmt.Sprintf("Content-Length: %d", 2*maxBody)), tooLarge},
		{"body of 2 MiB sent", head("POST / HTTP/1.1", fmt.Sprintf("Content-Length: %d", 2*maxBody)) + strings.Repeat("x", 2*maxBody), tooLarge},
		{"body at the limit", head("POST / HTTP/1.1", fmt.Sprintf("Content-Length: %d", maxBody)) + strings.Repeat("x", maxBody),
			is(http.StatusMethodNotAllowed)},
		{"negative Content-Length", head("POST / HTTP/1.1", "Content-Length: -1"), is(http.StatusBadRequest)},
		{"two different Content-Lengths", head("POST / HTTP/1.1", "Content-Length: 1", "Content-Length: 2") + "xy",
			is(http.StatusBadRequest)},
		{"one header of 80 KiB", head("GET / HTTP/1.1", "X-Big: "+strings.Repeat("a", 80<<10)), headersTooLarge},
		{"a cookie of 1 MiB", head("GET / HTTP/1.1", "Cookie: a="+strings.Repeat("b", 1<<20)), headersTooLarge},
		{"10,000 small headers (130 KiB)", head("GET / HTTP/1.1", manyHeaders(10000)...), headersTooLarge},
		{"3,000 small headers (36 KiB)", head("GET / HTTP/1.1", manyHeaders(3000)...), is(http.StatusOK)},
		{"URL of 100 KiB", head("GET /" + strings.Repeat("a", 100<<10) + " HTTP/1.1"), is(http.StatusRequestURITooLong, http.StatusRequestHeaderFieldsTooLarge)},
		{"URL of 1 MiB", head("GET /?" + strings.Repeat("q=1&", 1<<18) + " HTTP/1.1"), is(http.StatusRequestURITooLong, http.StatusRequestHeaderFieldsTooLarge)},
		{"URL of 32 KiB", head("GET /" + strings.Repeat("a", 32<<10) + " HTTP/1.1"), is(http.StatusNotFound)},
	}
}

// chunkedPost POSTs size bytes of JSON-ish text with no declared length (chunked) and
// returns the status.
func chunkedPost(t *testing.T, url string, size int) int {
	t.Helper()
	body := io.MultiReader(strings.NewReader(`{"url":"`), strings.NewReader(strings.Repeat("y", size)), strings.NewReader(`"}`))
	req, err := http.NewRequest("POST", url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "http://"+req.Host)
	resp, err := probeClient.Do(req)
	if err != nil {
		t.Fatalf("chunked POST %s: %v", url, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
