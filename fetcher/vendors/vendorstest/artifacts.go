package vendorstest

import (
	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/evidence"
)

// The records of the samples as the fetcher writes them: daily's CVD,
// cdiff and .sign files, and the Japanese Firefox ESR installer with its
// evidence (SumsName, AscName) and its line in SHA512SUMS (ESREntry).
const (
	ESREntry = "win64/ja/Firefox Setup " + ESRVersion + ".exe"
	SumsName = "mozilla-firefox-esr-" + ESRVersion + "-SHA512SUMS"
	AscName  = SumsName + ".asc"
)

// CVDArtifact is daily.cvd of a version, with its header evidence.
func CVDArtifact(version string, ev ...string) media.Artifact {
	return media.Artifact{Vendor: "clamav", Product: "daily", Version: version, Kind: "cvd", FileName: "daily.cvd",
		Verification: media.Verification{Method: evidence.MethodClamAVCVD, Evidence: ev}}
}

// CdiffArtifact is daily-<version>.cdiff.
func CdiffArtifact(version string) media.Artifact {
	return media.Artifact{Vendor: "clamav", Product: "daily", Version: version, Kind: "cdiff", FileName: "daily-" + version + ".cdiff",
		Verification: media.Verification{Method: evidence.MethodClamAVCdiff}}
}

// SignArtifact is a .sign file of daily at a version.
func SignArtifact(version, name string) media.Artifact {
	return media.Artifact{Vendor: "clamav", Product: "daily", Version: version, Kind: "sign", FileName: name,
		Verification: media.Verification{Method: evidence.MethodClamAVSign}}
}

// ESRArtifact is the Japanese Firefox ESR installer checked against the
// SHA512SUMS line entry, with the evidence files ev.
func ESRArtifact(entry string, ev ...string) media.Artifact {
	return media.Artifact{Vendor: "mozilla", Product: "firefox-esr", Channel: "esr", Version: ESRVersion, Platform: "win64",
		Language: "ja", Kind: "installer-exe", FileName: "Firefox Setup " + ESRVersion + ".exe",
		Verification: media.Verification{Method: evidence.MethodMozillaSums, Evidence: ev, Entry: entry}}
}
