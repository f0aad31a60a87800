package allowlist

import (
	"fmt"
	"strings"
)

// FromV1 converts one v1-syntax allowed_http_hosts entry of a v2 manifest to the
// allowed_outbound_hosts entries it stands for (spin crates/manifest/src/compat.rs):
// host[:port] becomes http://host[:port] and https://host[:port], "self" becomes
// http://self, and AllowAll becomes http://*:*, https://*:* and http://self. An entry
// that is not valid v1 syntax, or whose host v2 syntax cannot name (v1 takes any host
// a URL may have, such as "!"), is an error naming it.
func FromV1(entry string) ([]string, error) {
	switch entry {
	case AllowAll:
		return []string{"http://*:*", "https://*:*", "http://self"}, nil
	case "self":
		return []string{"http://self"}, nil
	}
	h, err := parseV1Entry(entry)
	if err != nil {
		return nil, err
	}
	auth := h.host
	if strings.Contains(auth, ":") {
		auth = "[" + auth + "]"
	}
	if h.port != "" {
		auth += ":" + h.port
	}
	out := []string{"http://" + auth, "https://" + auth}
	if _, err := v2Entry(out[0]); err != nil {
		return nil, fmt.Errorf("allowed_http_hosts entry %q has no allowed_outbound_hosts equivalent: %v", entry, err)
	}
	return out, nil
}
