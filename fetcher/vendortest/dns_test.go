package vendortest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

func resolverFor(addr string) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "udp", addr)
	}}
}

func TestServeDNS(t *testing.T) {
	u := New()
	var mu sync.Mutex
	daily := 1
	record := func() string { // like ClamAV's current.cvd.clamav.net, computed per query
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprintf("1.4.2:62:%d:%d:1:90:49192:1", daily, u.Now().Unix())
	}
	u.SetTXT("current.cvd.clamav.net", record)
	u.SetTXT("daily.cvd.clamav.net", func() string {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprintf("%d:%d", daily, u.Now().Unix())
	})
	long := strings.Repeat("0123456789", 60) // 600 bytes: three character-strings
	u.SetTXT("long.example", func() string { return long })
	addr, err := u.ServeDNS("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if _, err := u.ServeDNS("127.0.0.1:0"); err == nil {
		t.Error("a second ServeDNS was accepted")
	}
	r := resolverFor(addr)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	lookup := func(name string) string {
		t.Helper()
		txt, err := r.LookupTXT(ctx, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return strings.Join(txt, "")
	}
	if got := lookup("current.cvd.clamav.net"); got != record() {
		t.Errorf("current.cvd.clamav.net: %q, want %q", got, record())
	}
	u.Advance(time.Hour)
	mu.Lock()
	daily++
	mu.Unlock()
	if got := lookup("Current.CVD.ClamAV.net."); got != record() || !strings.Contains(got, ":2:") {
		t.Errorf("after a release: %q, want %q", got, record())
	}
	if got, want := lookup("daily.cvd.clamav.net"), "2:"+strings.Split(record(), ":")[3]; got != want {
		t.Errorf("daily.cvd.clamav.net: %q, want %q", got, want)
	}
	if got := lookup("long.example"); got != long {
		t.Errorf("long record: %d bytes", len(got))
	}

	_, err = r.LookupTXT(ctx, "nosuch.cvd.clamav.net")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Errorf("unknown name: %v", err)
	}
	if addrs, err := r.LookupHost(ctx, "current.cvd.clamav.net"); err == nil || len(addrs) != 0 {
		t.Errorf("A/AAAA for a TXT-only name: %v %v", addrs, err)
	}

	// Junk does not stop the server.
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, junk := range [][]byte{{1}, make([]byte, 12), append(make([]byte, 12), 0xc0, 0x0c)} {
		conn.Write(junk)
	}
	if got := lookup("current.cvd.clamav.net"); got != record() {
		t.Errorf("after junk: %q", got)
	}
}

// query builds a DNS query for name with the given type.
func query(id uint16, name string, qtype uint16) []byte {
	q := binary.BigEndian.AppendUint16(nil, id)
	q = append(q, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0) // RD, one question
	for _, l := range strings.Split(name, ".") {
		q = append(q, byte(len(l)))
		q = append(q, l...)
	}
	q = append(q, 0)
	q = binary.BigEndian.AppendUint16(q, qtype)
	return binary.BigEndian.AppendUint16(q, dnsClassIN)
}

func TestDNSAnswer(t *testing.T) {
	var z dnsZone
	z.setTXT("current.cvd.clamav.net", func() string { return "1.4.2:1:2:3:1:90:49192:4" })
	q := query(0xbeef, "current.cvd.clamav.net", dnsTypeTXT)
	resp := z.answer(q)
	if resp == nil || resp[0] != 0xbe || resp[1] != 0xef {
		t.Fatalf("no answer or wrong ID: %x", resp)
	}
	flags := binary.BigEndian.Uint16(resp[2:])
	if flags&0x8000 == 0 || flags&0x0400 == 0 || flags&0x0100 == 0 || flags&0xf != 0 {
		t.Errorf("flags %04x: want QR, AA, RD, NOERROR", flags)
	}
	if qd, an := binary.BigEndian.Uint16(resp[4:]), binary.BigEndian.Uint16(resp[6:]); qd != 1 || an != 1 {
		t.Errorf("counts %d %d", qd, an)
	}
	if !strings.HasSuffix(string(resp), "\x181.4.2:1:2:3:1:90:49192:4") {
		t.Errorf("answer %q", resp)
	}
	rcode := func(b []byte) int {
		if b == nil {
			return -1
		}
		return int(b[3] & 0xf)
	}
	if got := rcode(z.answer(query(1, "other.example", dnsTypeTXT))); got != dnsNXDomain {
		t.Errorf("unknown name: rcode %d", got)
	}
	if r := z.answer(query(1, "current.cvd.clamav.net", 1)); rcode(r) != 0 || binary.BigEndian.Uint16(r[6:]) != 0 {
		t.Errorf("A query: %x", r)
	}
	resp2 := query(1, "current.cvd.clamav.net", dnsTypeTXT)
	resp2[2] |= 0x80
	if z.answer(resp2) != nil {
		t.Error("answered a response")
	}
	notify := query(1, "current.cvd.clamav.net", dnsTypeTXT)
	notify[2] |= 4 << 3
	if got := rcode(z.answer(notify)); got != dnsNotImp {
		t.Errorf("opcode NOTIFY: rcode %d", got)
	}
	for name, b := range map[string][]byte{
		"two questions": append(query(1, "a.b", dnsTypeTXT)[:5], append([]byte{2}, query(1, "a.b", dnsTypeTXT)[6:]...)...),
		"pointer":       append(query(1, "a", dnsTypeTXT)[:12], 0xc0, 0x0c, 0, 16, 0, 1),
		"cut":           query(1, "current.cvd.clamav.net", dnsTypeTXT)[:20],
		"no type":       query(1, "a", dnsTypeTXT)[:15],
	} {
		if got := rcode(z.answer(b)); got != dnsFormErr {
			t.Errorf("%s: rcode %d", name, got)
		}
	}
	if z.answer([]byte{1, 2, 3}) != nil {
		t.Error("answered 3 bytes")
	}

	// 600 bytes do not fit in 512 without EDNS: truncated, no answer.
	z.setTXT("long.example", func() string { return strings.Repeat("x", 600) })
	plain := z.answer(query(2, "long.example", dnsTypeTXT))
	if plain[2]&0x02 == 0 || binary.BigEndian.Uint16(plain[6:]) != 0 || len(plain) > dnsMaxUDP {
		t.Errorf("long answer without EDNS: %x", plain[:12])
	}
	withOPT := query(3, "long.example", dnsTypeTXT)
	withOPT[11] = 1 // ARCOUNT: one OPT record, UDP size 4096
	withOPT = append(withOPT, 0, 0, dnsTypeOPT, 0x10, 0, 0, 0, 0, 0, 0, 0)
	r := z.answer(withOPT)
	if r[2]&0x02 != 0 || binary.BigEndian.Uint16(r[6:]) != 1 || binary.BigEndian.Uint16(r[10:]) != 1 {
		t.Errorf("long answer with EDNS: %x", r[:12])
	}
	if !strings.Contains(string(r), string(append([]byte{255}, strings.Repeat("x", 255)...))) ||
		!strings.Contains(string(r), string(append([]byte{90}, strings.Repeat("x", 90)...))) {
		t.Error("600 bytes are not split into 255+255+90")
	}
}

func TestUpstreamCloseStopsDNS(t *testing.T) {
	u := New()
	u.SetTXT("daily.cvd.clamav.net", func() string { return "1:0" })
	addr, err := u.ServeDNS("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	if _, err := resolverFor(addr).LookupTXT(ctx, "daily.cvd.clamav.net"); err == nil {
		t.Error("DNS still answers after Close")
	}
	u.Close() // twice is fine
}
