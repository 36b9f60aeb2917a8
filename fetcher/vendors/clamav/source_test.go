package clamav

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/fetcher/vendortest/conformance"
	"github.com/patchferry/patchferry/verify"
)

// republishCdiff replaces <db>-<n>.cdiff (and its .sign) with a genuinely
// signed cdiff whose script does not start with the .info header, so it
// carries no build time.
func (c *Fake) republishCdiff(db string, n uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.db(db)
	script := fmt.Sprintf("OPEN %s.hdb\nADD %s\nCLOSE\n", db, strings.TrimSuffix(hdbLine(db, n), "\n"))
	cdiff := buildCdiff(n, script, c.cdiffKey)
	c.u.Put(fmt.Sprintf("/%s-%d.cdiff", db, n), cdiff, d.built)
	c.u.Put(fmt.Sprintf("/%s-%d.cdiff.sign", db, n), c.signFile(cdiff, d.built), d.built)
}

// Every file a fetch records carries its release date: a CVD its header's
// build time, a cdiff the build time of the version it makes (from its
// script, else from the CVD of that version), a .sign the date of the file
// it signs. A cdiff of an older version without a header stays undated,
// with a warning naming it.
func TestFetchDatesClamAVFiles(t *testing.T) {
	t.Parallel()
	u := vendortest.New()
	c := AddFake(u, "daily")
	u.Start()
	t.Cleanup(u.Close)
	built := map[string]time.Time{"1": c.BuildTime("daily")}
	for v := 2; v <= 5; v++ {
		u.Advance(3 * time.Hour)
		c.Release("daily")
		built[fmt.Sprint(v)] = c.BuildTime("daily")
	}
	c.republishCdiff("daily", 3) // an older version: no date
	c.republishCdiff("daily", 5) // the current one: the CVD's date
	if _, err := verify.CdiffBuildTime(mustGet(t, u, "/daily-5.cdiff")); err == nil {
		t.Fatal("test setup: daily-5.cdiff still has a header")
	}

	r := conformance.NewRig(t, u, []fetcher.Vendor{Vendor{}}, "cache_dir: cache\nsources:\n  clamav:\n"+c.SourceYAML())
	conformance.WantOK(t, r.Fetch(t))
	arts := r.Current(t, "clamav")
	if len(arts) != 2+2*4 {
		t.Fatalf("%d current artifacts, want the CVD, 4 cdiffs and their .sign files", len(arts))
	}
	for _, a := range arts {
		want := built[a.Version]
		if a.Version == "3" { // daily-3.cdiff and its .sign
			want = time.Time{}
		}
		if !a.Released.Equal(want) {
			t.Errorf("%s (%s %s): released %v, want %v", a.FileName, a.Kind, a.Version, a.Released, want)
		}
	}
	log := r.Log.String()
	if !strings.Contains(log, "cdiff without a release date") || !strings.Contains(log, "file=daily-3.cdiff") {
		t.Errorf("no warning naming daily-3.cdiff:\n%s", log)
	}
	if strings.Contains(log, "file=daily-5.cdiff ") {
		t.Errorf("a warning for daily-5.cdiff, which takes the CVD's date:\n%s", log)
	}
}

func mustGet(t *testing.T, u *vendortest.Upstream, path string) []byte {
	t.Helper()
	b, ok := u.Get(path)
	if !ok {
		t.Fatalf("nothing at %s", path)
	}
	return b
}

// A DNS TXT lookup that gets no answer (no resolver, no network) is an
// unreachable vendor, said as such; a name that does not exist is not.
func TestLookupTXTUnreachable(t *testing.T) {
	ln, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.LocalAddr().String()
	ln.Close() // nothing answers there: the port refuses
	c := &Source{cfg: Config{DNS: "current.cvd.clamav.net", DNSServer: fetcher.HostPort(addr)}}
	start := time.Now()
	_, err = c.lookupTXT(t.Context())
	var ue *fetcher.UnreachableError
	if !errors.As(err, &ue) || !ue.DNS || ue.Host != "current.cvd.clamav.net" {
		t.Fatalf("lookupTXT with no DNS server: %v (%T), want an UnreachableError", err, err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %s", took)
	}
}
