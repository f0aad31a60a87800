package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wasmsite/server/internal/testenv"
)

// The writer's loop (issue 12), end to end: the real generator in development mode
// (ssg -live, as make up runs it) beside the real host, driven by headless Chromium.

// devSite is the site served by the host while ssg -live renders its content dir.
type devSite struct {
	*site
	live   string // the generator's live-reload address
	out    *testenv.SyncBuffer
	exited chan struct{}
}

// devOptions describe a development site.
type devOptions struct {
	drafts     bool
	prebuilt   bool   // render the content for production (-gzip) before ssg -live starts
	beforeLive func() // runs after that, before ssg -live starts
}

// writeFixture writes files (slash paths relative to dir) and returns dir.
func writeFixture(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for p, c := range files {
		testenv.WriteFile(t, filepath.Join(dir, filepath.FromSlash(p)), c)
	}
	return dir
}

// startDevSite lays out the project's application around content (a content dir of
// the test's own), starts ssg -live on it and waits until its first build is done and
// its events are served, then starts the host (no-cache, as make up does).
func startDevSite(t *testing.T, content string, o devOptions) *devSite {
	t.Helper()
	app := t.TempDir()
	root := testenv.Root(t)
	testenv.CopyFile(t, filepath.Join(root, "spin.toml"), filepath.Join(app, "spin.toml"))
	testenv.CopyFile(t, testenv.Component(t, "functions/static"), filepath.Join(app, "build", "static.wasm"))
	testenv.CopyFile(t, testenv.Component(t, "functions/likes"), filepath.Join(app, "build", "likes.wasm"))
	addr := testenv.FreeAddr(t)
	s := &site{dir: app, url: "http://" + addr, siteURL: "http://" + addr, content: content}
	public := filepath.Join(app, "public")
	if o.prebuilt {
		if b, err := exec.Command(testenv.SSGBinary(t), "-content", content, "-out", public, "-base-url", s.siteURL, "-gzip").CombinedOutput(); err != nil {
			t.Fatalf("ssg: %v\n%s", err, b)
		}
	}
	if o.beforeLive != nil {
		o.beforeLive()
	}
	d := &devSite{site: s, live: testenv.FreeAddr(t), out: &testenv.SyncBuffer{}, exited: make(chan struct{})}
	args := []string{"-content", content, "-out", public, "-base-url", s.siteURL, "-live", d.live}
	if o.drafts {
		args = append(args, "-drafts")
	}
	cmd := exec.Command(testenv.SSGBinary(t), args...)
	cmd.Stdout, cmd.Stderr = d.out, d.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(d.exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-d.exited
		}
		if t.Failed() {
			t.Logf("ssg -live output:\n%s", d.out.String())
		}
	})
	d.awaitEvents(t)
	s.srv = testenv.Start(t, testenv.Options{Dir: app, Addr: addr, Args: []string{"-q", "-e", "CACHE_CONTROL=no-cache"}, Env: []string{
		"SPIN_VARIABLE_JWT_SECRET=" + newSecret, "SPIN_VARIABLE_SITE_URL=" + s.siteURL}})
	return d
}

// awaitEvents waits until the generator serves its event stream (after its first
// build), failing if it exits first.
func (d *devSite) awaitEvents(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-d.exited:
			t.Fatalf("ssg -live exited:\n%s", d.out.String())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+d.live+"/events", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		cancel()
		if err == nil && resp.StatusCode == 200 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("ssg -live serves no events after 60 s:\n%s", d.out.String())
}

// edit writes a file of the content dir, as an editor saving it.
func (d *devSite) edit(t *testing.T, rel, content string) {
	t.Helper()
	testenv.WriteFile(t, filepath.Join(d.content, filepath.FromSlash(rel)), content)
}

