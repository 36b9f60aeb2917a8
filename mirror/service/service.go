package service

import (
	"context"
	"time"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/ingest"
	"github.com/patchferry/patchferry/mirror/ledger"
	"github.com/patchferry/patchferry/mirror/store"
)

// Service is every operation the mirror commands ask of a mirror. Local
// carries them out on a store; the admin socket's client hands them to the
// running `mirror serve`, whose Local carries them out. Requests and
// results are plain data (they cross the socket as JSON); fields tagged
// json:"-" stay in the calling process. Errors keep their classes across
// the socket (see EncodeError).
type Service interface {
	// Import imports a bundle all or nothing, and writes its ledger rows;
	// with req.Repair it repairs the current catalog's blobs from it.
	Import(ctx context.Context, req ImportRequest) (*ingest.Result, error)
	// RecordRefusal writes the ledger row of an import refused before the
	// bundle reached the mirror: the process that read the media could not
	// open it.
	RecordRefusal(ctx context.Context, req Refusal) error
	// Status says what the mirror serves.
	Status(ctx context.Context) (*Status, error)
	// Trust shows whom the mirror trusts.
	Trust(ctx context.Context) (*TrustInfo, error)
	// ChangeTrust changes whom the mirror trusts, with a ledger row.
	ChangeTrust(ctx context.Context, req TrustChange) (*TrustInfo, error)
	// Ledger returns every ledger row.
	Ledger(ctx context.Context) ([]ledger.Row, error)
	// VerifyLedger checks the ledger's hash chain, and that the ledger
	// still holds the rows that req.Codes (written down earlier) were
	// taken from.
	VerifyLedger(ctx context.Context, req LedgerVerifyRequest) (*LedgerCheck, error)
	// Scrub re-hashes every blob and quarantines the damaged ones.
	Scrub(ctx context.Context, req ScrubRequest) (*store.ScrubReport, error)
	// GC keeps req.Keep versions per product and removes unreferenced blobs.
	GC(ctx context.Context, req GCRequest) (*store.GCReport, error)
	// Close releases the store or the connection.
	Close() error
}

// ImportRequest is one import.
type ImportRequest struct {
	// Paths are the media: a bundle folder, a media root or volume folders
	// in any order. The process that holds them reads them.
	Paths    []string `json:"-"`
	Operator string   `json:"operator"`
	Label    string   `json:"label"`
	// Scanner is the virus scanner's command, in words
	// (ingest.ParseScanCommand); empty: no scan.
	Scanner []string `json:"scanner,omitempty"`
	// Repair restores, from this bundle (older than the mirror's, or the
	// current one), the blobs the current catalog references that are
	// missing or quarantined, and changes nothing else (ingest.Options).
	Repair bool `json:"repair,omitempty"`
	// Open, when set, opens the bundle instead of Paths: the admin server
	// reads it from an import stream.
	Open func() (*media.Bundle, error) `json:"-"`
	// Total is called once with the bytes to read; Progress with the
	// bytes read (through a server: sent) so far.
	Total    func(int64) `json:"-"`
	Progress func(int64) `json:"-"`
}

// Refusal is an import the calling process refused before anything reached
// the mirror.
type Refusal struct {
	Operator string `json:"operator"`
	Label    string `json:"label"`
	Reason   string `json:"reason"`
	// Code and Args are the ledger row's reason code and its values
	// (ingest.LedgerReason of the error); no code: ledger.ReasonUnreadable.
	Code string            `json:"reason_code,omitempty"`
	Args map[string]string `json:"reason_args,omitempty"`
}

