package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/service"
)

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

// Config is what Serve serves.
type Config struct {
	// Service carries out the operations: the Local of the store that
	// `mirror serve` owns. Write operations reach it one at a time.
	Service service.Service
	// TmpDir holds each import's staged meta files (the store's tmp/, so
	// nothing is left behind after a crash: the store clears it).
	TmpDir string
	// Changed, if set, runs after every write operation (import, trust
	// change, scrub, gc), still one at a time: the HTTP server reloads its
	// catalog.
	Changed func()
	Log     *slog.Logger
}

// shutdownTimeout bounds how long Serve waits, once ctx has ended, for
// running operations to wind down and answer.
const shutdownTimeout = time.Minute

// drainTimeout bounds how long an import that was answered early (a
// refusal) keeps reading what the caller still sends, so that the caller
// reads the answer rather than a broken connection.
const drainTimeout = 30 * time.Second

// Serve answers requests on ln until ctx ends. When ctx ends, the running
// operations see their context end too; Serve returns only after they
// have finished and answered, so the caller may close the store then.
func Serve(ctx context.Context, ln net.Listener, cfg Config) error {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &server{cfg: cfg}
	svc := cfg.Service
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/"+opImport, s.importHandler)
	handle(s, mux, opRefusal, true, func(ctx context.Context, req service.Refusal) (*empty, error) {
		return nil, svc.RecordRefusal(ctx, req)
	})
	handle(s, mux, opStatus, false, func(ctx context.Context, _ empty) (*service.Status, error) { return svc.Status(ctx) })
	handle(s, mux, opTrust, false, func(ctx context.Context, _ empty) (*service.TrustInfo, error) { return svc.Trust(ctx) })
	handle(s, mux, opChangeTrust, true, svc.ChangeTrust)
	handle(s, mux, opLedger, false, func(ctx context.Context, _ empty) (any, error) { return svc.Ledger(ctx) })
	handle(s, mux, opVerifyLedger, false, svc.VerifyLedger)
	handle(s, mux, opScrub, true, svc.Scrub)
	handle(s, mux, opGC, true, svc.GC)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10,
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
			cfg.Log.Warn("admin: operations still running at shutdown", "err", err)
			srv.Close()
		}
	}()
	err := srv.Serve(ln)
	close(served)
	<-stopped // Serve returns at once on Shutdown; the operations may still run
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

type server struct {
	cfg    Config
	writes sync.Mutex // write operations run one at a time
}

// empty is the request of an operation that takes none.
type empty struct{}

// handle serves one JSON operation.
func handle[Req, Res any](s *server, mux *http.ServeMux, op string, write bool, call func(context.Context, Req) (Res, error)) {
	mux.HandleFunc("POST /v1/"+op, func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if err := decodeJSON(r.Body, maxRequest, &req); err != nil {
			s.answer(w, op, nil, badRequest(err))
			return
		}
		s.run(w, op, write, func() (any, error) { return call(r.Context(), req) })
	})
}

// run runs one operation (a write one alone) and answers it.
func (s *server) run(w http.ResponseWriter, op string, write bool, call func() (any, error)) {
	if write {
		s.writes.Lock()
		defer s.writes.Unlock()
	}
	res, err := call()
	if write && s.cfg.Changed != nil {
		s.cfg.Changed()
	}
	s.answer(w, op, res, err)
}

// badRequest is a request the server cannot read: the caller's fault.
func badRequest(err error) error {
	return &service.InvalidError{Err: fmt.Errorf("admin request: %w", err)}
}

func (s *server) answer(w http.ResponseWriter, op string, res any, err error) {
	var a answer
	if err != nil {
		a.Error = service.EncodeError(err)
		s.cfg.Log.Info("admin", "op", op, "ok", false, "err", err.Error())
	} else {
		b, merr := json.Marshal(res)
		if merr != nil {
			a.Error = service.EncodeError(merr)
		}
		a.Result = b
		s.cfg.Log.Info("admin", "op", op, "ok", true)
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(&a); err != nil {
		s.cfg.Log.Warn("admin: answer lost", "op", op, "err", err)
	}
}

// importHandler imports the bundle that arrives as an import stream,
// storing each payload straight from the request body. It answers as soon
// as the import is decided — a refusal may come before the caller has sent
// everything — and then reads on until the caller, having its answer,
// stops sending.
func (s *server) importHandler(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	if err := rc.EnableFullDuplex(); err != nil {
		s.answer(w, opImport, nil, err)
		return
	}
	// A read blocked on a caller that sends nothing ends with the request.
	defer context.AfterFunc(r.Context(), func() { rc.SetReadDeadline(time.Now()) })()
	defer drain(rc, r.Body)
	h, err := readImportHeader(r.Body)
	if err != nil {
		s.answer(w, opImport, nil, badRequest(err))
		return
	}
	s.run(w, opImport, true, func() (any, error) {
		stage, err := os.MkdirTemp(s.cfg.TmpDir, "import-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(stage) // before the answer: the caller may look
		return s.cfg.Service.Import(r.Context(), service.ImportRequest{Operator: h.Operator, Label: h.Label, Scanner: h.Scanner, Repair: h.Repair,
			Open: func() (*media.Bundle, error) {
				return media.ReadStream(r.Context(), r.Body, media.StreamOptions{Dirs: h.Dirs, StageDir: stage})
			}})
	})
}

// drain delivers the answer written so far and reads the rest of the
// request, so that a caller still sending gets the answer, not a broken
// connection; it stops sending once it has it. A caller that goes on past
// drainTimeout is cut off. (Reading to the end also keeps net/http from
// reading the body after the handler, which it must not in full duplex.)
func drain(rc *http.ResponseController, body io.Reader) {
	if rc.Flush() != nil {
		panic(http.ErrAbortHandler)
	}
	rc.SetReadDeadline(time.Now().Add(drainTimeout))
	if _, err := io.Copy(io.Discard, body); err != nil {
		panic(http.ErrAbortHandler) // close the connection; nothing is logged
	}
}
