package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func sumHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestReader(t *testing.T) {
	data := []byte("patchferry carries updates across the air gap")
	good := sumHex(data)
	cases := []struct {
		name    string
		src     []byte
		size    int64
		sum     string
		wantErr error
		long    bool
	}{
		{"exact", data, int64(len(data)), good, nil, false},
		{"empty", nil, 0, sumHex(nil), nil, false},
		{"truncated", data[:10], int64(len(data)), good, ErrMismatch, false},
		{"one byte too many (L+1)", append(append([]byte{}, data...), 'x'), int64(len(data)), good, ErrMismatch, true},
		{"flipped byte", flip(data, 3), int64(len(data)), good, ErrMismatch, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			n, err := Copy(&out, bytes.NewReader(tc.src), tc.size, tc.sum)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Copy error = %v, want %v", err, tc.wantErr)
			}
			if n > tc.size {
				t.Errorf("passed %d bytes, more than the size %d", n, tc.size)
			}
			var se *SizeError
			if errors.As(err, &se) && se.Long != tc.long {
				t.Errorf("SizeError.Long = %v, want %v", se.Long, tc.long)
			}
			if tc.wantErr == nil && !bytes.Equal(out.Bytes(), tc.src) {
				t.Errorf("content changed in transit")
			}
		})
	}
}

func TestReaderOneByteReads(t *testing.T) {
	data := []byte(strings.Repeat("abc", 1000))
	r := NewReader(iotest.OneByteReader(bytes.NewReader(data)), int64(len(data)), sumHex(data))
	if err := iotest.TestReader(r, data); err != nil {
		t.Fatal(err)
	}
}

func TestReaderDigestError(t *testing.T) {
	data := []byte("hello")
	_, err := Copy(io.Discard, bytes.NewReader(data), 5, strings.Repeat("0", 64))
	var de *DigestError
	if !errors.As(err, &de) || de.Got != sumHex(data) {
		t.Fatalf("err = %v, want a DigestError with the real digest", err)
	}
	if !strings.Contains(err.Error(), sumHex(data)) {
		t.Errorf("message %q does not show the digest found", err)
	}
}

func TestReadLimited(t *testing.T) {
	if b, err := ReadLimited(strings.NewReader("12345"), 5, "x"); err != nil || string(b) != "12345" {
		t.Fatalf("at the limit: %q, %v", b, err)
	}
	var le *LimitError
	if _, err := ReadLimited(strings.NewReader("123456"), 5, "x"); !errors.As(err, &le) {
		t.Fatalf("limit+1: err = %v, want LimitError", err)
	}
}

func TestParseSHA256(t *testing.T) {
	if err := ParseSHA256(sumHex(nil)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "abc", strings.ToUpper(sumHex(nil)), sumHex(nil) + "0", strings.Repeat("g", 64)} {
		if ParseSHA256(bad) == nil {
			t.Errorf("ParseSHA256(%q) accepted", bad)
		}
	}
}

// FuzzReader: a Reader accepts exactly the content of the promised size and
// digest, and never passes on more than size bytes.
func FuzzReader(f *testing.F) {
	f.Add([]byte("hello"), int64(5), true)
	f.Add([]byte("hello"), int64(4), true)
	f.Add([]byte(""), int64(0), false)
	f.Add([]byte("hello world"), int64(20), true)
	f.Fuzz(func(t *testing.T, data []byte, size int64, rightSum bool) {
		if size < 0 || size > 1<<20 {
			return
		}
		want := strings.Repeat("0", 64)
		if rightSum {
			want = sumHex(data)
		}
		var out bytes.Buffer
		n, err := Copy(&out, bytes.NewReader(data), size, want)
		if n > size {
			t.Fatalf("passed %d bytes with size %d", n, size)
		}
		ok := int64(len(data)) == size && sumHex(data) == want
		if (err == nil) != ok {
			t.Fatalf("len=%d size=%d rightSum=%v: err = %v", len(data), size, rightSum, err)
		}
		if err != nil && !errors.Is(err, ErrMismatch) {
			t.Fatalf("error does not wrap ErrMismatch: %v", err)
		}
	})
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x01
	return c
}
