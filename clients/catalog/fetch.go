package catalog

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/patchferry/patchferry/media"
	"github.com/patchferry/patchferry/mirror/wire"
	"github.com/patchferry/patchferry/verify"
)

// Client reads a mirror's catalog and bundle manifests over HTTP.
type Client struct {
	HTTP *http.Client // nil: http.DefaultClient
	Base string       // the mirror's URL, e.g. http://192.0.2.10:8080
}

// Catalog fetches and decodes GET /v1/catalog (at most wire.MaxCatalogSize
// bytes). It is not yet proven: hand it to Verify.
func (c *Client) Catalog(ctx context.Context) (*wire.Catalog, error) {
	body, err := c.get(ctx, "/v1/catalog", wire.MaxCatalogSize)
	if err != nil {
		return nil, err
	}
	return wire.DecodeCatalog(bytes.NewReader(body))
}

// Bundle fetches the signed manifest of bundle seq as ref names it: its
// bundle.json, bundle.json.sig and approvals. Verify proves it.
func (c *Client) Bundle(ctx context.Context, ref wire.BundleRef) (media.SignedManifest, error) {
	var s media.SignedManifest
	var err error
	if s.Raw, err = c.get(ctx, wire.BundleURL(ref.Sequence, media.ManifestName), media.MaxManifestSize); err != nil {
		return s, err
	}
	if s.Signature, err = c.signature(ctx, wire.BundleURL(ref.Sequence, media.SignatureName)); err != nil {
		return s, err
	}
	for _, name := range ref.Approvals {
		if media.ValidPath(name) != nil || !strings.HasPrefix(name, media.ApprovalsDir+"/") {
			return s, fmt.Errorf("bundle %d: approval %q is not a file under %s/", ref.Sequence, name, media.ApprovalsDir)
		}
		sig, err := c.signature(ctx, wire.BundleURL(ref.Sequence, name))
		if err != nil {
			return s, err
		}
		s.Approvals = append(s.Approvals, verify.Signed{Name: name, Sig: sig})
	}
	return s, nil
}

// Earlier returns the bundle function Verify takes: Bundle with ctx.
func (c *Client) Earlier(ctx context.Context) func(ref wire.BundleRef) (media.SignedManifest, error) {
	return func(ref wire.BundleRef) (media.SignedManifest, error) { return c.Bundle(ctx, ref) }
}

func (c *Client) signature(ctx context.Context, path string) ([]byte, error) {
	raw, err := c.get(ctx, path, verify.MaxSignatureFile)
	if err != nil {
		return nil, err
	}
	sig, err := verify.DecodeSignature(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sig, nil
}

// get reads at most limit bytes of the body of a 200 answer to GET path.
func (c *Client) get(ctx context.Context, path string, limit int64) ([]byte, error) {
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(c.Base, "/")+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("GET %s: more than the limit of %d bytes", path, limit)
	}
	return b, nil
}
