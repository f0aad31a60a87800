package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"wasmsite/server/internal/engine"
	"wasmsite/server/internal/httpcache"
)

// poolCollector reads components' instance pools at each scrape.
type poolCollector struct {
	pools map[string]*engine.Module // by component

	live, idle, waiting, max                      *prometheus.Desc
	created, reused, rejected, waits, waitSeconds *prometheus.Desc
	resets, resetPages                            *prometheus.Desc
}

// Pools is a collector of each component's instance pool (engine.Module.Stats).
func Pools(pools map[string]*engine.Module) prometheus.Collector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(namespace+"_instances_"+name, help, []string{"component"}, nil)
	}
	return &poolCollector{pools: pools,
		live:        d("live", "Instances in use, idle or being created."),
		idle:        d("idle", "Instances reset and ready."),
		waiting:     d("waiting", "Requests waiting for an instance."),
		max:         d("max", "The most instances the component may have."),
		created:     d("created_total", "Instances created."),
		reused:      d("reused_total", "Requests served by a reset instance."),
		rejected:    d("rejected_total", "Requests refused because instances and queue were full (answered 503)."),
		waits:       d("waits_total", "Requests that waited for an instance."),
		waitSeconds: d("wait_seconds_total", "Time requests spent waiting for an instance."),
		resets:      d("resets_total", "Resets of an instance's memory to its image."),
		resetPages:  d("reset_pages_total", "4 KiB pages copied back by resets."),
	}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.live, c.idle, c.waiting, c.max, c.created, c.reused, c.rejected,
		c.waits, c.waitSeconds, c.resets, c.resetPages} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for id, m := range c.pools {
		s := m.Stats()
		gauge := func(d *prometheus.Desc, v int) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), id)
		}
		counter := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, id)
		}
		gauge(c.live, s.Live)
		gauge(c.idle, s.Idle)
		gauge(c.waiting, s.Waiting)
		gauge(c.max, s.Max)
		counter(c.created, float64(s.Created))
		counter(c.reused, float64(s.Reused))
		counter(c.rejected, float64(s.Rejected))
		counter(c.waits, float64(s.Waits))
		counter(c.waitSeconds, s.WaitTime.Seconds())
		counter(c.resets, float64(s.Resets))
		counter(c.resetPages, float64(s.ResetPages))
	}
}

// Cache is a collector of the HTTP cache's hits, misses and size.
func Cache(c *httpcache.Cache) prometheus.Collector { return &cacheCollector{c: c} }

type cacheCollector struct{ c *httpcache.Cache }

var (
	cacheLookups = prometheus.NewDesc(namespace+"_http_cache_requests_total",
		"Requests the HTTP cache answered from an entry (hit) or forwarded to a component (miss).", []string{"result"}, nil)
	cacheBytes = prometheus.NewDesc(namespace+"_http_cache_bytes",
		"What the HTTP cache holds (bodies, headers, bookkeeping).", nil, nil)
	cacheMaxBytes = prometheus.NewDesc(namespace+"_http_cache_max_bytes", "The HTTP cache's size bound.", nil, nil)
)

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- cacheLookups
	ch <- cacheBytes
	ch <- cacheMaxBytes
}

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(cacheLookups, prometheus.CounterValue, float64(c.c.Hits.Load()), "hit")
	ch <- prometheus.MustNewConstMetric(cacheLookups, prometheus.CounterValue, float64(c.c.Misses.Load()), "miss")
	ch <- prometheus.MustNewConstMetric(cacheBytes, prometheus.GaugeValue, float64(c.c.Size()))
	ch <- prometheus.MustNewConstMetric(cacheMaxBytes, prometheus.GaugeValue, float64(c.c.MaxBytes()))
}
