package likes

import (
	"errors"
	"net/url"
	"path"
	"strings"
)

// MaxURLLength bounds the url a client may send.
const MaxURLLength = 2048

// Errors of Normalize.
var (
	ErrURLTooLong = errors.New("url too long")
	ErrBadURL     = errors.New("invalid url")
	ErrForeignURL = errors.New("url is not on this site")
)

// Origin returns scheme://host[:port] of u, lower-cased, without the scheme's default port.
func Origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}

// Normalize maps a page URL or path to the page's canonical path, the identity under
// which its likes are counted: absolute URLs must be on the site's origin; query and
// fragment are dropped; the path is cleaned; "/x", "/x/" and "/x/index.html" all become
// "/x/" (a last segment with an extension, like "/feed.xml", is kept as is). The result
// is the decoded path, so a path that decodes to '%', '?' or '#' is refused (ErrBadURL):
// given back, it would name another page.
func Normalize(site *url.URL, raw string) (string, error) {
	if len(raw) > MaxURLLength {
		return "", ErrURLTooLong
	}
	if raw == "" || strings.ContainsAny(raw, "\x00\\\r\n\t") {
		return "", ErrBadURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", ErrBadURL
	}
	if u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		if u.Opaque != "" || u.User != nil || u.Host == "" || Origin(u) != Origin(site) {
			return "", ErrForeignURL
		}
	} else if !strings.HasPrefix(raw, "/") {
		return "", ErrBadURL
	}
	p := u.Path
	if p == "" {
		p = "/"
	}
	if strings.ContainsAny(p, "\x00\\%?#") || strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", ErrBadURL
	}
	p = path.Clean(p)
	if base := path.Base(p); base == "index.html" || base == "index.htm" {
		p = path.Dir(p)
	}
	if p != "/" && !strings.Contains(path.Base(p), ".") {
		p += "/"
	}
	return p, nil
}
