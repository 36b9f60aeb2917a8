package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/media"
)

func newBundleInspectCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   a.msg(helpUseBundleInspect),
		Short: a.msg(helpShortBundleInspect),
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBundleInspect(a, args)
		},
	}
}

func runBundleInspect(a *app, dirs []string) error {
	b, err := openBundle(dirs)
	if err != nil {
		return err
	}
	m := b.Manifest
	sigs := []string{media.SignatureName}
	for _, s := range b.Approvals {
		sigs = append(sigs, s.Name)
	}
	if a.jsonOut {
		return a.printJSON(map[string]any{
			"bundle": b.Name.String(), "dirs": b.Dirs, "site": m.Site, "sequence": m.Sequence, "base": m.Base,
			"created": m.Created, "expires": jsonExpiry(m), "signatures": sigs, "volumes": len(b.Dirs),
			"bytes": b.Size(), "artifacts": m.Artifacts, "catalog": m.Catalog, "retired": m.Retired, "meta": m.Meta,
		})
	}
	w := a.stdout
	fmt.Fprintf(w, "%s %s (%s)\n", a.label(msgLabelBundle), b.Name, a.describeKind(m))
	fmt.Fprintf(w, "%s %d\n", a.label(msgLabelSequence), m.Sequence)
	fmt.Fprintf(w, "%s %s\n", a.label(msgLabelCreated), m.Created.Format(time.RFC3339))
	fmt.Fprintf(w, "%s %s\n", a.label(msgLabelExpires), a.describeExpiry(m))
	fmt.Fprintf(w, "%s %v\n", a.label(msgLabelSignatures), sigs)
	if len(b.Dirs) > 1 {
		fmt.Fprintf(w, "%s %d\n", a.label(msgLabelVolumes), len(b.Dirs))
	}
	fmt.Fprintf(w, "%s %d, %s\n", a.label(msgLabelFiles), len(m.Artifacts), humanBytes(b.Size()))
	for _, art := range m.Artifacts {
		parts := ""
		if len(art.Parts) > 0 {
			parts = fmt.Sprintf(" [%d parts]", len(art.Parts))
		}
		fmt.Fprintf(w, "  %s/%s %s  %s  %s  %s%s  (%s)\n", art.Vendor, art.Product, art.Version,
			art.FileName, humanBytes(art.Size), art.SHA256[:16], parts, art.Verification.Method)
	}
	return nil
}
