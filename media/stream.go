package media

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/patchferry/patchferry/verify"
)

// An import stream carries one bundle, as read from its media by one process
// (WriteStream), to another that imports it (ReadStream) — through the
// mirror's admin socket. Files come in one fixed order, so the receiver reads
// each payload in place, once, straight from the stream:
//
//	stream   = magic structure payload* end
//	magic    = "patchferry-stream-1\n"
//	structure= bundle.json, bundle.json.sig, approvals/*.sig (increasing
//	           names), meta/<name>.xz (manifest order)
//	payload  = the files of Manifest.Payloads, each artifact's Files in turn
//	file     = 'F' vol:u16 len:u16 path  chunk* ('Z' | failed)
//	chunk    = 'D' n:u32 n bytes                 1 ≤ n ≤ maxStreamChunk
//	failed   = 'X' flags:u8 len:u16 message       reading failed part-way
//	missing  = 'M' vol:u16 len:u16 path flags:u8 len:u16 message
//	end      = 'E'
//
// Integers are big-endian; vol indexes the sender's bundle directories
// (StreamOptions.Dirs), named in errors. A file the sender cannot open is sent
// as missing, and a read error as failed, with the sender's error text
// (flags bit 0: it wraps ErrLayout), so the receiver reports what a reader of
// the directories would. A meta file may be missing or failed and the stream
// goes on; after a payload's, the sender ends the stream. A file carries at
// most its listed size + 1 bytes: one byte more tells "longer" from "exact".
const (
	streamMagic      = "patchferry-stream-1\n"
	maxStreamChunk   = 1 << 20
	maxStreamMessage = 4096
	maxStreamPath    = 1024
	// maxStreamApprovals bounds the approvals one stream may carry.
	maxStreamApprovals = 1000
)

// Frame kinds.
const (
	frameFile    = 'F'
	frameData    = 'D'
	frameDone    = 'Z'
	frameFailed  = 'X'
	frameMissing = 'M'
	frameEnd     = 'E'
)

// flagLayout marks a sender's error that wraps ErrLayout.
const flagLayout = 1

// StreamOptions says how to read an import stream.
type StreamOptions struct {
	// Dirs are the sender's bundle directories in volume order: errors
	// name them, as they would for a bundle opened there.
	Dirs []string
	// StageDir is an empty directory where the meta files are kept while
	// the bundle is read; the caller removes it afterwards.
	StageDir string
}

