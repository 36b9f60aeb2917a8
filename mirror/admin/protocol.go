package admin

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/service"
)

// SocketName is the admin socket's name in the data directory.
const SocketName = "admin.sock"

// Operations, one endpoint each: POST /v1/<op>. Every request body is one
// JSON object (the service's request type; {} for none), except import's:
// a length-prefixed JSON importHeader followed by the media import stream.
// Every answer is one JSON answer.
const (
	opImport       = "import"
	opRefusal      = "refusal"
	opStatus       = "status"
	opTrust        = "trust"
	opChangeTrust  = "trust-change"
	opLedger       = "ledger"
	opVerifyLedger = "ledger-verify"
	opScrub        = "scrub"
	opGC           = "gc"
)

// Limits of what either side reads.
const (
	maxRequest  = 8 << 20   // one JSON request (a trust change may carry a vendor trust file)
	maxHeader   = 1 << 20   // an import's header
	maxResponse = 256 << 20 // one answer (the ledger grows)
	maxText     = 1024      // operator, label
	maxDir      = 4096      // one bundle directory name
	maxScanner  = 64        // words of the scanner command
)

// answer is the server's reply to every operation.
type answer struct {
	Result json.RawMessage    `json:"result,omitempty"`
	Error  *service.WireError `json:"error,omitempty"`
}

// importHeader starts an import: what ImportRequest carries, and the
// caller's bundle directories (volume order), which errors name.
type importHeader struct {
	Operator string   `json:"operator"`
	Label    string   `json:"label"`
	Scanner  []string `json:"scanner,omitempty"`
	Dirs     []string `json:"dirs"`
	Repair   bool     `json:"repair,omitempty"` // mirror import --repair
}

// decodeJSON reads one JSON object of at most limit bytes into v: unknown
// fields and anything after the object are refused.
func decodeJSON(r io.Reader, limit int64, v any) error {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return err
	}
	if int64(len(b)) > limit {
		return fmt.Errorf("larger than %d bytes", limit)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the request")
	}
	return nil
}

// readImportHeader reads and checks the length-prefixed header of an
// import; the import stream follows it in r.
func readImportHeader(r io.Reader) (*importHeader, error) {
	var n uint32
	if err := binary.Read(r, binary.BigEndian, &n); err != nil {
		return nil, fmt.Errorf("import header: %w", err)
	}
	if n > maxHeader {
		return nil, fmt.Errorf("import header: %d bytes, more than %d", n, maxHeader)
	}
	var h importHeader
	if err := decodeJSON(io.LimitReader(r, int64(n)), int64(n), &h); err != nil {
		return nil, fmt.Errorf("import header: %w", err)
	}
	if err := h.validate(); err != nil {
		return nil, fmt.Errorf("import header: %w", err)
	}
	return &h, nil
}

// writeImportHeader writes h as readImportHeader reads it.
func writeImportHeader(w io.Writer, h *importHeader) error {
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if len(b) > maxHeader {
		return fmt.Errorf("import header: %d bytes, more than %d", len(b), maxHeader)
	}
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	_, err = w.Write(append(n[:], b...))
	return err
}

func (h *importHeader) validate() error {
	if len(h.Dirs) == 0 || len(h.Dirs) > media.MaxVolumes {
		return fmt.Errorf("%d bundle directories, want 1 to %d", len(h.Dirs), media.MaxVolumes)
	}
	for _, d := range h.Dirs {
		if err := text("bundle directory", d, maxDir); err != nil {
			return err
		}
	}
	if err := text("operator", h.Operator, maxText); err != nil {
		return err
	}
	if err := text("label", h.Label, maxText); err != nil {
		return err
	}
	if len(h.Scanner) > maxScanner {
		return fmt.Errorf("scanner command of %d words, more than %d", len(h.Scanner), maxScanner)
	}
	for _, w := range h.Scanner {
		if w == "" || len(w) > maxDir || strings.ContainsRune(w, 0) {
			return fmt.Errorf("scanner command word %.40q", w)
		}
	}
	return nil
}

// text checks a text field the server keeps or passes on: bounded, no NUL.
// (What reaches the ledger or a log is escaped there, as for a command run
// without a server.)
func text(what, s string, limit int) error {
	if len(s) > limit {
		return fmt.Errorf("%s longer than %d bytes", what, limit)
	}
	if strings.ContainsRune(s, 0) {
		return fmt.Errorf("%s %.40q holds NUL", what, s)
	}
	return nil
}
