package storetest

import (
	"bytes"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
)

const envTmpfs = "PATCHFERRY_TEST_TMPFS"

// SmallDisk runs the calling test on a real small disk: the test binary
// runs that test again in a child process, in a mount namespace of its own
// (unshare) in which a tmpfs of size bytes is mounted on a new directory;
// the parent reports the child's result and gets "": the test must return
// then. In the child, SmallDisk returns that directory and the test goes
// on. It needs Linux and the right to
// create a mount namespace (root, or user namespaces); without them the
// test is skipped, or fails when $CI is set.
func SmallDisk(t *testing.T, size int64) string {
	t.Helper()
	if dir := os.Getenv(envTmpfs); dir != "" {
		return dir
	}
	if runtime.GOOS != "linux" {
		t.Skip("a tmpfs in a mount namespace needs Linux")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		missing(t, "unshare (util-linux) is not installed")
	}
	dir := t.TempDir()
	flags := "-m"
	if os.Geteuid() != 0 {
		flags = "-rm" // a user namespace gives the right to mount
	}
	// The probe: can this machine mount a tmpfs in a namespace?
	if out, err := exec.Command(unshare, flags, "sh", "-c", `mount -t tmpfs -o size=64k patchferry-probe "$0"`, dir).CombinedOutput(); err != nil {
		missing(t, "cannot mount a tmpfs in a mount namespace: "+string(out))
	}
	cmd := exec.Command(unshare, flags, "sh", "-c", `mount -t tmpfs -o size="$1" patchferry-test "$2" && shift 2 && exec "$@"`, "sh",
		strconv.FormatInt(size, 10), dir, os.Args[0], "-test.run=^"+t.Name()+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), envTmpfs+"="+dir)
	out, err := cmd.CombinedOutput()
	t.Logf("on a %d-byte tmpfs in a child process:\n%s", size, out)
	if err != nil {
		t.Fatalf("the test failed on the small disk: %v", err)
	}
	if !bytes.Contains(out, []byte("--- PASS: "+t.Name())) {
		t.Fatal("the child process did not run and pass the test")
	}
	return ""
}

func missing(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}
