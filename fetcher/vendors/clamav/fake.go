package clamav

import (
	"bytes"
	"compress/gzip"
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sassoftware/relic/v7/lib/pkcs7"

	"github.com/patchferry/patchferry/fetcher/vendortest"
	"github.com/patchferry/patchferry/verify"
)

// What the fake ClamAV upstream announces.
const (
	ClamAVEngine        = "1.4.2" // newest engine in the DNS TXT record
	ClamAVFLevel        = 90      // f-level of the databases and the TXT record
	ClamAVSignMinFLevel = 230     // "<min>::pkcs7-pem:…" of .sign lines, as Talos writes them
	clamavBuilder       = "vendortest"
	clamavSafeBrowsing  = 49192
)

// Fake is the fake ClamAV upstream (database.clamav.net plus the DNS TXT
// records), ClamAV's part of a vendortest.Upstream. It signs exactly as
// ClamAV does, with test keys made at start:
// the CVD header dsig (scheme A, raw RSA-1024 over the MD5 of the body),
// cdiffs and the .info DSIG line (scheme B, PSS-like RSA-2048 over SHA-256)
// and .sign files (scheme C, detached PKCS#7 by a test root → intermediate →
// signer chain). The test keys and root are in the upstream's VendorTrust.
//
// Published per database <db>: /<db>.cvd (the newest version; Last-Modified
// = its build time), /<db>-<N>.cdiff for every step to version N,
// /<db>-<N>.cvd.sign and /<db>-<N>.cdiff.sign. A CVD is the 512-byte header
// and a gzip'ed tar written as sigtool writes it (old-style headers, uid/gid
// and mtime 0, no end blocks) holding COPYING, <db>.info and <db>.hdb; the
// .hdb gains one line per version, and each cdiff is the real script (OPEN,
// XCHG, ADD, CLOSE) from the previous version; like Talos' cdiffs, it starts
// with the new .info header (XCHG 1), which carries the version's build
// time.
type Fake struct {
	u *vendortest.Upstream

	cvdKey, cdiffKey, infoKey *rsa.PrivateKey // trusted
	badCVDKey, badCdiffKey    *rsa.PrivateKey // untrusted, for PutBad*
	signKey                   *rsa.PrivateKey
	signChain                 []*x509.Certificate // signer, intermediate
	signRoot                  *x509.Certificate

	mu  sync.Mutex
	dbs map[string]*clamDB
}

type clamDB struct {
	version uint64
	built   time.Time
	sigs    []string          // the .hdb lines; version v has v of them
	info    []byte            // <db>.info of the current version
	scripts map[uint64]string // cdiff script that produced version N
}

// AddFake makes ClamAV's part of u on first use — test keys added to u's
// vendor trust under vendor clamav: ClamAV keys "TEST ClamAV CVD key"
// (cvd), "TEST ClamAV cdiff key" (cdiff), "TEST ClamAV info key" (info) and
// the .sign root "TEST ClamAV .sign root"; the DNS TXT records
// current.cvd.clamav.net and <db>.cvd.clamav.net (see ServeDNS) — and
// publishes version 1 of each database named that is not there yet (main,
// daily and bytecode when a new fake is made with none named). A database
// name is lower-case letters and digits.
func AddFake(u *vendortest.Upstream, dbs ...string) *Fake {
	made := false
	c := u.Fake("clamav", func() vendortest.Fake {
		made = true
		c := newFake(u)
		c.register()
		return c
	}).(*Fake)
	if made && len(dbs) == 0 {
		dbs = []string{"main", "daily", "bytecode"}
	}
	for _, db := range dbs {
		c.add(db)
	}
	return c
}

func newFake(u *vendortest.Upstream) *Fake {
	// RSA key generation is slow under -race; make them side by side.
	bits := []int{1024, 2048, 2048, 1024, 2048, 2048, 2048, 2048}
	keys := make([]*rsa.PrivateKey, len(bits))
	var wg sync.WaitGroup
	for i, b := range bits {
		wg.Go(func() {
			k, err := rsa.GenerateKey(rand.Reader, b)
			if err != nil {
				panic("clamav fake: " + err.Error())
			}
			keys[i] = k
		})
	}
	wg.Wait()
	c := &Fake{u: u, cvdKey: keys[0], cdiffKey: keys[1], infoKey: keys[2], badCVDKey: keys[3], badCdiffKey: keys[4],
		signKey: keys[5], dbs: make(map[string]*clamDB)}
	c.signRoot, c.signChain = signPKI(keys[6], keys[7], keys[5])
	return c
}

