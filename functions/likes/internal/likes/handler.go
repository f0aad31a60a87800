package likes

import (
	"encoding/json"
	"errors"
	"io"
	"log"
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
	// Scripts makes the handler run its store work as Lua scripts (EVAL, scripts.go):
	// one round trip per request where commands take three to seven. Store must be a real
	// Redis (6.2 or later); the wasmsite embedded store runs no scripts.
	Scripts bool

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
	st, plain := v.(PageLikes)
	var b []byte
	if plain {
		b, plain = appendPageLikes(make([]byte, 0, 64+len(st.URL)), st)
	}
	if !plain {
		b, _ = json.Marshal(v)
	}
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
	return Origin(u) == h.Config.SiteOrigin
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
