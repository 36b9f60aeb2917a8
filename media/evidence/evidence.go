package evidence

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"maps"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/verify"
)

// Subject is one artifact whose vendor evidence is checked, and how to read
// what the check needs. The fetcher fills it from a download and its cache;
// the mirror from a bundle and its stored copies.
type Subject struct {
	Artifact *media.Artifact
	// Open returns the artifact's bytes. A reader that checks the bytes'
	// SHA-256 (media, the mirror's store) reports a mismatch at EOF: a
	// method reads to EOF before it trusts what it read.
	Open func(ctx context.Context) (io.ReadCloser, error)
	// Meta returns the evidence file name — one of
	// Artifact.Verification.Evidence — reading at most max bytes.
	Meta func(ctx context.Context, name string, max int64) ([]byte, error)
	// Related returns another artifact that match accepts, checked or kept
	// alongside this one (the same bundle, the same fetch, or earlier), or
	// nil: the file a ClamAV .sign signs.
	Related func(ctx context.Context, match func(*media.Artifact) bool) (*Subject, error)
	// SHA512 is the payload's SHA-512 (hex) when the caller computed it
	// while writing the bytes; "" means read them.
	SHA512 string
}

// Finding is what a check learned from the evidence, for the record.
type Finding struct {
	Signer string // the CVD's builder, the OpenPGP key's name, the certificate's subject
	KeyID  string // the signing key's fingerprint, where there is one
}

// Method checks the evidence of one verification method against the
// anchors of the artifact's vendor, judging validity periods at at.
type Method func(ctx context.Context, s *Subject, a *verify.Anchors, at time.Time) (*Finding, error)

// ErrUnknownMethod is wrapped when an artifact names a verification method
// this patchferry does not know.
var ErrUnknownMethod = errors.New("unknown verification method")

// ErrUnusable is wrapped when evidence can neither prove nor disprove
// anything on this side (a ClamAV .sign with no line for our f-level, or
// chained to a root we do not trust): ClamAV then ignores the file and
// relies on the signed file's own signature. The fetcher does not keep such
// a file; the mirror accepts it, since the file it signs is checked on its
// own.
var ErrUnusable = errors.New("evidence unusable here")

// vendor is one vendor's part of this package, in a file of its own: its
// verification methods by the name the manifest records, and the anchors
// patchferry builds in for it (made only for DefaultTrust: a check does not
// read the built-in files).
type vendor struct {
	methods map[string]Method
	anchors func() []verify.Anchors
}

// vendors lists every vendor's part; adding a vendor is one line here.
func vendors() []vendor {
	return []vendor{manual(), clamav(), microsoft(), mozilla()}
}

// Methods returns every verification method by the name the manifest
// records.
func Methods() map[string]Method {
	m := make(map[string]Method)
	for _, v := range vendors() {
		maps.Copy(m, v.methods)
	}
	return m
}

// DefaultTrust returns the real vendors' anchors built into patchferry,
// each under its vendor: what the fetcher and the mirror check against
// unless given a vendor trust file.
func DefaultTrust() *verify.VendorTrust {
	vt := &verify.VendorTrust{Format: verify.VendorTrustFormat}
	for _, v := range vendors() {
		if v.anchors != nil {
			vt.Vendors = append(vt.Vendors, v.anchors()...)
		}
	}
	return vt
}

//go:embed roots
var roots embed.FS

// root returns a built-in certificate or key file (roots/).
func root(name string) string {
	b, err := roots.ReadFile("roots/" + name)
	if err != nil {
		panic("evidence: built-in root missing: " + name) // a build error, caught by tests
	}
	return string(b)
}

// Check runs the method the artifact's verification record names, with the
// anchors vt holds for the artifact's vendor and product only.
func Check(ctx context.Context, s *Subject, vt *verify.VendorTrust, at time.Time) (*Finding, error) {
	a := s.Artifact
	method, ok := Methods()[a.Verification.Method]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownMethod, a.Verification.Method)
	}
	return method(ctx, s, vt.For(a.Vendor, a.Product), at)
}

// readAll reads the whole artifact, at most max bytes (a small one: a
// cdiff, a .sign). It reads to EOF, so a checking reader has said its word.
func readAll(ctx context.Context, s *Subject, max int64) ([]byte, error) {
	if s.Artifact.Size > max {
		return nil, &verify.LimitError{What: s.Artifact.FileName, Limit: max}
	}
	rc, err := s.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return verify.ReadLimited(rc, max, s.Artifact.FileName)
}

// drain reads r to EOF (the checking reader's verdict comes at EOF).
func drain(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
