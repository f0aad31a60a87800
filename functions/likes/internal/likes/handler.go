package likes

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"wasmsite/functions/sdk/spinhttp"
)

// Limits of the API.
const (
	MaxBody      = 4 << 10 // request body bytes (413 above)
	MaxBatch     = 100     // urls per batch GET
	CookieName   = "likes_token"
	CookiePath   = "/likes"
	RefetchEvery = 5 * time.Second
)

// Handler serves the likes API (route /likes) through Serve, a spinhttp.RequestHandler
// (not an http.Handler: net/http's request and response types would cost a Go guest a
// fifth of every like). All responses are JSON with Cache-Control: private, no-store
// (per reader: no shared cache may keep them).
//
//	GET    /likes?url=U             → 200 {"url","count","liked"}
//	GET    /likes?url=A&url=B...    → 200 {"likes":[{"url","count","liked"},...]} (≤ MaxBatch)
//	POST   /likes {"url":U}         → like (JSON; optional "action": like|unlike|toggle)
//	DELETE /likes {"url":U}         → unlike
//	POST   /likes url=U&action=like|unlike|toggle (form) → 303 Location: page path
//
// A reader without a token gets one (cookie likes_token, HS256 JWT) with its first like.
// POST/DELETE need a same-origin Origin (or Referer); an invalid token cookie there is
// 401 and the cookie is cleared (on GET it is cleared and ignored). Errors: 400 body/url,
// 401 token, 403 origin, 404 page not in sitemap, 405 method, 413 body > MaxBody,
// 429 rate limit (Retry-After), 500 configuration, 503 store or sitemap unreachable.
type Handler struct {
	Config  Config
	Store   Store
	Fetcher Fetcher
	Now     func() time.Time // default time.Now
	Rand    io.Reader        // default crypto/rand
	// ConfigErr, when set, makes every request answer 500 (misconfigured component).
	ConfigErr error

	tokensOnce sync.Once
	tok        *Tokens // see tokens
}

// PageLikes is one page's state in API responses.
type PageLikes struct {
	URL   string `json:"url"`
	Count int64  `json:"count"`
	Liked bool   `json:"liked"`
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// tokens returns the handler's token issuer and verifier, made on first use and then
// kept: Verify derives its keys once per Tokens.
func (h *Handler) tokens() *Tokens {
	h.tokensOnce.Do(func() {
		if h.tok == nil {
			h.tok = &Tokens{Secrets: h.Config.Secrets, Issuer: h.Config.Issuer, Now: h.now, Rand: h.Rand}
		}
	})
	return h.tok
}

func (h *Handler) sitemap() *Sitemap {
	ttl := h.Config.SitemapTTL
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	return &Sitemap{Site: h.Config.Site, Store: h.Store, Fetcher: h.Fetcher, TTL: ttl, RefetchEvery: RefetchEvery, Now: h.now}
}

// writer is the response being built: its headers and, once written, status and body.
type writer struct{ spinhttp.Response }

func (w *writer) writeJSON(status int, v any) {
	b, _ := json.Marshal(v)
	w.Set("Content-Length", strconv.Itoa(len(b)))
	w.Status, w.Body = status, b
}

func (w *writer) fail(status int, msg string) {
	w.writeJSON(status, map[string]string{"error": msg})
}

// Serve answers one request (a spinhttp.RequestHandler).
func (h *Handler) Serve(r *spinhttp.Request) spinhttp.Response {
	w := &writer{spinhttp.Response{Headers: make([]spinhttp.Pair, 0, 6)}}
	w.Set("Cache-Control", "private, no-store")
	w.Set("Content-Type", "application/json")
	w.Set("X-Content-Type-Options", "nosniff")
	if h.ConfigErr != nil {
		log.Printf("likes: configuration error: %v", h.ConfigErr)
		w.fail(http.StatusInternalServerError, "likes are not configured")
		return w.Response
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.serveGet(w, r)
	case http.MethodPost, http.MethodDelete:
		h.serveChange(w, r)
	default:
		w.Set("Allow", "GET, HEAD, POST, DELETE")
		w.fail(http.StatusMethodNotAllowed, "method not allowed")
	}
	return w.Response
}

// reader returns the reader id of a valid token cookie ("" when there is none) and
// whether a cookie was present but invalid.
func (h *Handler) reader(r *spinhttp.Request) (id string, bad bool) {
	token, _ := r.Cookie(CookieName)
	if token == "" {
		return "", false
	}
	id, err := h.tokens().Verify(token)
	if err != nil {
		return "", true
	}
	return id, false
}

func (h *Handler) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     CookieName,
		Value:    value,
		Path:     CookiePath,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   h.Config.Site.Scheme == "https",
		SameSite: http.SameSiteLaxMode,
	}
}

func (h *Handler) clearCookie(w *writer) { w.Add("Set-Cookie", h.cookie("", -1).String()) }

