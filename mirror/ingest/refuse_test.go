package ingest_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

// TestImportRefusesBadBundle imports sequence 1 and then a damaged or
// untrusted sequence 2: every refusal of the bundle format is also an
// import refusal, the store keeps its state and catalog, and the ledger
// says why.
func TestImportRefusesBadBundle(t *testing.T) {
	x := payload("x.exe", 21, 3000)   // in both bundles
	y := payload("y.msi", 22, 10_000) // new in sequence 2
	feed := file{"vendor-feed", bytes.Repeat([]byte("<release version=\"145.0\"/>\n"), 400)}
	k := keys(t)
	pem := func(list ...*verify.PublicKey) []string {
		var out []string
		for _, key := range list {
			out = append(out, string(key.PEM()))
		}
		return out
	}
	yPayload := func(dir string, m *media.Manifest) string {
		return filepath.Join(dir, filepath.FromSlash(media.PayloadPath(m.Artifacts[1].SHA256)))
	}
	cases := []struct {
		name   string
		spec   func(*spec)
		trust  func(*store.Trust)
		now    time.Time // zero: now
		tamper func(t *testing.T, dir string, m *media.Manifest)
		want   []string // the error and the ledger reason contain each
		code   string   // the ledger row's reason code
		noY    bool     // y's blob must not be stored
		// read: refused after payloads began to be read, so the attempt
		// has a "started" row
		read bool
	}{
		{
			name:   "flipped byte in a payload",
			code:   ledger.ReasonDamaged,
			read:   true,
			tamper: func(t *testing.T, dir string, m *media.Manifest) { editFile(t, yPayload(dir, m), flip(5000)) },
			want:   []string{media.PayloadPath(sha(y.data)), "SHA-256 is", "expected " + sha(y.data)},
			noY:    true,
		},
		{
			name: "flipped byte in a part",
			code: ledger.ReasonDamaged,
			read: true,
			spec: func(s *spec) { s.maxFileSize = 4096 },
			tamper: func(t *testing.T, dir string, m *media.Manifest) {
				if len(m.Artifacts[1].Parts) < 2 {
					t.Fatalf("y has %d parts, want it split", len(m.Artifacts[1].Parts))
				}
				editFile(t, filepath.Join(dir, filepath.FromSlash(media.PartPath(m.Artifacts[1].SHA256, 2))), flip(100))
			},
			want: []string{media.PartPath(sha(y.data), 2), "SHA-256 is"},
			noY:  true,
		},
		{
			name: "flipped byte in a meta file",
			code: ledger.ReasonDamaged,
			read: true,
			tamper: func(t *testing.T, dir string, m *media.Manifest) {
				editFile(t, filepath.Join(dir, "meta", feed.name+".xz"), func(b []byte) []byte { b[len(b)/2] ^= 1; return b })
			},
			want: []string{media.MetaPath(feed.name), "SHA-256 is"},
		},
		{
			name: "edited bundle.json",
			code: ledger.ReasonSignature,
			tamper: func(t *testing.T, dir string, m *media.Manifest) {
				editFile(t, filepath.Join(dir, media.ManifestName), func(b []byte) []byte {
					e := bytes.Replace(b, []byte(`"145.0"`), []byte(`"145.9"`), 1)
					if bytes.Equal(e, b) {
						t.Fatal("no version in bundle.json to edit")
					}
					return e
				})
			},
			want: []string{media.SignatureName, "publisher signature is not valid"},
		},
		{
			name: "broken bundle.json",
			code: ledger.ReasonManifest,
			tamper: func(t *testing.T, dir string, m *media.Manifest) {
				editFile(t, filepath.Join(dir, media.ManifestName), flip(0))
			},
			want: []string{media.ManifestName},
		},
		{
			name: "flipped byte in bundle.json.sig",
			code: ledger.ReasonSignature,
			tamper: func(t *testing.T, dir string, m *media.Manifest) {
				editFile(t, filepath.Join(dir, media.SignatureName), func(b []byte) []byte {
					i := len(bytes.TrimSpace(b)) - 8 // a base64 digit inside S
					if b[i] == 'A' {
						b[i] = 'B'
					} else {
						b[i] = 'A'
					}
					return b
				})
			},
			want: []string{media.SignatureName},
		},
		{
			name: "unknown publisher key",
			code: ledger.ReasonSignature,
			spec: func(s *spec) { s.key = k.Other },
			want: []string{media.SignatureName, "publisher signature is not valid"},
		},
		{
			name:  "approvals below threshold",
			code:  ledger.ReasonApprovals,
			spec:  func(s *spec) { s.approvers = append(s.approvers, k.Approver) },
			trust: func(tr *store.Trust) { tr.Approvers, tr.Threshold = pem(k.Approver.Public(), k.Other.Public()), 2 },
			want:  []string{"1 of 2 required approvals"},
		},
		{
			name:  "approval by an untrusted key",
			code:  ledger.ReasonApprovals,
			spec:  func(s *spec) { s.approvers = append(s.approvers, k.Other) },
			trust: func(tr *store.Trust) { tr.Approvers, tr.Threshold = pem(k.Approver.Public()), 1 },
			want:  []string{"0 of 1 required approvals", "not valid signatures by a trusted approver"},
		},
		{
			name:  "the same approver twice",
			code:  ledger.ReasonApprovals,
			spec:  func(s *spec) { s.approvers = append(s.approvers, k.Approver, k.Approver) },
			trust: func(tr *store.Trust) { tr.Approvers, tr.Threshold = pem(k.Approver.Public(), k.Other.Public()), 2 },
			want:  []string{"1 of 2 required approvals", "repeat a key"},
		},
		{
			name: "expired",
			code: ledger.ReasonExpired,
			spec: func(s *spec) { s.expires = created.Add(2 * time.Hour) },
			now:  created.Add(3 * time.Hour),
			want: []string{"bundle has expired"},
		},
		{
			name: "dated in the future",
			code: ledger.ReasonNotYetValid,
			now:  created.Add(-25 * time.Hour),
			want: []string{"bundle is dated in the future"},
		},
		{
			name: "truncated payload",
			code: ledger.ReasonDamaged,
			read: true,
			tamper: func(t *testing.T, dir string, m *media.Manifest) {
				editFile(t, yPayload(dir, m), func(b []byte) []byte { return b[:len(b)-1] })
			},
			want: []string{media.PayloadPath(sha(y.data)), "9999 bytes, expected 10000 (truncated)"},
			noY:  true,
		},
		{
			name: "appended bytes",
			code: ledger.ReasonDamaged,
			read: true,
			tamper: func(t *testing.T, dir string, m *media.Manifest) {
				editFile(t, yPayload(dir, m), func(b []byte) []byte { return append(b, 0) })
			},
			want: []string{media.PayloadPath(sha(y.data)), "extra bytes appended"},
			noY:  true,
		},
		{
			name: "missing payload",
			code: ledger.ReasonLayout,
			read: true,
			tamper: func(t *testing.T, dir string, m *media.Manifest) {
				if err := os.Remove(yPayload(dir, m)); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{media.PayloadPath(sha(y.data)), "missing"},
			noY:  true,
		},
		{
			name: "unlisted file",
			code: ledger.ReasonLayout,
			tamper: func(t *testing.T, dir string, m *media.Manifest) {
				if err := os.WriteFile(filepath.Join(dir, "autorun.inf"), []byte("[autorun]\nopen=evil.exe\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"autorun.inf", "a file bundle.json does not list"},
		},
		{
			name: "unlisted folder",
			code: ledger.ReasonLayout,
			tamper: func(t *testing.T, dir string, m *media.Manifest) {
				if err := os.Mkdir(filepath.Join(dir, "files", "sha256", "zz"), 0o755); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"files/sha256/zz", "a folder the bundle format does not have"},
		},
		{
			name: "payload replaced by a symlink to the same bytes",
			code: ledger.ReasonLayout,
			tamper: func(t *testing.T, dir string, m *media.Manifest) {
				elsewhere := filepath.Join(t.TempDir(), "y.msi")
				if err := os.WriteFile(elsewhere, y.data, 0o644); err != nil {
					t.Fatal(err)
				}
				p := yPayload(dir, m)
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(elsewhere, p); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{media.PayloadPath(sha(y.data)), "symbolic link"},
			noY:  true,
		},
		{
			name: "fifo",
			code: ledger.ReasonLayout,
			tamper: func(t *testing.T, dir string, m *media.Manifest) {
				if err := mkfifo(filepath.Join(dir, "files", "fifo")); errors.Is(err, errors.ErrUnsupported) {
					t.Skip("no FIFOs on this system")
				} else if err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"files/fifo", "not a regular file"},
		},
		{
			name: "unknown verification method",
			code: ledger.ReasonUnknownMethod,
			read: true,
			spec: func(s *spec) { s.method = "authenticode" },
			want: []string{"x.exe", `cannot re-verify vendor evidence of method "authenticode"`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(t)
			base, _ := writeBundle(t, spec{seq: 1, files: []file{x}})
			mustImport(t, st, base)

			s := spec{seq: 2, files: []file{x, y}, meta: []file{feed}}
			if tc.spec != nil {
				tc.spec(&s)
			}
			dir, m := writeBundle(t, s)
			if tc.tamper != nil {
				tc.tamper(t, dir, m)
			}
			if tc.trust != nil {
				err := st.Update(func(tx *bolt.Tx) error {
					tr, err := store.GetTrust(tx)
					if err != nil {
						return err
					}
					tc.trust(tr)
					if err := tr.Validate(); err != nil {
						return err
					}
					return store.PutTrust(tx, tr)
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			before, rowsBefore := snapshot(t, st), len(ledgerRows(t, st))
			o := options()
			if !tc.now.IsZero() {
				o.Now = func() time.Time { return tc.now }
			}
			res, err := ingest.Import(t.Context(), st, []string{dir}, o)
			var re *ingest.RefusedError
			if err == nil || !errors.As(err, &re) {
				t.Fatalf("Import = %+v, %v; want a *RefusedError", res, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if after := snapshot(t, st); after != before {
				t.Errorf("the refused import changed the store:\nbefore %s\nafter  %s", before, after)
			}
			if cur := state(t, st); cur.Sequence != 1 {
				t.Errorf("the mirror is at sequence %d, want still 1", cur.Sequence)
			}
			started, row := attempt(t, ledgerRows(t, st), rowsBefore)
			if (started != nil) != tc.read {
				t.Errorf("started row %+v; want one exactly when payloads were read (%v)", started, tc.read)
			}
			if row.Result != ledger.ResultRefused || row.Reason != err.Error() || row.Operator != "tanaka" || row.Label != "USB-07" {
				t.Errorf("ledger row %+v, want result refused with the error as reason", row)
			}
			if code, _ := ingest.LedgerReason(err); row.ReasonCode != tc.code || code != tc.code {
				t.Errorf("ledger row's reason code %q, LedgerReason %q; want %q", row.ReasonCode, code, tc.code)
			}
			if tc.noY && st.HasBlob(sha(y.data)) {
				t.Error("the refused payload was stored")
			}
			checkConsistent(t, st)
		})
	}
}

// TestImportRefusesTamperedKnownBlob: a payload whose blob the mirror
// already has is still hashed on the media, so a tampered copy is refused.
func TestImportRefusesTamperedKnownBlob(t *testing.T) {
	x := payload("x.exe", 31, 50_000)
	st := newStore(t)
	base, _ := writeBundle(t, spec{seq: 1, files: []file{x}})
	mustImport(t, st, base)
	blob := st.BlobPath(sha(x.data))
	fi, err := os.Stat(blob)
	if err != nil {
		t.Fatal(err)
	}

	dir, m := writeBundle(t, spec{seq: 2, files: []file{x, payload("z.exe", 32, 1000)}})
	editFile(t, filepath.Join(dir, filepath.FromSlash(media.PayloadPath(m.Artifacts[0].SHA256))), flip(25_000))
	before := snapshot(t, st)
	_, err = ingest.Import(t.Context(), st, []string{dir}, options())
	var re *ingest.RefusedError
	if !errors.As(err, &re) || re.Reason != ingest.ReasonOther || !strings.Contains(err.Error(), media.PayloadPath(sha(x.data))) {
		t.Fatalf("Import of a bundle with a tampered copy of a stored blob = %v, want refused naming the payload", err)
	}
	if after := snapshot(t, st); after != before {
		t.Error("the refused import changed the store")
	}
	if row := lastRow(t, st); row.Result != ledger.ResultRefused || !strings.Contains(row.Reason, "SHA-256 is") {
		t.Errorf("ledger row %q %q", row.Result, row.Reason)
	}
	// The stored blob was neither touched nor replaced.
	if fi2, err := os.Stat(blob); err != nil || !os.SameFile(fi, fi2) || !fi2.ModTime().Equal(fi.ModTime()) {
		t.Errorf("the stored blob changed: %v", err)
	}
	checkConsistent(t, st)
}

// TestImportDeltaCatalog: a delta's catalog may name artifacts the mirror
// already has, but not artifacts that are nowhere.
func TestImportDeltaCatalog(t *testing.T) {
	x, y := payload("x.exe", 41, 2000), payload("y.exe", 42, 3000)
	missing := strings.Repeat("ab", 32)
	cases := []struct {
		name    string
		catalog []string // artifacts of the one catalog entry
		refuse  string
	}{
		{name: "old artifact from the mirror", catalog: []string{sha(x.data), sha(y.data)}},
		{name: "artifact nowhere", catalog: []string{sha(y.data), missing}, refuse: "artifact " + missing + ", which is neither in this bundle nor on this mirror"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(t)
			base, _ := writeBundle(t, spec{seq: 1, files: []file{x}})
			mustImport(t, st, base)
			before := snapshot(t, st)
			dir, _ := writeBundle(t, spec{seq: 2, base: 1, files: []file{y},
				catalog: media.Catalog{{Vendor: "mozilla", Product: "firefox", Version: "145.0", Artifacts: tc.catalog}}})
			res, err := ingest.Import(t.Context(), st, []string{dir}, options())
			if tc.refuse == "" {
				if err != nil {
					t.Fatalf("Import: %v", err)
				}
				if cur := state(t, st); cur.Sequence != 2 || len(cur.Catalog) != 1 || len(cur.Catalog[0].Artifacts) != 2 || res.Copied != int64(len(y.data)) {
					t.Errorf("after the delta: state %+v, copied %d", cur, res.Copied)
				}
			} else {
				var re *ingest.RefusedError
				if !errors.As(err, &re) || re.Reason != ingest.ReasonMissingArtifact || !strings.Contains(err.Error(), tc.refuse) {
					t.Fatalf("Import = %v, want refused with %q", err, tc.refuse)
				}
				if snapshot(t, st) != before {
					t.Error("the refused import changed the store")
				}
				if row := lastRow(t, st); row.Result != ledger.ResultRefused {
					t.Errorf("ledger row result %q", row.Result)
				}
			}
			checkConsistent(t, st)
		})
	}
}