// Status is what the mirror serves. Its JSON is `mirror status --json`:
// sequence, last_import and state_code are a contract for scripts.
type Status struct {
	Data        string           `json:"data"`
	Site        string           `json:"site,omitempty"`
	Sequence    uint64           `json:"sequence"`
	Base        uint64           `json:"base"`
	StateCode   string           `json:"state_code"`
	LastImport  *time.Time       `json:"last_import"`
	DaysSince   *int             `json:"days_since_import,omitempty"`
	Created     *time.Time       `json:"bundle_created,omitempty"`
	Expires     *time.Time       `json:"bundle_expires,omitempty"`
	Products    int              `json:"products"`
	Artifacts   int              `json:"artifacts"`
	Publishers  int              `json:"publisher_keys"`
	Approvers   int              `json:"approver_keys"`
	Approvals   int              `json:"approvals_required"`
	LedgerRows  int              `json:"ledger_rows"`
	LedgerCode  string           `json:"ledger_code,omitempty"` // the ledger code now (ledger.HeadCode)
	LastAttempt *ledger.Row      `json:"last_attempt,omitempty"`
	Catalog     []CatalogSummary `json:"catalog"`

	// Unfinished are the "started" rows of imports that never ended (their
	// process died) since the last import that ended well; a started row
	// of the import this server runs now is not one of them.
	Unfinished []ledger.Row `json:"unfinished_imports,omitempty"`
	// ImportRunning: the serving process is running an import now.
	ImportRunning bool `json:"import_running,omitempty"`
	// Unprovable counts the current artifacts whose bundle's signed
	// manifest the mirror does not keep (brought before store format 3):
	// terminals cannot prove them until a full bundle is imported.
	Unprovable int `json:"unprovable_artifacts,omitempty"`
}

// CatalogSummary is one product of the current catalog.
type CatalogSummary struct {
	Product string `json:"product"` // vendor/product
	Version string `json:"version"`
	Files   int    `json:"files"`
}

// TrustInfo is whom the mirror trusts, and what a change changed.
type TrustInfo struct {
	Changes         []string `json:"changes"` // nil when nothing was changed
	PublisherKeyIDs []string `json:"publisher_key_ids"`
	ApproverKeyIDs  []string `json:"approver_key_ids"`
	Approvals       int      `json:"approvals"`
	VendorTrust     string   `json:"vendor_trust"` // "built-in" or "custom"
	VendorKeys      []string `json:"vendor_keys"`  // one line per root or key
	// VendorTrustFile is the vendor trust in its file form (YAML).
	VendorTrustFile string `json:"vendor_trust_file"`
}

// VendorTrustFile is a vendor trust file as the calling process read it.
type VendorTrustFile struct {
	Name string `json:"name"` // as the operator named it, for the ledger
	YAML string `json:"yaml"`
}

// TrustChange changes whom the mirror trusts. Keys come as PEM, read by the
// calling process; removals name key IDs.
type TrustChange struct {
	Operator           string           `json:"operator"`
	AddPublishers      []string         `json:"add_publishers,omitempty"`
	RemovePublishers   []string         `json:"remove_publishers,omitempty"`
	AddApprovers       []string         `json:"add_approvers,omitempty"`
	RemoveApprovers    []string         `json:"remove_approvers,omitempty"`
	Approvals          *int             `json:"approvals,omitempty"`
	VendorTrust        *VendorTrustFile `json:"vendor_trust,omitempty"`
	VendorTrustDefault bool             `json:"vendor_trust_default,omitempty"`
}

// MaxLedgerCodes is the most ledger codes one VerifyLedger checks.
const MaxLedgerCodes = 1000

// LedgerVerifyRequest is one check of the ledger.
type LedgerVerifyRequest struct {
	// Codes are ledger codes written down earlier (the paper ledger):
	// each is checked against the row it was taken from.
	Codes []ledger.Code `json:"codes,omitempty"`
}

// LedgerCheck is the result of checking the ledger's hash chain.
type LedgerCheck struct {
	Rows     int      `json:"rows"`
	Problems []string `json:"problems"` // empty: intact
	// Code is the ledger code now (of the last row); "" for an empty
	// ledger.
	Code string `json:"ledger_code,omitempty"`
	// Codes is what became of each requested code, in the order asked.
	Codes []ledger.CodeResult `json:"codes,omitempty"`
}

// Intact reports whether the chain holds and every code matches.
func (c *LedgerCheck) Intact() bool {
	for _, r := range c.Codes {
		if r.Status != ledger.CodeMatches {
			return false
		}
	}
	return len(c.Problems) == 0
}

// ScrubRequest is one scrub.
type ScrubRequest struct {
	// Progress receives the bytes hashed (not sent over the socket).
	Progress func(int64) `json:"-"`
}

// GCRequest is one garbage collection.
type GCRequest struct {
	Keep int `json:"keep"` // versions per product, at least 1
}
