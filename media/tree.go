package media

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// checkTree refuses anything in a bundle directory that the format does
// not allow: unlisted files, symbolic links, devices, bad names. files are
// the listed files this directory (volume) holds.
func checkTree(root string, files map[string]bool) error {
	dirs := map[string]bool{"": true, ApprovalsDir: true, "files": true, "files/sha256": true, "meta": true}
	for f := range files {
		for d := pathDir(f); d != ""; d = pathDir(d) {
			dirs[d] = true
		}
	}
	var walk func(rel string) error
	walk = func(rel string) error {
		entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		for _, e := range entries {
			p := e.Name()
			if rel != "" {
				p = rel + "/" + p
			}
			fail := func(why string) error {
				return &FileError{Path: p, Dir: root, Err: fmt.Errorf("%w: %s", ErrLayout, why)}
			}
			if err := ValidName(e.Name()); err != nil {
				return fail(err.Error())
			}
			switch t := e.Type(); {
			case t.IsDir():
				if !dirs[p] {
					return fail("a folder the bundle format does not have; remove it or copy the bundle again")
				}
				if err := walk(p); err != nil {
					return err
				}
			case t.IsRegular():
				if !allowedFile(p, rel, files) {
					return fail("a file bundle.json does not list; someone added it after signing — copy the bundle again from the internet side")
				}
			case t&fs.ModeSymlink != 0:
				return fail("a symbolic link; bundles hold only regular files")
			default:
				return fail(fmt.Sprintf("not a regular file (%s); bundles hold only regular files", t))
			}
		}
		return nil
	}
	return walk("")
}

func allowedFile(p, rel string, files map[string]bool) bool {
	switch {
	case files[p]:
		return true
	case rel == "":
		return p == ManifestName || p == SignatureName || p == ReadmeName || p == VolumeName
	case rel == ApprovalsDir:
		return isApprovalFile(p)
	}
	return false
}

// isApprovalFile reports whether p names an approval: approvals/<name>.sig.
func isApprovalFile(p string) bool {
	name, ok := strings.CutPrefix(p, ApprovalsDir+"/")
	return ok && strings.HasSuffix(name, ".sig") && len(name) > len(".sig") && !strings.Contains(name, "/")
}

func pathDir(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}
