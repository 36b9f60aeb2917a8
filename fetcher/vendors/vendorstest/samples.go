package vendorstest

import (
	"sync"
	"time"

	"github.com/patchferry/patchferry/fetcher/vendors/clamav"
	"github.com/patchferry/patchferry/fetcher/vendors/mozilla"
	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/verify"
)

// Samples are vendor files as the fakes publish them (test keys, signed
// exactly as the vendors sign), good and bad, for tests of the checks
// outside a fetch: the evidence methods (media/evidence) and the import
// (mirror/ingest).
type Samples struct {
	Trust *verify.VendorTrust // the fakes' anchors, each under its vendor

	// ClamAV's daily database.
	CVD1, CVD, CVDDamaged, CVDBad []byte    // daily.cvd: version 1, version 2, 2 damaged, 2 signed by an unknown key
	CVD1Sign, CVDSign             []byte    // daily-1.cvd.sign, daily-2.cvd.sign
	Cdiff, CdiffBad, CdiffSign    []byte    // daily-2.cdiff, signed by an unknown key, its .sign
	Built                         time.Time // when daily v2 was built

	// Firefox ESR ESRVersion.
	ESR                         map[string][]byte // path in SHA512SUMS → bytes
	Sums, Asc, AscBad, AscOther []byte            // SHA512SUMS, .asc, .asc over other bytes, .asc by an unknown key
}

// ESRVersion is the Firefox ESR of the samples.
const ESRVersion = "128.5.0esr"

// samples are made once per test binary: the fake ClamAV makes eight RSA
// keys.
var samples = sync.OnceValue(func() *Samples {
	up := vendortest.New() // its clock: 2026-11-20 09:00
	get := func(p string) []byte {
		b, ok := up.Get(p)
		if !ok {
			panic("the fake published no " + p)
		}
		return b
	}
	s := &Samples{ESR: map[string][]byte{}}
	clam := clamav.AddFake(up, "daily")
	s.CVD1, s.CVD1Sign = get("/daily.cvd"), get("/daily-1.cvd.sign")
	clam.Release("daily")
	s.Built = clam.BuildTime("daily")
	s.CVD, s.CVDSign = get("/daily.cvd"), get("/daily-2.cvd.sign")
	s.Cdiff, s.CdiffSign = get("/daily-2.cdiff"), get("/daily-2.cdiff.sign")
	clam.PutDamagedCVD("daily")
	s.CVDDamaged = get("/daily.cvd")
	clam.PutBadCVD("daily")
	s.CVDBad = get("/daily.cvd")
	clam.PutBadCdiff("daily", 2)
	s.CdiffBad = get("/daily-2.cdiff")

	moz := mozilla.AddFake(up)
	dir := moz.Dir("firefox-esr", ESRVersion)
	s.Sums, s.Asc = get(dir+"/SHA512SUMS"), get(dir+"/SHA512SUMS.asc")
	for _, rel := range moz.Files("firefox-esr", ESRVersion) {
		s.ESR[rel] = get(dir + "/" + rel)
	}
	moz.BadSumsSignature("firefox-esr", ESRVersion)
	s.AscBad = get(dir + "/SHA512SUMS.asc")
	moz.UnknownKeySums("firefox-esr", ESRVersion)
	s.AscOther = get(dir + "/SHA512SUMS.asc")
	s.Trust = up.VendorTrust()
	return s
})

// Get returns the samples, made on first use.
func Get() *Samples { return samples() }
