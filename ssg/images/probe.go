// Package images reads the size of the images a site publishes and makes
// the smaller copies of its raster images that pages offer browsers in
// srcset: resized at build time with golang.org/x/image/draw and cached on
// disk by content, so that an unchanged image is never resized again.
package images

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // registers GIF for DecodeConfig
	"image/jpeg"
	"image/png"
	"os"
	"path"
	"strings"

	_ "golang.org/x/image/webp" // registers WebP for DecodeConfig
)

// Info is what a page needs to know of an image file.
type Info struct {
	// Width and Height are the image's size in pixels as browsers show it:
	// for a JPEG whose EXIF orientation turns it by 90°, swapped.
	Width, Height int
	// Format is "jpeg", "png", "gif", "webp" or "svg".
	Format string
	// Orientation is the EXIF orientation of a JPEG (1 to 8; 1 is upright).
	Orientation int
}

// Extensions of the files Probe reads, by format.
var formats = map[string]string{".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".gif": "gif", ".webp": "webp", ".svg": "svg"}

// IsImage reports whether the file at p (by its extension) is an image
// Probe reads.
func IsImage(p string) bool { _, ok := formats[strings.ToLower(path.Ext(p))]; return ok }

// Probe returns the Info of the image file at p, reading only its header
// (an SVG's root element). Errors are those of reading it and name p; an
// image whose size cannot be told is an error.
func Probe(p string) (Info, error) {
	format, ok := formats[strings.ToLower(path.Ext(p))]
	if !ok {
		return Info{}, fmt.Errorf("%s: not an image file", p)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return Info{}, err
	}
	var info Info
	if format == "svg" {
		info, err = probeSVG(data)
	} else {
		info, err = probeRaster(data)
	}
	if err != nil {
		return Info{}, fmt.Errorf("%s: %w", p, err)
	}
	return info, nil
}

// probeRaster returns the Info of a GIF, JPEG, PNG or WebP image.
func probeRaster(data []byte) (Info, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Info{}, err
	}
	info := Info{Width: cfg.Width, Height: cfg.Height, Format: format, Orientation: 1}
	if format == "jpeg" {
		info.Orientation = jpegOrientation(data)
		if info.Orientation >= 5 { // turned by 90°
			info.Width, info.Height = info.Height, info.Width
		}
	}
	return info, nil
}

// Resizable reports whether smaller copies of the image can be made: JPEG
// and PNG (GIF may be animated, and WebP cannot be written here).
func (i Info) Resizable() bool { return i.Format == "jpeg" || i.Format == "png" }

// encode writes img in format (jpeg or png).
func encode(img image.Image, format string) ([]byte, error) {
	var b bytes.Buffer
	var err error
	if format == "jpeg" {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: jpegQuality})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, img)
	}
	return b.Bytes(), err
}
