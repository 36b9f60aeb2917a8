package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/verify"
)

// bundle create refuses a vendor, product, version, channel, platform or
// language that would become an unsafe path segment, before it asks for
// the key or writes anything, naming the flag and the value.
func TestCreateRefusesUnsafeNames(t *testing.T) {
	t.Parallel()
	f := shared(t)
	for _, tc := range []struct {
		flag, value string
		args        []string
	}{
		{"--product", `".."`, []string{"--product", "../..", "--version", "1"}},
		{"--version", `"../x"`, []string{"--product", "justsystems/ichitaro", "--version", "../x"}},
		{"--platform", `"..\\x"`, []string{"--product", "justsystems/ichitaro", "--version", "1", "--platform", `..\x`}},
		{"--language", `".ja"`, []string{"--product", "justsystems/ichitaro", "--version", "1", "--language", ".ja"}},
	} {
		out := t.TempDir()
		args := append([]string{"bundle", "create", "--key", f.publisher.priv, "--out", out, "--sequence", "1"}, tc.args...)
		_, stderr, code := runCLI(t, nil, append(args, f.payloads...)...) // no password given: refused before the key is opened
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", tc.args, code, exitUsage, stderr)
		}
		wantContains(t, "bundle create "+tc.flag, stderr, tc.flag, tc.value, "folder name on the mirror")
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Errorf("%v: a refused create wrote %d entries", tc.args, len(entries))
		}
	}
}

// signedWith writes a bundle of one file with the mediatest publisher key,
// lets mutate change its manifest, re-signs it properly and returns the
// bundle folder and the path of the publisher's public key.
func signedWith(t *testing.T, mutate func(m *media.Manifest)) (bundle, pub string) {
	t.Helper()
	key := mediatest.TestKeys(t).Publisher
	w := mediatest.Write(t, media.WriteOptions{}, mediatest.Contents{Files: []mediatest.File{{
		Data: payload(3000), Artifact: media.Artifact{Vendor: "justsystems", Product: "ichitaro", Version: "2026.1",
			FileName: "update.exe", Verification: media.Verification{Method: media.MethodManual}}}}})
	bundle = w.Dirs[0]
	raw, err := os.ReadFile(filepath.Join(bundle, media.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	m, err := media.ParseManifest(raw)
	if err != nil {
		t.Fatal(err)
	}
	mutate(m)
	if raw, err = m.Marshal(); err != nil {
		t.Fatal(err)
	}
	sig, err := verify.Sign(key, raw)
	if err != nil {
		t.Fatal(err)
	}
	overwrite(t, filepath.Join(bundle, media.ManifestName), raw)
	overwrite(t, filepath.Join(bundle, media.SignatureName), verify.EncodeSignature(sig))
	pub = filepath.Join(t.TempDir(), "publisher.pub")
	if err := os.WriteFile(pub, key.Public().PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	return bundle, pub
}

// A properly signed manifest whose names would become unsafe paths, or
// whose size overflows, is refused by bundle verify and by mirror import,
// naming the field (or the file and the limit); the mirror stays empty.
func TestVerifyAndImportRefuseSignedBadManifest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		mutate func(m *media.Manifest)
		want   []string
	}{
		{"version ../x", func(m *media.Manifest) { m.Artifacts[0].Version = "../x" }, []string{"version: ", `"../x"`}},
		{"product ../..", func(m *media.Manifest) { m.Artifacts[0].Product = "../.." }, []string{"product: ", `"../.."`}},
		{"catalog version", func(m *media.Manifest) { m.Catalog[0].Version = "..%2F..%2Fetc" }, []string{"catalog[0]", "version: "}},
		{"platform", func(m *media.Manifest) { m.Artifacts[0].Platform = ".." }, []string{"platform: ", `".."`}},
		{"size 2^63-1", func(m *media.Manifest) { m.Artifacts[0].Size = math.MaxInt64 },
			[]string{"update.exe", "9223372036854775807", "limit of 1099511627776 bytes", "→ " + generalMessages[hintLimit].en}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bundle, pub := signedWith(t, tc.mutate)
			_, stderr, code := runCLI(t, nil, "bundle", "verify", "--trust", pub, bundle)
			if code != exitFailed {
				t.Errorf("bundle verify: exit %d, want %d\n%s", code, exitFailed, stderr)
			}
			wantContains(t, "bundle verify", stderr, append([]string{"bundle.json"}, tc.want...)...)

			data := filepath.Join(t.TempDir(), "data")
			mustRun(t, nil, "mirror", "init", "--data", data, "--trust", pub)
			_, stderr, code = runCLI(t, nil, "mirror", "import", "--data", data, bundle)
			if code != exitFailed {
				t.Errorf("mirror import: exit %d, want %d\n%s", code, exitFailed, stderr)
			}
			wantContains(t, "mirror import", stderr, tc.want...)
			if s := mirrorStatusJSON(t, data); s["sequence"].(float64) != 0 {
				t.Errorf("the refused bundle was imported: %v", s)
			}
			if strings.Contains(stderr, "0 bytes, expected") {
				t.Errorf("size overflow reached the reader: %s", stderr)
			}
		})
	}
}
