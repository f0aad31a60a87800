package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"wasmsite/ssg/highlight"
)

// ScreenshotDir is where TestBrowserContrast saves full-page screenshots of a post in
// the light and the dark colour scheme, for people to look at (overwritten each run).
var ScreenshotDir = filepath.Join(os.TempDir(), "wasmsite-screenshots")

// contrastPost is a post with every kind of text the theme styles, a highlighted Go
// block, and a code block holding a token of every class the highlighter can emit.
func contrastPost() string {
	var tokens strings.Builder
	for _, cls := range highlight.TokenClasses() {
		if cls == "w" { // whitespace: draws nothing
			continue
		}
		fmt.Fprintf(&tokens, `<span class="line"><span class="cl"><span class="%s">Token %s: Ab1{}</span>`+"\n</span></span>", cls, cls)
	}
	return `---
title = "Readable everywhere"
created_date = "2024-04-01"
tags = ["design"]
description = "Every colour of the theme."
draft = true
---

Body text with a [link to the other post](/blog/other/), ` + "`inline code`" + `, *emphasis* and **strong** words.

> A quotation, in the muted colour.

| Column | Other |
|---|---|
| cell | cell |

` + "```go\npackage main\n\n// main prints a greeting.\nfunc main() {\n\tfmt.Println(\"hello\", 42, 'x', 3.14)\n}\n```" + `

<pre class="chroma" id="all-tokens"><code>` + tokens.String() + `</code></pre>

Footnote reference.[^1]

[^1]: The footnote, smaller.
`
}

// contrastJS returns, for every element matching the selectors given as JSON, its text
// colour, its background (the first opaque one of it and its ancestors, with
// translucent ones composited on it) and their WCAG 2 contrast ratio, as computed
// styles give them.
const contrastJS = `((sels) => {
	const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
		const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
	const over = (top, under) => ({r: top.r*top.a + under.r*(1-top.a), g: top.g*top.a + under.g*(1-top.a), b: top.b*top.a + under.b*(1-top.a), a: 1});
	const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v/12.92 : Math.pow((v+0.055)/1.055, 2.4); };
		return 0.2126*f(c.r) + 0.7152*f(c.g) + 0.0722*f(c.b); };
	const background = (el) => { const layers = [];
		for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
			if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; } }
		let out = {r: 255, g: 255, b: 255, a: 1};
		for (let i = layers.length - 1; i >= 0; i--) out = over(layers[i], out);
		return out; };
	const hex = (c) => "#" + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
	const out = [];
	for (const [label, sel] of sels) {
		const els = document.querySelectorAll(sel);
		if (!els.length) { out.push({label, sel, missing: true}); continue; }
		for (const el of els) {
			const bg = background(el); let fg = parse(getComputedStyle(el).color); if (fg.a < 1) fg = over(fg, bg);
			const l1 = lum(fg), l2 = lum(bg);
			out.push({label, sel, fg: hex(fg), bg: hex(bg), ratio: (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05)});
		}
	}
	return out;
})(%s)`

// contrastResult is one element's colours.
type contrastResult struct {
	Label, Sel string
	Missing    bool
	FG, BG     string
	Ratio      float64
}

