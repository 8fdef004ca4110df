//go:build unix

package handoff

import (
	"os"
	"syscall"
)

// lock holds an exclusive lock on directory dir until unlock: steps that
// share a workspace, even from containers of their own, share its kernel
// locks. A file system that cannot lock (some FUSE and network mounts) leaves
// the file unlocked, as it was before there was a lock, rather than fail the
// step.
func lock(dir string) (unlock func(), err error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX); err != nil {
		d.Close()
		return func() {}, nil
	}
	return func() { d.Close() }, nil // closing releases the lock
}
