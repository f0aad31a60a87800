// Package disk reads and writes the generator's files with as few system
// calls as the platform allows, and steers the kernel's page cache: Prefetch
// has it read files ahead of their use, Evict makes it forget them (for
// measuring first builds).
package disk

// Stamp identifies a version of a file: its size in bytes and its
// modification time in ns since the Unix epoch.
type Stamp struct{ Size, Mtime int64 }