// signPKI makes the .sign chain like Talos' TEST PKI: a root, an
// intermediate signing CA, and a signer with EKU codeSigning and
// emailProtection. It is valid 2000–2100, so any test clock works.
func signPKI(rootKey, interKey, leafKey *rsa.PrivateKey) (*x509.Certificate, []*x509.Certificate) {
	mk := func(serial int64, cn string, ca bool, pub *rsa.PublicKey, parent *x509.Certificate, parentKey *rsa.PrivateKey) *x509.Certificate {
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(serial),
			Subject:               pkix.Name{Organization: []string{"patchferry vendortest"}, CommonName: cn},
			NotBefore:             time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
			NotAfter:              time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
			BasicConstraintsValid: true,
			IsCA:                  ca,
			KeyUsage:              x509.KeyUsageDigitalSignature,
		}
		if ca {
			tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		} else {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning, x509.ExtKeyUsageEmailProtection}
		}
		if parent == nil {
			parent, parentKey = tmpl, rootKey
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
		if err != nil {
			panic("clamav fake: " + err.Error())
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			panic("clamav fake: " + err.Error())
		}
		return cert
	}
	root := mk(1, "TEST ClamAV Root CA", true, &rootKey.PublicKey, nil, nil)
	inter := mk(2, "TEST ClamAV Intermediate Signing CA", true, &interKey.PublicKey, root, rootKey)
	leaf := mk(3, "TEST ClamAV CVD Signing Cert", false, &leafKey.PublicKey, inter, interKey)
	return root, []*x509.Certificate{leaf, inter}
}

// register adds the keys to the vendor trust and the TXT record.
func (c *Fake) register() {
	key := func(name, use string, k *rsa.PrivateKey) verify.ClamAVKey {
		return verify.ClamAVKey{Name: name, Use: use, N: k.N.String(), E: int64(k.E)}
	}
	c.u.Anchors("clamav", func(a *verify.Anchors) {
		a.ClamAVKeys = append(a.ClamAVKeys,
			key("TEST ClamAV CVD key", "cvd", c.cvdKey),
			key("TEST ClamAV cdiff key", "cdiff", c.cdiffKey),
			key("TEST ClamAV info key", "info", c.infoKey))
		a.ClamAVSignRoots = append(a.ClamAVSignRoots, verify.NamedPEM{Name: "TEST ClamAV .sign root",
			PEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.signRoot.Raw}))})
	})
	c.u.SetTXT("current.cvd.clamav.net", c.TXT)
}

func (c *Fake) add(db string) {
	if db == "" || strings.Trim(db, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		panic(fmt.Sprintf("clamav fake: ClamAV database name %q: want lower-case letters and digits", db))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dbs[db] != nil {
		return // published already
	}
	d := &clamDB{version: 1, built: c.u.Now().Truncate(time.Second), sigs: []string{hdbLine(db, 1)}, scripts: map[uint64]string{}}
	c.dbs[db] = d
	c.publishCVD(db, d)
	c.u.SetTXT(db+".cvd.clamav.net", func() string {
		return fmt.Sprintf("%d:%d", c.Version(db), c.u.Now().Unix())
	})
}

// Release publishes the next version of db: the new <db>.cvd, the
// <db>-<N>.cdiff from the previous version, both .sign files, and the new
// version in the TXT records. The build time (header, .info and
// Last-Modified) is the upstream's clock, and at least one second after the
// previous build. It returns the new version.
func (c *Fake) Release(db string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.db(db)
	oldInfo := d.info
	d.version++
	built := c.u.Now().Truncate(time.Second)
	if !built.After(d.built) {
		built = d.built.Add(time.Second)
	}
	d.built = built
	added := hdbLine(db, d.version)
	d.sigs = append(d.sigs, added)
	c.publishCVD(db, d)
	d.scripts[d.version] = cdiffScript(db, oldInfo, d.info, added)
	cdiff := buildCdiff(d.version, d.scripts[d.version], c.cdiffKey)
	c.u.Put(fmt.Sprintf("/%s-%d.cdiff", db, d.version), cdiff, d.built)
	c.u.Put(fmt.Sprintf("/%s-%d.cdiff.sign", db, d.version), c.signFile(cdiff, d.built), d.built)
	return d.version
}

// Version is the newest published version of db.
func (c *Fake) Version(db string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.db(db).version
}

// BuildTime is the build time of the newest version of db: its header's
// Unix time and its Last-Modified.
func (c *Fake) BuildTime(db string) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.db(db).built
}

