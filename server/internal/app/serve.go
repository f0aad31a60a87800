package app

import (
	"context"
	"errors"
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

// Serve serves HTTP on ln and runs the Redis triggers until ctx is done, then shuts
// down gracefully (in-flight requests get up to 10 s). The listener keeps at most
// Limits.MaxConnections connections open and applies the limits' timeouts.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	a.HTTP.Self = selfOrigin(ln.Addr(), a.HTTP.TLS)
	srv := a.server()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for _, rt := range a.redis {
		wg.Go(func() {
			if err := rt.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Error("redis trigger stopped", "err", err)
			}
		})
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(netutil.LimitListener(ln, a.Limits.MaxConnections)) }()
	select {
	case err := <-errc:
		cancel()
		wg.Wait()
		return err
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	err := srv.Shutdown(sctx)
	wg.Wait()
	return err
}

// server is the http.Server for the HTTP trigger, with the limits' timeouts.
func (a *App) server() *http.Server {
	l := a.Limits
	return &http.Server{Handler: a.HTTP, ReadHeaderTimeout: l.HeaderTimeout, ReadTimeout: l.ReadTimeout,
		WriteTimeout: l.WriteTimeout, IdleTimeout: l.IdleTimeout, MaxHeaderBytes: maxHeaderBytes,
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
}

// selfOrigin is the origin outbound requests to "self" go to: the listener's address,
// with a wildcard address replaced by loopback.
func selfOrigin(addr net.Addr, tls bool) *url.URL {
	u := &url.URL{Scheme: "http", Host: addr.String()}
	if tls {
		u.Scheme = "https"
	}
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		loopback := net.IPv4(127, 0, 0, 1)
		if tcp.IP.To4() == nil {
			loopback = net.IPv6loopback
		}
		u.Host = net.JoinHostPort(loopback.String(), strconv.Itoa(tcp.Port))
	}
	return u
}
