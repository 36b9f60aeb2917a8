package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/patchferry/patchferry/verify"
)

const maxPasswordFile = 4 << 10

// errNoPasswordSource is wrapped when there is no password and no terminal
// to ask on.
var errNoPasswordSource = errors.New("no password source")

// password returns the key password: the first line of passwordFile (the
// explicit flag wins, as its help says), else $PATCHFERRY_KEY_PASSWORD, else
// a prompt on the terminal (asked twice when confirm is set). With none of
// them it is a usage error wrapping errNoPasswordSource, so scheduled runs
// fail at once instead of waiting for input. The password may be empty
// (an empty first line, Enter at the prompt): the caller decides.
func (a *app) password(passwordFile, keyName string, confirm bool) ([]byte, error) {
	if passwordFile != "" {
		return readPasswordFile(passwordFile)
	}
	if pw := a.getenv(envPassword); pw != "" {
		return []byte(pw), nil
	}
	if !a.stdinTerminal {
		return nil, userErr(msgErrNoPasswordSource, keyName, envPassword).because(errNoPasswordSource).fix(hintNoPasswordSource).usage()
	}
	fmt.Fprint(a.stderr, a.msg(msgPasswordPrompt, keyName))
	pw, err := a.readPassword()
	fmt.Fprintln(a.stderr)
	if err != nil {
		return nil, fmt.Errorf("read password: %w", err)
	}
	if confirm && len(pw) > 0 {
		fmt.Fprint(a.stderr, a.msg(msgPasswordAgain))
		again, err := a.readPassword()
		fmt.Fprintln(a.stderr)
		if err != nil {
			return nil, fmt.Errorf("read password: %w", err)
		}
		if !bytes.Equal(pw, again) {
			return nil, userErr(msgErrPasswordsDiffer).usage()
		}
	}
	return pw, nil
}

// readPasswordFile returns the first line of a password file (without a
// CR before the newline).
func readPasswordFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, userErr(msgErrPasswordFileMissing, path).because(err).fix(hintPasswordFile).usage()
	}
	if err != nil {
		return nil, userErr(msgErrPasswordFileUnreadable, path, reasonArg(err)).because(err).fix(hintPasswordFile).usage()
	}
	defer f.Close()
	b, err := verify.ReadLimited(f, maxPasswordFile, "password file")
	if err != nil {
		return nil, userErr(msgUsagePasswordFile, path, cause{err: err}).because(err).fix(hintPasswordFile).usage()
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return bytes.TrimSuffix(b, []byte("\r")), nil
}

// loadPrivateKey reads and decrypts a private key file. A key made with
// --no-password opens with the empty password, which is tried when no
// password is given at all (and only then), with a note that such a key
// belongs on a test machine.
func (a *app) loadPrivateKey(path, passwordFile string) (*verify.PrivateKey, error) {
	if path == "" {
		return nil, userErr(msgErrKeyRequired).fix(hintKeyGenerate).usage()
	}
	b, err := readKeyFile(path, true)
	if err != nil {
		return nil, err
	}
	pw, err := a.password(passwordFile, path, false)
	if errors.Is(err, errNoPasswordSource) {
		if k, kerr := verify.ParsePrivateKey(b, nil); kerr == nil {
			fmt.Fprintln(a.stderr, a.msg(msgNoPasswordKey, path))
			return k, nil
		}
	}
	if err != nil {
		return nil, err
	}
	k, err := verify.ParsePrivateKey(b, pw)
	switch {
	case errors.Is(err, verify.ErrWrongPassword) && len(pw) == 0:
		return nil, userErr(msgErrWrongPassword, path).because(err).fix(hintEmptyPassword)
	case errors.Is(err, verify.ErrWrongPassword):
		return nil, userErr(msgErrWrongPassword, path).because(err).fix(hintPassword)
	case errors.Is(err, verify.ErrNotP256):
		return nil, userErr(msgErrNotP256, path).because(err)
	case err != nil && bytes.Contains(b, []byte("PUBLIC KEY")):
		return nil, userErr(msgErrPubAsKey, path).because(err).fix(hintPubAsKey)
	case err != nil:
		return nil, userErr(msgErrNotPrivateKey, path).because(err)
	}
	if len(pw) == 0 {
		fmt.Fprintln(a.stderr, a.msg(msgNoPasswordKey, path))
	}
	return k, nil
}

// loadPublicKeys reads trusted public key files.
func loadPublicKeys(paths []string) ([]*verify.PublicKey, error) {
	var keys []*verify.PublicKey
	for _, p := range paths {
		b, err := readKeyFile(p, false)
		if err != nil {
			return nil, err
		}
		k, err := verify.ParsePublicKey(b)
		switch {
		case errors.Is(err, verify.ErrNotP256):
			return nil, userErr(msgErrNotP256, p).because(err).usage()
		case err != nil && bytes.Contains(b, []byte("PRIVATE KEY")):
			return nil, userErr(msgErrKeyAsPub, p).because(err).fix(hintKeyAsPub).usage()
		case err != nil:
			return nil, userErr(msgErrNotPublicKey, p).because(err).usage()
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// readKeyFile reads a private (private) or public key file.
func readKeyFile(path string, private bool) ([]byte, error) {
	hint := hintPublicKeyMissing
	if private {
		hint = hintKeyGenerate
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, userErr(msgErrKeyFileMissing, path).because(err).fix(hint).usage()
		}
		return nil, userErr(msgErrKeyFileUnreadable, path, reasonArg(err)).because(err).usage()
	}
	defer f.Close()
	b, err := verify.ReadLimited(f, 64<<10, "key file "+path)
	var le *verify.LimitError
	switch {
	case errors.As(err, &le):
		return nil, userErr(msgUsageKeyTooLarge, path, le.Limit).because(err).fix(hint).usage()
	case err != nil:
		return nil, readLimitedError(err).usage()
	}
	return b, nil
}
