package admin

import (
	"context"
	"errors"
	"io"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/service"
)

// errAnswered stops the upload once the server has answered.
var errAnswered = errors.New("the mirror server answered")

// importStream opens the media and sends them as an import stream. The
// answer is read while the stream is still being sent: when the server
// refuses the bundle part-way, the caller gets that refusal and the upload
// stops.
func (c *Client) importStream(ctx context.Context, req service.ImportRequest) (*ingest.Result, error) {
	open := req.Open
	if open == nil {
		open = func() (*media.Bundle, error) { return media.Open(req.Paths...) }
	}
	b, err := open()
	if err != nil {
		refused := &ingest.RefusedError{Err: err}
		code, args := ingest.LedgerReason(refused)
		if rerr := c.RecordRefusal(ctx, service.Refusal{Operator: req.Operator, Label: req.Label, Reason: err.Error(), Code: code, Args: args}); rerr != nil {
			return nil, errors.Join(refused, rerr)
		}
		return nil, refused
	}
	if req.Total != nil {
		req.Total(b.Size())
	}
	h := &importHeader{Operator: req.Operator, Label: req.Label, Scanner: req.Scanner, Dirs: b.Dirs, Repair: req.Repair}
	if err := h.validate(); err != nil {
		return nil, &service.InvalidError{Err: err}
	}
	pr, pw := io.Pipe()
	sent := make(chan error, 1)
	go func() {
		err := writeImportHeader(pw, h)
		if err == nil {
			err = media.WriteStream(ctx, pw, b, req.Progress)
		}
		pw.CloseWithError(err)
		sent <- err
	}()
	var res ingest.Result
	err = c.roundTrip(ctx, opImport, pr, &res)
	pr.CloseWithError(errAnswered)
	<-sent // the upload ended: on the stream's end, or the answer
	if err != nil {
		return nil, err
	}
	return &res, nil
}
