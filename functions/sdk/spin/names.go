package spin

// Import module names of the host interfaces (wit/ephemeral/*.wit world names).
const (
	ModuleOutboundHTTP  = "wasi-outbound-http"
	ModuleOutboundRedis = "outbound-redis"
	ModuleConfig        = "spin-config"
	ModuleKeyValue      = "key-value"
)

// Exports of a guest: its memory and allocator (required of every Spin 1.x guest) and
// its handlers (spin-http.wit, spin-redis.wit).
const (
	ExportMemory       = "memory"
	ExportRealloc      = "canonical_abi_realloc" // (old ptr, old len, align, new len) -> ptr
	ExportFree         = "canonical_abi_free"    // (ptr, len, align)
	ExportHTTPHandler  = "handle-http-request"
	ExportRedisHandler = "handle-redis-message"
)
