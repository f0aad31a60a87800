package likes

import (
	"encoding/json"
	"errors"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"wasmsite/functions/sdk/spin"
)

// Limits of the API.
const (
	MaxBody      = 4 << 10 // request body bytes (413 above)
	MaxBatch     = 100     // urls per batch GET
	CookieName   = "likes_token"
	CookiePath   = "/likes"
	RefetchEvery = 5 * time.Second
)

// Handler serves the likes API (route /likes). All responses are JSON with
// Cache-Control: no-store.
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

func (h *Handler) tokens() *Tokens {
	return &Tokens{Secrets: h.Config.Secrets, Issuer: h.Config.Issuer, Now: h.now, Rand: h.Rand}
}

func (h *Handler) sitemap() *Sitemap {
	ttl := h.Config.SitemapTTL
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	return &Sitemap{Site: h.Config.Site, Store: h.Store, Fetcher: h.Fetcher, TTL: ttl, RefetchEvery: RefetchEvery, Now: h.now}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Content-Type", "application/json")
	hdr.Set("X-Content-Type-Options", "nosniff")
	if h.ConfigErr != nil {
		log.Printf("likes: configuration error: %v", h.ConfigErr)
		fail(w, http.StatusInternalServerError, "likes are not configured")
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.serveGet(w, r)
	case http.MethodPost, http.MethodDelete:
		h.serveChange(w, r)
	default:
		hdr.Set("Allow", "GET, HEAD, POST, DELETE")
		fail(w, http.StatusMethodNotAllowed, "method not allowed")
	}
}

// reader returns the reader id of a valid token cookie ("" when there is none) and
// whether a cookie was present but invalid.
func (h *Handler) reader(r *http.Request) (id string, bad bool) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return "", false
	}
	id, err = h.tokens().Verify(c.Value)
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

func (h *Handler) clearCookie(w http.ResponseWriter) { http.SetCookie(w, h.cookie("", -1)) }

