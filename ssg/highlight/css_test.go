package highlight

import (
	"regexp"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
)

// cssRules returns the declarations of CSS's ".chroma .class" and ".chroma"
// rules, by class ("" for .chroma), later ones overriding earlier ones as
// the cascade does for rules of equal specificity.
func cssRules(css string, into map[string]map[string]string) {
	re := regexp.MustCompile(`\.chroma(?: \.([\w-]+))? \{([^}]*)\}`)
	for _, m := range re.FindAllStringSubmatch(css, -1) {
		d := into[m[1]]
		if d == nil {
			d = map[string]string{}
			into[m[1]] = d
		}
		for _, decl := range strings.Split(m[2], ";") {
			if k, v, ok := strings.Cut(decl, ":"); ok {
				d[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
	}
}

// TestCSSContrast evaluates the stylesheet CSS writes, exactly, for every
// token class Block may write: in the light scheme its light rules apply, in
// the dark scheme the dark block's rules override them. Each class's
// colour must reach MinContrast against its background (its own, else the
// code block's), and nothing the light scheme sets may be left in force in
// the dark one unless the dark style sets it too (the leak that left
// github's #1f2328 names on #0d1117).
func TestCSSContrast(t *testing.T) {
	css := CSS()
	lightCSS, darkCSS, ok := strings.Cut(css, "@media (prefers-color-scheme: dark) {")
	if !ok {
		t.Fatal("no dark block")
	}
	light := map[string]map[string]string{}
	cssRules(lightCSS, light)
	dark := map[string]map[string]string{}
	cssRules(lightCSS, dark)
	cssRules(darkCSS, dark)
	for _, scheme := range []struct {
		name  string
		rules map[string]map[string]string
		text  string // the page's text colour, inherited where .chroma sets none
	}{{"light", light, "#1d1f21"}, {"dark", dark, ""}} {
		block := scheme.rules[""]
		fg0, bg0 := block["color"], block["background-color"]
		if fg0 == "" {
			fg0 = scheme.text
		}
		if fg0 == "" || bg0 == "" {
			t.Fatalf("%s: .chroma has colour %q on %q", scheme.name, fg0, bg0)
		}
		for _, cls := range TokenClasses() {
			if cls == chroma.StandardTypes[chroma.TextWhitespace] {
				continue // draws nothing
			}
			d := scheme.rules[cls]
			fg, bg := d["color"], d["background-color"]
			if fg == "" || fg == "inherit" {
				fg = fg0
			}
			if bg == "" || bg == "transparent" {
				bg = bg0
			}
			if c := contrast(chroma.MustParseColour(fg), chroma.MustParseColour(bg)); c < MinContrast {
				t.Errorf("%s: .chroma .%s is %s on %s: contrast %.2f", scheme.name, cls, fg, bg, c)
			}
		}
	}
	if d := dark["nx"]; d["color"] != "inherit" || dark["p"]["color"] != "inherit" {
		t.Errorf("dark .nx and .p: %v, %v; want the code block's colour", d, dark["p"])
	}
}

func TestReadable(t *testing.T) {
	white, black := chroma.MustParseColour("#ffffff"), chroma.MustParseColour("#000000")
	for _, c := range []struct{ fg, bg string }{{"#6a737d", "#f7f7f7"}, {"#1f2328", "#0d1117"}, {"#777777", "#777777"}, {"#ffffff", "#ffffff"}} {
		fg, bg := chroma.MustParseColour(c.fg), chroma.MustParseColour(c.bg)
		got := readable(fg, bg)
		if contrast(got, bg) < MinContrast {
			t.Errorf("readable(%s, %s) = %s: contrast %.2f", c.fg, c.bg, got, contrast(got, bg))
		}
		if before := readable(got, bg); before != got {
			t.Errorf("readable(%s, %s) changed a readable colour", got, c.bg)
		}
	}
	if c := contrast(white, black); c < 20.99 || c > 21.01 {
		t.Errorf("contrast(white, black) = %f, want 21", c)
	}
}
