package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/media/evidence"
	"github.com/patchferry/patchferry/verify"
)

// Trust is what the mirror trusts: publisher keys, approver keys and
// threshold (PEM), and the vendor trust used to re-verify vendor evidence
// (YAML of verify.VendorTrust; empty = the built-in default).
type Trust struct {
	Publishers  []string `json:"publishers"`
	Approvers   []string `json:"approvers,omitempty"`
	Threshold   int      `json:"threshold"`
	VendorTrust string   `json:"vendor_trust,omitempty"`
}

// Keys parses the trust into what media.Bundle.Verify needs.
func (t *Trust) Keys() (media.Trust, error) {
	parse := func(list []string) ([]*verify.PublicKey, error) {
		var out []*verify.PublicKey
		for _, p := range list {
			k, err := verify.ParsePublicKey([]byte(p))
			if err != nil {
				return nil, err
			}
			out = append(out, k)
		}
		return out, nil
	}
	pubs, err := parse(t.Publishers)
	if err != nil {
		return media.Trust{}, fmt.Errorf("stored publisher key: %w", err)
	}
	apps, err := parse(t.Approvers)
	if err != nil {
		return media.Trust{}, fmt.Errorf("stored approver key: %w", err)
	}
	return media.Trust{Publishers: pubs, Approvers: apps, Threshold: t.Threshold}, nil
}

// Vendor returns the vendor trust: the stored file, or the built-in default.
func (t *Trust) Vendor() (*verify.VendorTrust, error) {
	if t.VendorTrust == "" {
		return evidence.DefaultTrust(), nil
	}
	return verify.ParseVendorTrust([]byte(t.VendorTrust))
}

// Validate checks the keys and the threshold.
func (t *Trust) Validate() error {
	keys, err := t.Keys()
	if err != nil {
		return err
	}
	if len(keys.Publishers) == 0 {
		return errors.New("at least one publisher key is required")
	}
	if t.Threshold < 0 || t.Threshold > len(keys.Approvers) {
		return fmt.Errorf("approvals %d: there are only %d approver keys", t.Threshold, len(keys.Approvers))
	}
	if _, err := t.Vendor(); err != nil {
		return err
	}
	return nil
}

// State is the imported catalog state: what the mirror serves.
type State struct {
	Site           string            `json:"site"`
	Sequence       uint64            `json:"sequence"`
	Base           uint64            `json:"base"`
	ManifestSHA256 string            `json:"manifest_sha256"`
	Manifest       []byte            `json:"manifest"`  // exact signed bytes
	Signature      []byte            `json:"signature"` // DER
	Approvals      []verify.Signed   `json:"approvals,omitempty"`
	ImportedAt     time.Time         `json:"imported_at"`
	CatalogHash    string            `json:"catalog_hash"`
	StateCode      string            `json:"state_code"`
	Catalog        media.Catalog     `json:"catalog"`
	Expires        time.Time         `json:"expires,omitzero"`
	Created        time.Time         `json:"created"`
	Signers        map[string]string `json:"signers,omitempty"` // role → key IDs, for status
}

// SequenceRecord remembers every imported sequence (fork and rollback checks).
type SequenceRecord struct {
	ManifestSHA256 string    `json:"manifest_sha256"`
	ImportedAt     time.Time `json:"imported_at"`
}

// ArtifactRecord is an artifact the mirror has imported, with the sequence
// that first brought it.
type ArtifactRecord struct {
	media.Artifact
	FirstSequence uint64 `json:"first_sequence"`
}

// GetTrust reads the trust configuration.
func GetTrust(tx *bolt.Tx) (*Trust, error) {
	var t Trust
	if err := getJSON(tx.Bucket(bucketConfig), []byte("trust"), &t); err != nil {
		return nil, fmt.Errorf("read trust: %w", err)
	}
	return &t, nil
}

// PutTrust replaces the trust configuration.
func PutTrust(tx *bolt.Tx, t *Trust) error {
	return putJSON(tx.Bucket(bucketConfig), []byte("trust"), t)
}

// GetState returns the current state, or nil before the first import.
func GetState(tx *bolt.Tx) (*State, error) {
	b := tx.Bucket(bucketState)
	if b.Get([]byte("current")) == nil {
		return nil, nil
	}
	var s State
	if err := getJSON(b, []byte("current"), &s); err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	return &s, nil
}

// PutState switches the current state.
func PutState(tx *bolt.Tx, s *State) error {
	return putJSON(tx.Bucket(bucketState), []byte("current"), s)
}

