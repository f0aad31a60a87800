package site

import (
	"net/url"
	"path"
	"strconv"
	"strings"

	"wasmsite/ssg/images"
	"wasmsite/ssg/markdown"
	"wasmsite/ssg/source"
	"wasmsite/ssg/theme"
)

// fileIndex maps the content's static and other files by Rel: the files
// pages may show as images. The map is made when first needed in a build;
// build it before concurrent gets.
type fileIndex struct {
	files source.Files
	m     map[string]source.File
}

// build makes the map, unless made.
func (x *fileIndex) build() {
	if x.m != nil {
		return
	}
	x.m = make(map[string]source.File, len(x.files.Static)+len(x.files.Other))
	for _, l := range [][]source.File{x.files.Static, x.files.Other} {
		for _, f := range l {
			x.m[f.Rel] = f
		}
	}
}

// get returns the file at rel.
func (x *fileIndex) get(rel string) (source.File, bool) {
	x.build()
	f, ok := x.m[rel]
	return f, ok
}

// imageDep is an image file a page shows, as it was when the page was
// rendered, and what the page says of it.
type imageDep struct {
	file  source.File
	image markdown.Image // zero when its size could not be read
}

// imageResolver returns what markdown.Options.Images needs for the page
// source f: the size of the image files it shows, and their copies. Each
// file it looks at is added to deps, so that a change of it renders the
// page again.
func (b *Builder) imageResolver(f source.File, index *fileIndex, deps *[]imageDep) func(string) (markdown.Image, bool) {
	return func(dest string) (markdown.Image, bool) {
		rel, ok := imageFile(f.Rel, dest)
		if !ok {
			return markdown.Image{}, false
		}
		file, ok := index.get(rel)
		if !ok {
			return markdown.Image{}, false // a broken link: warned about
		}
		im, ok := b.imageOf(file, dest)
		*deps = append(*deps, imageDep{file, im})
		return im, ok
	}
}

// imageOf returns the size and copies of the image file shown at dest;
// false when its size cannot be read.
func (b *Builder) imageOf(file source.File, dest string) (markdown.Image, bool) {
	info, err := b.images.Info(file.ReadPath(), file.Mtime, file.Size)
	if err != nil {
		return markdown.Image{}, false
	}
	im := markdown.Image{Width: info.Width, Height: info.Height}
	if ws := info.Widths(); len(ws) > 0 && !strings.ContainsAny(dest, "?#") {
		var set []string
		for _, w := range ws {
			set = append(set, images.VariantName(dest, w)+" "+strconv.Itoa(w)+"w")
		}
		im.Srcset = strings.Join(append(set, dest+" "+strconv.Itoa(info.Width)+"w"), ", ")
		im.Sizes = theme.ImageSizes
	}
	return im, true
}

// imageFile returns the content file (Rel) that an image destination of
// the page source at pageRel names, if it is one that is published: a
// site-absolute path, under static/; a relative one, in the page's bundle
// (beside an index.md, or below it).
func imageFile(pageRel, dest string) (string, bool) {
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.Path == "" || !images.IsImage(u.Path) {
		return "", false
	}
	if strings.HasPrefix(u.Path, "/") {
		rel := path.Clean("static" + u.Path)
		return rel, strings.HasPrefix(rel, "static/")
	}
	if path.Base(pageRel) != "index.md" {
		return "", false
	}
	dir := path.Dir(pageRel)
	rel := path.Join(dir, u.Path)
	return rel, strings.HasPrefix(rel, dir+"/")
}

// depsChanged reports whether a file a cached page depends on is gone or
// has another stamp.
func depsChanged(deps []imageDep, index *fileIndex) bool {
	for _, d := range deps {
		if f, ok := index.get(d.file.Rel); !ok || f.Mtime != d.file.Mtime || f.Size != d.file.Size || f.Link != d.file.Link {
			return true
		}
	}
	return false
}

// depsKey returns the key of what a page says of the images it shows: an
// image file edited without changing its size leaves the page's key, and
// so the lists and feeds showing the page, as they were.
func (b *Builder) depsKey(deps []imageDep) uint64 {
	k := b.keys.New()
	for _, d := range deps {
		im := d.image
		k.Text(d.file.Rel).Number(uint64(im.Width)).Number(uint64(im.Height)).Text(im.Srcset).Text(im.Sizes)
	}
	return k.Key()
}