// sameOrigin is the CSRF check: Origin (or Referer when Origin is absent) must be the
// site's origin.
func (h *Handler) sameOrigin(r *http.Request) bool {
	src := r.Header.Get("Origin")
	if src == "" {
		src = r.Header.Get("Referer")
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

// clientIP is the peer IP from spin-client-addr (http.Request.RemoteAddr in the SDK).
func clientIP(r *http.Request) string {
	addr := r.Header.Get(spin.HeaderClientAddr)
	if addr == "" {
		addr = r.RemoteAddr
	}
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

func (h *Handler) storeFailure(w http.ResponseWriter, err error) {
	log.Printf("likes: %v", err)
	if errors.Is(err, ErrSitemapUnavailable) {
		fail(w, http.StatusServiceUnavailable, "sitemap unavailable")
		return
	}
	fail(w, http.StatusServiceUnavailable, "store unavailable")
}

func urlError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrURLTooLong):
		fail(w, http.StatusBadRequest, "url too long")
	case errors.Is(err, ErrForeignURL):
		fail(w, http.StatusBadRequest, "url is not on this site")
	default:
		fail(w, http.StatusBadRequest, "invalid url")
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

func (h *Handler) serveGet(w http.ResponseWriter, r *http.Request) {
	raws := r.URL.Query()["url"]
	if len(raws) == 0 {
		fail(w, http.StatusBadRequest, "missing url")
		return
	}
	if len(raws) > MaxBatch {
		fail(w, http.StatusBadRequest, "too many urls")
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
	known, err := h.sitemap().Contains(r.Context(), pages...)
	if err != nil {
		h.storeFailure(w, err)
		return
	}
	out := make([]PageLikes, len(pages))
	for i, p := range pages {
		if !known[i] {
			fail(w, http.StatusNotFound, "page not in sitemap: "+p)
			return
		}
		if out[i], err = h.state(p, reader); err != nil {
			h.storeFailure(w, err)
			return
		}
	}
	if len(out) == 1 {
		writeJSON(w, http.StatusOK, out[0])
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"likes": out})
}

type changeRequest struct {
	URL    *string `json:"url"`
	Action string  `json:"action"`
}

func (h *Handler) serveChange(w http.ResponseWriter, r *http.Request) {
	if !h.sameOrigin(r) {
		fail(w, http.StatusForbidden, "cross-origin request refused")
		return
	}
	if r.ContentLength > MaxBody {
		fail(w, http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		fail(w, http.StatusBadRequest, "unreadable body")
		return
	}
	if len(body) > MaxBody {
		fail(w, http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var req changeRequest
	form := false
	switch mt {
	case "application/json", "":
		if err := json.Unmarshal(body, &req); err != nil {
			fail(w, http.StatusBadRequest, "malformed JSON body")
			return
		}
	case "application/x-www-form-urlencoded":
		if r.Method != http.MethodPost {
			fail(w, http.StatusBadRequest, "form bodies are only accepted with POST")
			return
		}
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			fail(w, http.StatusBadRequest, "malformed form body")
			return
		}
		form = true
		if vals.Has("url") {
			u := vals.Get("url")
			req.URL = &u
		}
		req.Action = vals.Get("action")
	default:
		fail(w, http.StatusBadRequest, "unsupported content type")
		return
	}
	action := req.Action
	if r.Method == http.MethodDelete {
		action = "unlike"
	} else if action == "" {
		action = "like"
	}
	if action != "like" && action != "unlike" && action != "toggle" {
		fail(w, http.StatusBadRequest, "action must be like, unlike or toggle")
		return
	}
	if req.URL == nil || *req.URL == "" {
		fail(w, http.StatusBadRequest, "missing url")
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
		fail(w, http.StatusUnauthorized, "invalid token")
		return
	}

	rl := &RateLimiter{Store: h.Store, Now: h.now}
	if ip := clientIP(r); ip != "" {
		if ok, retry, err := rl.Allow("ip:"+ip, h.Config.IPRateLimit); err != nil {
			h.storeFailure(w, err)
			return
		} else if !ok {
			w.Header().Set("Retry-After", strconv.FormatInt(retry, 10))
			fail(w, http.StatusTooManyRequests, "too many requests")
			return
		}
	}
	if reader != "" {
		if ok, retry, err := rl.Allow("r:"+reader, h.Config.RateLimit); err != nil {
			h.storeFailure(w, err)
			return
		} else if !ok {
			w.Header().Set("Retry-After", strconv.FormatInt(retry, 10))
			fail(w, http.StatusTooManyRequests, "too many requests")
			return
		}
	}

	known, err := h.sitemap().Contains(r.Context(), page)
	if err != nil {
		h.storeFailure(w, err)
		return
	}
	if !known[0] {
		fail(w, http.StatusNotFound, "page not in sitemap: "+page)
		return
	}

	key := "likes:" + page
	if action == "toggle" {
		action = "like"
		if reader != "" {
			m, err := intResult(h.Store, "SISMEMBER", key, reader)
			if err != nil {
				h.storeFailure(w, err)
				return
			}
			if m == 1 {
				action = "unlike"
			}
		}
	}
	var newToken string
	switch {
	case action == "like":
		if reader == "" {
			if reader, err = h.tokens().NewReaderID(); err == nil {
				newToken, err = h.tokens().Issue(reader)
			}
			if err != nil {
				log.Printf("likes: issuing token: %v", err)
				fail(w, http.StatusInternalServerError, "cannot issue token")
				return
			}
		}
		if _, err := intResult(h.Store, "SADD", key, reader); err != nil {
			h.storeFailure(w, err)
			return
		}
		if newToken != "" {
			// The like is stored under this reader: hand out the token even if the
			// count below fails, so a retry does not create a second reader.
			http.SetCookie(w, h.cookie(newToken, int(TokenTTL/time.Second)))
		}
	case reader != "": // unlike
		if _, err := intResult(h.Store, "SREM", key, reader); err != nil {
			h.storeFailure(w, err)
			return
		}
	}
	// After SADD or SREM the reader's state is known: only the count is asked for.
	n, err := intResult(h.Store, "SCARD", key)
	if err != nil {
		h.storeFailure(w, err)
		return
	}
	st := PageLikes{URL: page, Count: n, Liked: action == "like"}
	if form {
		// page is a decoded path: escape it so Location is an ASCII URI reference.
		w.Header().Set("Location", (&url.URL{Path: page}).EscapedPath())
		writeJSON(w, http.StatusSeeOther, st)
		return
	}
	writeJSON(w, http.StatusOK, st)
}
