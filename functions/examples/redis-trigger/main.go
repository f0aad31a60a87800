// Command redis-trigger is the Redis trigger example component: the host subscribes
// to the channel in spin.toml and calls this component's handle-redis-message export
// with every message PUBLISHed there.
//
// For each message it prints a line to stdout (the host writes it to
// .spin/logs/<component>_stdout.txt) and, through outbound-redis, appends the message
// to the list "messages" and stores it under "last-message" on the Redis server named
// by its config key redis_address. A message "fail" is rejected (the host logs the error).
package main

import (
	"errors"
	"fmt"

	"wasmsite/functions/sdk/config"
	"wasmsite/functions/sdk/redis"
	"wasmsite/functions/sdk/redistrigger"
)

func init() {
	redistrigger.Handle(handle)
}

func main() {}

func handle(payload []byte) error {
	if string(payload) == "fail" {
		return errors.New("message rejected")
	}
	fmt.Printf("received %q\n", payload)
	addr, err := config.Get("redis_address")
	if err != nil {
		return err
	}
	if _, err := redis.Execute(addr, "RPUSH", "messages", payload); err != nil {
		return err
	}
	return redis.Set(addr, "last-message", payload)
}
