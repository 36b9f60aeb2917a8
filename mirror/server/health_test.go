package server_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestHealthz(t *testing.T) {
	empty := newMirror(t, newStore(t))
	resp, body := empty.get(t, "/healthz")
	wantStatus(t, "healthz", resp, body, http.StatusOK)
	if string(body) != "ok sequence=0 state=\n" {
		t.Errorf("healthz of an empty mirror: %q", body)
	}
	m := basicMirror(t)
	cat, _ := m.catalog(t)
	code := decodeCatalog(t, cat).StateCode
	resp, body = m.get(t, "/healthz")
	wantStatus(t, "healthz", resp, body, http.StatusOK)
	if want := "ok sequence=1 state=" + code + "\n"; string(body) != want {
		t.Errorf("healthz: %q, want %q", body, want)
	}
}

// metrics returns the /metrics exposition.
func (m *mirror) metrics(t testing.TB) string {
	t.Helper()
	resp, body := m.get(t, "/metrics")
	wantStatus(t, "metrics", resp, body, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("/metrics Content-Type %q", ct)
	}
	return string(body)
}

// wantMetric fails t unless the exposition has each sample ("name{labels}
// value") with that value.
func wantMetric(t testing.TB, exposition string, samples ...string) {
	t.Helper()
	got := make(map[string]float64)
	for _, l := range strings.Split(exposition, "\n") {
		if i := strings.LastIndexByte(l, ' '); i > 0 && !strings.HasPrefix(l, "#") {
			v, err := strconv.ParseFloat(l[i+1:], 64)
			if err != nil {
				t.Fatalf("/metrics line %q: %v", l, err)
			}
			got[l[:i]] = v
		}
	}
	for _, s := range samples {
		i := strings.LastIndexByte(s, ' ')
		want, _ := strconv.ParseFloat(s[i+1:], 64)
		if v, ok := got[s[:i]]; !ok || v != want {
			t.Errorf("/metrics: %s = %v (present %v), want %v", s[:i], v, ok, want)
		}
	}
}

func TestMetrics(t *testing.T) {
	m := basicMirror(t)
	m.catalog(t)
	m.get(t, "/blobs/sha256/"+ffMSI.sha())
	m.get(t, "/blobs/sha256/"+ffMSI.sha())
	m.get(t, "/blobs/sha256/"+sha(nil))
	m.get(t, "/blobs/sha256/nothex")
	m.get(t, ichitaro.filesPath())
	m.get(t, "/no/such/page")
	got := m.metrics(t)
	wantMetric(t, got,
		"patchferry_catalog_sequence 1",
		"patchferry_quarantined_blobs 0",
		"patchferry_served_blobs 3",
		fmt.Sprintf("patchferry_last_import_timestamp_seconds %d", now.Unix()),
		`patchferry_http_requests_total{code="200",route="GET /v1/catalog"} 1`,
		`patchferry_http_requests_total{code="200",route="GET /blobs/sha256/{hex}"} 2`,
		`patchferry_http_requests_total{code="404",route="GET /blobs/sha256/{hex}"} 1`,
		`patchferry_http_requests_total{code="400",route="GET /blobs/sha256/{hex}"} 1`,
		`patchferry_http_requests_total{code="200",route="GET /files/"} 1`,
		`patchferry_http_requests_total{code="404",route="other"} 1`,
		fmt.Sprintf(`patchferry_http_response_bytes_total{route="GET /blobs/sha256/{hex}"} %d`, 2*len(ffMSI.data)+len("404 page not found\n")+len("not a SHA-256\n")),
	)
	// The route label stays bounded: no request path becomes a label.
	if strings.Contains(got, "/no/such/page") || strings.Contains(got, ffMSI.sha()) {
		t.Error("/metrics has a request path as a label")
	}
	empty := newMirror(t, newStore(t))
	wantMetric(t, empty.metrics(t), "patchferry_catalog_sequence 0", "patchferry_last_import_timestamp_seconds 0", "patchferry_served_blobs 0")
}
