package main

import (
	"strconv"
	"strings"

	"wasmsite/functions/sdk/spinhttp/wire"
)

// acceptsGzip parses the request's Accept-Encoding lines (with q-values) for gzip.
func acceptsGzip(r *wire.Request) bool {
	gz, star := -1.0, -1.0
	r.Values("accept-encoding", func(line string) {
		for item := range strings.SplitSeq(line, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(item), ";")
			q := 1.0
			if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil {
					f = 0
				}
				q = f
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gz = q
			case "*":
				star = q
			}
		}
	})
	if gz >= 0 {
		return gz > 0
	}
	return star > 0
}

// etagMatch implements If-None-Match (weak comparison, lists and "*").
func etagMatch(header, tag string) bool {
	for item := range strings.SplitSeq(header, ",") {
		item = strings.TrimPrefix(strings.TrimSpace(item), "W/")
		if item == "*" || item == tag {
			return true
		}
	}
	return false
}
