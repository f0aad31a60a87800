// Package config reads the site settings file, site.toml.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
)

// Config holds the site settings read from site.toml.
type Config struct {
	Title       string `toml:"title"`
	Author      string `toml:"author"`
	BaseURL     string `toml:"base_url"`
	Description string `toml:"description"`
	Language    string `toml:"language"`
	// Paginate is the number of posts per home page.
	Paginate int `toml:"paginate"`
	// FeedLimit is the number of newest posts in feed.xml and atom.xml.
	FeedLimit int `toml:"feed_limit"`
	// TemplatesDir overrides theme templates; relative paths are resolved
	// against the directory holding the content directory.
	TemplatesDir string `toml:"templates_dir"`
	// Extra holds free-form values reachable from templates as .Site.Extra.
	Extra map[string]any `toml:"extra"`
}

// Default returns the settings used when site.toml is absent or leaves a
// field empty.
func Default() Config {
	return Config{
		Title:     "wasmsite",
		BaseURL:   "http://127.0.0.1:3000",
		Language:  "en",
		Paginate:  10,
		FeedLimit: 20,
	}
}

// Load reads the settings file at path; a missing file yields Default(). An
// unknown setting or a TOML error is reported as "path:line:col: message".
// Empty or non-positive fields get their defaults, and BaseURL loses its
// trailing slashes.
func Load(path string) (Config, error) {
	c := Default()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	dec := toml.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return c, fmt.Errorf("%s:%d:%d: %s", path, row, col, de.Error())
		}
		var sm *toml.StrictMissingError
		if errors.As(err, &sm) && len(sm.Errors) > 0 {
			row, col := sm.Errors[0].Position()
			return c, fmt.Errorf("%s:%d:%d: unknown setting %q", path, row, col, strings.Join(sm.Errors[0].Key(), "."))
		}
		return c, fmt.Errorf("%s:1:1: %v", path, err)
	}
	c.normalize()
	return c, nil
}

// normalize fills in defaults and trims BaseURL as Load documents.
func (c *Config) normalize() {
	d := Default()
	if c.Paginate <= 0 {
		c.Paginate = d.Paginate
	}
	if c.FeedLimit <= 0 {
		c.FeedLimit = d.FeedLimit
	}
	if c.Language == "" {
		c.Language = d.Language
	}
	if c.BaseURL == "" {
		c.BaseURL = d.BaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
}
