package vendortest

import (
	"encoding/binary"
	"errors"
	"net"
	"strings"
	"sync"
)

// dnsZone holds the TXT records vendors register (SetTXT) and the UDP
// server that answers for them. The
// zero value is empty and serves nothing.
type dnsZone struct {
	mu   sync.Mutex
	txt  map[string]func() string // lower-case name without the final dot
	conn net.PacketConn
	done chan struct{}
}

// setTXT registers a TXT record whose text is computed per query.
func (z *dnsZone) setTXT(name string, text func() string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.txt == nil {
		z.txt = make(map[string]func() string)
	}
	z.txt[strings.ToLower(strings.TrimSuffix(name, "."))] = text
}

// lookup returns the TXT text for name.
func (z *dnsZone) lookup(name string) (string, bool) {
	z.mu.Lock()
	fn, ok := z.txt[strings.ToLower(strings.TrimSuffix(name, "."))]
	z.mu.Unlock()
	if !ok {
		return "", false
	}
	return fn(), true
}

func (z *dnsZone) close() {
	z.mu.Lock()
	conn, done := z.conn, z.done
	z.conn = nil
	z.mu.Unlock()
	if conn != nil {
		conn.Close()
		<-done
	}
}

// SetTXT publishes a TXT record (answered by ServeDNS) whose text is
// computed per query, e.g. ClamAV's current.cvd.clamav.net.
func (u *Upstream) SetTXT(name string, text func() string) { u.dns.setTXT(name, text) }

// TXT returns the text of a TXT record, as ServeDNS would answer it.
func (u *Upstream) TXT(name string) (string, bool) { return u.dns.lookup(name) }

// ServeDNS answers DNS queries over UDP on addr (e.g. "127.0.0.1:0") and
// returns the address it listens on. It is authoritative for the TXT
// records the vendors register (SetTXT): a TXT (or ANY) query gets the
// record, another type for the name gets an empty answer, any other name
// NXDOMAIN. Close stops it. Point a resolver at it with
//
//	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
//		return (&net.Dialer{}).DialContext(ctx, "udp", addr)
//	}}
func (u *Upstream) ServeDNS(addr string) (string, error) {
	z := &u.dns
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.conn != nil {
		return "", errors.New("vendortest: DNS is already served on " + z.conn.LocalAddr().String())
	}
	conn, err := net.ListenPacket("udp", addr)
	if err != nil {
		return "", err
	}
	z.conn, z.done = conn, make(chan struct{})
	go z.serve(conn, z.done)
	return conn.LocalAddr().String(), nil
}

func (z *dnsZone) serve(conn net.PacketConn, done chan struct{}) {
	defer close(done)
	buf := make([]byte, 1500)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if resp := z.answer(buf[:n]); resp != nil {
			conn.WriteTo(resp, from)
		}
	}
}

// DNS constants (RFC 1035).
const (
	dnsTypeTXT   = 16
	dnsTypeANY   = 255
	dnsClassIN   = 1
	dnsClassANY  = 255
	dnsFormErr   = 1
	dnsNXDomain  = 3
	dnsNotImp    = 4
	dnsTypeOPT   = 41
	dnsMaxUDP    = 512  // without EDNS (RFC 1035)
	dnsMaxEDNS   = 1232 // what we accept and announce with EDNS (RFC 6891)
	dnsHeaderLen = 12
)

