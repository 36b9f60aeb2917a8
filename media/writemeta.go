package media

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/ulikunitz/xz"

	"github.com/patchferry/patchferry/verify"
)

// compressMeta writes meta/<name>.xz into the first staging directory.
func (w *writer) compressMeta(ctx context.Context) error {
	if len(w.c.Meta) == 0 {
		return nil
	}
	dir := filepath.Join(w.metaDir, "meta")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	sorted := append([]MetaInput(nil), w.c.Meta...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, mi := range sorted {
		if err := ctx.Err(); err != nil {
			return err
		}
		mf, err := compressOne(dir, mi)
		if err != nil {
			return fmt.Errorf("meta %s: %w", mi.Path, err)
		}
		w.m.Meta = append(w.m.Meta, mf)
	}
	return nil
}

func compressOne(dir string, mi MetaInput) (MetaFile, error) {
	src, err := os.Open(mi.Path)
	if err != nil {
		return MetaFile{}, err
	}
	defer src.Close()
	f, err := os.Create(filepath.Join(dir, mi.Name+".xz"))
	if err != nil {
		return MetaFile{}, err
	}
	defer f.Close()
	h := verify.NewHashing(nil)
	zw, err := xz.WriterConfig{DictCap: 8 << 20}.NewWriter(io.MultiWriter(f, h))
	if err != nil {
		return MetaFile{}, err
	}
	n, err := io.Copy(zw, io.LimitReader(src, MaxMetaExpanded+1))
	if err != nil {
		return MetaFile{}, err
	}
	if n > MaxMetaExpanded {
		return MetaFile{}, &verify.LimitError{What: "meta file", Limit: MaxMetaExpanded}
	}
	if err := zw.Close(); err != nil {
		return MetaFile{}, err
	}
	if err := f.Sync(); err != nil {
		return MetaFile{}, err
	}
	return MetaFile{Name: mi.Name, Size: h.N(), SHA256: h.Sum(), Expanded: n}, nil
}
