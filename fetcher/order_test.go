package fetcher_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/patchferry/patchferry/fetcher"
	"github.com/patchferry/patchferry/media"
)

// Order lists artifacts by vendor, product, version (numbers as numbers),
// platform, language and file name, whatever order they come in.
func TestOrder(t *testing.T) {
	t.Parallel()
	a := func(vendor, product, version, platform, lang, name string) media.Artifact {
		return media.Artifact{Vendor: vendor, Product: product, Version: version, Platform: platform, Language: lang, FileName: name}
	}
	want := []media.Artifact{
		a("clamav", "bytecode", "1", "", "", "bytecode.cvd"),
		a("clamav", "daily", "2", "", "", "daily-2.cdiff"),
		a("clamav", "daily", "9", "", "", "daily-9.cdiff"),
		a("clamav", "daily", "10", "", "", "daily-10.cdiff"),
		a("clamav", "daily", "10", "", "", "daily.cvd"),
		a("mozilla", "firefox-esr", "128.9.0esr", "win64", "ja", "Firefox Setup 128.9.0esr.exe"),
		a("mozilla", "firefox-esr", "128.10.0esr", "win64", "en-US", "Firefox Setup 128.10.0esr.exe"),
		a("mozilla", "firefox-esr", "128.10.0esr", "win64", "ja", "Firefox Setup 128.10.0esr.exe"),
		a("mozilla", "firefox-esr", "128.10.0esr", "win64", "ja", "Firefox Setup 128.10.0esr.msi"),
		a("mozilla", "firefox-esr", "128.10.1esr", "win32", "ja", "Firefox Setup 128.10.1esr.exe"),
		a("mozilla", "firefox-esr", "128.10.1esr", "win64", "ja", "Firefox Setup 128.10.1esr.exe"),
		a("mozilla", "thunderbird", "128.5.0esr", "win64", "ja", "Thunderbird Setup 128.5.0esr.exe"),
	}
	for i := range 20 {
		got := slices.Clone(want)
		rand.New(rand.NewPCG(uint64(i), 1)).Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		slices.SortFunc(got, func(x, y media.Artifact) int { return fetcher.Order(&x, &y) })
		if !slices.EqualFunc(got, want, func(x, y media.Artifact) bool {
			return x.Version == y.Version && x.FileName == y.FileName && x.Platform == y.Platform && x.Language == y.Language
		}) {
			t.Fatalf("sorted:\n%v\nwant:\n%v", got, want)
		}
	}
	// A total order: different spellings of one number still differ.
	x, y := a("v", "p", "07", "", "", "f"), a("v", "p", "7", "", "", "f")
	if c1, c2 := fetcher.Order(&x, &y), fetcher.Order(&y, &x); c1 == 0 || c1 != -c2 {
		t.Errorf("Order(07, 7) = %d, Order(7, 07) = %d", c1, c2)
	}
}
