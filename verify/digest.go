package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
)

// ErrMismatch is wrapped by every error that says content differs from what
// a signed record promised. errors.Is(err, ErrMismatch) tells a damaged or
// tampered file from an I/O error.
var ErrMismatch = errors.New("content does not match the signed record")

// DigestError reports a SHA-256 that differs from the expected one.
type DigestError struct {
	Want, Got string // lower-case hex
}

func (e *DigestError) Error() string {
	return fmt.Sprintf("SHA-256 is %s, expected %s", e.Got, e.Want)
}

// Unwrap makes errors.Is(err, ErrMismatch) true.
func (e *DigestError) Unwrap() error { return ErrMismatch }

// SizeError reports content that is longer or shorter than expected.
type SizeError struct {
	Want int64
	Got  int64 // for content that is too long: at least Want+1
	Long bool  // true: more bytes than Want; false: fewer (truncated)
}

func (e *SizeError) Error() string {
	if e.Long {
		return fmt.Sprintf("longer than the expected %d bytes (extra bytes appended)", e.Want)
	}
	return fmt.Sprintf("%d bytes, expected %d (truncated)", e.Got, e.Want)
}

// Unwrap makes errors.Is(err, ErrMismatch) true.
func (e *SizeError) Unwrap() error { return ErrMismatch }

// ParseSHA256 checks that s is 64 lower-case hex digits.
func ParseSHA256(s string) error {
	if len(s) != 2*sha256.Size {
		return fmt.Errorf("SHA-256 %q: want 64 hex digits, got %d characters", s, len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return fmt.Errorf("SHA-256 %q: want lower-case hex digits", s)
		}
	}
	return nil
}

// Reader passes through the bytes of an underlying reader while hashing them.
// It returns at most Size bytes; at the end of the stream it checks the size
// (one byte more than Size is detected without reading further) and the
// SHA-256, and returns a *SizeError or *DigestError instead of io.EOF when
// either differs. Content is never buffered.
type Reader struct {
	r    io.Reader
	h    hash.Hash
	want string
	size int64
	n    int64
	err  error
}

// NewReader returns a Reader that expects exactly size bytes with the given
// SHA-256 (lower-case hex).
func NewReader(r io.Reader, size int64, sha256Hex string) *Reader {
	return &Reader{r: r, h: sha256.New(), want: sha256Hex, size: size}
}

// Read implements io.Reader.
func (v *Reader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	if rem := v.size - v.n; int64(len(p)) > rem {
		if rem == 0 {
			v.err = v.finish()
			return 0, v.err
		}
		p = p[:rem]
	}
	n, err := v.r.Read(p)
	v.n += int64(n)
	v.h.Write(p[:n])
	if err == io.EOF {
		v.err = v.finish()
		if v.err == io.EOF && n > 0 {
			return n, nil
		}
		return n, v.err
	}
	if err != nil {
		v.err = err
	}
	return n, err
}

// finish runs once the expected size was read or the source ended.
func (v *Reader) finish() error {
	if v.n < v.size {
		return &SizeError{Want: v.size, Got: v.n}
	}
	var one [1]byte
	for {
		n, err := v.r.Read(one[:])
		if n > 0 {
			return &SizeError{Want: v.size, Got: max(v.size, v.size+1), Long: true} // no overflow at MaxInt64
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want {
		return &DigestError{Want: v.want, Got: got}
	}
	return io.EOF
}

// Copy copies exactly size bytes with the given SHA-256 from src to dst,
// hashing while copying. It returns a *SizeError or *DigestError (both wrap
// ErrMismatch) when the content differs; dst has then received the bytes
// read so far and the caller must discard them.
func Copy(dst io.Writer, src io.Reader, size int64, sha256Hex string) (int64, error) {
	return io.Copy(dst, NewReader(src, size, sha256Hex))
}

// Hashing wraps r and hashes what passes through; Sum and N report the
// SHA-256 and the byte count so far. Use it when the digest is not known in
// advance (writing a bundle).
type Hashing struct {
	r io.Reader
	h hash.Hash
	n int64
}

// NewHashing returns a Hashing reader over r. With r nil it is only a
// writer: bytes written to it are hashed.
func NewHashing(r io.Reader) *Hashing { return &Hashing{r: r, h: sha256.New()} }

// Write hashes p; it never fails.
func (h *Hashing) Write(p []byte) (int, error) {
	h.h.Write(p)
	h.n += int64(len(p))
	return len(p), nil
}

// SHA256Hex returns the lower-case hex SHA-256 of a small in-memory value.
func SHA256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Read implements io.Reader.
func (h *Hashing) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

// Sum returns the lower-case hex SHA-256 of the bytes read so far.
func (h *Hashing) Sum() string { return hex.EncodeToString(h.h.Sum(nil)) }

// N returns the number of bytes read so far.
func (h *Hashing) N() int64 { return h.n }

// LimitError reports outside input larger than the limit allowed for it.
type LimitError struct {
	What  string
	Limit int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s is larger than the limit of %d bytes", e.What, e.Limit)
}

// ReadLimited reads all of r when it holds at most limit bytes and returns a
// *LimitError otherwise; it reads at most limit+1 bytes. For small metadata
// only (manifests, signatures), never for payloads.
func ReadLimited(r io.Reader, limit int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &LimitError{What: what, Limit: limit}
	}
	return b, nil
}
