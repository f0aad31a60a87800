package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// TestBrowserLikeLayout: the "Thanks for the like!" status appears next to the button,
// on its line, not below the footer; the counts of the home page show a placeholder
// until the likes API answers (and the line is hidden without JavaScript).
func TestBrowserLikeLayout(t *testing.T) {
	chromiumPath(t)
	s := startSite(t, siteOptions{contentDir: writeContent(t, 3), projectManifest: true})
	b := newBrowser(t, s, "browser")
	b.open(postURL("post-01"))
	b.waitButton("fresh page", "0", false)
	b.do("click like", chromedp.Click(chromedp.CSS(".like-button")))
	b.waitButton("after liking", "1", true)
	type box struct{ Top, Bottom, Left, Right float64 }
	type layout struct {
		Status, Button, Footer box
		Text                   string
	}
	ctx, cancel := b.timeout(10 * time.Second)
	defer cancel()
	l, err := chromedp.Run(ctx, chromedp.Evaluate[layout](`(() => {
		const r = (sel) => { const x = document.querySelector(sel).getBoundingClientRect(); return {top: x.top, bottom: x.bottom, left: x.left, right: x.right}; };
		return {status: r("#like-status"), button: r(".like-button"), footer: r(".site-footer"), text: document.getElementById("like-status").textContent};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(l.Text, "Thanks") {
		t.Errorf("status %q", l.Text)
	}
	mid := (l.Status.Top + l.Status.Bottom) / 2
	if mid < l.Button.Top || mid > l.Button.Bottom || l.Status.Left < l.Button.Right || l.Status.Bottom > l.Footer.Top {
		t.Errorf("the status is not beside the button, above the footer: status %+v, button %+v, footer %+v", l.Status, l.Button, l.Footer)
	}

	// The home page while the likes API has not answered: a placeholder. (In the URL
	// pattern "?" matches any one character unless escaped: "*/likes?*" would also hold
	// back /assets/likes.js whenever the browser revalidates it.)
	if _, err := chromedp.Call(b.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
		{URLPattern: `*/likes\?*`, RequestStage: fetch.RequestStageRequest}}}); err != nil {
		t.Fatal(err)
	}
	ectx, ecancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer ecancel()
	paused := chromedp.Events(ectx, fetch.RequestPaused)
	b.do("open home", chromedp.Navigate(s.url+"/"))
	placeholder := `Array.from(document.querySelectorAll(".card-likes .like-count")).map((c) => c.textContent === "" && getComputedStyle(c, "::before").content.includes("…") && getComputedStyle(c.parentElement).display !== "none")`
	for ev, err := range paused {
		if err != nil {
			t.Fatalf("waiting for the counts request: %v", err)
		}
		shown, err := chromedp.Run(ectx, chromedp.Evaluate[[]bool](placeholder))
		if err != nil || len(shown) != 3 {
			t.Fatalf("home page cards while the counts load: %v (%v), want 3", shown, err)
		}
		for i, ok := range shown {
			if !ok {
				t.Errorf("card %d shows no placeholder while the counts load", i)
			}
		}
		if _, err := chromedp.Call(ectx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID}); err != nil {
			t.Fatal(err)
		}
		break
	}
	chromedp.Call(b.ctx, fetch.Disable, cdp.Empty{})
	sel := `.card-likes .like-count[data-like-url="` + postURL("post-01") + `"]`
	if _, err := chromedp.Run(ectx, chromedp.Poll[bool](`document.querySelector('`+sel+`').textContent === "1"`, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Errorf("the count did not replace the placeholder: %v", err)
	}

	// Without JavaScript, counts cannot load: the line is not shown.
	nojs := newBrowser(t, s, "browser without JS")
	if _, err := chromedp.Call(nojs.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	nojs.open("/")
	nctx, ncancel := nojs.timeout(10 * time.Second)
	defer ncancel()
	if hidden, err := chromedp.Run(nctx, chromedp.Evaluate[bool](`document.querySelectorAll(".card-likes").length === 3 && Array.from(document.querySelectorAll(".card-likes")).every((c) => getComputedStyle(c).display === "none")`)); err != nil || !hidden {
		t.Errorf("without JavaScript the like counts of the home page are shown (%v)", err)
	}
}
