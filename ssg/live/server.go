// Package live is the development mode of a watching build: pages of the
// site get a small script (Script, with the tag Snippet) that holds a
// Server-Sent Events stream to Server and, after each rebuild, reloads
// itself when its page changed, or shows the build's errors over the page
// until they are fixed.
package live

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Server sends build outcomes to the browsers showing the site. It is an
// http.Handler answering GET /events with an event stream:
//
//	event: hello   data: {"session", "build", "problems"}  on connecting: the current state
//	event: built   data: {"build", "pages", "all"}         after a build that succeeded
//	event: failed  data: {"build", "problems"}             after a build that failed
//
// session changes with every process and build counts builds, so that a
// page reconnecting to a newer state reloads. Only the site's own origin
// (and, for a loopback site, its other loopback names) may read the stream,
// and only through a loopback name or the site's host (against DNS
// rebinding).
type Server struct {
	origins map[string]bool
	hosts   map[string]bool
	session string

	mu       sync.Mutex
	build    int
	problems []Problem
	clients  map[chan event]bool
}

// event is one server-sent event.
type event struct {
	name string
	data any
}

// Heartbeat is how often an idle stream gets a comment, so that it is not
// taken for dead.
const Heartbeat = 15 * time.Second

// NewServer returns the Server for a site at siteURL (its base URL).
func NewServer(siteURL string) (*Server, error) {
	u, err := url.Parse(siteURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("live reload: site URL %q has no host", siteURL)
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	s := &Server{origins: map[string]bool{}, hosts: map[string]bool{u.Hostname(): true},
		session: hex.EncodeToString(id[:]), clients: map[chan event]bool{}}
	s.origins[u.Scheme+"://"+u.Host] = true
	loopback := []string{"localhost", "127.0.0.1", "[::1]"}
	for _, h := range loopback {
		s.hosts[strings.Trim(h, "[]")] = true
	}
	if isLoopback(u.Hostname()) {
		for _, h := range loopback {
			s.origins[u.Scheme+"://"+h+portSuffix(u)] = true
		}
	}
	return s, nil
}

// isLoopback reports whether host names this machine's loopback interface.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// portSuffix returns ":port" of u, or "" when it has none.
func portSuffix(u *url.URL) string {
	if p := u.Port(); p != "" {
		return ":" + p
	}
	return ""
}

// Built tells the browsers that a build succeeded and changed the output
// files at changed (slash paths relative to the output directory).
func (s *Server) Built(changed []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.build++
	s.problems = nil
	r := reloadOf(changed)
	s.broadcast(event{"built", map[string]any{"build": s.build, "pages": r.Pages, "all": r.All}})
}

// Failed tells the browsers that a build failed with err; the site still
// shows the last good build.
func (s *Server) Failed(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.build++
	s.problems = Problems(err)
	s.broadcast(event{"failed", map[string]any{"build": s.build, "problems": s.problems}})
}

// broadcast queues ev for every client; one that is too far behind is
// dropped (its browser reconnects and gets the state).
func (s *Server) broadcast(ev event) {
	for c := range s.clients {
		select {
		case c <- ev:
		default:
			delete(s.clients, c)
			close(c)
		}
	}
}

// ServeHTTP answers GET /events (see Server).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/events" {
		http.NotFound(w, r)
		return
	}
	if !s.hostAllowed(r.Host) {
		http.Error(w, "unknown host", http.StatusMisdirectedRequest)
		return
	}
	if o := r.Header.Get("Origin"); o != "" {
		if !s.origins[o] {
			http.Error(w, "origin not allowed", http.StatusForbidden)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Set("Vary", "Origin")
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.stream(w, r)
}

// hostAllowed reports whether a request's Host header names this machine
// by a loopback name or the site's host, whatever the port.
func (s *Server) hostAllowed(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return s.hosts[strings.Trim(host, "[]")]
}

// stream sends the state, then every event, until the client goes.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	c := make(chan event, 16)
	s.mu.Lock()
	hello := event{"hello", map[string]any{"session": s.session, "build": s.build, "problems": s.problems}}
	s.clients[c] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.clients[c] {
			delete(s.clients, c)
			close(c)
		}
		s.mu.Unlock()
	}()
	rc := http.NewResponseController(w)
	fmt.Fprint(w, "retry: 500\n\n")
	send(w, hello)
	if rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-c:
			if !ok {
				return
			}
			send(w, ev)
		case <-tick.C:
			fmt.Fprint(w, ": ping\n\n")
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// send writes ev in the event-stream format (its JSON has no newline).
func send(w http.ResponseWriter, ev event) {
	b, _ := json.Marshal(ev.data)
	fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.name, b)
}
