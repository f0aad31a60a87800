// Command counter counts its requests with outbound-redis INCR. The address comes from
// the config key redis_address: "" is the host's embedded store, so the example runs
// without a Redis server.
package main

import (
	"fmt"
	"net/http"

	"wasmsite/functions/sdk/config"
	"wasmsite/functions/sdk/redis"
	"wasmsite/functions/sdk/spinhttp"
)

func init() {
	spinhttp.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := redis.Incr(config.GetDefault("redis_address", ""), "counter:hits")
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "%d\n", n)
	})
}

func main() {}