// TXT is the current answer for current.cvd.clamav.net: engine, main,
// daily, record time (the upstream's clock), version-warning flag, f-level,
// safebrowsing, bytecode. A database that was not added shows version 0.
func (c *Fake) TXT() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := func(db string) uint64 {
		if d := c.dbs[db]; d != nil {
			return d.version
		}
		return 0
	}
	t := verify.ClamAVTXT{Engine: ClamAVEngine, Main: v("main"), Daily: v("daily"), Time: c.u.Now().Unix(),
		VersionWarn: true, FLevel: ClamAVFLevel, SafeBrowsing: clamavSafeBrowsing, Bytecode: v("bytecode")}
	return t.String()
}

// PutBadCVD republishes the newest <db>.cvd with its header signed by a key
// the vendor trust does not hold (verify.ErrBadSignature).
func (c *Fake) PutBadCVD(db string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.db(db)
	cvd, _ := c.buildCVD(db, d, c.badCVDKey)
	c.u.Put("/"+db+".cvd", cvd, d.built)
}

// PutDamagedCVD republishes the newest <db>.cvd with one body byte changed,
// so that the body no longer matches the signed header (verify.ErrMismatch).
func (c *Fake) PutDamagedCVD(db string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.db(db)
	cvd, _ := c.u.Get("/" + db + ".cvd")
	cvd = bytes.Clone(cvd)
	cvd[len(cvd)-1] ^= 0x01 // last byte of the gzip trailer
	c.u.Put("/"+db+".cvd", cvd, d.built)
}

// PutBadCdiff republishes <db>-<n>.cdiff with its signature made by a key
// the vendor trust does not hold (verify.ErrBadSignature).
func (c *Fake) PutBadCdiff(db string, n uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.db(db)
	script, ok := d.scripts[n]
	if !ok {
		panic(fmt.Sprintf("clamav fake: no cdiff %s-%d", db, n))
	}
	c.u.Put(fmt.Sprintf("/%s-%d.cdiff", db, n), buildCdiff(n, script, c.badCdiffKey), d.built)
}

// PutBadSign republishes the .sign file of the newest <db>.cvd signed over
// other bytes (verify.ErrBadSignature: ClamAV treats it as fatal).
func (c *Fake) PutBadSign(db string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.db(db)
	c.u.Put(fmt.Sprintf("/%s-%d.cvd.sign", db, d.version), c.signFile([]byte("other bytes"), d.built), d.built)
}

// SourceYAML implements vendortest.Fake: every database, versions read
// from the .cvd headers over HTTP.
func (c *Fake) SourceYAML() string {
	c.mu.Lock()
	dbs := slices.Sorted(maps.Keys(c.dbs))
	c.mu.Unlock()
	return fmt.Sprintf("    url: %s\n    databases: [%s]\n    dns: \"\"\n", c.u.URL(), strings.Join(dbs, ", "))
}

// Next implements vendortest.Fake: a new daily (or, without daily, of
// every database), as Talos publishes several a day.
func (c *Fake) Next() string {
	c.mu.Lock()
	dbs := slices.Sorted(maps.Keys(c.dbs))
	c.mu.Unlock()
	if slices.Contains(dbs, "daily") {
		dbs = []string{"daily"}
	}
	var out []string
	for _, db := range dbs {
		out = append(out, fmt.Sprintf("ClamAV %s %d", db, c.Release(db)))
	}
	return strings.Join(out, ", ")
}

