package images

import (
	"bytes"
	"encoding/xml"
	"errors"
	"math"
	"strconv"
	"strings"
)

// probeSVG returns the size of an SVG image: its root's width and height
// (in px, or without a unit), else its viewBox's.
func probeSVG(data []byte) (Info, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	for {
		tok, err := dec.Token()
		if err != nil {
			return Info{}, errors.New("no <svg> element")
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if el.Name.Local != "svg" {
			return Info{}, errors.New("the root element is not <svg>")
		}
		var w, h float64
		var box []string
		for _, a := range el.Attr {
			switch a.Name.Local {
			case "width":
				w = svgLength(a.Value)
			case "height":
				h = svgLength(a.Value)
			case "viewBox":
				box = strings.Fields(strings.ReplaceAll(a.Value, ",", " "))
			}
		}
		if (w == 0 || h == 0) && len(box) == 4 {
			bw, err1 := strconv.ParseFloat(box[2], 64)
			bh, err2 := strconv.ParseFloat(box[3], 64)
			if err1 == nil && err2 == nil && bw > 0 && bh > 0 {
				switch {
				case w > 0:
					h = w * bh / bw
				case h > 0:
					w = h * bw / bh
				default:
					w, h = bw, bh
				}
			}
		}
		if w <= 0 || h <= 0 {
			return Info{}, errors.New("<svg> has neither a width and height in px nor a viewBox")
		}
		return Info{Width: int(math.Round(w)), Height: int(math.Round(h)), Format: "svg", Orientation: 1}, nil
	}
}

// svgLength returns a length in px (a number, optionally "px"), or 0 for
// anything else (percentages, ems).
func svgLength(s string) float64 {
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "px"), 64)
	if err != nil || v < 0 {
		return 0
	}
	return v
}
