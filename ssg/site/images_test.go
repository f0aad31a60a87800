package site

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"path/filepath"
	"strings"
	"testing"
)

// imageFile encodes a w×h image as JPEG or PNG.
func imageData(t *testing.T, format string, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestImages: pages give their images the size of the file, a figure when the
// markdown image has a title, and a srcset of smaller copies made at build time
// for raster images of page bundles and static files; a new process finds the
// copies in the cache; an image replaced by a smaller one changes its page and
// its copies.
func TestImages(t *testing.T) {
	dir := t.TempDir()
	files := sampleFiles()
	files["content/blog/trip/index.md"] = post("trip", "2024-05-05", "") +
		"\n![A beach](beach.jpg \"At the beach\")\n\n![Plot](/img/plot.png)\n\n![Logo](logo.svg)\n"
	files["content/blog/trip/beach.jpg"] = imageData(t, "jpeg", 1700, 1000)
	files["content/blog/trip/logo.svg"] = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="32"/>`
	files["content/static/img/plot.png"] = imageData(t, "png", 900, 600)
	writeTree(t, dir, files)
	opts := Options{ContentDir: filepath.Join(dir, "content"), OutDir: filepath.Join(dir, "public")}
	b := NewBuilder(opts)
	res, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if res.Resized != 2 {
		t.Errorf("resized %d images, want 2", res.Resized)
	}
	out := readTree(t, opts.OutDir)
	page := out["blog/trip/index.html"]
	sizes := `sizes="(min-width: 44rem) 41.5rem, calc(100vw - 2.5rem)"`
	for _, want := range []string{
		`<figure><img src="beach.jpg" alt="A beach" width="1700" height="1000" srcset="beach-480w.jpg 480w, beach-800w.jpg 800w, beach-1200w.jpg 1200w, beach.jpg 1700w" ` + sizes + ` loading="lazy" decoding="async"><figcaption>At the beach</figcaption></figure>`,
		`<img src="/img/plot.png" alt="Plot" width="900" height="600" srcset="/img/plot-480w.png 480w, /img/plot-800w.png 800w, /img/plot.png 900w" ` + sizes,
		`<img src="logo.svg" alt="Logo" width="64" height="32" loading="lazy" decoding="async">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for f, w := range map[string]int{"blog/trip/beach-480w.jpg": 480, "blog/trip/beach-800w.jpg": 800, "blog/trip/beach-1200w.jpg": 1200, "img/plot-480w.png": 480, "img/plot-800w.png": 800} {
		cfg, _, err := image.DecodeConfig(strings.NewReader(out[f]))
		if err != nil || cfg.Width != w {
			t.Errorf("%s: %d px wide (%v), want %d", f, cfg.Width, err, w)
		}
	}
	if _, ok := out["blog/trip/beach-1600w.jpg"]; ok {
		t.Error("a copy nearly as wide as the image was made")
	}
	if !strings.Contains(out["feed.xml"], "https://example.org/blog/trip/beach-480w.jpg 480w") {
		t.Error("the feed's srcset is not absolute")
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings: %v", res.Warnings)
	}

	// A new process: the copies come from the cache.
	if res, err := Build(opts); err != nil || res.Resized != 0 {
		t.Errorf("a second process resized %d images (%v), want 0", res.Resized, err)
	}

	// The photo replaced by a smaller one.
	writeTree(t, dir, map[string]string{"content/blog/trip/beach.jpg": imageData(t, "jpeg", 820, 500)})
	if _, err := b.BuildChanged([]string{filepath.Join(dir, "content/blog/trip/beach.jpg")}); err != nil {
		t.Fatal(err)
	}
	out = readTree(t, opts.OutDir)
	if !strings.Contains(out["blog/trip/index.html"], `width="820" height="500" srcset="beach-480w.jpg 480w, beach.jpg 820w"`) {
		t.Error("the page does not show the new photo's size")
	}
	if _, ok := out["blog/trip/beach-800w.jpg"]; ok {
		t.Error("a copy of the old photo is left")
	}
}
