package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/patchferry/patchferry/media/durable"
	"github.com/patchferry/patchferry/verify"
)

// Payloads are copied one after the other (sequential writes suit USB sticks
// and FAT), by the kernel where it can (copy_file_range: the bytes never pass
// through this process). Each copied chunk is read back from the new file and
// hashed, so the hashes prove what was written. SHA-256 is slower than the
// copy, so the hashing of an input runs in a goroutine of its own while the
// next input is copied: up to hashAhead inputs are hashed at once. Inputs are
// finished (checked, renamed into place) in order, so the output does not
// depend on timing.
const (
	copyChunk  = 8 << 20 // bytes copied before they are handed to the hasher
	chunkQueue = 8       // chunks the hasher may lag behind (in the page cache)
	hashAhead  = 2       // inputs hashed at once
)

// copyInputs copies every input into the staging directories.
func (w *writer) copyInputs(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make([]*inputJob, 0, len(w.c.Inputs))
	defer func() {
		cancel()
		for _, j := range jobs {
			<-j.done // no hasher outlives the write (cleanup removes its files)
		}
	}()
	stored := make(map[string]bool)
	next := 0 // the next input to finish
	for i := range w.c.Inputs {
		j := w.startInput(ctx, i)
		jobs = append(jobs, j)
		if j.err != nil {
			return j.err
		}
		for ; i+1-next >= hashAhead; next++ {
			if err := w.finishInput(jobs[next], stored); err != nil {
				return err
			}
		}
	}
	for ; next < len(jobs); next++ {
		if err := w.finishInput(jobs[next], stored); err != nil {
			return err
		}
	}
	return nil
}

// inputJob is one input being copied and hashed.
type inputJob struct {
	i      int
	pieces []piece // set by the copier
	err    error   // the copier's error

	chunks chan chunk
	done   chan struct{} // closed when the hasher has finished
	// Set by the hasher, read after done.
	herr      error
	sum       string   // SHA-256 of the whole input
	pieceSums []string // SHA-256 of each piece, when there are several
}

type piece struct {
	tmp  string // temporary file in the staging directory of vol
	vol  int
	size int64
}

// chunk is a range of a piece file to hash. The hasher closes the file
// after the piece's last chunk: every piece file gets exactly one.
type chunk struct {
	f       *os.File
	off, n  int64
	last    bool
	discard bool // the copy failed: only close the file
}

// startInput copies input i into its piece files and starts its hasher.
// The returned job always has a hasher running (wait for done).
func (w *writer) startInput(ctx context.Context, i int) *inputJob {
	sizes := splitSizes(w.sizes[i], w.planPart)
	j := &inputJob{i: i, chunks: make(chan chunk, chunkQueue), done: make(chan struct{})}
	go j.hash(ctx, len(sizes) > 1)
	defer close(j.chunks)
	in := w.c.Inputs[i]
	src, err := os.Open(in.Path)
	if err != nil {
		j.err = err
		return j
	}
	defer src.Close()
	for k, size := range sizes {
		vol := w.assign[i][k]
		f, err := createPayloadTemp(filepath.Join(w.staging[vol-1], "files"))
		if err != nil {
			j.err = err
			return j
		}
		j.pieces = append(j.pieces, piece{tmp: f.Name(), vol: vol, size: size})
		n, err := copyToFile(ctx, f, src, size, w.o.Progress, j.chunks)
		if err == nil && n != size {
			err = fmt.Errorf("%s changed while it was being written (shorter than %d bytes); run again", in.Path, w.sizes[i])
		}
		if err != nil {
			j.err = fmt.Errorf("copy %s: %w", in.Path, err)
			return j
		}
	}
	if n, _ := src.Read(make([]byte, 1)); n > 0 {
		j.err = fmt.Errorf("%s changed while it was being written (longer than %d bytes); run again", in.Path, w.sizes[i])
	}
	return j
}

// createPayloadTemp creates a temporary payload file in dir.
func createPayloadTemp(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// Payloads are read by whoever imports the bundle: 0644 like the other
	// files, not CreateTemp's 0600.
	return durable.CreateTempMode(dir, "payload", 0o644)
}

