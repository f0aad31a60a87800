// Package source finds the inputs in a content directory and decodes the
// front matter of markdown sources. Its errors about a source's content are
// *Error, located by line and column.
package source

import "wasmsite/ssg/disk"

// File is a file of the content directory as Scan found it.
type File struct {
	// Path is the file's path as shown in messages: the content directory
	// joined with Rel.
	Path string
	// Rel is the slash-separated path relative to the content directory.
	Rel string
	// Link is, for a symbolic link, the absolute path of the file it
	// resolves to (inside the content directory), read instead of Path;
	// "" for a plain file.
	Link string
	// Mtime (ns since the Unix epoch) and Size (bytes) are the file's
	// modification time and size at the scan (of Link's file for a link).
	Mtime, Size int64
}

// ReadPath returns the path the file's content is read from: Link for a
// symbolic link, else Path.
func (f File) ReadPath() string {
	if f.Link != "" {
		return f.Link
	}
	return f.Path
}

// Read returns the file's content.
func (f File) Read() ([]byte, error) { return disk.ReadFile(f.ReadPath(), f.Size) }
