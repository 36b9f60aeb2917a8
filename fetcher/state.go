package fetcher

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/patchferry/patchferry/media"
)

// StateName is the fetch state database in the cache directory.
const StateName = "state.db"

var (
	bucketArtifacts = []byte("artifacts") // sha256 → Artifact
	bucketCurrent   = []byte("current")   // source name → SourceState
	bucketHTTP      = []byte("http")      // URL → Validators
	bucketShipped   = []byte("shipped")   // 8-byte sequence → Shipment
)

// ErrStateInUse is returned when another fetcher holds the state.
var ErrStateInUse = errors.New("the fetch state is in use by another patchferry process")

// Artifact is a fetched, verified file and its vendor evidence.
type Artifact struct {
	media.Artifact
	Source    string     `json:"source"`
	Evidence  []Evidence `json:"evidence,omitempty"`
	FetchedAt time.Time  `json:"fetched_at"`
}

// Evidence is a vendor metadata file kept in the cache (a SUMS file and its
// signature, a CVD header, …). It travels in the bundle's meta/.
type Evidence struct {
	Name   string `json:"name"`          // meta name in a bundle
	URL    string `json:"url,omitempty"` // where it was fetched ("" when made from the file itself)
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// SourceState is what a source found current in its last successful run.
type SourceState struct {
	Artifacts []string          `json:"artifacts"` // sha256 of the current artifacts
	Versions  map[string]string `json:"versions"`  // product → version
	Checked   time.Time         `json:"checked"`
}

// Validators remembers a URL's ETag and Last-Modified for conditional GETs,
// and the cached body of metadata.
type Validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	BodySHA256   string `json:"body_sha256,omitempty"`
}

// Shipment records which artifacts a bundle sequence carried.
type Shipment struct {
	Sequence  uint64        `json:"sequence"`
	Base      uint64        `json:"base"`
	Created   time.Time     `json:"created"`
	Artifacts []string      `json:"artifacts"`
	Catalog   media.Catalog `json:"catalog"`
	StateCode string        `json:"state_code"`
}

// State is the fetch state: bbolt in the cache directory.
type State struct{ db *bolt.DB }

// OpenState opens (creating) the fetch state in dir.
func OpenState(dir string) (*State, error) {
	db, err := bolt.Open(filepath.Join(dir, StateName), 0o600, &bolt.Options{Timeout: 3 * time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w; wait for the other run to finish", dir, ErrStateInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("open fetch state: %w", err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketArtifacts, bucketCurrent, bucketHTTP, bucketShipped} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &State{db: db}, nil
}

// Close closes the state.
func (s *State) Close() error { return s.db.Close() }

// Artifact returns a recorded artifact, or nil.
func (s *State) Artifact(sha string) (*Artifact, error) {
	var a *Artifact
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketArtifacts).Get([]byte(sha))
		if v == nil {
			return nil
		}
		a = &Artifact{}
		return json.Unmarshal(v, a)
	})
	return a, err
}

// FindArtifact returns a recorded artifact of source with the given URL and
// version, or nil: what lets a second run skip a download.
func (s *State) FindArtifact(source, url, version string) (*Artifact, error) {
	return s.Find(func(a *Artifact) bool { return a.Source == source && a.URL == url && a.Version == version })
}

// Find returns the first recorded artifact that match accepts, or nil.
func (s *State) Find(match func(*Artifact) bool) (*Artifact, error) {
	var found *Artifact
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketArtifacts).Cursor()
		for k, v := c.First(); k != nil && found == nil; k, v = c.Next() {
			var a Artifact
			if err := json.Unmarshal(v, &a); err != nil {
				return err
			}
			if match(&a) {
				found = &a
			}
		}
		return nil
	})
	return found, err
}

// Record durably records a verified artifact: only then does it count as
// fetched.
func (s *State) Record(a *Artifact) error {
	return s.db.Update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bucketArtifacts), []byte(a.SHA256), a) })
}

// SetCurrent records what a source found current.
func (s *State) SetCurrent(source string, st *SourceState) error {
	return s.db.Update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bucketCurrent), []byte(source), st) })
}

// Current returns what a source found current last time, or nil.
func (s *State) Current(source string) (*SourceState, error) {
	var st *SourceState
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketCurrent).Get([]byte(source))
		if v == nil {
			return nil
		}
		st = &SourceState{}
		return json.Unmarshal(v, st)
	})
	return st, err
}

// Validators returns the remembered validators of a URL.
func (s *State) Validators(url string) (*Validators, error) {
	var v Validators
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHTTP).Get([]byte(url))
		if b == nil {
			return nil
		}
		return json.Unmarshal(b, &v)
	})
	return &v, err
}

// SetValidators remembers a URL's validators.
func (s *State) SetValidators(url string, v *Validators) error {
	return s.db.Update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bucketHTTP), []byte(url), v) })
}

// RecordShipment records what a bundle sequence carried.
func (s *State) RecordShipment(sh *Shipment) error {
	return s.db.Update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bucketShipped), seqKey(sh.Sequence), sh) })
}

// Shipments returns every recorded shipment, oldest first.
func (s *State) Shipments() ([]Shipment, error) {
	var out []Shipment
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketShipped).ForEach(func(k, v []byte) error {
			var sh Shipment
			if err := json.Unmarshal(v, &sh); err != nil {
				return err
			}
			out = append(out, sh)
			return nil
		})
	})
	return out, err
}

func seqKey(n uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], n)
	return k[:]
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}
