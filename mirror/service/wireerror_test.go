package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/service"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

// answers is what the commands ask of an error: every errors.Is and
// errors.As they choose exit codes, hints and the "file" key with, and the
// fields they read.
func answers(err error) map[string]any {
	out := map[string]any{"message": err.Error()}
	for name, s := range map[string]error{
		"signature": media.ErrSignature, "xz": media.ErrXZ, "path": media.ErrPath, "layout": media.ErrLayout,
		"threshold": verify.ErrThreshold, "expired": verify.ErrExpired, "not yet valid": verify.ErrNotYetValid,
		"mismatch": verify.ErrMismatch, "in use": store.ErrInUse, "no store": store.ErrNoStore, "canceled": context.Canceled,
		"wrong password": verify.ErrWrongPassword,
	} {
		out["is "+name] = errors.Is(err, s)
	}
	var fe *media.FileError
	if errors.As(err, &fe) {
		out["file"] = [3]string{fe.Path, fe.Dir, fe.Err.Error()}
	}
	var le *verify.LimitError
	if errors.As(err, &le) {
		out["limit"] = *le
	}
	var me *media.ManifestError
	if errors.As(err, &me) {
		out["manifest"] = me.Err.Error()
	}
	var re *ingest.RefusedError
	if errors.As(err, &re) {
		out["refused"] = [2]any{re.Reason, re.Since}
	}
	var ie *service.InvalidError
	out["invalid"] = errors.As(err, &ie)
	// The typed errors whose fields the commands print.
	var de *verify.DigestError
	if errors.As(err, &de) {
		out["digest"] = *de
	}
	var se *verify.SizeError
	if errors.As(err, &se) {
		out["size"] = *se
	}
	var ue *verify.UntrustedError
	if errors.As(err, &ue) {
		out["untrusted"] = fmt.Sprint(*ue)
	}
	var ve *verify.ValidityError
	if errors.As(err, &ve) {
		out["validity"] = [4]any{ve.Expired, ve.Created.UTC(), ve.Expires.UTC(), ve.Now.UTC()}
	}
	var te *verify.ThresholdError
	if errors.As(err, &te) {
		out["threshold fields"] = fmt.Sprint(*te)
	}
	return out
}

// Every class of error the commands tell apart crosses the wire: encoded,
// sent as JSON and decoded, it answers every check as the original did.
func TestWireErrorRoundTrip(t *testing.T) {
	dir := "/media/usb/patchferry-city-7"
	_, layoutErr := media.Open(t.TempDir())
	_, manifestErr := media.ParseManifest([]byte(`{"format": 1}`))
	created := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	expired := verify.CheckValidity(created, created.AddDate(0, 0, 30), created.AddDate(0, 2, 0))
	future := verify.CheckValidity(created, time.Time{}, created.AddDate(0, -1, 0))
	_, noStore := store.Open(filepath.Join(t.TempDir(), "none"), store.Options{})
	sha := verify.SHA256Hex([]byte("x"))
	mismatch := &media.FileError{Path: media.PayloadPath(sha), Dir: dir, Err: &verify.DigestError{Want: sha, Got: verify.SHA256Hex(nil)}}
	cases := map[string]error{
		"plain":            errors.New("disk full"),
		"signature":        &ingest.RefusedError{Err: &media.FileError{Path: media.SignatureName, Dir: dir, Err: fmt.Errorf("%w: no trusted key", media.ErrSignature)}},
		"xz":               &media.FileError{Path: media.MetaPath("SUMS"), Dir: dir, Err: fmt.Errorf("%w: block too big", media.ErrXZ)},
		"path":             fmt.Errorf("upload: %w", media.ValidPath("../etc/passwd")),
		"layout":           &ingest.RefusedError{Err: layoutErr},
		"threshold":        &media.FileError{Path: media.ApprovalsDir, Dir: dir, Err: fmt.Errorf("%w: 1 of 2", verify.ErrThreshold)},
		"expired":          &media.FileError{Path: media.ManifestName, Dir: dir, Err: expired},
		"not yet valid":    &media.FileError{Path: media.ManifestName, Dir: dir, Err: future},
		"mismatch":         &ingest.RefusedError{Err: mismatch},
		"in use":           fmt.Errorf("%s: %w (mirror serve)", dir, store.ErrInUse),
		"no store":         noStore,
		"limit":            &media.FileError{Path: media.ManifestName, Dir: dir, Err: &verify.LimitError{What: "bundle.json", Limit: media.MaxManifestSize}},
		"manifest":         &ingest.RefusedError{Err: &media.FileError{Path: media.ManifestName, Dir: dir, Err: manifestErr}},
		"refused with why": &ingest.RefusedError{Err: errors.New("this is a delta on sequence 2"), Reason: ingest.ReasonWrongBase, Since: "3-K7QX"},
		"invalid":          &service.InvalidError{Err: errors.New("no approver key with ID 0123")},
		"joined":           errors.Join(&ingest.RefusedError{Err: mismatch}, fmt.Errorf("the ledger row could not be written: %w", os.ErrPermission)),
		"canceled":         fmt.Errorf("store x: %w", context.Canceled),
		"untrusted": &ingest.RefusedError{Err: &media.FileError{Path: media.SignatureName, Dir: dir, Err: fmt.Errorf("%w: %w", media.ErrSignature,
			&verify.UntrustedError{Name: media.SignatureName, Trusted: []string{"0123456789abcdef"}, Candidates: []string{"fedcba9876543210", "00112233445566aa"}})}},
		"threshold fields": &media.FileError{Path: media.ApprovalsDir, Dir: dir, Err: &verify.ThresholdError{Want: 2, Got: 1, Invalid: []string{"a.sig"}, OldFormat: []string{"b.sig"}}},
		"size":             &media.FileError{Path: media.PayloadPath(sha), Dir: dir, Err: &verify.SizeError{Want: 10, Got: 4}},
	}
	for name, orig := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := json.Marshal(service.EncodeError(orig))
			if err != nil {
				t.Fatal(err)
			}
			var w service.WireError
			if err := json.Unmarshal(b, &w); err != nil {
				t.Fatal(err)
			}
			got := service.DecodeError(&w)
			if want, have := answers(orig), answers(got); !reflect.DeepEqual(want, have) {
				t.Errorf("after the wire (%s):\n got  %v\n want %v", b, have, want)
			}
		})
	}
	if service.EncodeError(nil) != nil || service.DecodeError(nil) != nil {
		t.Error("nil does not stay nil")
	}
	// Every class is used by some case, so the test covers them all.
	seen := map[string]bool{}
	for _, e := range cases {
		for _, c := range service.EncodeError(e).Classes {
			seen[c] = true
		}
	}
	for _, c := range []string{"signature", "xz", "path", "layout", "threshold", "expired", "not-yet-valid", "mismatch", "in-use", "no-store", "canceled", "file", "manifest", "limit", "refused", "invalid"} {
		if !seen[c] {
			t.Errorf("no case has class %s", c)
		}
	}
}

// A server newer than the client may send classes the client does not
// know: they are ignored, the rest still holds.
func TestWireErrorUnknownClass(t *testing.T) {
	err := service.DecodeError(&service.WireError{Message: "x", Classes: []string{"from-the-future", "layout", "file"}})
	if err.Error() != "x" || !errors.Is(err, media.ErrLayout) {
		t.Errorf("decoded %v", err)
	}
	var fe *media.FileError
	if errors.As(err, &fe) {
		t.Error("a file class without its file decoded to a FileError")
	}
}
