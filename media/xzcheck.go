package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/ulikunitz/xz/lzma"
)

// MaxXZDict is the largest LZMA2 dictionary a meta file may ask for. The
// decoder allocates the dictionary up front, and github.com/ulikunitz/xz
// lets a block header raise its cap, so checkXZ reads every block header
// before any decoder is opened.
const MaxXZDict = 16 << 20

var (
	xzMagic       = []byte{0xFD, '7', 'z', 'X', 'Z', 0x00}
	xzFooterMagic = []byte{'Y', 'Z'}
)

// ErrXZ is wrapped by every error about a malformed or oversized .xz file.
var ErrXZ = errors.New("not a well-formed single-stream .xz file")

// checkXZ walks an .xz file's structure: stream header, footer, index, and
// the header of every block. It refuses more than one stream, filters other
// than a single LZMA2, and any dictionary above MaxXZDict. Only then does it
// decode each block's LZMA2 data, with the dictionary its checked header
// declares, over exactly the span the index gives the block: the xz decoder
// finds block boundaries by decoding, not from the index, so a block hidden
// after an early end of LZMA2 data inside one index record would otherwise
// reach it unchecked, and its header would raise the dictionary cap.
func checkXZ(r io.ReaderAt, size int64) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrXZ, fmt.Sprintf(format, a...))
	}
	if size < 32 {
		return bad("too short")
	}
	var hdr, ftr [12]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return err
	}
	if _, err := r.ReadAt(ftr[:], size-12); err != nil {
		return err
	}
	if !bytes.Equal(hdr[:6], xzMagic) || crc32.ChecksumIEEE(hdr[6:8]) != binary.LittleEndian.Uint32(hdr[8:]) {
		return bad("bad stream header")
	}
	if !bytes.Equal(ftr[10:], xzFooterMagic) || !bytes.Equal(ftr[8:10], hdr[6:8]) ||
		crc32.ChecksumIEEE(ftr[4:10]) != binary.LittleEndian.Uint32(ftr[:4]) {
		return bad("bad stream footer")
	}
	checkSize, err := xzCheckSize(hdr[7])
	if err != nil || hdr[6] != 0 {
		return bad("unknown stream flags")
	}
	indexSize := (int64(binary.LittleEndian.Uint32(ftr[4:8])) + 1) * 4
	indexStart := size - 12 - indexSize
	if indexSize > 1<<20 || indexStart < 12 {
		return bad("index out of range")
	}
	index := make([]byte, indexSize)
	if _, err := r.ReadAt(index, indexStart); err != nil {
		return err
	}
	records, err := parseXZIndex(index)
	if err != nil {
		return bad("%v", err)
	}
	off := int64(12)
	blocks := make([]xzBlock, 0, len(records))
	var expanded int64
	for i, rec := range records {
		hsize, dict, err := readXZBlockHeader(r, off, indexStart)
		if err != nil {
			return bad("block %d: %v", i, err)
		}
		if dict > MaxXZDict {
			return fmt.Errorf("%w: block %d asks for a %d MiB dictionary, the limit is %d MiB",
				ErrXZ, i, dict>>20, MaxXZDict>>20)
		}
		if rec.unpadded < hsize+1+checkSize {
			return bad("block %d: size out of range", i)
		}
		blocks = append(blocks, xzBlock{off: off, hsize: hsize, dict: dict, xzRecord: rec})
		off += (rec.unpadded + 3) &^ 3
		if off > indexStart {
			return bad("block %d runs past the index", i)
		}
		if expanded += rec.uncompressed; expanded > MaxMetaExpanded {
			return bad("the index promises more than %d bytes", MaxMetaExpanded)
		}
	}
	if off != indexStart {
		return bad("data between the last block and the index (more than one stream?)")
	}
	for i, b := range blocks {
		if err := checkXZBlockData(r, b, checkSize); err != nil {
			return bad("block %d: %v", i, err)
		}
	}
	return nil
}

// xzBlock is one block as the index and its header describe it.
type xzBlock struct {
	xzRecord
	off   int64  // of the block header in the file
	hsize int64  // block header size
	dict  uint64 // LZMA2 dictionary size from the header
}

