package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"golang.org/x/net/netutil"
)

// maxHeaderBytes bounds a request's header section (request line and headers): larger
// ones get 431.
const maxHeaderBytes = 64 << 10

// DefaultListen is where HTTP is served without HTTPS when --listen is not given.
const DefaultListen = "127.0.0.1:3000"

// Listeners are the sockets Serve serves.
type Listeners struct {
	// HTTP serves the application; with HTTPS on, it redirects to HTTPS instead and
	// answers ACME HTTP-01 challenges.
	HTTP net.Listener
	// HTTPS serves the application over TLS (nil: HTTPS is off).
	HTTPS net.Listener
}

// Listen opens the listeners: HTTP on addr when given (the --listen flag), else with
// HTTPS on tls http_listen or DefaultTLSHTTPListen, else DefaultListen; with HTTPS on,
// HTTPS on tls https_listen or DefaultHTTPSListen. Errors name the listener.
func (a *App) Listen(addr string) (*Listeners, error) {
	if a.certs == nil {
		ln, err := net.Listen("tcp", cmp.Or(addr, DefaultListen))
		return &Listeners{HTTP: ln}, err
	}
	ln, err := net.Listen("tcp", cmp.Or(addr, a.tls.HTTPListen, DefaultTLSHTTPListen))
	if err != nil {
		return nil, fmt.Errorf("HTTP listener: %w", err)
	}
	tln, err := net.Listen("tcp", cmp.Or(a.tls.HTTPSListen, DefaultHTTPSListen))
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("HTTPS listener: %w", err)
	}
	return &Listeners{HTTP: ln, HTTPS: tln}, nil
}

// URL is the site's address for the start-up message: with HTTPS,
// https://<first certificate name>[:port] (the listener's address when the certificate
// names none); else http://<HTTP listener's address>.
func (a *App) URL(l *Listeners) string {
	if l.HTTPS == nil {
		return "http://" + l.HTTP.Addr().String()
	}
	if names := a.certs.names(); len(names) > 0 {
		return "https://" + originHost(names[0], strconv.Itoa(port(l.HTTPS.Addr())))
	}
	return "https://" + l.HTTPS.Addr().String()
}

// served is an http.Server and the listener it serves, over TLS or not.
type served struct {
	srv *http.Server
	ln  net.Listener
	tls bool
}

func (s served) serve() error {
	if s.tls {
		return s.srv.ServeTLS(s.ln, "", "")
	}
	return s.srv.Serve(s.ln)
}

// Serve serves the application on l (see Listeners and serveTLS) and runs the Redis
// triggers until ctx is done, then shuts down gracefully (in-flight requests get up
// to 10 s). Each listener keeps at most Limits.MaxConnections connections open and
// applies the limits' timeouts.
func (a *App) Serve(ctx context.Context, l *Listeners) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	servers := []served{{srv: a.server(a.HTTP), ln: l.HTTP}}
	a.HTTP.Self = selfOrigin(l.HTTP.Addr())
	if l.HTTPS != nil {
		var err error
		if servers, err = a.serveTLS(ctx, l); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	for _, rt := range a.redis {
		wg.Go(func() {
			if err := rt.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Error("redis trigger stopped", "err", err)
			}
		})
	}
	errc := make(chan error, len(servers))
	for _, s := range servers {
		s.ln = netutil.LimitListener(s.ln, a.Limits.MaxConnections)
		go func() { errc <- s.serve() }()
	}
	var err error
	select {
	case err = <-errc:
		cancel()
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	for _, s := range servers {
		err = cmp.Or(err, s.srv.Shutdown(sctx))
	}
	wg.Wait()
	return err
}

// server is an http.Server for h with the limits' timeouts.
func (a *App) server(h http.Handler) *http.Server {
	l := a.Limits
	return &http.Server{Handler: h, ReadHeaderTimeout: l.HeaderTimeout, ReadTimeout: l.ReadTimeout,
		WriteTimeout: l.WriteTimeout, IdleTimeout: l.IdleTimeout, MaxHeaderBytes: maxHeaderBytes,
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
}

// selfOrigin is the origin outbound requests to "self" go to: the listener's address,
// with a wildcard address replaced by loopback.
func selfOrigin(addr net.Addr) *url.URL {
	u := &url.URL{Scheme: "http", Host: addr.String()}
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		loopback := net.IPv4(127, 0, 0, 1)
		if tcp.IP.To4() == nil {
			loopback = net.IPv6loopback
		}
		u.Host = net.JoinHostPort(loopback.String(), strconv.Itoa(tcp.Port))
	}
	return u
}
