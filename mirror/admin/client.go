package admin

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
)

// ErrNoServer means no owner is listening: the caller opens the store
// itself.
var ErrNoServer = errors.New("no mirror server is running on this data directory")

// Call sends a command with its uploads to the owner listening at path and
// returns its answer. progress, if set, receives the upload bytes sent.
func Call(ctx context.Context, path string, req *Request, uploads []Upload, progress func(int64)) (*Response, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, ErrNoServer
	}
	conn, err := net.Dial("unix", path)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, os.ErrNotExist) {
			return nil, ErrNoServer // a stale socket of a server that was killed
		}
		return nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	conn.Close()
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeRequest(pw, req, uploads, progress)) }()
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://patchferry-admin/v1/run", pr)
	if err != nil {
		return nil, err
	}
	hresp, err := client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	defer hresp.Body.Close()
	var resp Response
	if err := json.NewDecoder(io.LimitReader(hresp.Body, maxResponse)).Decode(&resp); err != nil {
		return nil, fmt.Errorf("admin socket %s: bad answer: %w", path, err)
	}
	return &resp, nil
}

func writeRequest(w io.Writer, req *Request, uploads []Upload, progress func(int64)) error {
	hdr, err := json.Marshal(req)
	if err != nil {
		return err
	}
	var head bytes.Buffer
	binary.Write(&head, binary.BigEndian, uint32(len(hdr)))
	head.Write(hdr)
	if _, err := w.Write(head.Bytes()); err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	for _, u := range uploads {
		if err := addFile(tw, u, progress); err != nil {
			return err
		}
	}
	return tw.Close()
}

func addFile(tw *tar.Writer, u Upload, progress func(int64)) error {
	f, err := os.Open(u.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", u.Path)
	}
	if err := tw.WriteHeader(&tar.Header{Name: u.Name, Mode: 0o600, Size: fi.Size(), Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return err
	}
	var dst io.Writer = tw
	if progress != nil {
		dst = io.MultiWriter(tw, progressWriter(progress))
	}
	n, err := io.Copy(dst, io.LimitReader(f, fi.Size()))
	if err == nil && n != fi.Size() {
		err = fmt.Errorf("%s changed while it was sent", u.Path)
	}
	return err
}

type progressWriter func(int64)

func (p progressWriter) Write(b []byte) (int, error) { p(int64(len(b))); return len(b), nil }
