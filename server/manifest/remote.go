package manifest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// RemoteSource is a component's `source = { url = "...", digest = "sha256:..." }`.
type RemoteSource struct {
	URL string
	// Digest is "sha256:" and the 64 lowercase hex digits of the module's SHA-256.
	Digest string
}

// Remote sources are never downloaded: the host has no network for it. The module must
// already be in the download cache, laid out as Spin lays it out (spin@v2.7.0 and
// spin@v3.1.2 crates/loader/src/cache.rs): <cache dir>/registry/wasm/<digest>, else
// <cache dir>/registry/data/<digest>, where the cache dir is `spin up --cache-dir` or
// <user cache dir>/spin (Rust's dirs::cache_dir, which Go's os.UserCacheDir matches) and
// <digest> is "sha256:<hex>" (":" becomes "_" on Windows). So a module `spin up`
// downloaded once is found here too.

// DefaultCacheDir is Spin's default cache dir: <user cache dir>/spin, that is
// $XDG_CACHE_HOME/spin or ~/.cache/spin on Linux and ~/Library/Caches/spin on macOS. It
// returns an error when the user cache dir is unknown (neither $XDG_CACHE_HOME nor $HOME).
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "spin"), nil
}

// CachedSourcePath is where the module with digest is expected under cacheDir:
// <cacheDir>/registry/wasm/<digest> (Spin's Cache::wasm_path).
func CachedSourcePath(cacheDir, digest string) string {
	return cachePath(cacheDir, "wasm", digest)
}

func cachePath(cacheDir, kind, digest string) string {
	name := digest
	if runtime.GOOS == "windows" {
		name = strings.ReplaceAll(name, ":", "_")
	}
	return filepath.Join(cacheDir, "registry", kind, name)
}

// parseRemoteSource reads a `source` table: { url, digest } (registry sources are
// refused: they need the network to be resolved).
func parseRemoteSource(t map[string]any) (*RemoteSource, error) {
	if _, ok := t["package"]; ok || t["registry"] != nil {
		return nil, errors.New("registry sources ({ registry, package, version }) are not supported; use a file path, or { url, digest } with the module in the download cache")
	}
	if err := onlyKeys(t, "url", "digest"); err != nil {
		return nil, fmt.Errorf("source: %v (expected a file path, or { url, digest })", err)
	}
	url, err := tableString(t, "url", true)
	if err != nil {
		return nil, fmt.Errorf("source: %v", err)
	}
	digest, err := tableString(t, "digest", true)
	if err != nil {
		return nil, fmt.Errorf("source: %v", err)
	}
	if !validDigest(digest) {
		return nil, fmt.Errorf(`source: digest %q: expected "sha256:" and 64 lowercase hex digits`, digest)
	}
	return &RemoteSource{URL: url, Digest: digest}, nil
}

func validDigest(d string) bool {
	hexPart, ok := strings.CutPrefix(d, "sha256:")
	if !ok || len(hexPart) != 64 {
		return false
	}
	for i := 0; i < len(hexPart); i++ {
		if c := hexPart[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// cachedSource returns the cached file of a remote source under cacheDir, checked
// against its digest. The error names the URL, the digest and where to put the file
// when it is missing, or the file when it does not match or cannot be read.
func cachedSource(cacheDir string, r *RemoteSource) (string, error) {
	for _, kind := range []string{"wasm", "data"} {
		p := cachePath(cacheDir, kind, r.Digest)
		sum, err := fileSHA256(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("source %s: cached file: %w", r.URL, err)
		}
		if sum != r.Digest {
			return "", fmt.Errorf("source %s: cached file %s does not match digest %s (the file's digest is %s): delete it and download the module again", r.URL, p, r.Digest, sum)
		}
		return p, nil
	}
	want := CachedSourcePath(cacheDir, r.Digest)
	return "", fmt.Errorf("source %s (digest %s) is not in the download cache, and this host does not download: save the module as %s (e.g. curl -fL --create-dirs -o '%s' '%s')",
		r.URL, r.Digest, want, want, r.URL)
}

// fileSHA256 is "sha256:<hex>" of the file at p.
func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
