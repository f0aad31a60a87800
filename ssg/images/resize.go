package images

import (
	"bytes"
	"image"
	"math"
	"path"
	"strconv"
	"strings"

	"golang.org/x/image/draw"
)

// jpegQuality is the quality of the JPEG copies.
const jpegQuality = 85

// ladder are the widths, in pixels, of the copies of raster images.
var ladder = []int{480, 800, 1200, 1600}

// Widths returns the widths of the copies made of the image: those of the
// ladder below 90% of its own width (a copy nearly as large is no saving);
// none unless it is Resizable.
func (i Info) Widths() []int {
	if !i.Resizable() {
		return nil
	}
	var ws []int
	for _, w := range ladder {
		if w*10 < i.Width*9 {
			ws = append(ws, w)
		}
	}
	return ws
}

// VariantName returns the name of the copy of the image at p (a file path
// or URL path) that is w pixels wide: photo.jpg → photo-480w.jpg.
func VariantName(p string, w int) string {
	ext := path.Ext(p)
	return strings.TrimSuffix(p, ext) + "-" + strconv.Itoa(w) + "w" + ext
}

// resizeAll decodes src, an image whose Info is info, and returns a copy
// at each of widths (shown upright, EXIF orientation applied, and encoded
// in the image's format), keeping its aspect ratio.
func resizeAll(src []byte, info Info, widths []int) (map[int][]byte, error) {
	img, _, err := image.Decode(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	out := make(map[int][]byte, len(widths))
	for _, w := range widths {
		h := max(1, int(math.Round(float64(w)*float64(info.Height)/float64(info.Width))))
		sw, sh := w, h // the copy's size before orienting
		if info.Orientation >= 5 {
			sw, sh = h, w
		}
		dst := image.NewRGBA(image.Rect(0, 0, sw, sh))
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
		data, err := encode(orient(dst, info.Orientation), info.Format)
		if err != nil {
			return nil, err
		}
		out[w] = data
	}
	return out, nil
}
