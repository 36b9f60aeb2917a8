package verify

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxClamAVTXT bounds the TXT answer of current.cvd.clamav.net.
const MaxClamAVTXT = 1024

// ClamAVTXT is the DNS TXT record of current.cvd.clamav.net, e.g.
// "1.4.2:62:27500:1736330000:1:90:49192:336". It is unsigned: it only says
// which versions to fetch, and every database is verified on its own.
type ClamAVTXT struct {
	Engine       string // field 0: newest engine version, e.g. "1.4.2"
	Main         uint64 // field 1
	Daily        uint64 // field 2
	Time         int64  // field 3: when the record was made (Unix seconds)
	VersionWarn  bool   // field 4: the version-warning flag, "0" or "1"
	FLevel       int    // field 5: newest functionality level
	SafeBrowsing uint64 // field 6
	Bytecode     uint64 // field 7
	Extra        []string
}

// ParseClamAVTXT parses the TXT answer (the strings of one record joined,
// as net.LookupTXT returns them). It needs the eight fields freshclam uses;
// further fields are kept in Extra so that String gives back the same text.
func ParseClamAVTXT(s string) (*ClamAVTXT, error) {
	if len(s) > MaxClamAVTXT {
		return nil, fmt.Errorf("ClamAV TXT record: %d bytes, more than %d", len(s), MaxClamAVTXT)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' {
			return nil, fmt.Errorf("ClamAV TXT record %q: byte %d is 0x%02x; want printable ASCII without spaces", s, i, c)
		}
	}
	f := strings.Split(s, ":")
	if len(f) < 8 {
		return nil, fmt.Errorf("ClamAV TXT record %q: %d fields, want at least 8 (engine:main:daily:time:warning:f-level:safebrowsing:bytecode)", s, len(f))
	}
	t := &ClamAVTXT{Engine: f[0]}
	if t.Engine == "" {
		return nil, fmt.Errorf("ClamAV TXT record %q: empty engine version", s)
	}
	var err error
	num := func(i int, name string, bits int) uint64 {
		if err != nil {
			return 0
		}
		var v uint64
		if v, err = parseDecimal(f[i], bits); err != nil {
			err = fmt.Errorf("ClamAV TXT record %q: field %d (%s): %w", s, i, name, err)
		}
		return v
	}
	t.Main = num(1, "main", 64)
	t.Daily = num(2, "daily", 64)
	t.Time = int64(num(3, "time", 63))
	warn := num(4, "version warning", 1)
	t.FLevel = int(num(5, "f-level", 31))
	t.SafeBrowsing = num(6, "safebrowsing", 64)
	t.Bytecode = num(7, "bytecode", 64)
	if err != nil {
		return nil, err
	}
	t.VersionWarn = warn == 1
	if len(f) > 8 {
		t.Extra = f[8:]
	}
	return t, nil
}

// String formats the record as the TXT answer.
func (t *ClamAVTXT) String() string {
	warn := "0"
	if t.VersionWarn {
		warn = "1"
	}
	f := []string{t.Engine, strconv.FormatUint(t.Main, 10), strconv.FormatUint(t.Daily, 10),
		strconv.FormatInt(t.Time, 10), warn, strconv.Itoa(t.FLevel),
		strconv.FormatUint(t.SafeBrowsing, 10), strconv.FormatUint(t.Bytecode, 10)}
	return strings.Join(append(f, t.Extra...), ":")
}

// Version returns the advertised version of a database: main, daily or
// bytecode.
func (t *ClamAVTXT) Version(db string) (uint64, bool) {
	switch db {
	case "main":
		return t.Main, true
	case "daily":
		return t.Daily, true
	case "bytecode":
		return t.Bytecode, true
	}
	return 0, false
}