// Tampers implements vendortest.Fake, on the newest version of one
// database (daily when there is one).
func (c *Fake) Tampers() []vendortest.Tamper {
	c.mu.Lock()
	db := slices.Sorted(maps.Keys(c.dbs))[0]
	if c.dbs["daily"] != nil {
		db = "daily"
	}
	v := c.dbs[db].version
	c.mu.Unlock()
	// Without its .sign (as on a CDN before ClamAV 1.5) a file stands on
	// its own legacy signature alone.
	cvdSign, cdiffSign := fmt.Sprintf("/%s-%d.cvd.sign", db, v), fmt.Sprintf("/%s-%d.cdiff.sign", db, v)
	t := []vendortest.Tamper{
		{Name: db + ".cvd signed by an unknown key, no .sign", Apply: func() { c.PutBadCVD(db); c.u.Remove(cvdSign) }},
		{Name: db + ".cvd damaged after signing, no .sign", Apply: func() { c.PutDamagedCVD(db); c.u.Remove(cvdSign) }},
		{Name: db + ".cvd damaged after signing", Apply: func() { c.PutDamagedCVD(db) }},
		{Name: db + ".cvd.sign over other bytes", Apply: func() { c.PutBadSign(db) }},
	}
	if v > 1 {
		t = append(t,
			vendortest.Tamper{Name: fmt.Sprintf("%s-%d.cdiff signed by an unknown key, no .sign", db, v), Apply: func() { c.PutBadCdiff(db, v); c.u.Remove(cdiffSign) }},
			vendortest.Tamper{Name: fmt.Sprintf("%s-%d.cdiff signed by an unknown key", db, v), Apply: func() { c.PutBadCdiff(db, v) }})
	}
	return t
}

func (c *Fake) db(name string) *clamDB {
	d := c.dbs[name]
	if d == nil {
		panic(fmt.Sprintf("clamav fake: no ClamAV database %q; add it with AddFake", name))
	}
	return d
}

// publishCVD builds and publishes the current version of d with its .sign.
func (c *Fake) publishCVD(db string, d *clamDB) {
	cvd, info := c.buildCVD(db, d, c.cvdKey)
	d.info = info
	c.u.Put("/"+db+".cvd", cvd, d.built)
	c.u.Put(fmt.Sprintf("/%s-%d.cvd.sign", db, d.version), c.signFile(cvd, d.built), d.built)
}

// buildCVD returns the .cvd of the current version of d, its header signed
// by key (scheme A), and its <db>.info.
func (c *Fake) buildCVD(db string, d *clamDB, key *rsa.PrivateKey) (cvd, info []byte) {
	h := verify.CVDHeader{
		BuildTime: d.built.Format("02 Jan 2006 15-04 -0700"), Version: d.version, Signatures: uint64(len(d.sigs)),
		FLevel: ClamAVFLevel, MD5: "X", DSig: "X", Builder: clamavBuilder, BuildUnix: d.built.Unix(),
	}
	hdb := []byte(strings.Join(d.sigs, ""))
	// <db>.info: the header line with X:X, name:size:sha256 per member,
	// and a DSIG line (scheme B, "info" key) over everything before it.
	headerLine, err := h.Encode()
	if err != nil {
		panic("clamav fake: " + err.Error())
	}
	sum := sha256.Sum256(hdb)
	lines := fmt.Sprintf("%s\n%s.hdb:%d:%s\n", bytes.TrimRight(headerLine, " "), db, len(hdb), hex.EncodeToString(sum[:]))
	info = fmt.Appendf(nil, "%sDSIG:%s\n", lines, signVersig2(c.infoKey, []byte(lines)))
	body := gzipBest(sigtoolTar([]tarFile{
		{"COPYING", []byte("patchferry vendortest: a fake ClamAV database for tests. It detects nothing real.\n")},
		{db + ".info", info},
		{db + ".hdb", hdb},
	}))
	md := md5.Sum(body)
	h.MD5 = hex.EncodeToString(md[:])
	h.DSig = clamavNumber(new(big.Int).Exp(new(big.Int).SetBytes(md[:]), key.D, key.N))
	head, err := h.Encode()
	if err != nil {
		panic("clamav fake: " + err.Error())
	}
	return append(head, body...), info
}

// hdbLine is the .hdb signature added in version v: MD5:size:name of a
// made-up sample.
func hdbLine(db string, v uint64) string {
	sample := fmt.Sprintf("patchferry vendortest %s sample %d\n", db, v)
	sum := md5.Sum([]byte(sample))
	return fmt.Sprintf("%x:%d:Vendortest.Test.%s-%d\n", sum, len(sample), db, v)
}

