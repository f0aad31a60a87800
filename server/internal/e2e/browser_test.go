package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"wasmsite/server/internal/testenv"
)

// ScreenshotCopy is where TestBrowserLikeButton also writes its screenshot of a post
// with the button liked, for people to look at.
const ScreenshotCopy = "/tmp/wasmsite-post.png"

// chromiumPath returns the browser to drive; without one the test fails in CI and is
// skipped elsewhere.
func chromiumPath(t *testing.T) string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (required in CI): install Debian's chromium")
	}
	t.Skip("chromium is not installed; skipping the browser test (set CI=1 to make this a failure)")
	return ""
}

// netEvent is one request the page made and its response status (0 = none seen).
type netEvent struct {
	method, url string
	status      int64
}

// browser is one Chromium process with its own fresh profile (a different reader).
type browser struct {
	t    *testing.T
	name string
	ctx  context.Context
	site *site

	mu         sync.Mutex
	requests   map[network.RequestID]*netEvent
	order      []network.RequestID
	exceptions []string
}

func newBrowser(t *testing.T, s *site, name string) *browser {
	t.Helper()
	exe := chromiumPath(t)
	profile, err := os.MkdirTemp("", "wasmsite-chromium-*")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true),
		// Nothing but the site under test resolves.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1024, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		// Chromium's children may still write for a moment after it stops.
		for i := 0; i < 50; i++ {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	b := &browser{t: t, name: name, ctx: ctx, site: s, requests: map[network.RequestID]*netEvent{}}
	if err := chromedp.Do(ctx); err != nil { // starts the browser (no timeout on this first run)
		t.Fatalf("%s: starting chromium: %v", name, err)
	}
	if err := chromedp.Listen(ctx, b.record); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *browser) record(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		if _, ok := b.requests[e.RequestID]; !ok {
			b.order = append(b.order, e.RequestID)
		}
		// A redirect reuses the request id: keep the last hop, record every URL.
		if prev, ok := b.requests[e.RequestID]; ok && e.RedirectResponse != nil {
			id := network.RequestID(fmt.Sprintf("%s-redirect-%d", e.RequestID, len(b.order)))
			b.requests[id] = &netEvent{method: prev.method, url: prev.url, status: e.RedirectResponse.Status}
			b.order = append(b.order, id)
		}
		b.requests[e.RequestID] = &netEvent{method: e.Request.Method, url: e.Request.URL}
	case *network.EventResponseReceived:
		if r, ok := b.requests[e.RequestID]; ok {
			r.status = e.Response.Status
		}
	case *runtime.EventExceptionThrown:
		b.exceptions = append(b.exceptions, e.ExceptionDetails.Text+" "+fmt.Sprint(e.ExceptionDetails.Exception))
	}
}

// netLog returns the requests recorded so far.
func (b *browser) netLog() []netEvent {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]netEvent, 0, len(b.order))
	for _, id := range b.order {
		out = append(out, *b.requests[id])
	}
	return out
}

// timeout derives a context for one step (the browser context itself has none).
func (b *browser) timeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, d)
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.timeout(30 * time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %s: %v", b.name, what, err)
	}
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.site.url+path))
}

// buttonState is what the reader sees on a post page.
type buttonState struct {
	Pressed  string `json:"pressed"`
	Count    string `json:"count"`
	Label    string `json:"label"`
	Disabled bool   `json:"disabled"`
	Status   string `json:"status"`
	Focused  bool   `json:"focused"`
}

const stateJS = `(() => {
	const b = document.querySelector('.like-button'), c = document.querySelector('.like-button .like-count');
	const l = document.querySelector('.like-button .like-label'), s = document.getElementById('like-status');
	return {pressed: b ? b.getAttribute('aria-pressed') : 'missing', count: c ? c.textContent : 'missing',
		label: l ? l.textContent : '', disabled: !!(b && b.disabled), status: s ? s.textContent : '',
		focused: !!b && document.activeElement === b};
})()`

func (b *browser) state() buttonState {
	b.t.Helper()
	ctx, cancel := b.timeout(10 * time.Second)
	defer cancel()
	st, err := chromedp.Run(ctx, chromedp.Evaluate[buttonState](stateJS))
	if err != nil {
		b.t.Fatalf("%s: reading the button: %v", b.name, err)
	}
	return st
}