// sameOrigin is the CSRF check: Origin (or Referer when Origin is absent) must be the
// site's origin.
func (h *Handler) sameOrigin(r *spinhttp.Request) bool {
	src := r.Header("Origin")
	if src == "" {
		src = r.Header("Referer")
	}
	if src == "" || src == "null" {
		return false
	}
	u, err := url.Parse(src)
	if err != nil || u.Host == "" {
		return false
	}
	return Origin(u) == Origin(h.Config.Site)
}

// clientIP is the peer IP from spin-client-addr.
func clientIP(r *spinhttp.Request) string {
	addr := r.Header(spinhttp.HeaderClientAddr)
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

func (h *Handler) storeFailure(w *writer, err error) {
	log.Printf("likes: %v", err)
	if errors.Is(err, ErrSitemapUnavailable) {
		w.fail(http.StatusServiceUnavailable, "sitemap unavailable")
		return
	}
	w.fail(http.StatusServiceUnavailable, "store unavailable")
}

func urlError(w *writer, err error) {
	switch {
	case errors.Is(err, ErrURLTooLong):
		w.fail(http.StatusBadRequest, "url too long")
	case errors.Is(err, ErrForeignURL):
		w.fail(http.StatusBadRequest, "url is not on this site")
	default:
		w.fail(http.StatusBadRequest, "invalid url")
	}
}

func (h *Handler) state(page, reader string) (PageLikes, error) {
	key := "likes:" + page
	n, err := intResult(h.Store, "SCARD", key)
	if err != nil {
		return PageLikes{}, err
	}
	pl := PageLikes{URL: page, Count: n}
	if reader != "" {
		m, err := intResult(h.Store, "SISMEMBER", key, reader)
		if err != nil {
			return PageLikes{}, err
		}
		pl.Liked = m == 1
	}
	return pl, nil
}

func (h *Handler) serveGet(w *writer, r *spinhttp.Request) {
	raws := r.Query()["url"]
	if len(raws) == 0 {
		w.fail(http.StatusBadRequest, "missing url")
		return
	}
	if len(raws) > MaxBatch {
		w.fail(http.StatusBadRequest, "too many urls")
		return
	}
	pages := make([]string, len(raws))
	for i, raw := range raws {
		p, err := Normalize(h.Config.Site, raw)
		if err != nil {
			urlError(w, err)
			return
		}
		pages[i] = p
	}
	reader, bad := h.reader(r)
	if bad {
		// A stale or forged cookie does not hide counts; it is just dropped.
		h.clearCookie(w)
	}
	known, err := h.sitemap().Contains(context.Background(), pages...)
	if err != nil {
		h.storeFailure(w, err)
		return
	}
	out := make([]PageLikes, len(pages))
	for i, p := range pages {
		if !known[i] {
			w.fail(http.StatusNotFound, "page not in sitemap: "+p)
			return
		}
		if out[i], err = h.state(p, reader); err != nil {
			h.storeFailure(w, err)
			return
		}
	}
	if len(out) == 1 {
		w.writeJSON(http.StatusOK, out[0])
		return
	}
	w.writeJSON(http.StatusOK, map[string]any{"likes": out})
}

type changeRequest struct {
	URL    *string `json:"url"`
	Action string  `json:"action"`
}

// serveChange likes, unlikes or toggles a page for the request's reader (POST with
// JSON or a form, DELETE with JSON), in this order of checks: origin, body, action, url,
// token, rate limits, sitemap; then it answers the page's count.
func (h *Handler) serveChange(w *writer, r *spinhttp.Request) {
	req, form, ok := h.readChange(w, r)
	if !ok {
		return
	}
	action, ok := changeAction(w, r.Method, req.Action)
	if !ok {
		return
	}
	if req.URL == nil || *req.URL == "" {
		w.fail(http.StatusBadRequest, "missing url")
		return
	}
	page, err := Normalize(h.Config.Site, *req.URL)
	if err != nil {
		urlError(w, err)
		return
	}
	reader, bad := h.reader(r)
	if bad {
		h.clearCookie(w)
		w.fail(http.StatusUnauthorized, "invalid token")
		return
	}
	if !h.withinRateLimits(w, r, reader) || !h.inSitemap(w, page) {
		return
	}
	key := "likes:" + page
	liked, ok := h.change(w, key, action, reader)
	if !ok {
		return
	}
	// After SADD or SREM the reader's state is known: only the count is asked for.
	n, err := intResult(h.Store, "SCARD", key)
	if err != nil {
		h.storeFailure(w, err)
		return
	}
	st := PageLikes{URL: page, Count: n, Liked: liked}
	if form {
		// page is a decoded path: escape it so Location is an ASCII URI reference.
		w.Set("Location", (&url.URL{Path: page}).EscapedPath())
		w.writeJSON(http.StatusSeeOther, st)
		return
	}
	w.writeJSON(http.StatusOK, st)
}

// readChange checks the request's origin and reads its body, JSON or (POST only) a
// form; form reports which. ok is false when it has answered the request.
func (h *Handler) readChange(w *writer, r *spinhttp.Request) (req changeRequest, form, ok bool) {
	if !h.sameOrigin(r) {
		w.fail(http.StatusForbidden, "cross-origin request refused")
		return req, false, false
	}
	body := r.Body
	if len(body) > MaxBody {
		w.fail(http.StatusRequestEntityTooLarge, "body too large")
		return req, false, false
	}
	mt, _, _ := mime.ParseMediaType(r.Header("Content-Type"))
	switch mt {
	case "application/json", "":
		if err := json.Unmarshal(body, &req); err != nil {
			w.fail(http.StatusBadRequest, "malformed JSON body")
			return req, false, false
		}
		return req, false, true
	case "application/x-www-form-urlencoded":
		if r.Method != http.MethodPost {
			w.fail(http.StatusBadRequest, "form bodies are only accepted with POST")
			return req, false, false
		}
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			w.fail(http.StatusBadRequest, "malformed form body")
			return req, false, false
		}
		if vals.Has("url") {
			u := vals.Get("url")
			req.URL = &u
		}
		req.Action = vals.Get("action")
		return req, true, true
	}
	w.fail(http.StatusBadRequest, "unsupported content type")
	return req, false, false
}

