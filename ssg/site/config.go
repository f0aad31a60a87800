package site

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

// DefaultConfig returns the settings used when site.toml is absent or
// leaves a field empty.
func DefaultConfig() Config {
	return Config{
		Title:     "wasmsite",
		BaseURL:   "http://127.0.0.1:3000",
		Language:  "en",
		Paginate:  10,
		FeedLimit: 20,
	}
}

// LoadConfig reads a site.toml file. A missing file yields the defaults.
func LoadConfig(path string) (Config, error) {
	c := DefaultConfig()
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

func (c *Config) normalize() {
	d := DefaultConfig()
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
