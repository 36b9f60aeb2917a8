package media_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/mediatest"
	"github.com/patchferry/patchferry/verify"
)

// signedBundle is a real signed bundle, written once per fuzz process (the
// keys are made per process, so no seed may carry a signature: the fuzzer
// picks signatures by number from these).
type signedBundle struct {
	dir       string            // the bundle directory, never changed
	files     map[string][]byte // every file in it, by slash path
	raw       []byte            // bundle.json
	keys      *mediatest.Keys
	approvals map[string][]byte // approvals/<name>.sig → file, by approver
	listed    []string          // the files bundle.json lists
}

func writeSignedBundle(tb testing.TB) *signedBundle {
	keys := mediatest.TestKeys(tb)
	w := mediatest.Write(tb, media.WriteOptions{}, mediatest.Contents{
		Files: []mediatest.File{
			{Data: mediatest.RandomBytes(1, 3000), Artifact: media.Artifact{Vendor: "mozilla", Product: "firefox", Version: "145.0",
				Platform: "win64", Kind: "installer", FileName: "Firefox Setup 145.0.exe"}},
			{Data: []byte("hello"), Artifact: media.Artifact{Vendor: "clamav", Product: "daily", Version: "27800", Kind: "cvd", FileName: "daily-27800.cvd"}},
		},
		Meta: map[string][]byte{"SHA512SUMS": []byte("abc  Firefox Setup 145.0.exe\n")},
	})
	b, err := media.Open(w.Dirs[0])
	if err != nil {
		tb.Fatal(err)
	}
	sb := &signedBundle{dir: w.Dirs[0], raw: w.Raw, keys: keys, files: make(map[string][]byte), approvals: make(map[string][]byte)}
	for name, k := range map[string]*verify.PrivateKey{"kacho": keys.Approver1, "bucho": keys.Approver2} {
		rel, err := media.Approve(b, k, name)
		if err != nil {
			tb.Fatal(err)
		}
		sb.approvals[name], err = os.ReadFile(filepath.Join(sb.dir, filepath.FromSlash(rel)))
		if err != nil {
			tb.Fatal(err)
		}
	}
	for _, r := range w.Manifest.Paths() {
		sb.listed = append(sb.listed, r.Path)
	}
	err = filepath.WalkDir(sb.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(sb.dir, p)
		sb.files[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return sb
}

// allowedName reports whether a file at slash path p may be in a bundle
// directory by the format's rules: a listed file, the fixed files, or
// approvals/<name>.sig, every element a valid name. volume.json is left out:
// Open reads and judges it.
func (sb *signedBundle) allowedName(p string) bool {
	for _, el := range strings.Split(p, "/") {
		if media.ValidName(el) != nil {
			return false
		}
	}
	if slices.Contains(sb.listed, p) || p == media.ManifestName || p == media.SignatureName || p == media.ReadmeName {
		return true
	}
	name, ok := strings.CutPrefix(p, media.ApprovalsDir+"/")
	return ok && strings.HasSuffix(name, ".sig") && len(name) > len(".sig") && !strings.Contains(name, "/")
}

// FuzzOpenBundle builds a bundle directory from a real signed bundle and
// the fuzzer's choices — what bundle.json.sig holds (the real signature, an
// approval, the fuzzer's bytes, with blanks around, cut short, or no file),
// two approval files with names and contents of its choosing, one more file
// at a path of its choosing (which may replace a listed file or bundle.json),
// a payload cut short — and opens, verifies and checks it with the media
// reader. Properties: Open never panics; a file whose name breaks the path
// rules is always refused; a bundle that verifies has exactly the manifest
// bytes that were signed, its publisher signature verifies on its own with
// verify.Signer, and every approver it counts is a trusted approver, counted
// once, whose genuine approval file is really there; CheckFiles passes only
// if every payload is the genuine one.
func FuzzOpenBundle(f *testing.F) {
	// bundle.json.sig: 0 real, 1 kacho's approval, 2 the fuzzer's bytes,
	// 3 real with blanks, 4 real cut short, 5 no file. An approval file:
	// 0 the publisher's signature, 1 kacho's, 2 bucho's, 3 the fuzzer's bytes.
	f.Add(uint8(0), []byte(nil), "kacho.sig", uint8(1), "bucho.sig", uint8(2), []byte(nil), "", []byte(nil), uint8(0), uint8(2))
	f.Add(uint8(3), []byte(nil), "kacho.sig", uint8(1), "", uint8(0), []byte(nil), "", []byte(nil), uint8(0), uint8(1))
	f.Add(uint8(0), []byte(nil), "kacho.sig", uint8(1), "kacho2.sig", uint8(1), []byte(nil), "", []byte(nil), uint8(0), uint8(2))
	f.Add(uint8(0), []byte(nil), "x.sig", uint8(0), "y.sig", uint8(3), []byte("MEUCIQ==\n"), "", []byte(nil), uint8(0), uint8(1))
	f.Add(uint8(2), []byte("MEUCIQDx\n"), "", uint8(0), "", uint8(0), []byte(nil), "", []byte(nil), uint8(0), uint8(0))
	f.Add(uint8(4), []byte(nil), "", uint8(0), "", uint8(0), []byte(nil), "", []byte(nil), uint8(7), uint8(0))
	f.Add(uint8(5), []byte(nil), "", uint8(0), "", uint8(0), []byte(nil), "", []byte(nil), uint8(0), uint8(0))
	f.Add(uint8(0), []byte(nil), "..sig", uint8(1), "a\\b.sig", uint8(2), []byte(nil), "approvals/.sig", []byte("x"), uint8(0), uint8(1))
	f.Add(uint8(0), []byte(nil), "kacho.txt", uint8(1), "", uint8(0), []byte(nil), "approvals/sub/k.sig", []byte("x"), uint8(0), uint8(1))
	f.Add(uint8(0), []byte(nil), "", uint8(0), "", uint8(0), []byte(nil), "files/sha256/evil", []byte("x"), uint8(0), uint8(0))
	f.Add(uint8(0), []byte(nil), "", uint8(0), "", uint8(0), []byte(nil), "meta/extra.xz", []byte("x"), uint8(0), uint8(0))
	f.Add(uint8(0), []byte(nil), "", uint8(0), "", uint8(0), []byte(nil), "README.txt", []byte("replaced"), uint8(0), uint8(0))
	f.Add(uint8(0), []byte(nil), "", uint8(0), "", uint8(0), []byte(nil), "bundle.json", []byte(`{"format":1}`), uint8(0), uint8(0))
	f.Add(uint8(0), []byte(nil), "", uint8(0), "", uint8(0), []byte(nil), "volume.json", []byte(`{}`), uint8(0), uint8(0))
	f.Add(uint8(0), []byte(nil), "", uint8(0), "", uint8(0), []byte(nil), "x\x01y", []byte("x"), uint8(0), uint8(0))
	f.Add(uint8(0), []byte(nil), "", uint8(0), "", uint8(0), []byte(nil), "nul", []byte("x"), uint8(0), uint8(0))
	f.Add(uint8(0), []byte(nil), "", uint8(0), "", uint8(0), []byte(nil), "files/sha256/zz/Firefox.exe", []byte("x"), uint8(9), uint8(0))

	sb := writeSignedBundle(f)
	k := sb.keys
	pub := k.Publisher.Public()
	approvers := []*verify.PublicKey{k.Approver1.Public(), k.Approver2.Public()}
	genuineApproval := map[string][]byte{} // approver key ID → decoded signature
	for name, file := range sb.approvals {
		sig, err := verify.DecodeSignature(file)
		if err != nil {
			f.Fatal(err)
		}
		key := map[string]*verify.PublicKey{"kacho": approvers[0], "bucho": approvers[1]}[name]
		genuineApproval[key.ID()] = sig
	}
	realSig := sb.files[media.SignatureName]
	now := mediatest.Created.Add(time.Hour)
	full := media.Trust{Publishers: []*verify.PublicKey{pub}, Approvers: approvers, Threshold: 2}
	if b, err := media.Open(sb.dir); err != nil {
		f.Fatal(err)
	} else if _, err := b.Verify(full, now); err != nil {
		f.Fatalf("the genuine bundle does not verify: %v", err)
	}
	var payloads []string
	for _, p := range sb.listed {
		if strings.HasPrefix(p, "files/") {
			payloads = append(payloads, p)
		}
	}
	slices.Sort(payloads)

	f.Fuzz(func(t *testing.T, sigChoice uint8, sigData []byte, a1 string, a1Choice uint8, a2 string, a2Choice uint8,
		approvalData []byte, extra string, extraData []byte, cut, threshold uint8) {
		dir := filepath.Join(t.TempDir(), filepath.Base(sb.dir))
		content := map[string][]byte{}
		for p, b := range sb.files {
			content[p] = b
		}
		pick := func(choice uint8, fuzzed []byte) ([]byte, bool) {
			switch choice % 6 {
			case 0:
				return realSig, true
			case 1:
				return sb.approvals["kacho"], true
			case 2:
				return fuzzed, true
			case 3:
				return append(append([]byte(" \n"), bytes.TrimSpace(realSig)...), "\n\n"...), true
			case 4:
				return realSig[:len(realSig)-1-int(cut)%len(realSig)], true
			}
			return nil, false
		}
		delete(content, media.SignatureName)
		if b, ok := pick(sigChoice, sigData); ok {
			content[media.SignatureName] = b
		}
		for p := range content {
			if strings.HasPrefix(p, media.ApprovalsDir+"/") {
				delete(content, p)
			}
		}
		for _, a := range []struct {
			name   string
			choice uint8
		}{{a1, a1Choice}, {a2, a2Choice}} {
			if a.name == "" {
				continue
			}
			content[media.ApprovalsDir+"/"+a.name] = [][]byte{realSig, sb.approvals["kacho"], sb.approvals["bucho"], approvalData}[a.choice%4]
		}
		if extra != "" {
			content[extra] = extraData
		}
		if cut > 0 && len(payloads) > 0 {
			p := payloads[int(cut)%len(payloads)]
			content[p] = content[p][:len(content[p])/2]
		}
		// Write what can be written inside dir; a name the filesystem
		// refuses (NUL, too long, a file where a folder is) is left out.
		written := map[string][]byte{}
		for p, b := range content {
			if !filepath.IsLocal(filepath.FromSlash(p)) {
				continue
			}
			full := filepath.Join(dir, filepath.FromSlash(p))
			if os.MkdirAll(filepath.Dir(full), 0o755) == nil && os.WriteFile(full, b, 0o644) == nil {
				written[p] = b
			}
		}

		b, err := media.Open(dir)
		if err != nil {
			return
		}
		for p := range written {
			if !sb.allowedName(p) && p != media.VolumeName {
				t.Fatalf("Open accepted a bundle holding %q, which the path rules refuse", p)
			}
		}
		if !bytes.Equal(b.Raw, written[media.ManifestName]) {
			t.Fatal("Bundle.Raw is not the bundle.json on disk")
		}
		trust := media.Trust{Publishers: []*verify.PublicKey{pub}, Approvers: approvers, Threshold: int(threshold % 3)}
		v, err := b.Verify(trust, now)
		if err != nil {
			return
		}
		if !bytes.Equal(b.Raw, sb.raw) {
			t.Fatalf("Verify accepted manifest bytes that were not signed:\n%s", b.Raw)
		}
		onDisk, err := verify.DecodeSignature(written[media.SignatureName])
		if err != nil || !bytes.Equal(onDisk, b.Signature) {
			t.Fatalf("Bundle.Signature is not the decoded bundle.json.sig on disk (%v)", err)
		}
		signer, err := verify.Signer(b.Raw, verify.Signed{Name: media.SignatureName, Sig: b.Signature}, []*verify.PublicKey{pub})
		if err != nil || !signer.Equal(pub) || !v.Publisher.Equal(pub) {
			t.Fatalf("publisher signature does not verify on its own: %v", err)
		}
		if len(v.Approvers) < trust.Threshold {
			t.Fatalf("%d approvers counted, threshold %d", len(v.Approvers), trust.Threshold)
		}
		for i, a := range v.Approvers {
			if !slices.ContainsFunc(approvers, a.Equal) || slices.ContainsFunc(v.Approvers[:i], a.Equal) {
				t.Fatalf("approver %s is not a trusted approver, or counted twice", a.ID())
			}
			found := false
			for _, s := range b.Approvals {
				found = found || bytes.Equal(s.Sig, genuineApproval[a.ID()])
			}
			if !found {
				t.Fatalf("approver %s counted, but its approval is not on the medium", a.ID())
			}
		}
		if err := b.CheckFiles(t.Context(), nil); err != nil {
			return
		}
		for _, p := range sb.listed {
			if !bytes.Equal(written[p], sb.files[p]) {
				t.Fatalf("CheckFiles passed with %s not the genuine file", p)
			}
		}
	})
}