// waitButton waits until the post's button shows count and pressed (and is enabled).
func (b *browser) waitButton(what, count string, pressed bool) buttonState {
	b.t.Helper()
	want := "false"
	if pressed {
		want = "true"
	}
	ctx, cancel := b.timeout(20 * time.Second)
	defer cancel()
	expr := fmt.Sprintf(`(() => { const b = document.querySelector('.like-button'), c = document.querySelector('.like-button .like-count');
		return !!b && !!c && !b.disabled && b.getAttribute('aria-pressed') === %q && c.textContent === %q; })()`, want, count)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		b.t.Fatalf("%s: %s: want count %q aria-pressed=%s, have %+v (%v)", b.name, what, count, want, b.state(), err)
	}
	st := b.state()
	wantLabel := map[bool]string{true: "Liked", false: "Like"}[pressed]
	if st.Label != wantLabel {
		b.t.Errorf("%s: %s: label %q, want %q", b.name, what, st.Label, wantLabel)
	}
	return st
}

// TestBrowserLikeButton drives real headless Chromium against the real host serving the
// project's own content with the project's spin.toml (embedded store): like, reload,
// a second profile, keyboard activation, optimistic update and roll-back on error, the
// list page's counts (batch GET), the no-JS form flow, same-origin requests only, and a
// screenshot.
func TestBrowserLikeButton(t *testing.T) {
	chromiumPath(t)
	s := startSite(t, siteOptions{contentDir: filepath.Join(testenv.Root(t), "content"), projectManifest: true})
	post := firstPost(t, s)
	t.Logf("post under test: %s", post)

	// Reader 1: like, then reload: still liked.
	b1 := newBrowser(t, s, "browser 1")
	b1.open(post)
	b1.waitButton("fresh page", "0", false)
	b1.do("click like", chromedp.Click(chromedp.CSS(".like-button")))
	st := b1.waitButton("after clicking like", "1", true)
	if !st.Focused {
		t.Errorf("browser 1: the button lost focus after liking: %+v", st)
	}
	if !strings.Contains(st.Status, "Thanks") {
		t.Errorf("browser 1: status after liking %q", st.Status)
	}
	b1.do("reload", chromedp.Reload())
	b1.waitButton("after reload", "1", true)

	// Reader 2, another profile: sees 1, adds the second like.
	b2 := newBrowser(t, s, "browser 2")
	b2.open(post)
	b2.waitButton("fresh profile", "1", false)
	b2.do("click like", chromedp.Click(chromedp.CSS(".like-button")))
	b2.waitButton("second reader likes", "2", true)
	b1.do("reload", chromedp.Reload())
	b1.waitButton("reader 1 after reader 2 liked", "2", true)

	// Keyboard: focus the button, Enter unlikes, Space likes again.
	b2.do("focus and Enter", chromedp.Focus(chromedp.CSS(".like-button")), chromedp.KeyEvent("\r"))
	b2.waitButton("Enter on the focused button", "1", false)
	b2.do("Space", chromedp.Focus(chromedp.CSS(".like-button")), chromedp.KeyEvent(" "))
	st = b2.waitButton("Space on the focused button", "2", true)
	if !st.Focused {
		t.Errorf("browser 2: focus not kept on the button after keyboard activation: %+v", st)
	}
	b2.do("reload", chromedp.Reload())
	b2.waitButton("reader 2 after reload", "2", true)

	// Optimistic update and roll-back: hold reader 2's unlike, check the page already
	// shows it, then answer 503: the page must return to liked/2 and say so.
	testOptimisticRollback(t, b2)

	// List pages show counts through one batch GET.
	b1.open("/")
	sel := fmt.Sprintf(`.like-count[data-like-url=%q]`, post)
	ctx, cancel := b1.timeout(20 * time.Second)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.textContent === "2"; })()`, sel),
		chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Errorf("home page does not show 2 likes for %s: %v\n%s", post, err, html)
	}
	cancel()
	batch := false
	for _, r := range b1.netLog() {
		if strings.Contains(r.url, "/likes?") && strings.Count(r.url, "url=") > 1 {
			batch = true
		}
	}
	if !batch {
		t.Errorf("the home page made no batch GET /likes?url=…&url=…: %v", b1.netLog())
	}

	// Screenshot of the post with the button liked.
	b1.open(post)
	b1.waitButton("post for the screenshot", "2", true)
	ctx, cancel = b1.timeout(20 * time.Second)
	b1.do("scroll to the button", chromedp.ScrollIntoView(chromedp.CSS(".post-footer")))
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	cancel()
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	checkPNG(t, shot)
	out := filepath.Join(t.TempDir(), "post.png")
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ScreenshotCopy, shot, 0o644); err != nil {
		t.Logf("could not copy the screenshot to %s: %v", ScreenshotCopy, err)
	} else {
		t.Logf("screenshot of %s (liked): %s (%d bytes)", post, ScreenshotCopy, len(shot))
	}

	// Without JavaScript: the button is a form POST that redirects back to the post.
	testNoJS(t, s, post)

	// Every request of every page went to the site itself, and nothing failed except
	// the answer the roll-back test forged.
	for _, b := range []*browser{b1, b2} {
		log := b.netLog()
		if len(log) < 10 {
			t.Errorf("%s: only %d requests recorded: is network recording working? %v", b.name, len(log), log)
		}
		origins := map[string]int{}
		for _, r := range log {
			u, err := url.Parse(r.url)
			if err != nil || u.Scheme+"://"+u.Host != s.url {
				origins[r.url]++
				continue
			}
			if r.status >= 400 && !((r.status == 503 || r.status == 429) && u.Path == "/likes") {
				t.Errorf("%s: %s %s answered %d", b.name, r.method, r.url, r.status)
			}
		}
		if len(origins) > 0 {
			var list []string
			for u := range origins {
				list = append(list, u)
			}
			sort.Strings(list)
			t.Errorf("%s: requests to other origins: %v", b.name, list)
		}
		b.mu.Lock()
		if len(b.exceptions) > 0 {
			t.Errorf("%s: uncaught JavaScript exceptions: %v", b.name, b.exceptions)
		}
		b.mu.Unlock()
	}
}

// firstPost returns the path of the first post page of the rendered site.
func firstPost(t *testing.T, s *site) string {
	entries, err := os.ReadDir(filepath.Join(s.dir, "public", "blog"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(s.dir, "public", "blog", e.Name(), "index.html")); err == nil {
				return "/blog/" + e.Name() + "/"
			}
		}
	}
	t.Fatal("the rendered site has no post under /blog/")
	return ""
}

func checkPNG(t *testing.T, b []byte) {
	t.Helper()
	if len(b) < 1000 || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("screenshot is not a non-empty PNG (%d bytes)", len(b))
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot does not decode as PNG: %v", err)
	}
	if r := img.Bounds(); r.Dx() < 300 || r.Dy() < 300 {
		t.Fatalf("screenshot is %v", r)
	}
}

// testOptimisticRollback: b's page is liked with count 2.
func testOptimisticRollback(t *testing.T, b *browser) {
	before := b.waitButton("before the failing unlike", "2", true)
	if _, err := chromedp.Call(b.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
		{URLPattern: "*/likes", RequestStage: fetch.RequestStageRequest},
	}}); err != nil {
		t.Fatal(err)
	}
	defer chromedp.Call(b.ctx, fetch.Disable, cdp.Empty{})
	ectx, cancel := b.timeout(20 * time.Second)
	defer cancel()
	paused := chromedp.Events(ectx, fetch.RequestPaused)
	b.do("click unlike", chromedp.Click(chromedp.CSS(".like-button")))
	var held atomic.Bool
	for ev, err := range paused {
		if err != nil {
			t.Fatalf("waiting for the unlike request: %v", err)
		}
		if ev.Request.Method != http.MethodDelete {
			t.Errorf("unlike sent as %s %s, want DELETE", ev.Request.Method, ev.Request.URL)
		}
		// The request is held: the page must already show the unlike.
		if st := b.state(); st.Pressed != "false" || st.Count != "1" {
			t.Errorf("no optimistic update while the request is in flight: %+v", st)
		}
		held.Store(true)
		if _, err := chromedp.Call(ectx, fetch.FulfillRequest, fetch.FulfillRequestParams{
			RequestID:    ev.RequestID,
			ResponseCode: http.StatusServiceUnavailable,
			ResponseHeaders: []*fetch.HeaderEntry{
				{Name: "Content-Type", Value: "application/json"},
			},
			Body: []byte(`{"error":"store unavailable"}`),
		}); err != nil {
			t.Fatal(err)
		}
		break
	}
	if !held.Load() {
		t.Fatal("the unlike request was never seen")
	}
	st := b.waitButton("after the unlike failed", before.Count, true)
	if !strings.Contains(st.Status, "Could not save") {
		t.Errorf("no error message after the failed unlike: status %q", st.Status)
	}

	// Rate limited: 429 with Retry-After rolls back too and tells when to retry.
	paused = chromedp.Events(ectx, fetch.RequestPaused)
	b.do("click unlike again", chromedp.Click(chromedp.CSS(".like-button")))
	for ev, err := range paused {
		if err != nil {
			t.Fatalf("waiting for the second unlike request: %v", err)
		}
		if _, err := chromedp.Call(ectx, fetch.FulfillRequest, fetch.FulfillRequestParams{
			RequestID:    ev.RequestID,
			ResponseCode: http.StatusTooManyRequests,
			ResponseHeaders: []*fetch.HeaderEntry{
				{Name: "Content-Type", Value: "application/json"},
				{Name: "Retry-After", Value: "42"},
			},
			Body: []byte(`{"error":"too many requests"}`),
		}); err != nil {
			t.Fatal(err)
		}
		break
	}
	st = b.waitButton("after the unlike was rate limited", before.Count, true)
	if !strings.Contains(st.Status, "42 s") {
		t.Errorf("429 message does not give Retry-After: status %q", st.Status)
	}
}

// testNoJS: a fresh profile with JavaScript disabled likes through the plain form: the
// POST answers 303 back to the post; with JavaScript back on, the page shows the like.
func testNoJS(t *testing.T, s *site, post string) {
	b := newBrowser(t, s, "browser 3 (no JS)")
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	b.open(post)
	// A plain submit button: no count and no toggle state (aria-pressed is set by likes.js).
	if st := b.state(); st.Count != "" || st.Pressed != "" {
		html, _ := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS("form.like")))
		t.Errorf("without JS the count should be empty and the button have no aria-pressed: %+v\n%s", st, html)
	}
	ctx, cancel := b.timeout(30 * time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(".like-button")))); err != nil {
		t.Fatalf("submitting the like form without JS: %v", err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if loc != s.url+post {
		t.Errorf("after the form POST the browser is at %s, want %s", loc, s.url+post)
	}
	var posted, redirected bool
	for _, r := range b.netLog() {
		if r.method == http.MethodPost && strings.HasSuffix(r.url, "/likes") {
			posted = true
			redirected = redirected || r.status == http.StatusSeeOther
		}
	}
	if !posted || !redirected {
		t.Errorf("no form POST /likes answered 303 in %v", b.netLog())
	}
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatal(err)
	}
	b.do("reload with JS", chromedp.Reload())
	b.waitButton("no-JS like seen with JS back on", "3", true)
}

// TestBrowserListPageManyPosts: with paginate above the API's batch limit (100 urls per
// GET) the "All posts" page lists more posts than one GET may ask for; every card must
// still show its count. One post has a non-ASCII URL (/blog/ünïcode/, from its file
// name): its card shows its count and its button toggles both ways.
func TestBrowserListPageManyPosts(t *testing.T) {
	chromiumPath(t)
	const posts = 130
	content := writeContent(t, posts)
	// /blog/ is paginated like the home page: one page of every post.
	cfg, err := os.ReadFile(filepath.Join(content, "site.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cfg), "paginate = 50\n") {
		t.Fatalf("writeContent's site.toml changed; set paginate above %d here:\n%s", posts+1, cfg)
	}
	testenv.WriteFile(t, filepath.Join(content, "site.toml"), strings.Replace(string(cfg), "paginate = 50\n", "paginate = 200\n", 1))
	testenv.WriteFile(t, filepath.Join(content, "blog", "ünïcode.md"), "+++\ntitle = \"Ünïcode\"\ndate = 2023-06-01\n+++\n\nA post whose URL is not ASCII.\n")
	s := startSite(t, siteOptions{contentDir: content, projectManifest: true})
	uni := "/blog/ünïcode/"
	liked := []string{postURL("post-00"), postURL(fmt.Sprintf("post-%02d", posts-1)), uni}
	for _, p := range liked {
		newReader(t, s).like(p)
	}
	b := newBrowser(t, s, "browser")
	b.open("/blog/")
	ctx, cancel := b.timeout(30 * time.Second)
	defer cancel()
	// Every card's count is filled in; the liked ones show 1. (Attributes may hold the
	// URL percent-encoded: compare decoded.)
	expr := fmt.Sprintf(`(() => {
		const cs = Array.from(document.querySelectorAll('.post-card .like-count'));
		if (cs.length !== %d) return false;
		const liked = %q.split(" ");
		return cs.every(c => c.textContent === (liked.includes(decodeURI(c.getAttribute('data-like-url'))) ? "1" : "0"));
	})()`, posts+1, strings.Join(liked, " "))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		filled, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.post-card .like-count')).filter(c => c.textContent === "").map(c => c.getAttribute('data-like-url'))`))
		t.Errorf("the /blog/ list of %d posts has cards without a count: %v: %v", posts+1, filled, err)
	}
	// The non-ASCII post's own page: count shown, like and unlike.
	b.open(uni)
	b.waitButton("non-ASCII post", "1", false)
	b.do("like", chromedp.Click(chromedp.CSS(".like-button")))
	b.waitButton("non-ASCII post liked", "2", true)
	b.do("unlike", chromedp.Click(chromedp.CSS(".like-button")))
	b.waitButton("non-ASCII post unliked", "1", false)
	if got := newReader(t, s).state(uni); got.Count != 1 {
		t.Errorf("non-ASCII post after like and unlike: %+v, want count 1", got)
	}
}
