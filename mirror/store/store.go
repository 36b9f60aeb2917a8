package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/patchferry/patchferry/media"
)

// Names inside the data dir.
const (
	DBName   = "mirror.db"
	BlobsDir = "blobs"
	TmpDir   = "tmp"
	// FormatVersion of the store; a newer store is refused, an older one is
	// upgraded when opened for writing (format 1 keyed artifact records by
	// SHA-256 alone; format 2 by SHA-256 and identity; format 3 adds the
	// current artifacts, the kept bundle manifests and the version
	// history).
	FormatVersion = 3
)

// Bucket names.
var (
	bucketConfig    = []byte("config")
	bucketState     = []byte("state")
	bucketSequences = []byte("sequences")
	bucketArtifacts = []byte("artifacts")
	bucketBundles   = []byte("bundles")
	bucketHistory   = []byte("history")
	// BucketLedger is the ledger's bucket (package mirror/ledger).
	BucketLedger = []byte("ledger")
)

// ErrInUse is returned when another process holds the store.
var ErrInUse = errors.New("the mirror data directory is in use by another patchferry process")

// ErrNoStore is returned when the data directory holds no mirror.
var ErrNoStore = errors.New("no mirror in this data directory")

// ErrExists is returned by Create when a mirror is already there.
var ErrExists = errors.New("a mirror already exists in this data directory")

// Options for Open.
type Options struct {
	Timeout  time.Duration // how long to wait for the file lock; 0: 3 s
	ReadOnly bool
}

// Store is an open mirror store.
type Store struct {
	dir      string
	db       *bolt.DB
	onUpdate atomic.Pointer[func(tx *bolt.Tx)] // OnUpdate
}

// Create makes a new, empty store in dir (created if missing).
func Create(dir string, trust Trust) (*Store, error) {
	if _, err := os.Stat(filepath.Join(dir, DBName)); err == nil {
		return nil, fmt.Errorf("%s: %w", dir, ErrExists)
	}
	for _, d := range []string{dir, filepath.Join(dir, BlobsDir, "sha256"), filepath.Join(dir, TmpDir)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create mirror: %w", err)
		}
	}
	s, err := open(dir, Options{})
	if err != nil {
		return nil, err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketConfig, bucketState, bucketSequences, bucketArtifacts, bucketBundles, bucketHistory, BucketLedger} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketConfig).Put([]byte("format"), []byte{FormatVersion}); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketConfig), []byte("trust"), trust)
	})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("create mirror: %w", err)
	}
	return s, nil
}

// Open opens an existing store.
func Open(dir string, o Options) (*Store, error) {
	if _, err := os.Stat(filepath.Join(dir, DBName)); err != nil {
		return nil, fmt.Errorf("%s: %w; create one with `patchferry mirror init --data %s --trust publisher.pub`", dir, ErrNoStore, dir)
	}
	s, err := open(dir, o)
	if err != nil {
		return nil, err
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketConfig)
		if c == nil {
			return errors.New("mirror.db has no config bucket")
		}
		if f := c.Get([]byte("format")); len(f) != 1 || f[0] > FormatVersion {
			return fmt.Errorf("mirror.db has store format %v; this patchferry reads format %d — update patchferry", f, FormatVersion)
		}
		return nil
	})
	if err == nil && !o.ReadOnly {
		err = s.db.Update(upgrade)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open mirror %s: %w", dir, err)
	}
	return s, nil
}

// upgrade brings a store of an older format to FormatVersion in one
// transaction: format 1 → 2 moves each artifact record from its SHA-256 key
// to its identity key; 2 → 3 resolves the current artifacts, keeps the
// current bundle's manifest and writes the history of every version the
// records and the catalog name.
func upgrade(tx *bolt.Tx) error {
	c := tx.Bucket(bucketConfig)
	f := c.Get([]byte("format"))
	if len(f) == 1 && f[0] == FormatVersion {
		return nil
	}
	if len(f) == 1 && f[0] < 2 {
		if err := upgradeKeys(tx); err != nil {
			return err
		}
	}
	if err := upgradeCatalog(tx); err != nil {
		return fmt.Errorf("upgrade to store format 3: %w", err)
	}
	return c.Put([]byte("format"), []byte{FormatVersion})
}