// checkXZBlockData decodes a block's LZMA2 data and checks that it ends
// with an end marker exactly where the index says, holding exactly the
// uncompressed size the index records.
func checkXZBlockData(r io.ReaderAt, b xzBlock, checkSize int64) error {
	span := b.unpadded - b.hsize - checkSize
	lr := &io.LimitedReader{R: io.NewSectionReader(r, b.off+b.hsize, span), N: span}
	zr, err := lzma.Reader2Config{DictCap: int(max(b.dict, lzma.MinDictCap))}.NewReader2(lr)
	if err != nil {
		return err
	}
	n, err := io.Copy(io.Discard, io.LimitReader(zr, b.uncompressed+1))
	if err != nil {
		return err
	}
	if n > b.uncompressed {
		return fmt.Errorf("holds more than the %d bytes the index says", b.uncompressed)
	}
	if n < b.uncompressed || !zr.EOS() || lr.N != 0 {
		return fmt.Errorf("its data does not end where the index says the block ends (%d of %d bytes)", n, b.uncompressed)
	}
	return nil
}

func xzCheckSize(t byte) (int64, error) {
	switch t {
	case 0x00:
		return 0, nil
	case 0x01:
		return 4, nil
	case 0x04:
		return 8, nil
	case 0x0A:
		return 32, nil
	}
	return 0, ErrXZ
}

// xzRecord is one index record.
type xzRecord struct{ unpadded, uncompressed int64 }

// parseXZIndex returns the record of every block.
func parseXZIndex(b []byte) ([]xzRecord, error) {
	if len(b) < 8 || b[0] != 0 {
		return nil, errors.New("bad index")
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, errors.New("index checksum mismatch")
	}
	p := body[1:]
	n, p, err := xzVarint(p)
	if err != nil || n > uint64(len(p)) { // each record takes at least 2 bytes
		return nil, errors.New("bad index record count")
	}
	records := make([]xzRecord, 0, n)
	for i := uint64(0); i < n; i++ {
		var unpadded, uncompressed uint64
		if unpadded, p, err = xzVarint(p); err != nil {
			return nil, err
		}
		if uncompressed, p, err = xzVarint(p); err != nil {
			return nil, err
		}
		if unpadded == 0 || unpadded > 1<<50 || uncompressed > 1<<50 {
			return nil, errors.New("bad index record")
		}
		records = append(records, xzRecord{int64(unpadded), int64(uncompressed)})
	}
	for _, c := range p { // padding
		if c != 0 {
			return nil, errors.New("bad index padding")
		}
	}
	if len(p) > 3 {
		return nil, errors.New("bad index padding")
	}
	return records, nil
}

// readXZBlockHeader reads the block header at off and returns its size and
// the LZMA2 dictionary size it declares.
func readXZBlockHeader(r io.ReaderAt, off, limit int64) (size int64, dict uint64, err error) {
	var first [1]byte
	if _, err := r.ReadAt(first[:], off); err != nil {
		return 0, 0, err
	}
	if first[0] == 0 {
		return 0, 0, errors.New("index where a block was expected")
	}
	size = (int64(first[0]) + 1) * 4
	if off+size > limit {
		return 0, 0, errors.New("header runs past the index")
	}
	h := make([]byte, size)
	if _, err := r.ReadAt(h, off); err != nil {
		return 0, 0, err
	}
	if crc32.ChecksumIEEE(h[:size-4]) != binary.LittleEndian.Uint32(h[size-4:]) {
		return 0, 0, errors.New("header checksum mismatch")
	}
	flags := h[1]
	if flags&0x3c != 0 {
		return 0, 0, errors.New("reserved flags set")
	}
	if flags&0x03 != 0 {
		return 0, 0, errors.New("more than one filter (only LZMA2 is allowed)")
	}
	p := h[2 : size-4]
	if flags&0x40 != 0 {
		if _, p, err = xzVarint(p); err != nil {
			return 0, 0, err
		}
	}
	if flags&0x80 != 0 {
		if _, p, err = xzVarint(p); err != nil {
			return 0, 0, err
		}
	}
	id, p, err := xzVarint(p)
	if err != nil {
		return 0, 0, err
	}
	propSize, p, err := xzVarint(p)
	if err != nil {
		return 0, 0, err
	}
	if id != 0x21 || propSize != 1 || len(p) < 1 {
		return 0, 0, errors.New("filter is not LZMA2")
	}
	d := p[0]
	if d > 40 {
		return 0, 0, errors.New("invalid LZMA2 dictionary size")
	}
	if d == 40 {
		return size, 0xFFFFFFFF, nil
	}
	return size, uint64(2|(d&1)) << (d/2 + 11), nil
}

func xzVarint(p []byte) (uint64, []byte, error) {
	var v uint64
	for i := 0; i < 9 && i < len(p); i++ {
		v |= uint64(p[i]&0x7f) << (7 * i)
		if p[i]&0x80 == 0 {
			if i > 0 && p[i] == 0 {
				return 0, nil, errors.New("non-minimal integer")
			}
			return v, p[i+1:], nil
		}
	}
	return 0, nil, errors.New("bad integer")
}