// cdiffScript is the patch from oldInfo to newInfo plus one added .hdb
// line, written as sigtool writes it: XCHG <line> <prefix of old> <new>.
func cdiffScript(db string, oldInfo, newInfo []byte, added string) string {
	old := strings.Split(strings.TrimSuffix(string(oldInfo), "\n"), "\n")
	cur := strings.Split(strings.TrimSuffix(string(newInfo), "\n"), "\n")
	if len(old) != len(cur) {
		panic("clamav fake: .info changed its number of lines")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "OPEN %s.info\n", db)
	for i := range old {
		if old[i] != cur[i] {
			prefix := old[i][:min(len(old[i]), 16)]
			if sp := strings.IndexByte(prefix, ' '); sp >= 0 {
				prefix = prefix[:sp]
			}
			fmt.Fprintf(&b, "XCHG %d %s %s\n", i+1, prefix, cur[i])
		}
	}
	fmt.Fprintf(&b, "CLOSE\nOPEN %s.hdb\nADD %s\nCLOSE\n", db, strings.TrimSuffix(added, "\n"))
	return b.String()
}

// buildCdiff makes ClamAV-Diff:<version>:<script length>:<gzip>:<sig>,
// the signature (scheme B) by key over everything before its ':'.
func buildCdiff(version uint64, script string, key *rsa.PrivateKey) []byte {
	b := fmt.Appendf(nil, "ClamAV-Diff:%d:%d:", version, len(script))
	b = append(b, gzipBest([]byte(script))...)
	sig := signVersig2(key, b)
	return append(append(b, ':'), sig...)
}

// signFile is a .sign file for data (scheme C): #clamsign-1.0 and one line
// with a detached PKCS#7 SignedData (SHA-256, signed attributes, signer and
// intermediate embedded), like `openssl cms -sign -binary`.
func (c *Fake) signFile(data []byte, at time.Time) []byte {
	sum := sha256.Sum256(data)
	b := pkcs7.NewBuilder(c.signKey, c.signChain, crypto.SHA256)
	if err := b.SetDetachedContent(pkcs7.OidData, sum[:]); err != nil {
		panic("clamav fake: " + err.Error())
	}
	if err := b.AddAuthenticatedAttribute(pkcs7.OidAttributeSigningTime, at.UTC()); err != nil {
		panic("clamav fake: " + err.Error())
	}
	psd, err := b.Sign()
	if err != nil {
		panic("clamav fake: " + err.Error())
	}
	der, err := psd.Marshal()
	if err != nil {
		panic("clamav fake: " + err.Error())
	}
	return fmt.Appendf(nil, "#clamsign-1.0\n%d::pkcs7-pem:%s\n", ClamAVSignMinFLevel, base64.StdEncoding.EncodeToString(der))
}

// signVersig2 signs SHA-256(data) as cli_versig2 expects: RSASSA-PSS with
// MGF1-SHA-256 and a 32-byte salt, written in ClamAV's base-64 digits.
func signVersig2(key *rsa.PrivateKey, data []byte) string {
	sum := sha256.Sum256(data)
	s, err := rsa.SignPSS(rand.Reader, key, crypto.SHA256, sum[:], &rsa.PSSOptions{SaltLength: 32})
	if err != nil {
		panic("clamav fake: " + err.Error())
	}
	return clamavNumber(new(big.Int).SetBytes(s))
}

// clamavNumber writes v in ClamAV's signature digits: little-endian base 64,
// a=0 … /=63, no leading zero digits.
func clamavNumber(v *big.Int) string {
	const digits = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
	x := new(big.Int).Set(v)
	var out []byte
	for x.Sign() > 0 {
		out = append(out, digits[x.Bits()[0]&63])
		x.Rsh(x, 6)
	}
	if len(out) == 0 {
		return "a"
	}
	return string(out)
}

type tarFile struct {
	name string
	data []byte
}

// sigtoolTar writes a tar as sigtool's tar_addfile does: old-style
// headers with only name, octal size and checksum set (mode, uid, gid and
// mtime zero, no ustar magic), data padded to 512 bytes, and no end blocks.
func sigtoolTar(files []tarFile) []byte {
	var b bytes.Buffer
	for _, f := range files {
		var h [512]byte
		copy(h[:99], f.name)
		copy(h[124:135], fmt.Sprintf("%o", len(f.data)))
		sum := 256 // the checksum field counts as eight spaces
		for _, c := range h {
			sum += int(c)
		}
		copy(h[148:155], fmt.Sprintf("%06o", sum))
		b.Write(h[:])
		b.Write(f.data)
		b.Write(make([]byte, (512-len(f.data)%512)%512))
	}
	return b.Bytes()
}

// gzipBest compresses like zlib's gzdopen(fd, "wb9"): no name, mtime 0,
// XFL 2 (best compression), OS 3 (Unix).
func gzipBest(b []byte) []byte {
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		panic("clamav fake: " + err.Error())
	}
	zw.OS = 3
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}
