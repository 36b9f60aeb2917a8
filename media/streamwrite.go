package media

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/patchferry/patchferry/verify"
)

// WriteStream writes the bundle b, opened from its directories, to w as an
// import stream (see stream.go): the manifest and signatures as b holds
// them, then the meta and payload files read in place from the media, in
// the order ReadStream expects. Nothing is hashed here: the receiver checks
// every byte, once. A file that cannot be opened or read is sent as such,
// with its error. progress, if set, receives the bytes of meta and payload
// files sent (b.Size() in all for intact media).
func WriteStream(ctx context.Context, w io.Writer, b *Bundle, progress func(int64)) error {
	src, ok := b.src.(*dirSource)
	if !ok {
		return errors.New("import stream: only a bundle opened from its directories can be sent")
	}
	if len(b.Dirs) == 0 || len(b.Dirs) > MaxVolumes {
		return fmt.Errorf("import stream: %d bundle directories", len(b.Dirs))
	}
	sw := &streamWriter{w: bufio.NewWriterSize(w, 64<<10), buf: make([]byte, maxStreamChunk), ctx: ctx, progress: progress,
		vols: make(map[string]uint16, len(b.Dirs))}
	for i, d := range b.Dirs {
		if _, dup := sw.vols[d]; !dup {
			sw.vols[d] = uint16(i)
		}
	}
	if _, err := sw.w.WriteString(streamMagic); err != nil {
		return err
	}
	small := []struct {
		path string
		data []byte
	}{{ManifestName, b.Raw}, {SignatureName, verify.EncodeSignature(b.Signature)}}
	for _, a := range b.Approvals {
		small = append(small, struct {
			path string
			data []byte
		}{a.Name, verify.EncodeSignature(a.Sig)})
	}
	for _, f := range small {
		if err := sw.bytes(f.path, f.data); err != nil {
			return err
		}
	}
	for _, mf := range b.Manifest.Meta {
		rel := MetaPath(mf.Name)
		if _, err := sw.files(src, []FileRef{{Path: rel, Size: mf.Size}}, src.where[rel]); err != nil {
			return err
		}
	}
	for _, a := range b.Manifest.Payloads() {
		refs := a.Files()
		stop, err := sw.files(src, refs, src.where[refs[0].Path])
		if err != nil {
			return err
		}
		if stop {
			break // the receiver stops at this file's error
		}
	}
	if err := sw.w.WriteByte(frameEnd); err != nil {
		return err
	}
	return sw.w.Flush()
}

type streamWriter struct {
	ctx      context.Context
	w        *bufio.Writer
	buf      []byte
	vols     map[string]uint16 // bundle directory → its index in Bundle.Dirs
	progress func(int64)
}

// begin writes the start of an entry: kind, volume, path.
func (sw *streamWriter) begin(kind byte, dir, path string) {
	var h [5]byte
	h[0] = kind
	binary.BigEndian.PutUint16(h[1:], sw.vols[dir])
	binary.BigEndian.PutUint16(h[3:], uint16(len(path)))
	sw.w.Write(h[:])
	sw.w.WriteString(path)
}

// sentErr writes flags and the text of err (a frame's tail).
func (sw *streamWriter) sentErr(err error) error {
	var fe *FileError
	if errors.As(err, &fe) {
		err = fe.Err
	}
	var h [3]byte
	if errors.Is(err, ErrLayout) {
		h[0] = flagLayout
	}
	msg := err.Error()
	if len(msg) > maxStreamMessage {
		msg = msg[:maxStreamMessage]
	}
	if msg == "" {
		msg = "unknown error"
	}
	binary.BigEndian.PutUint16(h[1:], uint16(len(msg)))
	sw.w.Write(h[:])
	_, werr := sw.w.WriteString(msg)
	return werr
}

// chunk writes one data frame.
func (sw *streamWriter) chunk(p []byte) error {
	var h [5]byte
	h[0] = frameData
	binary.BigEndian.PutUint32(h[1:], uint32(len(p)))
	sw.w.Write(h[:])
	_, err := sw.w.Write(p)
	return err
}

// bytes writes a small file held in memory.
func (sw *streamWriter) bytes(path string, data []byte) error {
	sw.begin(frameFile, "", path) // volume 0
	for len(data) > 0 {
		n := min(len(data), maxStreamChunk)
		if err := sw.chunk(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return sw.w.WriteByte(frameDone)
}

// files writes the files refs of one artifact (or one meta file), read in
// place. stop is true when one of them could not be opened or read: it was
// sent with its error.
func (sw *streamWriter) files(src *dirSource, refs []FileRef, dir string) (stop bool, err error) {
	fs, c, err := src.open(paths(refs))
	if err != nil {
		var fe *FileError
		path := refs[0].Path
		if errors.As(err, &fe) {
			path, dir = fe.Path, fe.Dir
		}
		sw.begin(frameMissing, dir, path)
		return true, sw.sentErr(err)
	}
	defer c.Close()
	for i, r := range refs {
		sw.begin(frameFile, fs[i].dir(), r.Path)
		if err := sw.content(fs[i], r.Size+1); err != nil {
			var rerr *readError
			if !errors.As(err, &rerr) {
				return true, err
			}
			sw.w.WriteByte(frameFailed)
			return true, sw.sentErr(rerr.err)
		}
		if err := sw.w.WriteByte(frameDone); err != nil {
			return true, err
		}
	}
	return false, nil
}

// readError is an error reading the media, as opposed to writing the stream.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }

// content sends up to limit bytes of r in data frames.
func (sw *streamWriter) content(r io.Reader, limit int64) error {
	for limit > 0 {
		if err := sw.ctx.Err(); err != nil {
			return err
		}
		n, err := io.ReadFull(r, sw.buf[:min(int64(len(sw.buf)), limit)])
		if n > 0 {
			if werr := sw.chunk(sw.buf[:n]); werr != nil {
				return werr
			}
			if sw.progress != nil {
				sw.progress(int64(n))
			}
			limit -= int64(n)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil
		}
		if err != nil {
			return &readError{err}
		}
	}
	return nil
}
