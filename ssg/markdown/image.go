package markdown

import (
	"strconv"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// Image is what the page knows of an image it shows, for the <img> tag.
type Image struct {
	Width, Height int    // pixels, as shown
	Srcset        string // the image's smaller copies and itself ("a-480w.jpg 480w, a.jpg 1600w"); "" for none
	Sizes         string // the width it is shown at, for the browser to pick from Srcset
}

// Options configure Render.
type Options struct {
	// Images, when set, tells the size and copies of the image at a
	// destination (as written in the markdown); false when it does not
	// know it.
	Images func(dest string) (Image, bool)
	// TextLimit is how many bytes of plain text Rendered.Text keeps.
	TextLimit int
}

// decorateImage sets the attributes of an image: width, height, srcset and
// sizes when o knows it, and lazy loading and asynchronous decoding.
func decorateImage(img *ast.Image, o Options) {
	if o.Images != nil {
		if im, ok := o.Images(string(img.Destination)); ok {
			img.SetAttributeString("width", []byte(strconv.Itoa(im.Width)))
			img.SetAttributeString("height", []byte(strconv.Itoa(im.Height)))
			if im.Srcset != "" {
				img.SetAttributeString("srcset", []byte(im.Srcset))
				img.SetAttributeString("sizes", []byte(im.Sizes))
			}
		}
	}
	img.SetAttributeString("loading", []byte("lazy"))
	img.SetAttributeString("decoding", []byte("async"))
}

// captionAttr marks a paragraph rendered as a figure; its value is the
// caption.
const captionAttr = "figcaption"

// markFigure makes p, a paragraph holding nothing but an image with a title
// (![alt](photo.jpg "Caption")), a figure: the title becomes its caption
// (and leaves the image, where it would be read twice).
func markFigure(p *ast.Paragraph) {
	img, ok := p.FirstChild().(*ast.Image)
	if !ok || p.ChildCount() != 1 || len(img.Title) == 0 {
		return
	}
	p.SetAttributeString(captionAttr, img.Title)
	img.Title = nil
}

// renderParagraph renders a paragraph as goldmark does, or a figure marked
// by markFigure as <figure>…<figcaption>caption</figcaption></figure>.
func renderParagraph(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	caption, figure := node.AttributeString(captionAttr)
	switch {
	case figure && entering:
		_, _ = w.WriteString("<figure>")
	case figure:
		_, _ = w.WriteString("<figcaption>")
		html.DefaultWriter.Write(w, caption.([]byte))
		_, _ = w.WriteString("</figcaption></figure>\n")
	case entering:
		_, _ = w.WriteString("<p")
		if node.Attributes() != nil {
			html.RenderAttributes(w, node, html.ParagraphAttributeFilter)
		}
		_ = w.WriteByte('>')
	default:
		_, _ = w.WriteString("</p>\n")
	}
	return ast.WalkContinue, nil
}