// ReadStream reads the structure of a bundle from an import stream: the
// manifest, the signatures, and the meta files (bounded by their listed
// sizes, staged in o.StageDir). The payloads stay in r: the returned Bundle
// reads them in place, each once, in the order of Manifest.Payloads —
// OpenArtifact and CheckFiles must be called in that order. Anything out of
// order, unlisted, repeated or larger than listed is an error wrapping
// ErrLayout (or a *verify.LimitError). Nothing is verified against a key
// here: call Verify, as for Open.
func ReadStream(ctx context.Context, r io.Reader, o StreamOptions) (*Bundle, error) {
	if len(o.Dirs) == 0 || len(o.Dirs) > MaxVolumes {
		return nil, fmt.Errorf("import stream: %d bundle directories; want 1 to %d", len(o.Dirs), MaxVolumes)
	}
	s := &streamSource{fr: frameReader{r: bufio.NewReaderSize(&ctxReader{ctx: ctx, r: r}, 64<<10), dirs: o.Dirs}, meta: make(map[string]*stagedMeta)}
	magic := make([]byte, len(streamMagic))
	if _, err := io.ReadFull(s.fr.r, magic); err != nil || string(magic) != streamMagic {
		return nil, fmt.Errorf("%w: not a patchferry import stream", ErrLayout)
	}
	raw, dir, err := s.readSmall(ManifestName, MaxManifestSize)
	if err != nil {
		return nil, err
	}
	m, err := ParseManifest(raw)
	if err != nil {
		return nil, &FileError{Path: ManifestName, Dir: dir, Err: err}
	}
	b := &Bundle{Name: DirName{Site: m.Site, Sequence: m.Sequence}, Manifest: m, Raw: raw, Dirs: o.Dirs, src: s}
	if err := s.readSignatures(b); err != nil {
		return nil, err
	}
	for i := range m.Meta {
		if err := s.stageMeta(i, &m.Meta[i], o.StageDir); err != nil {
			return nil, err
		}
	}
	for _, a := range m.Payloads() {
		s.groups = append(s.groups, a.Files())
	}
	if len(s.groups) == 0 {
		if err := s.end(ManifestName); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// readSmall reads the next entry, which must be the file rel of at most
// limit bytes.
func (s *streamSource) readSmall(rel string, limit int64) ([]byte, string, error) {
	h, err := s.fr.next()
	if err != nil {
		return nil, "", err
	}
	if err := h.want(rel, frameFile); err != nil {
		return nil, "", err
	}
	var buf strings.Builder
	if err := s.fr.content(&buf, limit, rel, h.dir); err != nil {
		return nil, "", err
	}
	return []byte(buf.String()), h.dir, nil
}

// readSignatures reads bundle.json.sig and the approvals.
func (s *streamSource) readSignatures(b *Bundle) error {
	raw, dir, err := s.readSmall(SignatureName, verify.MaxSignatureFile)
	if err != nil {
		return err
	}
	if b.Signature, err = verify.DecodeSignature(raw); err != nil {
		return &FileError{Path: SignatureName, Dir: dir, Err: err}
	}
	for {
		h, err := s.fr.peek()
		if err != nil {
			return err
		}
		if h.kind != frameFile || !strings.HasPrefix(h.path, ApprovalsDir+"/") {
			return nil
		}
		n := len(b.Approvals)
		switch {
		case !isApprovalFile(h.path):
			return h.fail("not an approval file name (approvals/<name>.sig)")
		case n > 0 && h.path <= b.Approvals[n-1].Name:
			return h.fail("approvals out of order or repeated")
		case n == maxStreamApprovals:
			return h.fail(fmt.Sprintf("more than %d approvals", maxStreamApprovals))
		}
		raw, dir, err := s.readSmall(h.path, verify.MaxSignatureFile)
		if err != nil {
			return err
		}
		sig, err := verify.DecodeSignature(raw)
		if err != nil {
			return &FileError{Path: h.path, Dir: dir, Err: err}
		}
		b.Approvals = append(b.Approvals, verify.Signed{Name: h.path, Sig: sig})
	}
}

// stagedMeta is a meta file kept in the stage directory, or the sender's
// error about it.
type stagedMeta struct {
	path, dir string
	err       error
}

// stageMeta copies meta file i into dir (at most its size + 1 bytes).
func (s *streamSource) stageMeta(i int, mf *MetaFile, dir string) error {
	rel := MetaPath(mf.Name)
	h, err := s.fr.next()
	if err != nil {
		return err
	}
	if h.kind == frameMissing {
		if err := h.want(rel, frameMissing); err != nil {
			return err
		}
		s.meta[rel] = &stagedMeta{dir: h.dir, err: h.err}
		return nil
	}
	if err := h.want(rel, frameFile); err != nil {
		return err
	}
	p := filepath.Join(dir, fmt.Sprintf("meta-%05d.xz", i))
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("import stream: stage %s: %w", rel, err)
	}
	err = s.fr.content(f, mf.Size+1, rel, h.dir)
	if cerr := f.Close(); err == nil && cerr != nil {
		return fmt.Errorf("import stream: stage %s: %w", rel, cerr)
	}
	var sent *sentError
	switch {
	case errors.As(err, &sent):
		s.meta[rel] = &stagedMeta{dir: h.dir, err: &FileError{Path: rel, Dir: h.dir, Err: err}}
	case err != nil:
		return err
	default:
		s.meta[rel] = &stagedMeta{path: p, dir: h.dir}
	}
	return nil
}