// GetSequence returns the record of an imported sequence, or nil.
func GetSequence(tx *bolt.Tx, seq uint64) (*SequenceRecord, error) {
	v := tx.Bucket(bucketSequences).Get(seqKey(seq))
	if v == nil {
		return nil, nil
	}
	var r SequenceRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// PutSequence records an imported sequence.
func PutSequence(tx *bolt.Tx, seq uint64, r *SequenceRecord) error {
	return putJSON(tx.Bucket(bucketSequences), seqKey(seq), r)
}

// ForEachSequence calls fn for every imported sequence, in order.
func ForEachSequence(tx *bolt.Tx, fn func(seq uint64, r *SequenceRecord) error) error {
	return tx.Bucket(bucketSequences).ForEach(func(k, v []byte) error {
		var r SequenceRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("sequence %x: %w", k, err)
		}
		seq, ok := seqOf(k)
		if !ok {
			return fmt.Errorf("sequences: key %x is not a sequence number", k)
		}
		return fn(seq, &r)
	})
}

// Artifact records are keyed by the SHA-256 and then the artifact's
// identity (vendor, product, channel, version, platform, language, file
// name): the same bytes can ship under several names or versions, and each
// keeps its own record. Keys of one SHA-256 are adjacent.
func artifactKey(a *media.Artifact) []byte {
	return []byte(strings.Join([]string{a.SHA256, a.Vendor, a.Product, a.Channel, a.Version, a.Platform, a.Language, a.FileName}, "\x00"))
}

// shaPrefix is the start of every key of sha's records.
func shaPrefix(sha string) []byte { return []byte(sha + "\x00") }

// GetArtifact returns a record of the bytes sha (the first by identity), or
// nil when no artifact has them.
func GetArtifact(tx *bolt.Tx, sha string) (*ArtifactRecord, error) {
	prefix := shaPrefix(sha)
	k, v := tx.Bucket(bucketArtifacts).Cursor().Seek(prefix)
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return nil, nil
	}
	var r ArtifactRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("artifact %s: %w", sha, err)
	}
	return &r, nil
}

// ArtifactsOf returns every record of the bytes sha (nil when none).
func ArtifactsOf(tx *bolt.Tx, sha string) ([]*ArtifactRecord, error) {
	prefix := shaPrefix(sha)
	var out []*ArtifactRecord
	c := tx.Bucket(bucketArtifacts).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var r ArtifactRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return nil, fmt.Errorf("artifact %s: %w", sha, err)
		}
		out = append(out, &r)
	}
	return out, nil
}

// PutArtifact records an artifact; an existing record of the same bytes and
// identity is kept (first sequence wins).
func PutArtifact(tx *bolt.Tx, r *ArtifactRecord) error {
	b := tx.Bucket(bucketArtifacts)
	k := artifactKey(&r.Artifact)
	if b.Get(k) != nil {
		return nil
	}
	return putJSON(b, k, r)
}

// DeleteArtifact forgets one artifact record.
func DeleteArtifact(tx *bolt.Tx, a *media.Artifact) error {
	return tx.Bucket(bucketArtifacts).Delete(artifactKey(a))
}

// ForEachArtifact calls fn for every artifact record, in SHA-256 order (the
// records of one blob one after the other).
func ForEachArtifact(tx *bolt.Tx, fn func(*ArtifactRecord) error) error {
	return tx.Bucket(bucketArtifacts).ForEach(func(k, v []byte) error {
		var r ArtifactRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("artifact %q: %w", k, err)
		}
		return fn(&r)
	})
}

// ForEachBlob calls fn once for every recorded blob (SHA-256 and size),
// however many artifacts share it.
func ForEachBlob(tx *bolt.Tx, fn func(sha string, size int64) error) error {
	last := ""
	return ForEachArtifact(tx, func(r *ArtifactRecord) error {
		if r.SHA256 == last {
			return nil
		}
		last = r.SHA256
		return fn(r.SHA256, r.Size)
	})
}

// seqOf reads a key that seqKey made; ok is false for any other key.
func seqOf(k []byte) (seq uint64, ok bool) {
	if len(k) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(k), true
}

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

func getJSON(b *bolt.Bucket, k []byte, v any) error {
	data := b.Get(k)
	if data == nil {
		return fmt.Errorf("%s missing", k)
	}
	return json.Unmarshal(data, v)
}
