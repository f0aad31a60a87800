// Package metrics is the host's Prometheus instrumentation (prometheus/client_golang):
// requests per component (count by status class, latency histogram, HTTP cache
// result), each component's instance pool (instances, waits, rejections, resets), the
// HTTP cache (hits, misses, size), what guests ask of the host (outbound requests
// allowed and refused, store operations and their errors), and the Go runtime's and
// process's own metrics. A nil *Metrics records nothing, so that instrumented code
// needs no checks when metrics are off.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every metric of the host's own.
const namespace = "wasmsite"

// Metrics holds the host's collectors in a registry of their own.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	outbound *prometheus.CounterVec
	storeOps *prometheus.CounterVec
}

// New returns metrics with the Go runtime and process collectors registered.
func New() *Metrics {
	m := &Metrics{registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "http_requests_total",
		Help: "HTTP requests answered, by component (\"\" when no route matched), status class (2xx…5xx) and HTTP cache result (hit, miss, stale, bypass; \"\" without the cache)."},
		[]string{"component", "code", "cache"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "http_request_duration_seconds",
		Help:    "Time from a request's headers to its response's end, by component.",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}},
		[]string{"component"})
	m.outbound = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "outbound_requests_total",
		Help: "Outbound connections guests asked for, by component, interface (http, redis) and result (allowed, refused)."},
		[]string{"component", "interface", "result"})
	m.storeOps = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "store_operations_total",
		Help: "Key-value and outbound-redis operations, by component, interface (key-value, redis) and result (ok, error: the store failed)."},
		[]string{"component", "interface", "result"})
	m.registry.MustRegister(m.requests, m.duration, m.outbound, m.storeOps,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus's text format (nil metrics: 404).
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Register adds collectors (a component's pool, the HTTP cache).
func (m *Metrics) Register(c prometheus.Collector) {
	if m != nil {
		m.registry.MustRegister(c)
	}
}

// Request records one answered request.
func (m *Metrics) Request(component string, status int, cache string, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(component, statusClass(status), cache).Inc()
	m.duration.WithLabelValues(component).Observe(d.Seconds())
}

// Outbound records a guest's outbound connection request: iface is "http" or
// "redis", allowed whether the allow-list let it through.
func (m *Metrics) Outbound(component, iface string, allowed bool) {
	if m == nil {
		return
	}
	result := "refused"
	if allowed {
		result = "allowed"
	}
	m.outbound.WithLabelValues(component, iface, result).Inc()
}

// StoreOp records a store operation: iface is "key-value" or "redis", failed whether
// the store failed it.
func (m *Metrics) StoreOp(component, iface string, failed bool) {
	if m == nil {
		return
	}
	result := "ok"
	if failed {
		result = "error"
	}
	m.storeOps.WithLabelValues(component, iface, result).Inc()
}

func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}
