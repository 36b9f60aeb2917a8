package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/patchferry/patchferry/verify"
)

const maxPasswordFile = 4 << 10

// password returns the key password: the first line of passwordFile (the
// explicit flag wins, as its help says), else $PATCHFERRY_KEY_PASSWORD, else
// a prompt on the terminal (asked twice when confirm is set). With none of
// them it is a usage error, so scheduled runs fail at once instead of
// waiting for input.
func (a *app) password(passwordFile, keyName string, confirm bool) ([]byte, error) {
	if passwordFile != "" {
		f, err := os.Open(passwordFile)
		if err != nil {
			return nil, usagef("password file: %w", err)
		}
		defer f.Close()
		b, err := verify.ReadLimited(f, maxPasswordFile, "password file")
		if err != nil {
			return nil, usagef("password file %s: %w", passwordFile, err)
		}
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[:i]
		}
		return bytes.TrimSuffix(b, []byte("\r")), nil
	}
	if pw := a.getenv(envPassword); pw != "" {
		return []byte(pw), nil
	}
	if !a.stdinTerminal {
		return nil, usagef("no password for %s: set %s or give --password-file (no terminal to ask on)", keyName, envPassword)
	}
	fmt.Fprint(a.stderr, a.msg(msgPasswordPrompt, keyName))
	pw, err := a.readPassword()
	fmt.Fprintln(a.stderr)
	if err != nil {
		return nil, fmt.Errorf("read password: %w", err)
	}
	if confirm {
		fmt.Fprint(a.stderr, a.msg(msgPasswordAgain))
		again, err := a.readPassword()
		fmt.Fprintln(a.stderr)
		if err != nil {
			return nil, fmt.Errorf("read password: %w", err)
		}
		if !bytes.Equal(pw, again) {
			return nil, usagef("the two passwords differ")
		}
	}
	return pw, nil
}

// loadPrivateKey reads and decrypts a private key file.
func (a *app) loadPrivateKey(path, passwordFile string) (*verify.PrivateKey, error) {
	if path == "" {
		return nil, usagef("--key is required: the encrypted private key (from `patchferry keys generate`)")
	}
	b, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	pw, err := a.password(passwordFile, path, false)
	if err != nil {
		return nil, err
	}
	k, err := verify.ParsePrivateKey(b, pw)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	return k, nil
}

// loadPublicKeys reads trusted public key files.
func loadPublicKeys(paths []string) ([]*verify.PublicKey, error) {
	var keys []*verify.PublicKey
	for _, p := range paths {
		b, err := readKeyFile(p)
		if err != nil {
			return nil, err
		}
		k, err := verify.ParsePublicKey(b)
		if err != nil {
			return nil, usagef("public key %s: %w", p, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("key file: %w", err)
	}
	defer f.Close()
	b, err := verify.ReadLimited(f, 64<<10, "key file "+path)
	if err != nil {
		return nil, usagef("%w", err)
	}
	return b, nil
}