// TestBrowserContrast checks, in headless Chromium with each colour scheme emulated,
// that every token class the highlighter can emit and the theme's text, link, muted,
// badge and button colours (the like button in both states, the search page's) reach
// WCAG AA contrast,
// 4.5:1, against the background they are drawn on. It saves full-page screenshots of
// the post in both schemes to ScreenshotDir.
func TestBrowserContrast(t *testing.T) {
	chromiumPath(t)
	content := writeFixture(t, filepath.Join(t.TempDir(), "content"), map[string]string{
		"site.toml":        "title = \"Contrast\"\nauthor = \"C\"\n",
		"blog/readable.md": contrastPost(),
		"blog/other.md":    livePost("other", "Other post", "Another post."),
		"pages/about.md":   "---\ntitle = \"About\"\n---\n\nAbout.\n",
	})
	d := startDevSite(t, content, devOptions{drafts: true})
	b := newBrowser(t, d.site, "browser")
	post := newTab(t, b, "/blog/readable/")
	post.until("the post", `!!document.querySelector(".like-button[aria-pressed]")`, 15*time.Second)
	sels := [][2]string{
		{"text", "main .content p"}, {"link", "main .content p a"}, {"muted: post meta", ".post-meta time"},
		{"muted: quotation", "blockquote p"}, {"muted: footnotes", ".footnotes li p"}, {"muted: footer", ".site-footer p"},
		{"site title", ".site-title"}, {"navigation", ".site-header nav a"}, {"tag link", ".post-meta .tags a"},
		{"inline code", ".content p code"}, {"table cell", "td"}, {"table header", "th"}, {"draft badge", ".badge-draft"},
		{"button", ".like-button .like-label"}, {"button count", ".like-button .like-count"}, {"like status", ".like-status"},
		{"older/newer link", ".prev-next a"},
	}
	for _, cls := range highlight.TokenClasses() {
		if cls != "w" {
			sels = append(sels, [2]string{"token ." + cls, "#all-tokens ." + cls})
		}
	}
	sels = append(sels, [2]string{"highlighted Go", "pre.chroma:not(#all-tokens) code span span span:not(.w)"})
	if _, err := eval[bool](post, `(() => { document.getElementById("like-status").textContent = "Thanks for the like!"; return true; })()`); err != nil {
		t.Fatal(err)
	}
	shots := map[string][]byte{}
	for _, scheme := range []string{"light", "dark"} {
		setScheme(t, post, scheme)
		checkContrast(t, post, scheme, sels)
		// The liked button: the label on the filled button.
		if _, err := eval[bool](post, `(() => { document.querySelector(".like-button").setAttribute("aria-pressed", "true"); return true; })()`); err != nil {
			t.Fatal(err)
		}
		checkContrast(t, post, scheme+", liked", [][2]string{{"liked button", ".like-button .like-label"}, {"liked count", ".like-button .like-count"}})
		if _, err := eval[bool](post, `(() => { document.querySelector(".like-button").setAttribute("aria-pressed", "false"); return true; })()`); err != nil {
			t.Fatal(err)
		}
		shots[scheme] = screenshot(t, post, "post-"+scheme+".png")
	}
	// The search page: its button, the status, the results and the marked words.
	found := newTab(t, b, "/search/?q=colour")
	found.until("search results", `document.querySelectorAll("#search-results mark").length > 0`, 15*time.Second)
	for _, scheme := range []string{"light", "dark"} {
		setScheme(t, found, scheme)
		checkContrast(t, found, scheme+", search", [][2]string{{"search button", ".search-form button"}, {"search label", ".search-form label"},
			{"search status", "#search-status"}, {"result link", "#search-results h2 a"}, {"marked word", "#search-results mark"},
			{"snippet", ".search-snippet"}})
	}
	if l, d := meanLuminance(t, shots["light"]), meanLuminance(t, shots["dark"]); d >= l/2 {
		t.Errorf("the dark screenshot is not dark: mean luminance %.2f, light %.2f", d, l)
	}
}

// setScheme emulates prefers-color-scheme in the tab.
func setScheme(t *testing.T, tb *tab, scheme string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
		t.Fatal(err)
	}
	if ok, err := eval[bool](tb, fmt.Sprintf(`matchMedia("(prefers-color-scheme: %s)").matches`, scheme)); err != nil || !ok {
		t.Fatalf("prefers-color-scheme: %s not in effect (%v)", scheme, err)
	}
}

// checkContrast requires every element of sels to reach 4.5:1.
func checkContrast(t *testing.T, tb *tab, scheme string, sels [][2]string) {
	t.Helper()
	arg, _ := json.Marshal(sels)
	results, err := eval[[]contrastResult](tb, fmt.Sprintf(contrastJS, arg))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, r := range results {
		switch {
		case r.Missing:
			t.Errorf("%s: nothing matches %s (%s)", scheme, r.Sel, r.Label)
		case r.Ratio < highlight.MinContrast:
			t.Errorf("%s: %s (%s) is %s on %s: contrast %.2f, want at least %.1f", scheme, r.Label, r.Sel, r.FG, r.BG, r.Ratio, highlight.MinContrast)
		default:
			checked++
		}
	}
	t.Logf("%s: %d elements of %d kinds reach %.1f:1", scheme, checked, len(sels), highlight.MinContrast)
}

// screenshot saves a full-page screenshot of the tab as ScreenshotDir/name and returns it.
func screenshot(t *testing.T, tb *tab, name string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	checkPNG(t, shot)
	if err := os.MkdirAll(ScreenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(ScreenshotDir, name)
	if err := os.WriteFile(p, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", p, len(shot))
	return shot
}

// meanLuminance returns the mean luminance (0 to 1) of a PNG image.
func meanLuminance(t *testing.T, b []byte) float64 {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 4 {
		for x := r.Min.X; x < r.Max.X; x += 4 {
			sum += float64(color.Gray16Model.Convert(img.At(x, y)).(color.Gray16).Y) / 65535
		}
	}
	return sum / float64((r.Dy()+3)/4*((r.Dx()+3)/4))
}
