package evidence

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/patchferry/patchferry/verify"
)

// MethodMozillaSums: the file's SHA-512 is listed in SHA512SUMS, whose
// detached signature SHA512SUMS.asc is by a pinned Mozilla key.
const MethodMozillaSums = "openpgp-sha512sums"

// mozilla: its method and Mozilla's release key
// 14F26682D0916CDD81E37B6D61B7B526D98F0353 (roots/mozilla-release-key.asc,
// Mozilla's KEY file).
func mozilla() vendor {
	return vendor{
		methods: map[string]Method{MethodMozillaSums: mozillaSums},
		anchors: func() []verify.Anchors {
			return []verify.Anchors{{Vendor: "mozilla", OpenPGPKeys: []verify.NamedPGPKey{{
				Name: "Mozilla Software Releases <release@mozilla.com>", Fingerprint: "14F26682D0916CDD81E37B6D61B7B526D98F0353",
				Armored: root("mozilla-release-key.asc"),
			}}}}
		},
	}
}

// MozillaSums checks SHA512SUMS against SHA512SUMS.asc with the OpenPGP
// keys of a at time at and returns its entries (path → SHA-512 hex) and the
// signer. The Mozilla source uses it to find a release's files; the method
// below to check each of them.
func MozillaSums(sums, asc []byte, a *verify.Anchors, at time.Time) (map[string]string, *verify.PGPSigner, error) {
	keyring, err := a.Keyring()
	if err != nil {
		return nil, nil, err
	}
	signer, err := verify.VerifyDetachedArmored(bytes.NewReader(sums), asc, keyring, at)
	if err != nil {
		return nil, nil, fmt.Errorf("SHA512SUMS.asc: %w", err)
	}
	list, err := verify.ParseSums(sums)
	if err != nil {
		return nil, nil, err
	}
	return list, signer, nil
}

// mozillaSums checks one Mozilla file: SHA512SUMS and its signature (the
// evidence files whose names end so), then the file's SHA-512 against its
// entry (Verification.Entry, its path in SHA512SUMS).
func mozillaSums(ctx context.Context, s *Subject, a *verify.Anchors, at time.Time) (*Finding, error) {
	art := s.Artifact
	var sums, asc []byte
	for _, name := range art.Verification.Evidence {
		var err error
		switch {
		case strings.HasSuffix(name, "SHA512SUMS"):
			sums, err = s.Meta(ctx, name, verify.MaxSumsFile)
		case strings.HasSuffix(name, "SHA512SUMS.asc"):
			asc, err = s.Meta(ctx, name, verify.MaxArmoredSignature)
		}
		if err != nil {
			return nil, err
		}
	}
	if sums == nil || asc == nil {
		return nil, errors.New("the evidence lacks SHA512SUMS or SHA512SUMS.asc")
	}
	list, signer, err := MozillaSums(sums, asc, a, at)
	if err != nil {
		return nil, err
	}
	want, ok := list[art.Verification.Entry]
	if !ok {
		return nil, fmt.Errorf("%q is not listed in SHA512SUMS: %w", art.Verification.Entry, verify.ErrNotInSums)
	}
	got := s.SHA512
	if got == "" {
		rc, err := s.Open(ctx)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		h := sha512.New()
		if _, err := io.Copy(h, rc); err != nil { // a checking reader's verdict comes at EOF
			return nil, err
		}
		got = hex.EncodeToString(h.Sum(nil))
	}
	if got != want {
		return nil, &verify.SumError{Path: art.Verification.Entry, Want: want, Got: got}
	}
	return &Finding{Signer: keyName(a, signer.PrimaryFingerprint), KeyID: signer.SigningKeyFingerprint}, nil
}

// keyName is the name the anchors give the key with this primary
// fingerprint.
func keyName(a *verify.Anchors, fpr string) string {
	for _, k := range a.OpenPGPKeys {
		if strings.EqualFold(strings.ReplaceAll(k.Fingerprint, " ", ""), fpr) {
			return k.Name
		}
	}
	return fpr
}
