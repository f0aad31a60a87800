package likes

import (
	"context"
	"fmt"
	"net/http"

	"wasmsite/functions/sdk/spinhttp"
)

// pageKey is the store key of a page's set of readers.
func pageKey(page string) string { return "likes:" + page }

// serveGet answers the state of one page or of a batch: 400 for a bad url, 404 when a
// page is not in the sitemap. A stale or forged cookie does not hide counts: it is
// cleared and the request is answered without a reader.
func (h *Handler) serveGet(w *writer, r *spinhttp.Request) {
	pages, ok := h.requestedPages(w, r)
	if !ok {
		return
	}
	reader, bad := h.reader(r)
	if bad {
		h.clearCookie(w)
	}
	var out []PageLikes
	if h.Scripts {
		var err error
		if out, err = h.statesByScript(pages, reader); err != nil {
			h.storeFailure(w, err)
			return
		}
	}
	if out == nil {
		if out, ok = h.statesByCommands(w, pages, reader); !ok {
			return
		}
	}
	if len(out) == 1 {
		w.writeJSON(http.StatusOK, out[0])
		return
	}
	w.writeJSON(http.StatusOK, map[string]any{"likes": out})
}

// requestedPages returns the normalised pages of the query's url parameters; false
// when it has answered the request (400).
func (h *Handler) requestedPages(w *writer, r *spinhttp.Request) ([]string, bool) {
	raws := r.Query()["url"]
	if len(raws) == 0 {
		w.fail(http.StatusBadRequest, "missing url")
		return nil, false
	}
	if len(raws) > MaxBatch {
		w.fail(http.StatusBadRequest, "too many urls")
		return nil, false
	}
	pages := make([]string, len(raws))
	for i, raw := range raws {
		p, err := Normalize(h.Config.Site, raw)
		if err != nil {
			urlError(w, err)
			return nil, false
		}
		pages[i] = p
	}
	return pages, true
}

// statesByCommands checks the pages against the sitemap (fetching it when needed) and
// reads each one's state. ok is false when it has answered the request (404 or 503).
func (h *Handler) statesByCommands(w *writer, pages []string, reader string) (out []PageLikes, ok bool) {
	known, err := h.sitemap().Contains(context.Background(), pages...)
	if err != nil {
		h.storeFailure(w, err)
		return nil, false
	}
	out = make([]PageLikes, len(pages))
	for i, p := range pages {
		if !known[i] {
			w.fail(http.StatusNotFound, "page not in sitemap: "+p)
			return nil, false
		}
		if out[i], err = h.state(p, reader); err != nil {
			h.storeFailure(w, err)
			return nil, false
		}
	}
	return out, true
}

// state reads a page's count and, with a reader, whether it liked the page.
func (h *Handler) state(page, reader string) (PageLikes, error) {
	n, err := intResult(h.Store, "SCARD", pageKey(page))
	if err != nil {
		return PageLikes{}, err
	}
	pl := PageLikes{URL: page, Count: n}
	if reader != "" {
		m, err := intResult(h.Store, "SISMEMBER", pageKey(page), reader)
		if err != nil {
			return PageLikes{}, err
		}
		pl.Liked = m == 1
	}
	return pl, nil
}

// statesByScript is statesByCommands in one round trip (statesScript) when the cached
// sitemap lists every page; otherwise it returns nil, and statesByCommands answers.
func (h *Handler) statesByScript(pages []string, reader string) ([]PageLikes, error) {
	keys := make([]string, 1, 1+len(pages))
	keys[0] = sitemapKey
	args := make([]any, 1, 1+len(pages))
	args[0] = reader
	for _, p := range pages {
		keys = append(keys, pageKey(p))
		args = append(args, p)
	}
	res, err := statesScript.run(h.Store, keys, args...)
	if err != nil || len(res) == 0 {
		return nil, err
	}
	if len(res) != 2*len(pages) {
		return nil, statesScript.fail(fmt.Errorf("%d replies for %d pages", len(res), len(pages)))
	}
	out := make([]PageLikes, len(pages))
	for i, p := range pages {
		out[i] = PageLikes{URL: p, Count: res[2*i], Liked: res[2*i+1] == 1}
	}
	return out, nil
}
