package images

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// testImage returns a w×h image: red in its top-left quarter, blue elsewhere.
func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{0, 0, 255, 255}
			if x < w/2 && y < h/2 {
				c = color.RGBA{255, 0, 0, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// withOrientation returns the JPEG data with an Exif APP1 segment saying
// orientation o, big- or little-endian.
func withOrientation(data []byte, o uint16, bo binary.ByteOrder) []byte {
	tiff := make([]byte, 8+2+12+4)
	if bo == binary.LittleEndian {
		copy(tiff, "II")
	} else {
		copy(tiff, "MM")
	}
	bo.PutUint16(tiff[2:], 42)
	bo.PutUint32(tiff[4:], 8)
	bo.PutUint16(tiff[8:], 1)
	bo.PutUint16(tiff[10:], 0x0112)
	bo.PutUint16(tiff[12:], 3)
	bo.PutUint32(tiff[14:], 1)
	bo.PutUint16(tiff[18:], o)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	return append(append(append([]byte{}, data[:2]...), append(app1, seg...)...), data[2:]...)
}

func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func encoded(t *testing.T, img image.Image, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, nil)
	case "gif":
		err = gif.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestProbe(t *testing.T) {
	dir := t.TempDir()
	jpg := encoded(t, testImage(300, 200), "jpeg")
	for _, c := range []struct {
		name string
		data []byte
		want Info
	}{
		{"a.png", encoded(t, testImage(300, 200), "png"), Info{300, 200, "png", 1}},
		{"a.jpg", jpg, Info{300, 200, "jpeg", 1}},
		{"turned.JPG", withOrientation(jpg, 6, binary.BigEndian), Info{200, 300, "jpeg", 6}},
		{"flipped.jpeg", withOrientation(jpg, 3, binary.LittleEndian), Info{300, 200, "jpeg", 3}},
		{"a.gif", encoded(t, testImage(30, 20), "gif"), Info{30, 20, "gif", 1}},
		{"sized.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="120px" height="80"><g/></svg>`), Info{120, 80, "svg", 1}},
		{"box.svg", []byte(`<svg viewBox="0 0 32 16"></svg>`), Info{32, 16, "svg", 1}},
		{"wide.svg", []byte(`<svg width="64" viewBox="0,0,32,16"/>`), Info{64, 32, "svg", 1}},
	} {
		got, err := Probe(write(t, dir, c.name, c.data))
		if err != nil || got != c.want {
			t.Errorf("Probe(%s) = %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
	for _, bad := range []struct{ name, data string }{{"x.png", "PNG"}, {"x.svg", "<html/>"}, {"y.svg", `<svg width="50%"/>`}, {"x.txt", "text"}} {
		if info, err := Probe(write(t, dir, bad.name, []byte(bad.data))); err == nil {
			t.Errorf("Probe(%s) = %+v, want an error", bad.name, info)
		}
	}
}

func TestWidthsAndNames(t *testing.T) {
	for _, c := range []struct {
		info Info
		want []int
	}{
		{Info{Width: 2000, Format: "jpeg"}, []int{480, 800, 1200, 1600}},
		{Info{Width: 1300, Format: "png"}, []int{480, 800}},
		{Info{Width: 500, Format: "png"}, nil},
		{Info{Width: 2000, Format: "gif"}, nil},
		{Info{Width: 2000, Format: "svg"}, nil},
	} {
		if got := c.info.Widths(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v.Widths() = %v, want %v", c.info, got, c.want)
		}
	}
	if got := VariantName("/img/a.b/photo.jpg", 480); got != "/img/a.b/photo-480w.jpg" {
		t.Errorf("VariantName = %s", got)
	}
}

// TestVariants makes the copies of a turned JPEG and a PNG: their sizes, their
// content upright (red still top-left), and a cache that a new Table finds.
func TestVariants(t *testing.T) {
	dir := t.TempDir()
	// Stored 1000×2000 with orientation 8 (turned 90° anticlockwise when shown):
	// shown 2000×1000. The stored red quarter (top-left) is shown bottom-left.
	stored := testImage(1000, 2000)
	jpg := write(t, dir, "photo.jpg", withOrientation(encoded(t, stored, "jpeg"), 8, binary.BigEndian))
	pngFile := write(t, dir, "plot.png", encoded(t, testImage(1000, 500), "png"))
	cache := filepath.Join(dir, "cache")
	tab := NewTable(cache)
	for _, c := range []struct {
		path       string
		w, h       int
		redAt      image.Point // a point of the red quarter, in the copy
		format     string
		wantWidths []int
	}{
		{jpg, 800, 400, image.Pt(100, 300), "jpeg", []int{480, 800, 1200, 1600}},
		{pngFile, 480, 240, image.Pt(50, 50), "png", []int{480, 800}},
	} {
		st, _ := os.Stat(c.path)
		info, err := tab.Info(c.path, st.ModTime().UnixNano(), st.Size())
		if err != nil || !reflect.DeepEqual(info.Widths(), c.wantWidths) {
			t.Fatalf("%s: %+v %v", c.path, info, err)
		}
		var b bytes.Buffer
		if err := tab.Variant(c.path, info, c.w)(&b); err != nil {
			t.Fatal(err)
		}
		img, format, err := image.Decode(&b)
		if err != nil || format != c.format || img.Bounds().Dx() != c.w || img.Bounds().Dy() != c.h {
			t.Fatalf("%s at %d: %s %v (%v)", c.path, c.w, format, img.Bounds(), err)
		}
		if r, _, bl, _ := img.At(c.redAt.X, c.redAt.Y).RGBA(); r < 0xc000 || bl > 0x4000 {
			t.Errorf("%s at %d: not red at %v: the copy is not upright", c.path, c.w, c.redAt)
		}
	}
	if tab.Resized() != 2 {
		t.Errorf("resized %d sources, want 2", tab.Resized())
	}
	// Another width of a source already resized, and a new Table (a new
	// process): from the cache.
	st, _ := os.Stat(jpg)
	info, _ := tab.Info(jpg, st.ModTime().UnixNano(), st.Size())
	again := NewTable(cache)
	for _, tb := range []*Table{tab, again} {
		var b bytes.Buffer
		if err := tb.Variant(jpg, info, 1600)(&b); err != nil || b.Len() == 0 {
			t.Fatal(err)
		}
	}
	if tab.Resized() != 2 || again.Resized() != 0 {
		t.Errorf("cached copies resized again: %d, %d", tab.Resized(), again.Resized())
	}
}