// changeAction is the action asked for: unlike for DELETE, like by default.
func changeAction(w *writer, method, action string) (string, bool) {
	if method == http.MethodDelete {
		action = "unlike"
	} else if action == "" {
		action = "like"
	}
	if action != "like" && action != "unlike" && action != "toggle" {
		w.fail(http.StatusBadRequest, "action must be like, unlike or toggle")
		return "", false
	}
	return action, true
}

// withinRateLimits applies the per-IP and the per-reader limits; false when it has
// answered the request (429 with Retry-After, or 503).
func (h *Handler) withinRateLimits(w *writer, r *spinhttp.Request, reader string) bool {
	rl := &RateLimiter{Store: h.Store, Now: h.now}
	if ip := clientIP(r); ip != "" && !h.allow(w, rl, "ip:"+ip, h.Config.IPRateLimit) {
		return false
	}
	return reader == "" || h.allow(w, rl, "r:"+reader, h.Config.RateLimit)
}

// allow counts one change against key's limit (per minute); false when it has answered
// the request.
func (h *Handler) allow(w *writer, rl *RateLimiter, key string, limit int64) bool {
	ok, retry, err := rl.Allow(key, limit)
	if err != nil {
		h.storeFailure(w, err)
		return false
	}
	if !ok {
		w.Set("Retry-After", strconv.FormatInt(retry, 10))
		w.fail(http.StatusTooManyRequests, "too many requests")
	}
	return ok
}

// inSitemap reports whether page is in the site's sitemap; false when it has answered
// the request (404, or 503).
func (h *Handler) inSitemap(w *writer, page string) bool {
	known, err := h.sitemap().Contains(context.Background(), page)
	if err != nil {
		h.storeFailure(w, err)
		return false
	}
	if !known[0] {
		w.fail(http.StatusNotFound, "page not in sitemap: "+page)
		return false
	}
	return true
}

// change applies action to the set of the page's readers (key): a toggle becomes like
// or unlike by the reader's membership, a like by a reader without a token issues one
// (set as the cookie once the like is stored). liked is the reader's state afterwards;
// ok is false when it has answered the request.
func (h *Handler) change(w *writer, key, action, reader string) (liked, ok bool) {
	if action == "toggle" {
		action = "like"
		if reader != "" {
			m, err := intResult(h.Store, "SISMEMBER", key, reader)
			if err != nil {
				h.storeFailure(w, err)
				return false, false
			}
			if m == 1 {
				action = "unlike"
			}
		}
	}
	switch {
	case action == "like":
		return true, h.like(w, key, reader)
	case reader != "": // unlike
		if _, err := intResult(h.Store, "SREM", key, reader); err != nil {
			h.storeFailure(w, err)
			return false, false
		}
	}
	return false, true
}

// like adds reader to the page's set, issuing a reader id and token first when the
// request had none; false when it has answered the request.
func (h *Handler) like(w *writer, key, reader string) bool {
	var newToken string
	if reader == "" {
		var err error
		if reader, err = h.tokens().NewReaderID(); err == nil {
			newToken, err = h.tokens().Issue(reader)
		}
		if err != nil {
			log.Printf("likes: issuing token: %v", err)
			w.fail(http.StatusInternalServerError, "cannot issue token")
			return false
		}
	}
	if _, err := intResult(h.Store, "SADD", key, reader); err != nil {
		h.storeFailure(w, err)
		return false
	}
	if newToken != "" {
		// The like is stored under this reader: hand out the token even if the
		// count below fails, so a retry does not create a second reader.
		w.Add("Set-Cookie", h.cookie(newToken, int(TokenTTL/time.Second)).String())
	}
	return true
}
