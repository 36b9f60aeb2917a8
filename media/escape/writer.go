package escape

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// Writer escapes a stream as it is written to the underlying writer. It
// keeps newlines, tabs, the CR of a CRLF line end and a byte order mark
// at the very start (CSV for Excel), and escapes everything else String
// escapes. A rune split across two writes is
// joined first; a CR is held until the next byte shows whether it ends a
// line. Writer is safe for concurrent use: each Write reaches the underlying
// writer as one Write.
type Writer struct {
	mu      sync.Mutex
	w       io.Writer
	pending []byte // the start of a split rune, or a CR
	started bool   // something was written: a BOM is no longer the stream's
	out     strings.Builder
}

const bom = "\ufeff"

// NewWriter returns a Writer that escapes into w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write escapes p and writes the result. It returns len(p) when the
// underlying writer took everything.
func (e *Writer) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	data := p
	if len(e.pending) > 0 {
		data = append(e.pending, p...)
		e.pending = nil
	}
	e.out.Reset()
	if !e.started && len(data) > 0 {
		if len(data) < len(bom) && bytes.HasPrefix([]byte(bom), data) {
			e.pending = append(e.pending[:0], data...) // a BOM perhaps
			return len(p), nil
		}
		e.started = true
		if bytes.HasPrefix(data, []byte(bom)) {
			e.out.WriteString(bom)
			data = data[len(bom):]
		}
	}
	for i := 0; i < len(data); {
		c := data[i]
		switch {
		case c == '\n' || c == '\t' || c >= 0x20 && c < 0x7f:
			e.out.WriteByte(c)
			i++
			continue
		case c == '\r':
			if i+1 == len(data) {
				e.pending = append(e.pending[:0], c)
				i++
				continue
			}
			if data[i+1] == '\n' {
				e.out.WriteString("\r\n")
				i += 2
				continue
			}
		}
		if c >= 0x80 && !utf8.FullRune(data[i:]) {
			e.pending = append(e.pending[:0], data[i:]...) // at most 3 bytes: the start of a rune
			break
		}
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			appendByte(&e.out, c)
		case Unsafe(r):
			appendRune(&e.out, r)
		default:
			e.out.Write(data[i : i+size])
		}
		i += size
	}
	if _, err := io.WriteString(e.w, e.out.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what a Write held back (a CR or an incomplete rune at the
// end of the stream), escaped.
func (e *Writer) Flush() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.pending) == 0 {
		return nil
	}
	_, err := io.WriteString(e.w, String(string(e.pending)))
	e.pending = nil
	return err
}
