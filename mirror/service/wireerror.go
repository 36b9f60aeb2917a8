package service

import (
	"context"
	"errors"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/store"
	"github.com/patchferry/patchferry/verify"
)

// WireError is an error as it crosses the admin socket: its message, the
// sentinel errors it wraps and the typed errors in its chain, with their
// fields. DecodeError rebuilds an error with the same message for which
// errors.Is and errors.As answer as they did for the original, for every
// class below — what the commands choose exit codes and hints with.
type WireError struct {
	Message string   `json:"message"`
	Classes []string `json:"classes,omitempty"` // sentinel and type codes
	// *media.FileError
	File *WireFile `json:"file,omitempty"`
	// *media.ManifestError: the message it wraps
	Manifest string `json:"manifest,omitempty"`
	// *verify.LimitError
	Limit *WireLimit `json:"limit,omitempty"`
	// *ingest.RefusedError
	Reason ingest.Reason `json:"reason,omitempty"`
	Since  string        `json:"since,omitempty"`
	// The typed errors of verify whose fields the commands print in the
	// user's language.
	Digest    *verify.DigestError    `json:"digest,omitempty"`
	Size      *verify.SizeError      `json:"size,omitempty"`
	Untrusted *verify.UntrustedError `json:"untrusted,omitempty"`
	Validity  *verify.ValidityError  `json:"validity,omitempty"`
	Threshold *verify.ThresholdError `json:"threshold,omitempty"`
}

// WireFile is a *media.FileError.
type WireFile struct {
	Path    string `json:"path"`
	Dir     string `json:"dir,omitempty"`
	Message string `json:"message"` // of the error it wraps
}

// WireLimit is a *verify.LimitError.
type WireLimit struct {
	What  string `json:"what"`
	Limit int64  `json:"limit"`
}

// Type codes in WireError.Classes.
const (
	classFile     = "file"
	classManifest = "manifest"
	classLimit    = "limit"
	classRefused  = "refused"
	classInvalid  = "invalid"
)

// sentinel is a sentinel error and its code on the wire.
type sentinel struct {
	code string
	err  error
}

// sentinels are the sentinel errors that cross the socket.
func sentinels() []sentinel {
	return []sentinel{
		{"signature", media.ErrSignature}, {"xz", media.ErrXZ}, {"path", media.ErrPath}, {"layout", media.ErrLayout},
		{"threshold", verify.ErrThreshold}, {"expired", verify.ErrExpired}, {"not-yet-valid", verify.ErrNotYetValid},
		{"mismatch", verify.ErrMismatch}, {"in-use", store.ErrInUse}, {"no-store", store.ErrNoStore}, {"no-space", store.ErrNoSpace},
		{"canceled", context.Canceled}, {"deadline", context.DeadlineExceeded},
		{"both-roles", media.ErrBothRoles},
	}
}

// EncodeError describes err for the wire; nil for nil.
func EncodeError(err error) *WireError {
	if err == nil {
		return nil
	}
	w := &WireError{Message: err.Error()}
	for _, s := range sentinels() {
		if errors.Is(err, s.err) {
			w.Classes = append(w.Classes, s.code)
		}
	}
	var fe *media.FileError
	if errors.As(err, &fe) {
		w.Classes = append(w.Classes, classFile)
		w.File = &WireFile{Path: fe.Path, Dir: fe.Dir, Message: message(fe.Err)}
	}
	var me *media.ManifestError
	if errors.As(err, &me) {
		w.Classes = append(w.Classes, classManifest)
		w.Manifest = message(me.Err)
	}
	var le *verify.LimitError
	if errors.As(err, &le) {
		w.Classes = append(w.Classes, classLimit)
		w.Limit = &WireLimit{What: le.What, Limit: le.Limit}
	}
	var re *ingest.RefusedError
	if errors.As(err, &re) {
		w.Classes = append(w.Classes, classRefused)
		w.Reason, w.Since = re.Reason, re.Since
	}
	var ie *InvalidError
	if errors.As(err, &ie) {
		w.Classes = append(w.Classes, classInvalid)
	}
	w.Digest = as[verify.DigestError](err)
	w.Size = as[verify.SizeError](err)
	w.Untrusted = as[verify.UntrustedError](err)
	w.Validity = as[verify.ValidityError](err)
	w.Threshold = as[verify.ThresholdError](err)
	return w
}

// as returns a copy of the first *T in err's chain, or nil.
func as[T any, P interface {
	*T
	error
}](err error) *T {
	var p P
	if !errors.As(err, &p) {
		return nil
	}
	c := *p
	return &c
}

func message(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// DecodeError rebuilds the error w describes; nil for nil. Codes it does
// not know (from a newer server) are ignored.
func DecodeError(w *WireError) error {
	if w == nil {
		return nil
	}
	e := &remoteError{msg: w.Message}
	byCode := make(map[string]error)
	for _, s := range sentinels() {
		byCode[s.code] = s.err
	}
	for _, c := range w.Classes {
		if s, ok := byCode[c]; ok {
			e.wrapped = append(e.wrapped, s)
			continue
		}
		switch {
		case c == classFile && w.File != nil:
			e.wrapped = append(e.wrapped, &media.FileError{Path: w.File.Path, Dir: w.File.Dir, Err: errors.New(w.File.Message)})
		case c == classManifest:
			e.wrapped = append(e.wrapped, &media.ManifestError{Err: errors.New(w.Manifest)})
		case c == classLimit && w.Limit != nil:
			e.wrapped = append(e.wrapped, &verify.LimitError{What: w.Limit.What, Limit: w.Limit.Limit})
		case c == classRefused:
			e.wrapped = append(e.wrapped, &ingest.RefusedError{Err: errors.New(w.Message), Reason: w.Reason, Since: w.Since})
		case c == classInvalid:
			e.wrapped = append(e.wrapped, &InvalidError{Err: errors.New(w.Message)})
		}
	}
	if w.Digest != nil {
		e.wrapped = append(e.wrapped, w.Digest)
	}
	if w.Size != nil {
		e.wrapped = append(e.wrapped, w.Size)
	}
	if w.Untrusted != nil {
		e.wrapped = append(e.wrapped, w.Untrusted)
	}
	if w.Validity != nil {
		e.wrapped = append(e.wrapped, w.Validity)
	}
	if w.Threshold != nil {
		e.wrapped = append(e.wrapped, w.Threshold)
	}
	return e
}

// remoteError is an error rebuilt from the wire: the original message, and
// the classes of the original beneath it.
type remoteError struct {
	msg     string
	wrapped []error
}

func (e *remoteError) Error() string   { return e.msg }
func (e *remoteError) Unwrap() []error { return e.wrapped }
