package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/patchferry/patchferry/media/durable"
	"github.com/patchferry/patchferry/verify"
)

func newKeysCommand(a *app) *cobra.Command {
	return newGroupCommand("keys", a.msg(helpShortKeys), newKeysGenerateCommand(a))
}

type keysGenerateOptions struct {
	out          string
	passwordFile string
	noPassword   bool
}

func newKeysGenerateCommand(a *app) *cobra.Command {
	var o keysGenerateOptions
	cmd := &cobra.Command{
		Use:   a.msg(helpUseKeysGenerate),
		Short: a.msg(helpShortKeysGenerate),
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runKeysGenerate(a, o) },
	}
	cmd.Flags().StringVar(&o.out, "out", "", a.msg(helpFlagKeyPrefix))
	cmd.Flags().StringVar(&o.passwordFile, "password-file", "", a.msg(helpFlagPasswordFileNew))
	cmd.Flags().BoolVar(&o.noPassword, "no-password", false, a.msg(helpFlagNoPassword))
	cmd.MarkFlagRequired("out")
	return cmd
}

func runKeysGenerate(a *app, o keysGenerateOptions) error {
	keyPath, pubPath := o.out+".key", o.out+".pub"
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return userErr(msgErrKeyExists, p).fix(hintKeyExists).usage()
		}
	}
	pw, err := a.generatePassword(o, keyPath)
	if err != nil {
		return err
	}
	priv, pub, err := verify.GenerateKeyPair(pw)
	if err != nil {
		return err
	}
	k, err := verify.ParsePublicKey(pub)
	if err != nil {
		return err
	}
	dir, base := splitPath(keyPath)
	if err := durable.WriteFile(dir, base, priv, 0o600); err != nil {
		return err
	}
	dir, base = splitPath(pubPath)
	if err := durable.WriteFile(dir, base, pub, 0o644); err != nil {
		os.Remove(keyPath) // half a pair would block running the command again
		return err
	}
	if a.jsonOut {
		return a.printJSON(map[string]any{"ok": true, "private_key": keyPath, "public_key": pubPath, "key_id": k.ID()})
	}
	fmt.Fprintf(a.stdout, "%s: %s, %s (key ID %s)\n", a.msg(msgKeyWritten), keyPath, pubPath, k.ID())
	return nil
}

// generatePassword returns the password of a new key: never empty, unless
// --no-password asks for a key without one (and then no password may be
// given).
func (a *app) generatePassword(o keysGenerateOptions, keyPath string) ([]byte, error) {
	if o.noPassword {
		if o.passwordFile != "" || a.getenv(envPassword) != "" {
			return nil, userErr(msgErrNoPasswordConflict).fix(hintNoPasswordConflict).usage()
		}
		fmt.Fprintln(a.stderr, a.msg(msgNoPasswordKey, keyPath))
		return []byte{}, nil
	}
	pw, err := a.password(o.passwordFile, keyPath, true)
	if err != nil {
		return nil, err
	}
	if len(pw) == 0 {
		return nil, userErr(msgErrEmptyPassword, keyPath).fix(hintEmptyPasswordRefused).usage()
	}
	return pw, nil
}
