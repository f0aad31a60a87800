package e2e

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// searchState is what the search page shows.
type searchState struct {
	Status string
	Titles []string
	Links  []string
	Marks  []string
	Query  string // the input's value
	Search string // location.search
}

const searchStateJS = `(() => ({
	status: document.getElementById("search-status").textContent,
	titles: Array.from(document.querySelectorAll("#search-results h2 a")).map((a) => a.textContent),
	links: Array.from(document.querySelectorAll("#search-results h2 a")).map((a) => a.getAttribute("href")),
	marks: Array.from(document.querySelectorAll("#search-results mark")).map((m) => m.textContent),
	query: document.getElementById("search-q").value,
	search: location.search,
}))()`

// TestBrowserSearch: the navigation links to /search/; typing there searches the
// build-time index in the browser (titles, tags, descriptions and text, accents
// folded, every word required), shows the results with the words marked, keeps the
// query in the address (a reload or a shared link shows the same results) and asks
// nothing of any other origin. Without JavaScript the page still has the form and
// says where to find posts.
func TestBrowserSearch(t *testing.T) {
	chromiumPath(t)
	content := writeFixture(t, filepath.Join(t.TempDir(), "content"), map[string]string{
		"site.toml":            "title = \"Searchable\"\n",
		"blog/bremen.md":       "---\ntitle = \"Walking in Bremen\"\ncreated_date = \"2024-02-01\"\ntags = [\"travel\"]\n---\n\nThe old town by the Weser, then the Schnoor quarter.\n",
		"blog/cooking.md":      "---\ntitle = \"Cooking with Go\"\ncreated_date = \"2024-03-01\"\ntags = [\"go\"]\ndescription = \"Recipes as programs.\"\n---\n\nA stew, written as a state machine.\n",
		"blog/unicode.md":      "---\ntitle = \"Ünïcode in titles\"\ncreated_date = \"2024-04-01\"\n---\n\nAccents and the like.\n",
		"blog/travel-notes.md": "---\ntitle = \"Notes\"\ncreated_date = \"2024-05-01\"\ntags = [\"travel\"]\n---\n\nPacking lists for trains.\n",
		"pages/about.md":       "---\ntitle = \"About\"\n---\n\nA page about the weser too.\n",
	})
	s := startSite(t, siteOptions{contentDir: content, projectManifest: true})
	b := newBrowser(t, s, "browser")
	b.open("/")
	b.do("follow the navigation's Search link", chromedp.Click(chromedp.CSS(`.site-header a[href="/search/"]`)), chromedp.WaitVisible(chromedp.CSS("#search-q")))
	search := func(q string) searchState {
		t.Helper()
		ctx, cancel := b.timeout(15 * time.Second)
		defer cancel()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { document.getElementById("search-q").value = ""; return true; })()`)); err != nil {
			t.Fatal(err)
		}
		b.do("type "+q, chromedp.SendKeys(chromedp.CSS("#search-q"), q))
		want := fmt.Sprintf(`(() => { const s = document.getElementById("search-status").textContent; return s.includes(%q) && !s.startsWith("Searching"); })()`, q)
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](want, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			st, _ := chromedp.Run(ctx, chromedp.Evaluate[searchState](searchStateJS))
			t.Fatalf("searching %q: no results shown: %+v (%v)", q, st, err)
		}
		st, err := chromedp.Run(ctx, chromedp.Evaluate[searchState](searchStateJS))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	for _, c := range []struct {
		q      string
		titles []string
		marks  []string
	}{
		{"bremen", []string{"Walking in Bremen"}, nil},
		{"weser", []string{"Walking in Bremen", "About"}, []string{"Weser", "weser"}},
		{"travel", []string{"Notes", "Walking in Bremen"}, nil}, // tags; newest first on equal scores
		{"unicode", []string{"Ünïcode in titles"}, nil},         // accents folded
		{"GO recipes", []string{"Cooking with Go"}, nil},        // every word, any case
		{"stew bremen", nil, nil},
	} {
		st := search(c.q)
		if strings.Join(st.Titles, "|") != strings.Join(c.titles, "|") {
			t.Errorf("search %q: results %q, want %q (%+v)", c.q, st.Titles, c.titles, st)
		}
		if c.marks != nil && strings.Join(st.Marks, "|") != strings.Join(c.marks, "|") {
			t.Errorf("search %q: marked %q, want %q", c.q, st.Marks, c.marks)
		}
		if len(c.titles) == 0 && !strings.HasPrefix(st.Status, "No results") {
			t.Errorf("search %q: status %q, want No results", c.q, st.Status)
		}
		if st.Search != "?q="+url.QueryEscape(c.q) && st.Search != "?q="+strings.ReplaceAll(url.QueryEscape(c.q), "+", "%20") {
			t.Errorf("search %q: the address says %q", c.q, st.Search)
		}
	}
	// A shared link: the results are there on load; the result links work.
	b.open("/search/?q=cooking")
	ctx, cancel := b.timeout(15 * time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll("#search-results h2 a").length === 1`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("a link to /search/?q=cooking shows no result: %v", err)
	}
	b.do("open the result", chromedp.Click(chromedp.CSS("#search-results h2 a")), chromedp.WaitVisible(chromedp.CSS("article.post")))
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != s.url+"/blog/cooking/" {
		t.Errorf("the result led to %s", loc)
	}
	for _, r := range b.netLog() {
		if !strings.HasPrefix(r.url, s.url) {
			t.Errorf("request to another origin: %s", r.url)
		}
	}

	// Without JavaScript: the form and a way to find posts.
	nojs := newBrowser(t, s, "browser without JS")
	if _, err := chromedp.Call(nojs.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	nojs.open("/search/?q=bremen")
	nctx, ncancel := nojs.timeout(10 * time.Second)
	defer ncancel()
	text, err := chromedp.Run(nctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
	if err != nil || !strings.Contains(text, "needs JavaScript") || !strings.Contains(text, "list of posts") {
		t.Errorf("without JavaScript /search/ says: %q (%v)", text, err)
	}
	if ok, _ := chromedp.Run(nctx, chromedp.Evaluate[bool](`!!document.querySelector("form.search-form input[name=q]") && !!document.querySelector('main a[href="/blog/"]')`)); !ok {
		t.Error("without JavaScript /search/ has no form or no link to the posts")
	}
}
