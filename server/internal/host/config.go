package host

import (
	"context"
	"fmt"

	"github.com/tetratelabs/wazero/api"

	"wasmsite/functions/sdk/spin"
)

// configFuncs is spin-config (wit/ephemeral/spin-config.wit): get-config(key ptr/len,
// retptr), answering from the scope's config values; result area spin.Config*.
func (h *Host) configFuncs() []hostFunc {
	return []hostFunc{{name: "get-config", params: 3, fn: func(ctx context.Context, mod api.Module, s []uint64) {
		sc, g := enter(ctx, mod)
		key := str(g, s[0], s[1])
		area := must2(g.Area(uint32(s[2]), spin.ConfigResultSize, spin.ConfigResultAlign))
		val, tag, failed := configValue(sc, key)
		p := must2(g.PutString(ctx, val))
		if failed {
			area.U8(spin.ResultIsErr, 1)
			area.U8(spin.ConfigErrorTag, uint8(tag))
			area.U32(spin.ConfigErrorMsgPtr, p)
			area.U32(spin.ConfigErrorMsgLen, uint32(len(val)))
		} else {
			area.U32(spin.ConfigValuePtr, p)
			area.U32(spin.ConfigValueLen, uint32(len(val)))
		}
		must(area.Flush())
	}}}
}

// configValue returns key's value, or the error case and its message.
func configValue(sc *Scope, key string) (val string, tag spin.ConfigError, failed bool) {
	if err := spin.ValidateKey(key); err != nil {
		return fmt.Sprintf("invalid key %q: %v", key, err), spin.ConfigInvalidKey, true
	}
	if v, ok := sc.Caps.Config[key]; ok {
		return v, 0, false
	}
	return fmt.Sprintf("no config for %q in component %q", key, sc.Caps.ComponentID), spin.ConfigOther, true
}
