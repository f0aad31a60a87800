package httpcache

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"
	"golang.org/x/sync/singleflight"
)

// Origin produces a component's response to r (running the component).
type Origin func(r *http.Request) (*Response, error)

// Options configure a Cache.
type Options struct {
	// MaxBytes bounds what the cache holds (bodies, headers and bookkeeping), in bytes.
	MaxBytes int64
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Cache is a shared HTTP cache. The zero value is not usable; call New.
type Cache struct {
	items    *otter.Cache[string, *item]
	flight   singleflight.Group
	now      func() time.Time
	scopes   sync.Map // scope -> *scopeState
	epochs   atomic.Uint64
	maxBytes int64

	Hits, Misses atomic.Uint64 // requests served from an entry / forwarded
}

// item is what a key holds: a stored response, the variants record of a URL (the
// headers it varies on, and the epoch its entries are keyed with), or a pass marker
// (the URL answered uncacheably: do not coalesce).
type item struct {
	entry *entry
	vary  []string
	epoch uint64
	pass  time.Time // until
}

// scopeState is what the cache knows of one scope (component): the generation its
// keys carry (Invalidate moves it on) and whether it answers cacheably at all.
type scopeState struct {
	gen  atomic.Uint64
	mode atomic.Int32
}

// Scope modes: until a scope's first response to a GET it is unknown (requests are
// coalesced); a scope that gave an uncacheable response and none to store is passing
// (requests go straight to the origin, whose responses are still offered for storage,
// so a component that starts sending cacheable headers is cached from then on); once a
// response was stored it is storing for good.
const (
	modeUnknown int32 = iota
	modeStoring
	modePassing
)

func (c *Cache) scope(name string) *scopeState {
	if st, ok := c.scopes.Load(name); ok {
		return st.(*scopeState)
	}
	st, _ := c.scopes.LoadOrStore(name, new(scopeState))
	return st.(*scopeState)
}

// passFor is how long a URL whose response could not be stored is forwarded without
// coalescing (Varnish's hit-for-pass).
const passFor = 10 * time.Second

// New returns an empty cache. It fails when MaxBytes is not positive.
func New(o Options) (*Cache, error) {
	if o.MaxBytes <= 0 {
		return nil, errors.New("httpcache: the size must be positive")
	}
	items, err := otter.New(&otter.Options[string, *item]{
		MaximumWeight: uint64(o.MaxBytes),
		Weigher: func(key string, it *item) uint32 {
			if it.entry != nil {
				return uint32(len(key) + it.entry.size())
			}
			return uint32(len(key) + 64)
		},
	})
	if err != nil {
		return nil, err
	}
	c := &Cache{items: items, now: o.Now, maxBytes: o.MaxBytes}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// Result is how a request was answered: the response to send (shared: do not change
// it), the Age to send with it (negative: none) and the RFC 9211 Cache-Status value.
type Result struct {
	Resp   *Response
	Age    int
	Status string
}

// Name is this cache's name in Cache-Status.
const Name = "wasmsite"

const cacheName = Name

func forwarded(resp *Response, reason string) Result {
	return Result{Resp: resp, Age: -1, Status: cacheName + "; fwd=" + reason}
}

// Serve answers r for scope (the component the request is routed to): from a fresh
// entry, or through origin (at most one call at a time per URL and variant), storing
// what may be stored.
func (c *Cache) Serve(r *http.Request, scope string, origin Origin) (Result, error) {
	reqCC := parseCacheControl(r.Header)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		resp, err := origin(r)
		if err == nil && resp.Status < 400 {
			c.purge(c.primaryKey(c.scope(scope), scope, r)) // an unsafe method changed the resource (RFC 9111 §4.4)
		}
		c.Misses.Add(1)
		return forwarded(resp, "method"), err
	}
	if r.Header.Get("Authorization") != "" || reqCC.has("no-store") {
		resp, err := origin(r)
		c.Misses.Add(1)
		return forwarded(resp, "bypass"), err
	}
	st := c.scope(scope)
	if st.mode.Load() == modePassing {
		return c.pass(r, st, scope, origin)
	}
	primary := c.primaryKey(st, scope, r)
	variants, _ := c.items.GetIfPresent(primary)
	now := c.now()
	if variants != nil && variants.pass.After(now) {
		resp, err := origin(r)
		c.Misses.Add(1)
		return forwarded(resp, "bypass; detail=uncacheable"), err
	}
	var stale *entry
	var vary []string
	if variants != nil && variants.epoch != 0 {
		vary = variants.vary
		if it, ok := c.items.GetIfPresent(entryKey(primary, variants, r)); ok {
			stale = it.entry
		}
	}
	if stale != nil && stale.fresh(now, reqCC) {
		c.Hits.Add(1)
		return c.answer(r, stale, now, cacheName+"; hit; ttl="+strconv.Itoa(int((stale.lifetime-stale.currentAge(now))/time.Second))), nil
	}
	if reqCC.has("only-if-cached") {
		c.Misses.Add(1)
		return forwarded(&Response{Status: http.StatusGatewayTimeout, Header: http.Header{}}, "miss"), nil
	}
	c.Misses.Add(1)
	return c.fetch(r, st, primary, vary, stale, origin)
}

// pass forwards a request of a passing scope and stores the response if it may be.
func (c *Cache) pass(r *http.Request, st *scopeState, scope string, origin Origin) (Result, error) {
	resp, err := origin(r)
	c.Misses.Add(1)
	if err != nil || r.Method != http.MethodGet {
		return forwarded(resp, "bypass"), err
	}
	if e := newEntry(resp, c.now()); e != nil {
		c.store(c.primaryKey(st, scope, r), r, e)
		st.mode.Store(modeStoring)
		return c.answer(r, e, c.now(), cacheName+"; fwd=bypass; stored"), nil
	}
	return forwarded(resp, "bypass"), nil
}

// fetch asks origin, once for all concurrent identical requests (same URL and, once
// known, the same values of the headers the URL varies on), conditionally when a
// stale entry has a validator.
func (c *Cache) fetch(r *http.Request, st *scopeState, primary string, vary []string, stale *entry, origin Origin) (Result, error) {
	if r.Method == http.MethodHead {
		resp, err := origin(r) // not stored: a HEAD response has no body to keep
		return forwarded(resp, "miss"), err
	}
	flightKey := primary + "\x00" + secondaryKey(r, vary)
	v, err, shared := c.flight.Do(flightKey, func() (any, error) { return c.refresh(r, st, primary, stale, origin) })
	if err != nil {
		return Result{}, err
	}
	out := v.(*fetched)
	if shared && (out.entry == nil || secondaryKey(r, out.entry.vary) != secondaryKey(out.req, out.entry.vary)) {
		// Someone else's response, which may be personal or another variant: ask for
		// our own.
		resp, err := origin(r)
		return forwarded(resp, "miss"), err
	}
	if out.entry == nil {
		return forwarded(out.resp, out.reason), nil
	}
	res := c.answer(r, out.entry, c.now(), cacheName+"; fwd="+out.reason+"; stored")
	if shared {
		res.Status += "; collapsed"
	}
	return res, nil
}

// fetched is the outcome of one origin call: the request it answered, the response
// and, when stored, its entry.
type fetched struct {
	req    *http.Request
	resp   *Response
	entry  *entry
	reason string // "miss" or "stale"
}

// refresh makes the origin call of fetch. The call is shared, so it does not end when
// the client that started it leaves.
func (c *Cache) refresh(r *http.Request, st *scopeState, primary string, stale *entry, origin Origin) (*fetched, error) {
	req := originRequest(r, stale)
	reason := "miss"
	if stale != nil {
		reason = "stale"
	}
	resp, err := origin(req)
	if err != nil {
		return nil, err
	}
	now := c.now()
	if resp.Status == http.StatusNotModified && stale != nil {
		if e := stale.validated(resp, now); e != nil {
			c.store(primary, r, e)
			return &fetched{req: r, resp: e.resp, entry: e, reason: "stale; fwd-status=304"}, nil
		}
	}
	e := newEntry(resp, now)
	if e == nil {
		if storableStatus[resp.Status] {
			c.items.Set(primary, &item{pass: now.Add(passFor)})
		}
		st.mode.CompareAndSwap(modeUnknown, modePassing)
		return &fetched{req: r, resp: resp, reason: reason}, nil
	}
	st.mode.Store(modeStoring)
	c.store(primary, r, e)
	return &fetched{req: r, resp: resp, entry: e, reason: reason}, nil
}

// originRequest is r as the origin gets it: without the client's conditions (the
// cache answers those from what it stores), conditional on the stale entry's validator
// if there is one, and not canceled when r's client leaves.
func originRequest(r *http.Request, stale *entry) *http.Request {
	req := r.WithContext(context.WithoutCancel(r.Context()))
	_, inm := r.Header["If-None-Match"]
	_, ims := r.Header["If-Modified-Since"]
	if !inm && !ims && (stale == nil || stale.etag == "" && stale.lastMod == "") {
		return req // nothing to change: the headers stay shared
	}
	req.Header = r.Header.Clone()
	req.Header.Del("If-None-Match")
	req.Header.Del("If-Modified-Since")
	switch {
	case stale == nil:
	case stale.etag != "":
		req.Header.Set("If-None-Match", stale.etag)
	case stale.lastMod != "":
		req.Header.Set("If-Modified-Since", stale.lastMod)
	}
	return req
}

// store keeps e under its URL and the request's values of the headers it varies on.
func (c *Cache) store(primary string, r *http.Request, e *entry) {
	variants, _ := c.items.GetIfPresent(primary)
	if variants == nil || variants.epoch == 0 || !sameNames(variants.vary, e.vary) {
		variants = &item{vary: e.vary, epoch: c.epochs.Add(1)}
		c.items.Set(primary, variants)
	}
	c.items.Set(entryKey(primary, variants, r), &item{entry: e})
}

// answer serves an entry: 304 to a client's matching conditional request, else the
// stored response with its age.
func (c *Cache) answer(r *http.Request, e *entry, now time.Time, status string) Result {
	age := int(e.currentAge(now) / time.Second)
	if e.resp.Status == http.StatusOK && notModified(r.Header, e) {
		h := http.Header{}
		for _, k := range []string{"Cache-Control", "Content-Location", "Date", "Etag", "Expires", "Last-Modified", "Vary"} {
			if vs, ok := e.resp.Header[k]; ok { // canonical names
				h[k] = vs
			}
		}
		return Result{Resp: &Response{Status: http.StatusNotModified, Header: h}, Age: age, Status: status}
	}
	return Result{Resp: e.resp, Age: age, Status: status}
}

// notModified evaluates If-None-Match (weak comparison) or, without it,
// If-Modified-Since against the entry (RFC 9110 §13.1).
func notModified(h http.Header, e *entry) bool {
	if inm := h.Get("If-None-Match"); inm != "" {
		for tag := range strings.SplitSeq(inm, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || (e.etag != "" && strings.TrimPrefix(tag, "W/") == strings.TrimPrefix(e.etag, "W/")) {
				return true
			}
		}
		return false
	}
	since := h.Get("If-Modified-Since")
	if since == "" || e.lastMod == "" {
		return false
	}
	ims, err := http.ParseTime(since)
	lm, err2 := http.ParseTime(e.lastMod)
	return err == nil && err2 == nil && !lm.After(ims)
}

// Invalidate drops every entry of scope.
func (c *Cache) Invalidate(scope string) {
	old := c.scope(scope).gen.Add(1) - 1
	prefix := scope + "\x00" + strconv.FormatUint(old, 10) + "\x00"
	for k := range c.items.Keys() {
		if strings.HasPrefix(k, prefix) {
			c.items.Invalidate(k)
		}
	}
}

// purge forgets a URL's variants: its entries can no longer be found.
func (c *Cache) purge(primary string) { c.items.Invalidate(primary) }

// MaxBytes reports the cache's bound, in bytes.
func (c *Cache) MaxBytes() int64 { return c.maxBytes }

// Size reports the weight the cache holds, in bytes.
func (c *Cache) Size() uint64 { return c.items.WeightedSize() }

func (c *Cache) primaryKey(st *scopeState, scope string, r *http.Request) string {
	return scope + "\x00" + strconv.FormatUint(st.gen.Load(), 10) + "\x00" + r.Host + "\x00" + r.URL.RequestURI()
}

func entryKey(primary string, variants *item, r *http.Request) string {
	return primary + "\x00" + strconv.FormatUint(variants.epoch, 10) + "\x00" + secondaryKey(r, variants.vary)
}

// secondaryKey is the request's values of the headers an entry varies on.
func secondaryKey(r *http.Request, vary []string) string {
	var b strings.Builder
	for _, name := range vary {
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(strings.Join(r.Header.Values(name), ","))
		b.WriteByte('\x00')
	}
	return b.String()
}

func sameNames(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
