package likes

import (
	"fmt"

	"wasmsite/functions/sdk/redis"
)

// A script is a Lua script the handler runs with EVAL when its store is a real Redis
// (Handler.Scripts): each does in one round trip what the handler otherwise does with
// three commands or more, with the same effects, and atomically. Every key a script
// touches is passed in KEYS. Its reply is a flat list of integers, as outbound-redis
// hands it over (Spin 1.x flattens nested replies). What a script cannot settle (the
// sitemap not cached, or a page not in it) it leaves to the handler's command path.
type script struct {
	name string // in errors
	src  string
}

// fail is a failure of s's EVAL, a store error.
func (s *script) fail(err error) error { return storeErr("EVAL "+s.name, err) }

// run evaluates s with keys and args and returns its reply's integers.
func (s *script) run(st Store, keys []string, args ...any) ([]int64, error) {
	params := make([]any, 0, 2+len(keys)+len(args))
	params = append(params, s.src, int64(len(keys)))
	for _, k := range keys {
		params = append(params, k)
	}
	params = append(params, args...)
	res, err := st.Execute("EVAL", params...)
	if err != nil {
		return nil, s.fail(err)
	}
	out := make([]int64, len(res))
	for i, r := range res {
		if r.Kind != redis.KindInt64 {
			return nil, s.fail(fmt.Errorf("reply %d is %v, not an integer", i, r))
		}
		out[i] = r.Int64
	}
	return out, nil
}

// statesScript answers a GET: KEYS[1] is the cached sitemap, KEYS[1+i] the i-th page's
// set of readers; ARGV[1] is the reader ("" for none), ARGV[1+i] the i-th page. When the
// sitemap is cached and lists every page it replies count, liked (1 or 0) for each
// page; otherwise nothing.
var statesScript = &script{name: "states", src: `
local known = redis.call('SMISMEMBER', KEYS[1], '` + sitemapPresent + `', unpack(ARGV, 2))
for _, k in ipairs(known) do
  if k ~= 1 then return {} end
end
local out = {}
for i = 2, #KEYS do
  out[#out + 1] = redis.call('SCARD', KEYS[i])
  local liked = 0
  if ARGV[1] ~= '' then liked = redis.call('SISMEMBER', KEYS[i], ARGV[1]) end
  out[#out + 1] = liked
end
return out
`}

// changeScript counts a change against its rate limits, then likes, unlikes or toggles
// a page. KEYS[1] is the cached sitemap, KEYS[2] the page's set of readers, KEYS[3...]
// the rate-limit counters; ARGV[1] is the page, ARGV[2] the reader ("" only for unlike,
// which then changes nothing), ARGV[3] the action (like, unlike, toggle), ARGV[4] "1"
// to check the sitemap, ARGV[5] a new counter's lifetime in seconds, and ARGV[5+i] the
// limit of KEYS[2+i]. It replies the counts it made, stopping after the first counter
// over its limit; then, when the check is off or the cached sitemap lists the page, it
// applies the action and adds liked (1 or 0) and the page's count.
var changeScript = &script{name: "change", src: `
local out = {}
for i = 3, #KEYS do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('EXPIRE', KEYS[i], ARGV[5]) end
  out[#out + 1] = n
  if n > tonumber(ARGV[3 + i]) then return out end
end
if ARGV[4] == '1' then
  local known = redis.call('SMISMEMBER', KEYS[1], '` + sitemapPresent + `', ARGV[1])
  if known[1] ~= 1 or known[2] ~= 1 then return out end
end
local action = ARGV[3]
if action == 'toggle' then
  action = 'like'
  if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 1 then action = 'unlike' end
end
local liked = 0
if action == 'like' then
  redis.call('SADD', KEYS[2], ARGV[2])
  liked = 1
elseif ARGV[2] ~= '' then
  redis.call('SREM', KEYS[2], ARGV[2])
end
out[#out + 1] = liked
out[#out + 1] = redis.call('SCARD', KEYS[2])
return out
`}
