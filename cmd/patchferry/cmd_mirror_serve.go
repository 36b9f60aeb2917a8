package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/admin"
	"github.com/patchferry/patchferry/mirror/server"
	"github.com/patchferry/patchferry/mirror/service"
	"github.com/patchferry/patchferry/mirror/store"
)

type mirrorServeOptions struct {
	data, listen, tlsCert, tlsKey, logFile string

	maxConns                                 int
	stallTimeout, headerTimeout, idleTimeout time.Duration
	scrubEvery                               time.Duration
	scrubRate                                string // the flag
	scrubBytes                               int64  // … parsed: bytes a second, 0: no cap
}

func newMirrorServeCommand(a *app) *cobra.Command {
	var o mirrorServeOptions
	cmd := &cobra.Command{
		Use:   a.msg(helpUseMirrorServe),
		Short: a.msg(helpShortMirrorServe),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (o.tlsCert == "") != (o.tlsKey == "") {
				return userErr(msgUsageTLSPair).fix(hintUsageTLSPair).usage()
			}
			if o.maxConns < 1 || o.stallTimeout <= 0 || o.headerTimeout <= 0 || o.idleTimeout <= 0 || o.scrubEvery < 0 {
				return userErr(msgUsageServeLimits).fix(hintUsageServeLimits).usage()
			}
			var err error
			if o.scrubBytes, err = parseRate(o.scrubRate); err != nil {
				return err
			}
			return runAsService(cmd.Context(), func(ctx context.Context) error { return runMirrorServe(ctx, a, o) })
		},
	}
	addDataFlag(a, cmd, &o.data)
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", ":8080", a.msg(helpFlagListen))
	f.StringVar(&o.tlsCert, "tls-cert", "", a.msg(helpFlagTLSCert))
	f.StringVar(&o.tlsKey, "tls-key", "", a.msg(helpFlagTLSKey))
	f.StringVar(&o.logFile, "log-file", "", a.msg(helpFlagLogFile))
	f.IntVar(&o.maxConns, "max-connections", server.DefaultMaxConns, a.msg(helpFlagMaxConnections))
	f.DurationVar(&o.stallTimeout, "stall-timeout", server.DefaultStallTimeout, a.msg(helpFlagStallTimeout))
	f.DurationVar(&o.headerTimeout, "header-timeout", server.DefaultReadHeaderTimeout, a.msg(helpFlagHeaderTimeout))
	f.DurationVar(&o.idleTimeout, "idle-timeout", server.DefaultIdleTimeout, a.msg(helpFlagIdleTimeout))
	f.DurationVar(&o.scrubEvery, "scrub-every", 7*24*time.Hour, a.msg(helpFlagScrubEvery))
	f.StringVar(&o.scrubRate, "scrub-rate", "20MB/s", a.msg(helpFlagScrubRate))
	return cmd
}

// parseRate reads --scrub-rate: a size per second ("20MB/s", "20M") or 0.
func parseRate(s string) (int64, error) {
	v := strings.TrimSuffix(strings.TrimSpace(s), "/s")
	if v == "0" {
		return 0, nil
	}
	n, err := media.ParseSize(v)
	if err != nil {
		return 0, userErr(msgUsageScrubRate, cause{err: err, say: &localized{id: msgUsageRateWant, args: []any{s}}}).because(err).usage()
	}
	return n, nil
}

func runMirrorServe(ctx context.Context, a *app, o mirrorServeOptions) error {
	dir := a.dataDir(o.data)
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	// The access log is buffered and flushed every 200 ms: one write per
	// request would cost more than serving a small blob.
	var logOut io.Writer = a.stderr
	if o.logFile != "" {
		f, err := os.OpenFile(o.logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
		if err != nil {
			return userErr(msgUsageLogFile, cause{err: err}).because(err).fix(hintUsageLogFile).usage()
		}
		defer f.Close()
		logOut = f
	}
	logw := newFlushWriter(logOut, 200*time.Millisecond)
	defer logw.Close()
	log := slog.New(slog.NewTextHandler(logw, nil))
	srv, err := server.New(st, server.Options{Log: log, Now: a.now, MaxConns: o.maxConns,
		StallTimeout: o.stallTimeout, ReadHeaderTimeout: o.headerTimeout, IdleTimeout: o.idleTimeout})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return listenError(o.listen, err)
	}
	sock := filepath.Join(dir, admin.SocketName)
	adminLn, err := admin.Listen(sock)
	if err != nil {
		ln.Close()
		return err
	}
	defer os.Remove(sock)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Other mirror commands hand their work to this process: the service on
	// its store, write operations one at a time, each followed by a reload
	// of the catalog the HTTP server serves.
	cfg := admin.Config{Service: service.New(st, service.Options{Now: a.now, Log: log, Forward: a.ledgerSink()}), TmpDir: filepath.Join(dir, store.TmpDir), Log: log,
		Changed: func() {
			if err := srv.Refresh(); err != nil {
				log.Error("reload catalog", "err", err)
			}
		}}
	errc := make(chan error, 2)
	adminDone := make(chan struct{})
	go func() {
		defer close(adminDone)
		if err := admin.Serve(ctx, adminLn, cfg); err != nil {
			errc <- err
		}
	}()
	scrubDone := make(chan struct{})
	go func() {
		defer close(scrubDone)
		if o.scrubEvery > 0 {
			srv.Scrub(ctx, o.scrubEvery, o.scrubBytes)
		}
	}()
	hs := srv.HTTPServer()
	go func() {
		var err error
		if o.tlsCert != "" {
			err = hs.ServeTLS(srv.Listener(ln), o.tlsCert, o.tlsKey)
		} else {
			err = hs.Serve(srv.Listener(ln))
		}
		if !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	scheme := "http"
	if o.tlsCert != "" {
		scheme = "https"
	}
	url := fmt.Sprintf("%s://%s/", scheme, ln.Addr())
	if a.jsonOut {
		a.printJSON(map[string]any{"ok": true, "url": url, "data": dir, "admin_socket": sock})
	} else {
		fmt.Fprintln(a.stdout, a.msg(msgServing, url, dir))
	}
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	cancel()
	shutdown, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	if serr := hs.Shutdown(shutdown); serr != nil {
		log.Warn("shutdown: some downloads were cut off", "err", serr)
	}
	<-adminDone // handed-over operations have finished: the store may close
	<-scrubDone
	return err
}

// flushWriter buffers writes and flushes them periodically and on Close.
type flushWriter struct {
	mu   sync.Mutex
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newFlushWriter(w io.Writer, every time.Duration) *flushWriter {
	f := &flushWriter{buf: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(f.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				f.mu.Lock()
				f.buf.Flush()
				f.mu.Unlock()
			case <-f.stop:
				return
			}
		}
	}()
	return f
}

func (f *flushWriter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.buf.Write(p)
}

// Close stops the flusher and writes what is buffered.
func (f *flushWriter) Close() error {
	close(f.stop)
	<-f.done
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.buf.Flush()
}
