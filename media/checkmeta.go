package media

import (
	"context"
	"io"
)

// CheckMeta checks one meta file completely: its SHA-256, its .xz
// structure and dictionary size, and that it decompresses to the recorded
// size.
func (b *Bundle) CheckMeta(ctx context.Context, name string) error {
	rc, err := b.OpenMeta(ctx, name)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	return err
}
