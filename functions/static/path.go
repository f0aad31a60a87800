package main

import (
	"errors"
	"io/fs"
	"net/url"
	"path"
	"strings"
)

// errBadPath marks request paths that must never reach the file system.
var errBadPath = errors.New("bad path")

// CleanPath turns a raw spin-path-info value into an fs.FS name ("" is the root) and
// reports whether the request named a directory (trailing slash or root). It decodes
// percent-escapes exactly once and rejects NUL bytes, backslashes and ".." segments
// both before and after decoding, so no request can escape the root.
func CleanPath(raw string) (name string, dirSlash bool, err error) {
	if strings.ContainsAny(raw, "\x00\\") {
		return "", false, errBadPath
	}
	dec, err := url.PathUnescape(raw)
	if err != nil {
		return "", false, errBadPath
	}
	if strings.ContainsAny(dec, "\x00\\") || hasDotDot(raw) || hasDotDot(dec) {
		return "", false, errBadPath
	}
	dirSlash = dec == "" || strings.HasSuffix(dec, "/")
	if !strings.HasPrefix(dec, "/") {
		dec = "/" + dec
	}
	name = strings.TrimPrefix(path.Clean(dec), "/")
	if name != "" && !fs.ValidPath(name) {
		return "", false, errBadPath
	}
	return name, dirSlash, nil
}

// hasDotDot reports whether a "/"-separated path has a ".." segment.
func hasDotDot(p string) bool {
	for seg := range strings.SplitSeq(p, "/") {
		if seg == ".." {
			return true
		}
	}
	return false
}

// splitURI splits a request URI into its (still escaped) path and raw query.
func splitURI(uri string) (escapedPath, rawQuery string) {
	p, q, _ := strings.Cut(uri, "?")
	return p, q
}
