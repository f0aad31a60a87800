package likes

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"wasmsite/functions/sdk/spinhttp"
)

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
	apply := h.changeByCommands
	if h.Scripts {
		apply = h.changeByScript
	}
	st, ok := apply(w, h.limits(r, reader), page, action, reader)
	if !ok {
		return
	}
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
		if !plainChange(body, &req) {
			if err := json.Unmarshal(body, &req); err != nil {
				w.fail(http.StatusBadRequest, "malformed JSON body")
				return req, false, false
			}
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

// limits are the rate limits a change counts against: per client IP and, with a
// token, per reader.
func (h *Handler) limits(r *spinhttp.Request, reader string) []Limit {
	limits := make([]Limit, 0, 2)
	if ip := clientIP(r); ip != "" {
		limits = append(limits, Limit{Key: "ip:" + ip, Max: h.Config.IPRateLimit})
	}
	if reader != "" {
		limits = append(limits, Limit{Key: "r:" + reader, Max: h.Config.RateLimit})
	}
	return limits
}

// allowed takes a rate-limit verdict; false when it has answered the request (429
// with Retry-After, or 503).
func (h *Handler) allowed(w *writer, ok bool, retryAfter int64, err error) bool {
	if err != nil {
		h.storeFailure(w, err)
		return false
	}
	if !ok {
		w.Set("Retry-After", strconv.FormatInt(retryAfter, 10))
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

// changeByCommands counts the change against limits, checks the page against the
// sitemap and applies action to the set of its readers: a toggle becomes like or unlike
// by the reader's membership, a like by a reader without a token issues one (set as the
// cookie once the like is stored). It returns the page's state afterwards; ok is false
// when it has answered the request.
func (h *Handler) changeByCommands(w *writer, limits []Limit, page, action, reader string) (st PageLikes, ok bool) {
	rl := &RateLimiter{Store: h.Store, Now: h.now}
	if ok, retry, err := rl.Allow(limits...); !h.allowed(w, ok, retry, err) || !h.inSitemap(w, page) {
		return st, false
	}
	key := pageKey(page)
	if action == "toggle" {
		action = "like"
		if reader != "" {
			m, err := intResult(h.Store, "SISMEMBER", key, reader)
			if err != nil {
				h.storeFailure(w, err)
				return st, false
			}
			if m == 1 {
				action = "unlike"
			}
		}
	}
	var err error
	switch {
	case action == "like":
		if !h.like(w, key, reader) {
			return st, false
		}
	case reader != "": // unlike
		_, err = intResult(h.Store, "SREM", key, reader)
	}
	st = PageLikes{URL: page, Liked: action == "like"}
	if err == nil {
		// After SADD or SREM the reader's state is known: only the count is asked for.
		st.Count, err = intResult(h.Store, "SCARD", key)
	}
	if err != nil {
		h.storeFailure(w, err)
		return PageLikes{}, false
	}
	return st, true
}

// like adds reader to the page's set, issuing a reader id and token first when the
// request had none; false when it has answered the request.
func (h *Handler) like(w *writer, key, reader string) bool {
	var token string
	if reader == "" {
		var ok bool
		if reader, token, ok = h.newReader(w); !ok {
			return false
		}
	}
	if _, err := intResult(h.Store, "SADD", key, reader); err != nil {
		h.storeFailure(w, err)
		return false
	}
	if token != "" {
		// The like is stored under this reader: hand out the token even if the
		// count fails, so a retry does not create a second reader.
		h.setToken(w, token)
	}
	return true
}

// changeByScript is changeByCommands in one round trip (changeScript) when the cached
// sitemap lists the page. Otherwise, the limits counted, it checks the page as
// changeByCommands does and then runs the script again without the counting and the
// check. A reader without a token that likes (or toggles) gets its id and token first;
// the token is set as the cookie once the like is stored.
func (h *Handler) changeByScript(w *writer, limits []Limit, page, action, reader string) (st PageLikes, ok bool) {
	var token string
	if reader == "" && action != "unlike" {
		if reader, token, ok = h.newReader(w); !ok {
			return st, false
		}
	}
	counting := (&RateLimiter{Now: h.now}).counting(limits)
	keys := append([]string{sitemapKey, pageKey(page)}, counting.keys...)
	args := append([]any{page, reader, action, "1"}, counting.scriptArgs()...)
	res, err := changeScript.run(h.Store, keys, args...)
	if err != nil {
		h.storeFailure(w, err)
		return st, false
	}
	counts := res[:min(len(res), len(counting.keys))]
	if ok, retry, err := counting.verdict(counts); !h.allowed(w, ok, retry, err) {
		return st, false
	}
	if res = res[len(counts):]; len(res) == 0 {
		if !h.inSitemap(w, page) {
			return st, false
		}
		res, err = changeScript.run(h.Store, keys[:2], page, reader, action, "0", 0)
	}
	if err == nil && len(res) != 2 {
		err = changeScript.fail(fmt.Errorf("%d replies after the counts, want 2", len(res)))
	}
	if err != nil {
		h.storeFailure(w, err)
		return st, false
	}
	if token != "" {
		h.setToken(w, token)
	}
	return PageLikes{URL: page, Count: res[1], Liked: res[0] == 1}, true
}

// newReader makes a new reader id and its token; ok is false when it has answered the
// request (500).
func (h *Handler) newReader(w *writer) (reader, token string, ok bool) {
	reader, err := h.tokens().NewReaderID()
	if err == nil {
		token, err = h.tokens().Issue(reader)
	}
	if err != nil {
		log.Printf("likes: issuing token: %v", err)
		w.fail(http.StatusInternalServerError, "cannot issue token")
		return "", "", false
	}
	return reader, token, true
}

// setToken sets the reader's token cookie.
func (h *Handler) setToken(w *writer, token string) {
	w.Add("Set-Cookie", h.cookie(token, int(TokenTTL/time.Second)).String())
}
