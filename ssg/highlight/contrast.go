package highlight

import (
	"math"
	"strings"

	"github.com/alecthomas/chroma/v2"
)

// MinContrast is the contrast ratio every token's text reaches against its
// background: WCAG 2's level AA for normal text.
const MinContrast = 4.5

// contrastFixes returns CSS rules giving each token class of style whose
// colour falls below MinContrast against its background (the token's own,
// else the style's) the nearest colour that reaches it, towards black on a
// light background and towards white on a dark one. Whitespace tokens,
// which draw nothing, are left alone.
func contrastFixes(style *chroma.Style) string {
	bg := style.Get(chroma.Background).Background
	var b strings.Builder
	for _, tt := range sortedTypes() {
		cls := chroma.StandardTypes[tt]
		if cls == "" || structural[tt] || tt == chroma.TextWhitespace {
			continue
		}
		e := style.Get(tt)
		if !e.Colour.IsSet() {
			continue
		}
		back := bg
		if e.Background.IsSet() {
			back = e.Background
		}
		if fixed := readable(e.Colour, back); fixed != e.Colour {
			b.WriteString("/* " + tt.String() + ", contrast */ .chroma ." + cls + " { color: " + fixed.String() + " }\n")
		}
	}
	return b.String()
}

// readable returns fg, or if its contrast against bg is below MinContrast,
// fg mixed with black (bg light) or white (bg dark) in the smallest step of
// 1% that reaches it.
func readable(fg, bg chroma.Colour) chroma.Colour {
	if contrast(fg, bg) >= MinContrast {
		return fg
	}
	target := chroma.NewColour(255, 255, 255)
	if luminance(bg) > 0.18 { // the luminance whose contrast with black and white is equal
		target = chroma.NewColour(0, 0, 0)
	}
	for i := 1; i <= 100; i++ {
		if c := mix(fg, target, float64(i)/100); contrast(c, bg) >= MinContrast {
			return c
		}
	}
	return target
}

// mix returns a blended with b in the proportion t (0: a, 1: b).
func mix(a, b chroma.Colour, t float64) chroma.Colour {
	m := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + (float64(y)-float64(x))*t)) }
	return chroma.NewColour(m(a.Red(), b.Red()), m(a.Green(), b.Green()), m(a.Blue(), b.Blue()))
}

// contrast returns the WCAG 2 contrast ratio of two colours, from 1 to 21.
func contrast(a, b chroma.Colour) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// luminance returns the WCAG 2 relative luminance of c, from 0 to 1.
func luminance(c chroma.Colour) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.Red()) + 0.7152*lin(c.Green()) + 0.0722*lin(c.Blue())
}
