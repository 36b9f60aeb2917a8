package server

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// connLimit counts the open connections against a cap and knows which of
// them are idle keep-alive connections (from http.Server.ConnState).
type connLimit struct {
	slots chan struct{} // one token per open connection

	mu   sync.Mutex
	idle map[net.Conn]struct{}
}

func newConnLimit(n int) *connLimit {
	return &connLimit{slots: make(chan struct{}, n), idle: make(map[net.Conn]struct{})}
}

// track is the http.Server's ConnState hook.
func (l *connLimit) track(c net.Conn, st http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st == http.StateIdle {
		l.idle[c] = struct{}{}
	} else {
		delete(l.idle, c)
	}
}

// closeIdle closes one idle keep-alive connection, if there is one. A
// client that sends a request on it just then sees the connection closed,
// as on an idle timeout, and retries (HTTP clients do for a GET).
func (l *connLimit) closeIdle() {
	l.mu.Lock()
	var victim net.Conn
	for c := range l.idle {
		victim = c
		delete(l.idle, c)
		break
	}
	l.mu.Unlock()
	if victim != nil {
		victim.Close()
	}
}

// idleCheck is how often a connection waiting for a slot looks again for
// an idle one to close.
const idleCheck = 50 * time.Millisecond

// limitListener accepts a connection only while fewer than the cap are
// open. Beyond the cap, the one accepted connection waits for a slot (one
// descriptor more than the cap), and the kernel's backlog holds the rest:
// their clients wait, or time out, and no accepted connection is disturbed.
type limitListener struct {
	net.Listener
	l         *connLimit
	done      chan struct{}
	closeOnce sync.Once
}

func (ln *limitListener) Accept() (net.Conn, error) {
	c, err := ln.Listener.Accept()
	if err != nil {
		return nil, err
	}
	select {
	case ln.l.slots <- struct{}{}:
		return &limitedConn{Conn: c, l: ln.l}, nil
	default:
	}
	ln.l.closeIdle()
	t := time.NewTicker(idleCheck)
	defer t.Stop()
	for {
		select {
		case ln.l.slots <- struct{}{}:
			return &limitedConn{Conn: c, l: ln.l}, nil
		case <-t.C:
			ln.l.closeIdle() // one may have gone idle meanwhile
		case <-ln.done:
			c.Close()
			return nil, net.ErrClosed
		}
	}
}

func (ln *limitListener) Close() error {
	ln.closeOnce.Do(func() { close(ln.done) })
	return ln.Listener.Close()
}

// limitedConn gives its slot back when it is closed.
type limitedConn struct {
	net.Conn
	l    *connLimit
	once sync.Once
}

// Write makes the close that follows a write timeout (StallTimeout) a
// reset (SO_LINGER 0): the megabytes still queued in the kernel for a client
// that stopped reading are dropped at once, instead of being sent to it,
// slowly, for minutes after the connection was closed.
func (c *limitedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		if tc, ok := c.Conn.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
	}
	return n, err
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { <-c.l.slots })
	return err
}
