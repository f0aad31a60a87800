// Command hello greets: the greeting comes from the component config key "greeting"
// (spin-config), the name from the path below the route, and the footer from a file the
// manifest maps into the guest (/data/motd.txt).
package main

import (
	"fmt"
	"net/http"
	"os"
	"strings"

	"wasmsite/functions/sdk/config"
	"wasmsite/functions/sdk/spinhttp"
)

func init() {
	spinhttp.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		greeting := config.GetDefault("greeting", "Hello")
		name := strings.Trim(spinhttp.PathInfo(r), "/")
		if name == "" {
			name = "world"
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Component", r.Header.Get(spinhttp.HeaderComponentRoute))
		fmt.Fprintf(w, "%s, %s!\n", greeting, name)
		if motd, err := os.ReadFile("/data/motd.txt"); err == nil {
			w.Write(motd)
		}
	})
}

func main() {}
