package publisher

import "golang.org/x/sys/unix"

// exchange atomically swaps two directories (renameat2 RENAME_EXCHANGE).
func exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}

// renameOverEmpty renames directory a onto the empty directory b
// atomically (os.Rename refuses an existing directory as destination).
func renameOverEmpty(a, b string) error {
	return unix.Rename(a, b)
}