// upgradeKeys: format 1 → 2.
func upgradeKeys(tx *bolt.Tx) error {
	b := tx.Bucket(bucketArtifacts)
	var old [][]byte
	err := b.ForEach(func(k, _ []byte) error {
		if len(k) == 64 { // a bare SHA-256 hex: format 1
			old = append(old, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range old {
		var r ArtifactRecord
		if err := json.Unmarshal(b.Get(k), &r); err != nil {
			return fmt.Errorf("upgrade artifact %s: %w", k, err)
		}
		if err := b.Delete(k); err != nil {
			return err
		}
		if err := PutArtifact(tx, &r); err != nil {
			return err
		}
	}
	return nil
}

// upgradeCatalog: format 2 → 3. Stores before format 3 kept only the
// current bundle's manifest, so an artifact that an earlier delta brought
// (and the current manifest does not list) names that delta's sequence
// but cannot be proven to a terminal until a full bundle is imported.
func upgradeCatalog(tx *bolt.Tx) error {
	for _, b := range [][]byte{bucketBundles, bucketHistory} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	err := ForEachArtifact(tx, func(r *ArtifactRecord) error {
		return AddHistory(tx, r.Vendor, r.Product, r.Channel, r.Version, r.Released, r.FirstSequence)
	})
	if err != nil {
		return err
	}
	cur, err := GetState(tx)
	if err != nil || cur == nil {
		return err
	}
	m, err := media.ParseManifest(cur.Manifest)
	if err != nil {
		return fmt.Errorf("the current manifest: %w", err)
	}
	list, err := ResolveCurrent(tx, m, nil)
	if err != nil {
		return err
	}
	if err := PutCurrent(tx, list); err != nil {
		return err
	}
	if err := PutBundle(tx, cur.Sequence, &BundleRecord{Manifest: cur.Manifest, Signature: cur.Signature,
		Approvals: cur.Approvals, ManifestSHA256: cur.ManifestSHA256}); err != nil {
		return err
	}
	return AddHistoryOf(tx, m.Catalog, list, cur.Sequence)
}

func open(dir string, o Options) (*Store, error) {
	if o.Timeout == 0 {
		o.Timeout = 3 * time.Second
	}
	db, err := bolt.Open(filepath.Join(dir, DBName), 0o600, &bolt.Options{Timeout: o.Timeout, ReadOnly: o.ReadOnly})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w (mirror serve or another import); wait for it to finish, or run the command while `mirror serve` runs so it hands the work over", dir, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", filepath.Join(dir, DBName), err)
	}
	if !o.ReadOnly {
		// Leftovers of an interrupted write are never referenced: clear them.
		cleanTmp(filepath.Join(dir, TmpDir))
	}
	return &Store{dir: dir, db: db}, nil
}

func cleanTmp(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// Dir returns the data directory.
func (s *Store) Dir() string { return s.dir }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Update runs fn in one read-write transaction: all of it is applied or none.
func (s *Store) Update(fn func(tx *bolt.Tx) error) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if hook := s.onUpdate.Load(); hook != nil {
			(*hook)(tx)
		}
		return nil
	})
}

// OnUpdate makes fn run at the end of every Update whose fn succeeded,
// inside its transaction (what fn wrote is visible); to act once the
// transaction has committed, fn registers tx.OnCommit. The ledger's
// forwarding to the system log uses it (mirror/ledger: Forward). Updates
// already running when it is set may miss it.
func (s *Store) OnUpdate(fn func(tx *bolt.Tx)) { s.onUpdate.Store(&fn) }

// View runs fn in a read-only transaction (a consistent snapshot).
func (s *Store) View(fn func(tx *bolt.Tx) error) error { return s.db.View(fn) }