// answer builds the response to one query, or nil to drop it.
func (z *dnsZone) answer(q []byte) []byte {
	if len(q) < dnsHeaderLen || q[2]&0x80 != 0 { // too short, or a response
		return nil
	}
	id, flags := q[0:2], binary.BigEndian.Uint16(q[2:4])
	limit, edns := dnsMaxUDP, false
	reply := func(rcode int, question []byte, answers ...[]byte) []byte {
		out := make([]byte, dnsHeaderLen, limit)
		copy(out, id)
		// QR, opcode echoed, AA, RD echoed; RA off.
		binary.BigEndian.PutUint16(out[2:], 0x8000|flags&0x7800|0x0400|flags&0x0100|uint16(rcode))
		if question != nil {
			binary.BigEndian.PutUint16(out[4:], 1)
			out = append(out, question...)
		}
		var opt []byte
		if edns { // our OPT record: root name, UDP size, no extended flags
			opt = []byte{0, 0, dnsTypeOPT, dnsMaxEDNS >> 8, dnsMaxEDNS & 0xff, 0, 0, 0, 0, 0, 0}
		}
		size := len(out) + len(opt)
		for _, a := range answers {
			size += len(a)
		}
		if size > limit {
			out[2] |= 0x02 // TC: the client may retry over TCP, which is not served
			answers = nil
		}
		binary.BigEndian.PutUint16(out[6:], uint16(len(answers)))
		for _, a := range answers {
			out = append(out, a...)
		}
		if opt != nil {
			binary.BigEndian.PutUint16(out[10:], 1)
			out = append(out, opt...)
		}
		return out
	}
	if opcode := flags >> 11 & 0xf; opcode != 0 {
		return reply(dnsNotImp, nil)
	}
	if binary.BigEndian.Uint16(q[4:6]) != 1 {
		return reply(dnsFormErr, nil)
	}
	name, end, ok := parseQName(q, dnsHeaderLen)
	if !ok || end+4 > len(q) {
		return reply(dnsFormErr, nil)
	}
	question := q[dnsHeaderLen : end+4]
	if size, ok := ednsSize(q, end+4); ok {
		limit, edns = max(dnsMaxUDP, min(size, dnsMaxEDNS)), true
	}
	qtype, qclass := binary.BigEndian.Uint16(q[end:]), binary.BigEndian.Uint16(q[end+2:])
	text, found := z.lookup(name)
	if !found {
		return reply(dnsNXDomain, question)
	}
	if (qtype != dnsTypeTXT && qtype != dnsTypeANY) || (qclass != dnsClassIN && qclass != dnsClassANY) {
		return reply(0, question) // the name exists, without such a record
	}
	return reply(0, question, txtRR(text))
}

// ednsSize returns the UDP payload size of an EDNS OPT record when the
// additional section (at off) starts with one.
func ednsSize(q []byte, off int) (int, bool) {
	if binary.BigEndian.Uint16(q[10:12]) == 0 || off+11 > len(q) || q[off] != 0 ||
		binary.BigEndian.Uint16(q[off+1:]) != dnsTypeOPT {
		return 0, false
	}
	return int(binary.BigEndian.Uint16(q[off+3:])), true
}

// parseQName reads an uncompressed domain name at off and returns it with
// the offset after it.
func parseQName(b []byte, off int) (string, int, bool) {
	var labels []string
	total := 0
	for {
		if off >= len(b) {
			return "", 0, false
		}
		n := int(b[off])
		off++
		if n == 0 {
			return strings.Join(labels, "."), off, true
		}
		if n > 63 || off+n > len(b) { // compression pointers do not belong in a question
			return "", 0, false
		}
		total += n + 1
		if total > 255 {
			return "", 0, false
		}
		labels = append(labels, string(b[off:off+n]))
		off += n
	}
}

// txtRR is a TXT answer for the question's name (a pointer to offset 12),
// the text split into character-strings of at most 255 bytes.
func txtRR(text string) []byte {
	var rdata []byte
	for {
		chunk := text[:min(len(text), 255)]
		rdata = append(rdata, byte(len(chunk)))
		rdata = append(rdata, chunk...)
		text = text[len(chunk):]
		if text == "" {
			break
		}
	}
	rr := []byte{0xc0, dnsHeaderLen, 0, dnsTypeTXT, 0, dnsClassIN, 0, 0, 0, 60} // TTL 60 s
	rr = binary.BigEndian.AppendUint16(rr, uint16(len(rdata)))
	return append(rr, rdata...)
}
