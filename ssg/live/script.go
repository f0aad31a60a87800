package live

import (
	_ "embed"
	"fmt"
	"html"
	"net"
)

// ScriptPath is where the live-reload script is published in the site.
const ScriptPath = "assets/live.js"

// Script is the live-reload script (see package doc).
//
//go:embed live.js
var Script []byte

// Snippet returns the HTML inserted in every page of a site in development
// mode: the script's tag, telling it the port of the Server's address addr
// (host:port). The script connects to that port on the host the page was
// loaded from.
func Snippet(addr string) (string, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("live reload address %q: %w", addr, err)
	}
	return `<script src="/` + ScriptPath + `" data-port="` + html.EscapeString(port) + `" defer></script>` + "\n", nil
}
