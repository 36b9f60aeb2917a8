package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"time"

	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/service"
	"github.com/patchferry/patchferry/mirror/store"
)

// ErrNoServer means no server is listening: the caller opens the store
// itself.
var ErrNoServer = errors.New("no mirror server is running on this data directory")

// ErrServerStopped means the server went away before it answered: whether
// the operation took effect is not known.
var ErrServerStopped = errors.New("the mirror server (patchferry mirror serve) stopped before it answered")

// Client is the service.Service of the server listening on an admin
// socket: every operation is carried out by the server, on its store.
type Client struct {
	hc *http.Client
}

var _ service.Service = (*Client)(nil)

// Dial returns a client of the server listening at path, or ErrNoServer.
func Dial(path string) (*Client, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, ErrNoServer
	}
	conn, err := net.DialTimeout("unix", path, 5*time.Second)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, os.ErrNotExist) {
			return nil, ErrNoServer // a stale socket of a server that was killed
		}
		return nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	conn.Close()
	return &Client{hc: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		WriteBufferSize: 256 << 10,
	}}}, nil
}

// Close releases the client's connections.
func (c *Client) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

// roundTrip posts body to op and decodes the answer's result into res; an
// error answer comes back as the server's error, rebuilt (DecodeError).
func (c *Client) roundTrip(ctx context.Context, op string, body io.Reader, res any) error {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://patchferry-admin/v1/"+op, body)
	if err != nil {
		return err
	}
	hresp, err := c.hc.Do(hreq)
	if err != nil {
		return stopped(ctx, op, err)
	}
	defer hresp.Body.Close()
	if hresp.StatusCode != http.StatusOK {
		return fmt.Errorf("mirror %s: the mirror server answered %s; is it the same patchferry version?", op, hresp.Status)
	}
	var a answer
	if err := json.NewDecoder(io.LimitReader(hresp.Body, maxResponse)).Decode(&a); err != nil {
		return stopped(ctx, op, err)
	}
	if a.Error != nil {
		return service.DecodeError(a.Error)
	}
	if err := json.Unmarshal(a.Result, res); err != nil {
		return fmt.Errorf("mirror %s: the mirror server's answer: %w", op, err)
	}
	return nil
}

// stopped describes a connection that broke before the answer came.
func stopped(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // not the request's made-up URL
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("mirror %s: %w (%v)", op, ErrServerStopped, err)
}

// call runs one JSON operation.
func call[Res any](ctx context.Context, c *Client, op string, req any) (Res, error) {
	var res Res
	b, err := json.Marshal(req)
	if err != nil {
		return res, err
	}
	err = c.roundTrip(ctx, op, bytes.NewReader(b), &res)
	return res, err
}

// RecordRefusal implements service.Service.
func (c *Client) RecordRefusal(ctx context.Context, req service.Refusal) error {
	_, err := call[*empty](ctx, c, opRefusal, req)
	return err
}

// Status implements service.Service.
func (c *Client) Status(ctx context.Context) (*service.Status, error) {
	return call[*service.Status](ctx, c, opStatus, empty{})
}

// Trust implements service.Service.
func (c *Client) Trust(ctx context.Context) (*service.TrustInfo, error) {
	return call[*service.TrustInfo](ctx, c, opTrust, empty{})
}

// ChangeTrust implements service.Service.
func (c *Client) ChangeTrust(ctx context.Context, req service.TrustChange) (*service.TrustInfo, error) {
	return call[*service.TrustInfo](ctx, c, opChangeTrust, req)
}

// Ledger implements service.Service.
func (c *Client) Ledger(ctx context.Context) ([]ledger.Row, error) {
	return call[[]ledger.Row](ctx, c, opLedger, empty{})
}

// VerifyLedger implements service.Service.
func (c *Client) VerifyLedger(ctx context.Context, req service.LedgerVerifyRequest) (*service.LedgerCheck, error) {
	return call[*service.LedgerCheck](ctx, c, opVerifyLedger, req)
}

// Scrub implements service.Service; req.Progress is not called.
func (c *Client) Scrub(ctx context.Context, req service.ScrubRequest) (*store.ScrubReport, error) {
	return call[*store.ScrubReport](ctx, c, opScrub, req)
}

// GC implements service.Service.
func (c *Client) GC(ctx context.Context, req service.GCRequest) (*store.GCReport, error) {
	return call[*store.GCReport](ctx, c, opGC, req)
}

// Import implements service.Service: this process opens the media
// (media.Open, the strict reader: it may be the only one allowed to read
// them) and streams the bundle to the server, which imports it while it
// arrives. req.Progress counts the bytes sent. A bundle that cannot even
// be opened is refused here, and the refusal is recorded in the server's
// ledger.
func (c *Client) Import(ctx context.Context, req service.ImportRequest) (*ingest.Result, error) {
	return c.importStream(ctx, req)
}
