package likes

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"wasmsite/functions/sdk/redis"
	"wasmsite/functions/sdk/spinhttp"

	"github.com/golang-jwt/jwt/v5"
)

// Warm serves one request of each kind the API answers (a single and a batch GET with
// a token, a JSON like without one, a form toggle, a DELETE) through
// spinhttp.ServeRequest, as the component's export does, to a copy of h whose store and
// fetcher answer in memory. Their tokens and JSON bodies come in the plain forms
// (plainjson.go) and in others, so that encoding/json's paths are warm too.
// It returns an error naming the first request that was not answered as a successful
// one would be. Nothing leaves the component, and of h only its Tokens changes: it is
// made, and Verify's keys derived, as on h's first request.
//
// It is for the component's initialisation: the host snapshots the instance after it
// and resets every request to that snapshot, so what the Go runtime and the standard
// library set up lazily on first use (encoding/json's per-type codecs, interface
// tables, sync.Once values, the grown goroutine stack) is then done once, not on every
// request. In a Go guest that is more than a third of a like's CPU.
func Warm(h *Handler) error {
	if h.ConfigErr != nil {
		return h.ConfigErr
	}
	// The copy shares h's Tokens, so that the keys Verify derives are in the snapshot.
	w := &Handler{Config: h.Config, Now: h.Now, Rand: h.Rand, Scripts: h.Scripts,
		Store: warmStore{}, Fetcher: warmFetcher{}, tok: h.tokens()}
	site := strings.TrimSuffix(h.Config.Site.String(), "/")
	token, err := w.tokens().Issue(strings.Repeat("0", 32))
	if err != nil {
		return fmt.Errorf("likes: warming: %w", err)
	}
	other, err := otherFormToken(w.tokens(), strings.Repeat("1", 32))
	if err != nil {
		return fmt.Errorf("likes: warming: %w", err)
	}
	cookie, otherCookie := CookieName+"="+token, CookieName+"="+other
	one := url.Values{"url": {site + "/"}}.Encode()
	for _, r := range []struct {
		method, query, contentType, body, cookie string
		status                                   int
	}{
		{http.MethodGet, one, "", "", cookie, http.StatusOK},
		{http.MethodGet, one + "&url=%2Fx%2F", "", "", otherCookie, http.StatusOK},
		{http.MethodPost, "", "application/json", `{"url":"/"}`, "", http.StatusOK},
		{http.MethodPost, "", "application/x-www-form-urlencoded", "action=toggle&" + one, cookie, http.StatusSeeOther},
		{http.MethodDelete, "", "application/json", `{ "url": "/" }`, cookie, http.StatusOK},
	} {
		uri := "/likes"
		if r.query != "" {
			uri += "?" + r.query
		}
		headers := []spinhttp.Pair{
			{Name: "host", Value: h.Config.Site.Host}, {Name: "origin", Value: site},
			{Name: "content-type", Value: r.contentType}, {Name: "cookie", Value: r.cookie},
			{Name: spinhttp.HeaderFullURL, Value: site + uri}, {Name: spinhttp.HeaderPathInfo, Value: ""},
			{Name: spinhttp.HeaderClientAddr, Value: "127.0.0.1:1"},
		}
		resp := spinhttp.ServeRequest(w.Serve, r.method, uri, headers, []byte(r.body))
		if resp.Status != r.status {
			return fmt.Errorf("likes: warming: %s %s answered %d, want %d: %s", r.method, uri, resp.Status, r.status, resp.Body)
		}
	}
	return nil
}

// otherFormToken is a valid token for reader whose claims are not in the form Issue
// writes (jwt.MapClaims sorts them), as in tokens other tools sign with the secret.
func otherFormToken(t *Tokens, reader string) (string, error) {
	now := t.now()
	claims := jwt.MapClaims{"iss": t.Issuer, "sub": reader, "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(TokenTTL).Unix()}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.Secrets[0])
}

// warmStore answers every command and script as Redis would if every page were in the
// sitemap, every count 1 and every reader's like stored.
type warmStore struct{}

func (warmStore) Execute(cmd string, args ...any) ([]redis.Result, error) {
	n := 1
	switch cmd {
	case "SMISMEMBER":
		n = len(args) - 1
	case "EVAL":
		keys := int(args[1].(int64))
		switch args[0] {
		case statesScript.src:
			n = 2 * (keys - 1) // count, liked per page
		case changeScript.src:
			n = keys // a count per counter (the keys after two), liked, count
		}
	}
	res := make([]redis.Result, n)
	for i := range res {
		res[i] = redis.Result{Kind: redis.KindInt64, Int64: 1}
	}
	return res, nil
}

type warmFetcher struct{}

func (warmFetcher) Fetch(context.Context, string) ([]byte, error) {
	return nil, errors.New("likes: warming fetches nothing")
}