// waitLog waits until the generator has printed substr.
func (d *devSite) waitLog(t *testing.T, substr string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(d.out.String(), substr) {
		if time.Now().After(deadline) {
			t.Fatalf("ssg -live did not print %q:\n%s", substr, d.out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// tab is one browser tab.
type tab struct {
	t   *testing.T
	ctx context.Context
}

// newTab opens a tab of b at path.
func newTab(t *testing.T, b *browser, path string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	// Opens the tab: with no timeout, whose end would close it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	tb := &tab{t: t, ctx: ctx}
	tb.do("open "+path, chromedp.Navigate(b.site.url+path))
	return tb
}

func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression of type T in the tab.
func eval[T any](tb *tab, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}

// until polls the boolean expression every 5 ms (across page loads) until it holds,
// and returns how long that took; it fails the test after timeout.
func (tb *tab) until(what, expr string, timeout time.Duration) time.Duration {
	tb.t.Helper()
	start := time.Now()
	for {
		ok, err := eval[bool](tb, expr)
		if err == nil && ok {
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			loc, _ := eval[string](tb, "location.href + ' ' + document.title")
			tb.t.Fatalf("%s: %s still false after %s (%v; at %s)", what, expr, timeout, err, loc)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// shows is the expression "the page's text holds s".
func shows(s string) string {
	return fmt.Sprintf(`!!document.body && document.body.innerText.includes(%q)`, s)
}

// livePost is a post of the fixtures, at /blog/<slug>/.
func livePost(slug, title, body string) string {
	return fmt.Sprintf("---\ntitle = %q\ncreated_date = \"2024-03-01\"\ntags = [\"live\"]\n---\n\n%s\n", title, body)
}

// writerContent is a small site of the tests' own: two posts and a page.
func writerContent(t *testing.T) string {
	t.Helper()
	return writeFixture(t, filepath.Join(t.TempDir(), "content"), map[string]string{
		"site.toml":       "title = \"Writer's site\"\nauthor = \"W\"\ndescription = \"Edited while served\"\n",
		"blog/live.md":    livePost("live", "Live post", "First version."),
		"blog/other.md":   livePost("other", "Other post", "Another post."),
		"pages/about.md":  "---\ntitle = \"About\"\n---\n\nAbout this site.\n",
		"static/note.txt": "a static file\n",
	})
}

// TestBrowserLiveReload: with ssg -live beside the host, saving a post makes the tab
// showing it reload by itself, within the 300 ms from the save (median of five
// edits, each logged; five more when over), while a tab on a page the edit did not
// change stays as it is; a tab on a missing page shows the new post once it is
// written; a stylesheet change reloads every tab. Production builds have no trace of
// the script.
func TestBrowserLiveReload(t *testing.T) {
	chromiumPath(t)
	content := writerContent(t)
	d := startDevSite(t, content, devOptions{})
	b := newBrowser(t, d.site, "browser")
	post := newTab(t, b, "/blog/live/")
	about := newTab(t, b, "/about/")
	post.until("the post", shows("First version."), 10*time.Second)
	// A page that is not reloaded keeps its window's state.
	if _, err := eval[int](about, `window.kept = 42`); err != nil {
		t.Fatal(err)
	}

	// make test runs other packages' tests beside this one, on as few as two cores: a
	// median over the budget is measured once more (five new edits), so that a burst of
	// their work does not fail it; twice over fails.
	version := 1
	for attempt := 1; ; attempt++ {
		times := make([]time.Duration, 5)
		for i := range times {
			version++
			marker := fmt.Sprintf("Version %d, saved at %d.", version, time.Now().UnixNano())
			start := time.Now()
			d.edit(t, "blog/live.md", livePost("live", "Live post", marker))
			post.until("the edited post", shows(marker), 10*time.Second)
			times[i] = time.Since(start)
			time.Sleep(150 * time.Millisecond)
		}
		nav, _ := eval[string](post, `(() => { const n = performance.getEntriesByType("navigation")[0];
			return "request " + Math.round(n.requestStart) + " ms, response " + Math.round(n.responseEnd) + " ms, DOM ready " + Math.round(n.domContentLoadedEventEnd) + " ms after the reload began"; })()`)
		sorted := slices.Clone(times)
		slices.Sort(sorted)
		median := sorted[len(sorted)/2]
		t.Logf("save to the browser showing the change: %v (median %v); last reload: %s", times, median, nav)
		if median <= 300*time.Millisecond {
			break
		}
		if attempt == 2 {
			t.Errorf("from saving to the browser showing the change took %v (median of %v), want at most 300 ms", median, times)
			break
		}
	}
	if kept, err := eval[int](about, `window.kept || 0`); err != nil || kept != 42 {
		t.Errorf("the tab on /about/ reloaded for an edit of another post (%d, %v)", kept, err)
	}

	// A new post: the tab already open at its address (a 404 page) shows it.
	missing := newTab(t, b, "/blog/brand-new/")
	missing.until("the 404 page", shows("Page not found"), 10*time.Second)
	d.edit(t, "blog/brand-new.md", livePost("brand-new", "Brand new", "Written while the tab was open."))
	missing.until("the new post in the tab that showed a 404", shows("Written while the tab was open."), 10*time.Second)

	// A stylesheet (a template override's asset) reloads every page.
	writeFixture(t, filepath.Join(filepath.Dir(content), "templates"), map[string]string{"assets/extra.css": "body { margin: 0 }\n"})
	about.until("the /about/ tab after a stylesheet change", `window.kept === undefined`, 10*time.Second)

	// Production: no script, no trace of development mode.
	prod := t.TempDir()
	if out, err := exec.Command(testenv.SSGBinary(t), "-content", content, "-out", prod).CombinedOutput(); err != nil {
		t.Fatalf("ssg: %v\n%s", err, out)
	}
	err := filepath.WalkDir(prod, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if bytes.Contains(data, []byte("live.js")) || bytes.Contains(data, []byte("data-port")) || strings.HasSuffix(p, "live.js") {
			t.Errorf("production build: %s refers to the live-reload script", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// overlayText is the expression giving the error overlay's text, "" when none.
const overlayText = `(() => { const o = document.getElementById("ssg-error-overlay"); return o ? o.innerText : ""; })()`

// TestBrowserErrorOverlay: a post saved with an error leaves the last good page in
// place, shows the error over it (file, line and reason), also in a tab opened
// afterwards, and the overlay goes away by itself when the post is fixed.
func TestBrowserErrorOverlay(t *testing.T) {
	chromiumPath(t)
	d := startDevSite(t, writerContent(t), devOptions{})
	b := newBrowser(t, d.site, "browser")
	post := newTab(t, b, "/blog/live/")
	post.until("the post", shows("First version."), 10*time.Second)

	d.edit(t, "blog/live.md", "---\ntitle = \"Live post\"\ncreated_date = \"2024-13-01\"\n---\n\nBroken version.\n")
	post.until("the overlay", `!!document.getElementById("ssg-error-overlay")`, 10*time.Second)
	checkOverlay(t, post)
	if ok, _ := eval[bool](post, shows("First version.")); !ok {
		t.Error("the page under the overlay is not the last good one")
	}
	d.waitLog(t, "live.md:3:16: created_date: invalid date \"2024-13-01\"")
	if r := newReader(t, d.site).do("GET", "/blog/live/", "", ""); r.status != 200 || !strings.Contains(string(r.body), "First version.") {
		t.Errorf("the host does not serve the last good post: %d", r.status)
	}
	// A tab opened while the build is broken shows the error at once.
	other := newTab(t, b, "/blog/other/")
	other.until("the overlay in a new tab", `!!document.getElementById("ssg-error-overlay")`, 10*time.Second)
	checkOverlay(t, other)

	d.edit(t, "blog/live.md", livePost("live", "Live post", "Fixed version."))
	post.until("the fixed post", shows("Fixed version.")+` && !document.getElementById("ssg-error-overlay")`, 10*time.Second)
	other.until("the other tab after the fix", `!document.getElementById("ssg-error-overlay")`, 10*time.Second)
}

// checkOverlay requires the overlay to name the file, line and column, and the reason.
func checkOverlay(t *testing.T, tb *tab) {
	t.Helper()
	text, err := eval[string](tb, overlayText)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Build failed", "blog/live.md:3:16", `created_date: invalid date "2024-13-01"`, "last good build"} {
		if !strings.Contains(text, want) {
			t.Errorf("the overlay does not say %q:\n%s", want, text)
		}
	}
}

// TestBrowserServesLastGoodSite: ssg -live started on content with a broken post
// keeps serving the site built before (for production, even), prints the error, gives
// the old pages the overlay and keeps watching; with no previous site it stops with
// the error naming the file.
func TestBrowserServesLastGoodSite(t *testing.T) {
	chromiumPath(t)
	content := writerContent(t)
	bad := "---\ntitle = \"Bad\"\ncreated_date = \"yesterday\"\n---\n\nNot rendered.\n"

	// No previous site: a clear error naming the file, and the generator stops.
	empty := t.TempDir()
	writeFixture(t, content, map[string]string{"blog/bad.md": bad})
	cmd := exec.Command(testenv.SSGBinary(t), "-content", content, "-out", filepath.Join(empty, "public"), "-live", testenv.FreeAddr(t))
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 {
		t.Errorf("ssg -live with a broken post and no site: exit %d (%v), want 1", code, err)
	}
	for _, want := range []string{"blog/bad.md:3:16: created_date: invalid date \"yesterday\"", "no site to serve"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("ssg -live with no site does not say %q:\n%s", want, out)
		}
	}
	if err := os.Remove(filepath.Join(content, "blog", "bad.md")); err != nil {
		t.Fatal(err)
	}

	// A previous site, built for production; then the broken post, then make up.
	d := startDevSite(t, content, devOptions{prebuilt: true, beforeLive: func() {
		writeFixture(t, content, map[string]string{"blog/bad.md": bad})
	}})
	d.waitLog(t, "bad.md:3:16: created_date: invalid date \"yesterday\"")
	d.waitLog(t, "keeps the last good site")
	r := newReader(t, d.site)
	for _, p := range []string{"/", "/blog/live/", "/about/", "/note.txt"} {
		if got := r.do("GET", p, "", ""); got.status != 200 {
			t.Errorf("GET %s while the build is broken: %d", p, got.status)
		}
	}
	b := newBrowser(t, d.site, "browser")
	home := newTab(t, b, "/")
	home.until("the home page", shows("Live post"), 10*time.Second)
	home.until("the overlay on the last good site", `!!document.getElementById("ssg-error-overlay")`, 10*time.Second)
	if text, _ := eval[string](home, overlayText); !strings.Contains(text, "bad.md:3:16") {
		t.Errorf("overlay: %q", text)
	}
	d.edit(t, "blog/bad.md", livePost("bad", "Bad no more", "Fixed."))
	home.until("the home page after the fix", shows("Bad no more")+` && !document.getElementById("ssg-error-overlay")`, 10*time.Second)
}
