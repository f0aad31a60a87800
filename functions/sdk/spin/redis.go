package spin

// RedisError is outbound-redis's only error case, error::error (the enum's success = 0
// is never sent), also what handle-redis-message returns for a failed message.
const RedisError = 1

// Result areas of outbound-redis (wit/ephemeral/outbound-redis.wit), by payload type.
const (
	// expected<unit, error> (publish, set; the result of handle-redis-message):
	// 2 bytes, align 1; err holds the error (u8) at RedisUnitError.
	RedisUnitSize  = 2
	RedisUnitAlign = 1
	RedisUnitError = 1

	// expected<s64, error> (incr, del, sadd, srem): 16 bytes, align 8; ok holds the
	// s64, err the error (u8), both at RedisS64Value.
	RedisS64Size  = 16
	RedisS64Align = 8
	RedisS64Value = 8

	// expected<list, error> (get: list<u8>; smembers: list<string>; execute:
	// list<redis-result>): 12 bytes, align 4; ok holds pointer and length, err the
	// error (u8) at RedisListError.
	RedisListSize  = 12
	RedisListAlign = 4
	RedisListPtr   = 4
	RedisListLen   = 8
	RedisListError = 4
)

// List element of list<redis-parameter> and list<redis-result>: 16 bytes, align 8; a
// tag (u8) and an s64 at RedisValueInt64, or a list<u8> (binary) or string (status) at
// RedisValuePtr and RedisValueLen.
const (
	RedisValueSize  = 16
	RedisValueAlign = 8
	RedisValueTag   = 0
	RedisValueInt64 = 8
	RedisValuePtr   = 8
	RedisValueLen   = 12
)

// redis-parameter tags.
const (
	RedisParamInt64  = 0
	RedisParamBinary = 1
)

// redis-result tags.
const (
	RedisResultNil    = 0
	RedisResultStatus = 1
	RedisResultInt64  = 2
	RedisResultBinary = 3
)
