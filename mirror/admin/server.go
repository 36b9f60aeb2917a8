package admin

import (
	"archive/tar"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/patchferry/patchferry/media"
)

// Handler runs one command. dir holds the request's uploads under their
// names (empty when there are none).
type Handler func(ctx context.Context, req *Request, dir string) *Response

// Listen creates the admin socket at path with owner-only permissions. A
// stale socket left by a killed server is replaced; a live one is an error.
func Listen(path string) (net.Listener, error) {
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("%s: another `patchferry mirror serve` is already running on this data directory", path)
	}
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	return ln, nil
}

// shutdownTimeout bounds how long Serve waits, once ctx has ended, for
// running commands to wind down and answer.
const shutdownTimeout = time.Minute

// Serve answers requests on ln until ctx ends. Uploads are unpacked into a
// new directory under tmpDir, removed after each request. When ctx ends, the
// running commands see their context end too; Serve returns only after they
// have finished and answered, so the caller may close the store then.
func Serve(ctx context.Context, ln net.Listener, tmpDir string, h Handler, log *slog.Logger) error {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/run", func(w http.ResponseWriter, r *http.Request) {
		resp := serveOne(r.Context(), r.Body, tmpDir, h)
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(resp); err != nil {
			log.Warn("admin: answer lost", "err", err)
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	stopped, served := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-ctx.Done():
		case <-served:
			return
		}
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			log.Warn("admin: commands still running at shutdown", "err", err)
			srv.Close()
		}
	}()
	err := srv.Serve(ln)
	close(served)
	<-stopped // Serve returns at once on Shutdown; the commands may still run
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func serveOne(ctx context.Context, body io.Reader, tmpDir string, h Handler) *Response {
	fail := func(err error) *Response {
		return &Response{ExitCode: 1, Stderr: []byte("error: admin request: " + err.Error() + "\n")}
	}
	req, err := readHeader(body)
	if err != nil {
		return fail(err)
	}
	dir, err := os.MkdirTemp(tmpDir, "admin-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	if err := unpack(ctx, body, dir); err != nil {
		return fail(err)
	}
	return h(ctx, req, dir)
}

func readHeader(r io.Reader) (*Request, error) {
	var n uint32
	if err := binary.Read(r, binary.BigEndian, &n); err != nil {
		return nil, err
	}
	if n > maxHeader {
		return nil, errors.New("header too large")
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	var req Request
	if err := json.Unmarshal(b, &req); err != nil {
		return nil, err
	}
	return &req, nil
}

// unpack extracts regular files with clean relative names; anything else
// in the stream is an error.
func unpack(ctx context.Context, r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if hdr.Typeflag != tar.TypeReg {
			return fmt.Errorf("upload %q: only regular files", hdr.Name)
		}
		if err := media.ValidPath(hdr.Name); err != nil {
			return fmt.Errorf("upload: %w", err)
		}
		target := filepath.Join(dir, filepath.FromSlash(hdr.Name))
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			return err
		}
		f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		_, err = io.Copy(f, tr)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
}