// copyToFile copies up to n bytes from src (from its offset) to dst, which
// is empty, and queues each copied chunk for hashing. It queues exactly one
// chunk marked last for dst, on error too, and does not close dst: the hasher
// does. A src shorter than n is not an error here (the caller says so).
func copyToFile(ctx context.Context, dst, src *os.File, n int64, progress func(int64), chunks chan<- chunk) (int64, error) {
	var done int64
	for {
		if err := ctx.Err(); err != nil {
			chunks <- chunk{f: dst, last: true, discard: true}
			return done, err
		}
		m, err := io.CopyN(dst, src, min(copyChunk, n-done))
		done += m
		if err == io.EOF {
			err = nil
		}
		if err != nil {
			chunks <- chunk{f: dst, last: true, discard: true}
			return done, err
		}
		if progress != nil && m > 0 {
			progress(m)
		}
		last := done == n || m == 0
		chunks <- chunk{f: dst, off: done - m, n: m, last: last}
		if last {
			return done, nil
		}
	}
}

// hash reads back every chunk and feeds the whole-input hash and, with
// several pieces, the piece's hash.
func (j *inputJob) hash(ctx context.Context, multi bool) {
	defer close(j.done)
	whole := sha256.New()
	var pieceHash hash.Hash
	buf := make([]byte, 256<<10)
	for c := range j.chunks {
		if j.herr == nil && !c.discard {
			j.herr = ctx.Err() // a cancelled write: the hashes would be short
		}
		if j.herr == nil && !c.discard {
			hs := []hash.Hash{whole}
			if multi {
				if pieceHash == nil {
					pieceHash = sha256.New()
				}
				hs = append(hs, pieceHash)
			}
			j.herr = hashBack(c.f, c.off, c.n, buf, hs)
		}
		if !c.last {
			continue
		}
		if err := c.f.Close(); err != nil && j.herr == nil && !c.discard {
			j.herr = fmt.Errorf("write %s: %w", c.f.Name(), err)
		}
		if pieceHash != nil {
			j.pieceSums = append(j.pieceSums, hex.EncodeToString(pieceHash.Sum(nil)))
			pieceHash = nil
		}
	}
	j.sum = hex.EncodeToString(whole.Sum(nil))
}

// hashBack reads n bytes of f at off and feeds them to every hash in hs.
func hashBack(f *os.File, off, n int64, buf []byte, hs []hash.Hash) error {
	r := io.NewSectionReader(f, off, n)
	var got int64
	for got < n {
		k, err := r.Read(buf)
		for _, h := range hs {
			h.Write(buf[:k])
		}
		got += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read back %s: %w", f.Name(), err)
		}
	}
	if got != n {
		return fmt.Errorf("read back %s: %d of %d bytes at %d", f.Name(), got, n, off)
	}
	return nil
}

// finishInput waits for the hashes of job's input, checks them, moves its
// piece files into place and records the artifact. A piece with the same
// content as an earlier input's is stored once. No fsync here: syncTree syncs
// every file before the bundle gets its name, so the disk writes payloads back
// while the next ones are copied.
func (w *writer) finishInput(j *inputJob, stored map[string]bool) error {
	<-j.done
	in := w.c.Inputs[j.i]
	if j.herr != nil {
		return fmt.Errorf("copy %s: %w", in.Path, j.herr)
	}
	a := in.Artifact
	if a.SHA256 != "" && a.SHA256 != j.sum {
		return fmt.Errorf("%s: %w", in.Path, &verify.DigestError{Want: a.SHA256, Got: j.sum})
	}
	a.Size, a.SHA256, a.Parts = w.sizes[j.i], j.sum, nil
	if a.Verification.Method == "" {
		a.Verification.Method = MethodManual
	}
	for k, p := range j.pieces {
		rel := PayloadPath(j.sum)
		if len(j.pieces) > 1 {
			rel = PartPath(j.sum, k+1)
			a.Parts = append(a.Parts, Part{Size: p.size, SHA256: j.pieceSums[k]})
		}
		if stored[rel] {
			os.Remove(p.tmp) // same content as an earlier input: stored once
			continue
		}
		target := filepath.Join(w.staging[p.vol-1], filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.Rename(p.tmp, target); err != nil {
			return err
		}
		stored[rel] = true
		w.files[p.vol-1] = append(w.files[p.vol-1], rel)
	}
	w.m.Artifacts[j.i] = a
	return nil
}
