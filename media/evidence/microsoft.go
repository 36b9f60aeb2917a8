package evidence

import "github.com/patchferry/patchferry/verify"

// microsoft: Microsoft Root Certificate Authority 2010 (also the root of
// Microsoft's timestamping service) and 2011 (root of Microsoft Code
// Signing PCA 2011), for files signed by "Microsoft Corporation". Its
// Authenticode method comes with the Windows sources.
func microsoft() vendor {
	return vendor{anchors: func() []verify.Anchors {
		return []verify.Anchors{{
			Vendor: "microsoft",
			AuthenticodeRoots: []verify.NamedPEM{
				{Name: "Microsoft Root Certificate Authority 2010", PEM: root("microsoft-root-ca-2010.pem")},
				{Name: "Microsoft Root Certificate Authority 2011", PEM: root("microsoft-root-ca-2011.pem")},
			},
			AuthenticodeSigners: []string{"Microsoft Corporation"},
		}}
	}}
}
