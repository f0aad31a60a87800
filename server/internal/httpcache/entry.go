package httpcache

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Response is a response as the origin (a component) gives it and the cache returns it.
// Stored responses are shared by concurrent readers: Header and Body must not be
// changed.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// entry is a stored response (RFC 9111 §3).
type entry struct {
	resp     *Response
	stored   time.Time     // when the response was received
	age      time.Duration // its Age header then
	lifetime time.Duration
	etag     string
	lastMod  string
	vary     []string // canonical names of the request headers it varies on
}

// storableStatus are the statuses the cache keeps.
var storableStatus = map[int]bool{http.StatusOK: true, http.StatusMovedPermanently: true,
	http.StatusNotFound: true, http.StatusGone: true}

// newEntry makes an entry of a response to a GET, or returns nil when a shared cache
// must not store it: status outside storableStatus, no-store or private, Set-Cookie,
// Vary: *, or neither a freshness lifetime nor a validator.
func newEntry(resp *Response, now time.Time) *entry {
	h := resp.Header
	cc := parseCacheControl(h)
	if !storableStatus[resp.Status] || cc.has("no-store") || cc.has("private") || len(h.Values("Set-Cookie")) > 0 {
		return nil
	}
	e := &entry{resp: resp, stored: now, etag: h.Get("ETag"), lastMod: h.Get("Last-Modified")}
	if n, err := strconv.Atoi(h.Get("Age")); err == nil && n > 0 {
		e.age = time.Duration(n) * time.Second
	}
	for _, line := range h.Values("Vary") {
		for name := range strings.SplitSeq(line, ",") {
			name = http.CanonicalHeaderKey(strings.TrimSpace(name))
			if name == "*" {
				return nil
			}
			if name != "" {
				e.vary = append(e.vary, name)
			}
		}
	}
	lifetime, explicit := freshnessLifetime(cc, h)
	if cc.has("no-cache") {
		lifetime = 0 // stored, but revalidated every time
	}
	if !explicit && !cc.has("public") {
		return nil
	}
	e.lifetime = lifetime
	if lifetime == 0 && e.etag == "" && e.lastMod == "" {
		return nil // nothing to revalidate with
	}
	return e
}

// currentAge is the entry's age at now (RFC 9111 §4.2.3, with the response received at
// once: no request delay to correct for).
func (e *entry) currentAge(now time.Time) time.Duration { return e.age + now.Sub(e.stored) }

// fresh reports whether the entry may be served at now to a request with directives
// req: within its lifetime, and within the request's max-age.
func (e *entry) fresh(now time.Time, req directives) bool {
	age := e.currentAge(now)
	if age >= e.lifetime {
		return false
	}
	if max, ok := req.seconds("max-age"); ok && age > max {
		return false
	}
	return !req.has("no-cache")
}

func (e *entry) size() int {
	n := len(e.resp.Body) + 256
	for k, vs := range e.resp.Header {
		n += len(k)
		for _, v := range vs {
			n += len(v) + 16
		}
	}
	return n
}

// validated returns the entry refreshed by a 304 to a conditional request (RFC 9111
// §4.3.4): the new response's headers replace the stored ones of the same names,
// content headers excepted.
func (e *entry) validated(notModified *Response, now time.Time) *entry {
	h := e.resp.Header.Clone()
	for k, vs := range notModified.Header {
		switch k {
		case "Content-Length", "Content-Encoding", "Transfer-Encoding":
			continue
		}
		h[k] = vs
	}
	refreshed := newEntry(&Response{Status: e.resp.Status, Header: h, Body: e.resp.Body}, now)
	if refreshed == nil {
		return nil
	}
	return refreshed
}
