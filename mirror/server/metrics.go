package server

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus collectors, in a registry of its own.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	bytes    *prometheus.CounterVec
	counters sync.Map // counterKey → *routeCounters, so that a request does not hash its labels
}

type counterKey struct {
	route string
	code  int
}

type routeCounters struct{ requests, bytes prometheus.Counter }

func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "patchferry_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "patchferry_http_response_bytes_total", Help: "Bytes of response bodies served, by route.",
		}, []string{"route"}),
	}
	gauge := func(name, help string, fn func(*snapshot) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return fn(s.snap.Load()) })
	}
	m.reg.MustRegister(m.requests, m.bytes,
		gauge("patchferry_catalog_sequence", "Sequence of the bundle the mirror serves.", func(sn *snapshot) float64 { return float64(sn.sequence) }),
		gauge("patchferry_last_import_timestamp_seconds", "Unix time of the last successful import (0: never).", func(sn *snapshot) float64 {
			if sn.importedAt.IsZero() {
				return 0
			}
			return float64(sn.importedAt.Unix())
		}),
		gauge("patchferry_quarantined_blobs", "Blobs taken out of service by scrub.", func(sn *snapshot) float64 { return float64(sn.quarantined) }),
		gauge("patchferry_served_blobs", "Blobs the mirror serves.", func(sn *snapshot) float64 { return float64(len(sn.blobs)) }),
		collectors.NewGoCollector(),
	)
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// observe counts one request under a route label of bounded cardinality.
func (m *metrics) observe(r *http.Request, status int, n int64) {
	route := r.Pattern
	if route == "" {
		route = "other"
	}
	key := counterKey{route, status}
	c, ok := m.counters.Load(key)
	if !ok {
		c, _ = m.counters.LoadOrStore(key, &routeCounters{
			requests: m.requests.WithLabelValues(route, strconv.Itoa(status)),
			bytes:    m.bytes.WithLabelValues(route),
		})
	}
	rc := c.(*routeCounters)
	rc.requests.Inc()
	rc.bytes.Add(float64(n))
}
