package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// encodeImage returns a w×h image in format (jpeg or png).
func encodeImage(t *testing.T, format string, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 160, 255})
		}
	}
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// imgState is what the page says of an image.
type imgState struct {
	Width, Height     string  // attributes
	Srcset, Sizes     string  // attributes
	BoxW, BoxH        float64 // laid out, CSS px
	Complete          bool
	CurrentSrc        string
	Caption           string // of the figure holding it
	FigureHoldsImage  bool
	ParagraphHoldsImg bool
}

const imgStateJS = `((sel) => { const i = document.querySelector(sel); if (!i) return null; const r = i.getBoundingClientRect();
	const fig = i.closest("figure"), cap = fig && fig.querySelector("figcaption");
	return {width: i.getAttribute("width"), height: i.getAttribute("height"), srcset: i.getAttribute("srcset") || "", sizes: i.getAttribute("sizes") || "",
		boxW: r.width, boxH: r.height, complete: i.complete && i.naturalWidth > 0, currentSrc: i.currentSrc,
		caption: cap ? cap.textContent : "", figureHoldsImage: !!fig, paragraphHoldsImg: !!i.closest("p")}; })(%q)`

// TestBrowserImages: a photo of a page bundle and a static image get their file's
// width and height, so that their box has its final size before the image arrives;
// a titled image is a figure with its caption; raster images come with a srcset of
// copies resized at build time, from which the browser picks one for its width, and
// every copy is served at the width it claims.
func TestBrowserImages(t *testing.T) {
	chromiumPath(t)
	content := writeFixture(t, filepath.Join(t.TempDir(), "content"), map[string]string{
		"site.toml": "title = \"Images\"\n",
		"blog/trip/index.md": "---\ntitle = \"Trip\"\ncreated_date = \"2024-05-05\"\n---\n\nA day out.\n\n" +
			"![A beach at noon](beach.jpg \"At the beach\")\n\n![A plot](/img/plot.png)\n",
		"blog/trip/beach.jpg": encodeImage(t, "jpeg", 1700, 1000),
		"static/img/plot.png": encodeImage(t, "png", 900, 600),
	})
	s := startSite(t, siteOptions{contentDir: content, projectManifest: true})
	b := newBrowser(t, s, "browser")

	// Hold the photo and its copies: the page is laid out without them.
	if _, err := chromedp.Call(b.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
		{URLPattern: "*beach*", RequestStage: fetch.RequestStageRequest}}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	b.do("open the post", chromedp.Navigate(s.url+"/blog/trip/"))
	for ev, err := range paused {
		if err != nil {
			t.Fatalf("waiting for the photo's request: %v", err)
		}
		held, err := chromedp.Run(ctx, chromedp.Evaluate[imgState](fmt.Sprintf(imgStateJS, `img[src="beach.jpg"]`)))
		if err != nil {
			t.Fatal(err)
		}
		if held.Complete {
			t.Fatalf("the photo is loaded while its request is held: %+v", held)
		}
		if want := held.BoxW * 1000 / 1700; held.BoxW < 300 || math.Abs(held.BoxH-want) > 1 {
			t.Errorf("before the photo arrives its box is %.1f×%.1f, want its final %.1f×%.1f: the page would shift", held.BoxW, held.BoxH, held.BoxW, want)
		}
		if _, err := chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ev.Request.URL, "beach-800w.jpg") {
			t.Errorf("a 1024 px wide window at 1x asked for %s, want the 800 px copy", ev.Request.URL)
		}
		break
	}
	chromedp.Call(b.ctx, fetch.Disable, cdp.Empty{})

	photo := waitImage(t, b, `img[src="beach.jpg"]`)
	if photo.Width != "1700" || photo.Height != "1000" || !photo.FigureHoldsImage || photo.ParagraphHoldsImg || photo.Caption != "At the beach" {
		t.Errorf("photo: %+v; want width 1700, height 1000, in a figure captioned \"At the beach\"", photo)
	}
	// (naturalWidth is the copy's width scaled to its density: not 800.)
	if !strings.HasSuffix(photo.CurrentSrc, "/blog/trip/beach-800w.jpg") {
		t.Errorf("photo shown from %s, want the 800 px copy", photo.CurrentSrc)
	}
	plot := waitImage(t, b, `img[src="/img/plot.png"]`)
	if plot.Width != "900" || plot.Height != "600" || plot.FigureHoldsImage || math.Abs(plot.BoxH-plot.BoxW*600/900) > 1 {
		t.Errorf("plot: %+v; want 900×600, not a figure (no title)", plot)
	}
	checkSrcset(t, s.url, "/blog/trip/", photo.Srcset, 1700)
	checkSrcset(t, s.url, "/blog/trip/", plot.Srcset, 900)
}

// waitImage waits until the image at sel has loaded and returns its state.
func waitImage(t *testing.T, b *browser, sel string) imgState {
	t.Helper()
	ctx, cancel := b.timeout(20 * time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`(() => { const i = document.querySelector(%q); return !!i && i.complete && i.naturalWidth > 0; })()`, sel),
		chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("%s did not load: %v", sel, err)
	}
	st, err := chromedp.Run(ctx, chromedp.Evaluate[imgState](fmt.Sprintf(imgStateJS, sel)))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// checkSrcset fetches every candidate of srcset (relative to the page at base) and
// requires it to be an image as wide as it claims, the last one the original.
func checkSrcset(t *testing.T, site, base, srcset string, width int) {
	t.Helper()
	cands := strings.Split(srcset, ", ")
	if len(cands) < 2 || !strings.HasSuffix(cands[len(cands)-1], fmt.Sprintf(" %dw", width)) {
		t.Errorf("srcset %q: want copies and the original, %d px, last", srcset, width)
	}
	for _, c := range cands {
		u, desc, _ := strings.Cut(c, " ")
		var w int
		if _, err := fmt.Sscanf(desc, "%dw", &w); err != nil {
			t.Errorf("srcset candidate %q has no width", c)
			continue
		}
		if !strings.HasPrefix(u, "/") {
			u = base + u
		}
		resp, err := http.Get(site + u)
		if err != nil {
			t.Fatal(err)
		}
		cfg, _, err := image.DecodeConfig(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || err != nil || cfg.Width != w {
			t.Errorf("GET %s: %d, %d px wide (%v), want 200 and %d px", u, resp.StatusCode, cfg.Width, err, w)
		}
	}
}
