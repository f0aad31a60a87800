// bad.c is a deliberately misbehaving Spin HTTP component for the conformance tests.
// The request path (below /bad) picks the misbehaviour; /bad/ok answers 200 "ok".
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

__attribute__((export_name("canonical_abi_realloc")))
void *canonical_abi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  if (new_size == 0) return (void *)align;
  if (new_size == 12345) return (void *)0xfffffff0u; // a request body of 12345 bytes: a bad allocation
  void *p = realloc(ptr, new_size);
  if (p == NULL) abort();
  return p;
}

__attribute__((export_name("canonical_abi_free")))
void canonical_abi_free(void *ptr, size_t size, size_t align) {
  (void)align;
  if (size != 0) free(ptr);
}

__attribute__((import_module("spin-config"), import_name("get-config")))
extern void spin_config_get(uint32_t key, uint32_t key_len, uint32_t ret);
__attribute__((import_module("key-value"), import_name("open")))
extern void kv_open(uint32_t name, uint32_t name_len, uint32_t ret);
__attribute__((import_module("key-value"), import_name("set")))
extern void kv_set(uint32_t store, uint32_t key, uint32_t key_len, uint32_t val, uint32_t val_len, uint32_t ret);
__attribute__((import_module("outbound-redis"), import_name("get")))
extern void redis_get(uint32_t addr, uint32_t addr_len, uint32_t key, uint32_t key_len, uint32_t ret);
__attribute__((import_module("outbound-redis"), import_name("execute")))
extern void redis_execute(uint32_t addr, uint32_t addr_len, uint32_t cmd, uint32_t cmd_len, uint32_t args, uint32_t args_len, uint32_t ret);
__attribute__((import_module("wasi-outbound-http"), import_name("request")))
extern void http_request(uint32_t method, uint32_t uri, uint32_t uri_len, uint32_t h, uint32_t h_len,
                         uint32_t p, uint32_t p_len, uint32_t body_tag, uint32_t body, uint32_t body_len, uint32_t ret);

typedef struct {
  const char *name; uint32_t name_len;
  const char *value; uint32_t value_len;
} pair;

static struct {
  uint16_t status;
  uint8_t _p0[2];
  uint8_t headers_is_some;
  uint8_t _p1[3];
  uint32_t headers;
  uint32_t headers_len;
  uint8_t body_is_some;
  uint8_t _p2[3];
  uint32_t body;
  uint32_t body_len;
} response;

static _Alignas(8) uint8_t area[64];
static _Alignas(8) uint8_t params[16];

#define OOB 0xfffffff0u
#define P(x) ((uint32_t)(uintptr_t)(x))

static int is(const char *uri, uint32_t n, const char *want) {
  size_t w = strlen(want);
  return n >= w && memcmp(uri, want, w) == 0 && (n == w || uri[w] == '?');
}

static void *ok_response(const char *text) {
  size_t n = strlen(text);
  char *b = malloc(n);
  memcpy(b, text, n);
  memset(&response, 0, sizeof response);
  response.status = 200;
  response.body_is_some = 1;
  response.body = P(b);
  response.body_len = n;
  return &response;
}

__attribute__((export_name("handle-http-request")))
void *handle_http_request(uint32_t method, char *uri, uint32_t uri_len, pair *headers,
                          uint32_t headers_len, pair *ps, uint32_t ps_len,
                          uint32_t body_is_some, char *body, uint32_t body_len) {
  (void)method; (void)headers; (void)headers_len; (void)ps; (void)ps_len;
  (void)body_is_some; (void)body; (void)body_len;
  static const char bad_utf8[] = "\xff\xfe\xfd";
  if (is(uri, uri_len, "/bad/ok")) return ok_response("ok");
  if (is(uri, uri_len, "/bad/static")) {
    static int calls;      // fresh instance per request: always 1
    static char *leak;     // and memory grown by one request is not seen by the next
    if (leak == NULL) leak = malloc(8 << 20);
    calls++;
    return ok_response(calls == 1 ? "1" : "more than 1");
  }
  if (is(uri, uri_len, "/bad/oob-response")) return (void *)OOB;
  if (is(uri, uri_len, "/bad/oob-body")) {
    ok_response("x");
    response.body = OOB;
    response.body_len = 64;
    return &response;
  }
  if (is(uri, uri_len, "/bad/huge-body")) {
    ok_response("x");
    response.body_len = 0x7fffffff;
    return &response;
  }
  if (is(uri, uri_len, "/bad/huge-headers")) {
    ok_response("x");
    response.headers_is_some = 1;
    response.headers = P(area);
    response.headers_len = 0x10000000;
    return &response;
  }
  if (is(uri, uri_len, "/bad/utf8-header")) {
    pair *h = malloc(sizeof(pair));
    char *name = malloc(3), *value = malloc(1);
    memcpy(name, bad_utf8, 3);
    value[0] = 'v';
    h->name = name; h->name_len = 3; h->value = value; h->value_len = 1;
    ok_response("x");
    response.headers_is_some = 1;
    response.headers = P(h);
    response.headers_len = 1;
    return &response;
  }
  if (is(uri, uri_len, "/bad/bad-tag")) {
    ok_response("x");
    response.body_is_some = 7;
    return &response;
  }
  if (is(uri, uri_len, "/bad/status-0")) {
    ok_response("x");
    response.status = 0;
    return &response;
  }
  if (is(uri, uri_len, "/bad/loop")) {
    volatile uint32_t n = 0;
    for (;;) n++;
  }
  if (is(uri, uri_len, "/bad/trap")) __builtin_trap();
  if (is(uri, uri_len, "/bad/config-oob-key")) spin_config_get(OOB, 64, P(area));
  if (is(uri, uri_len, "/bad/config-utf8-key")) spin_config_get(P(bad_utf8), 3, P(area));
  if (is(uri, uri_len, "/bad/config-oob-ret")) spin_config_get(P("greeting"), 8, OOB);
  if (is(uri, uri_len, "/bad/config-huge-key")) spin_config_get(P(area), 0x7fffffff, P(area));
  if (is(uri, uri_len, "/bad/kv-huge-value")) {
    kv_open(P("default"), 7, P(area));
    kv_set(*(uint32_t *)(area + 4), P("k"), 1, P(area), 0x7fffffff, P(area));
  }
  if (is(uri, uri_len, "/bad/redis-oob-addr")) redis_get(OOB, 16, P("k"), 1, P(area));
  if (is(uri, uri_len, "/bad/redis-bad-param")) {
    params[0] = 9; // not a redis-parameter discriminant
    redis_execute(0, 0, P("PING"), 4, P(params), 1, P(area));
  }
  if (is(uri, uri_len, "/bad/http-bad-method"))
    http_request(99, P("http://127.0.0.1/"), 17, 0, 0, 0, 0, 0, 0, 0, P(area));
  if (is(uri, uri_len, "/bad/http-utf8-uri"))
    http_request(0, P(bad_utf8), 3, 0, 0, 0, 0, 0, 0, 0, P(area));
  // Reaching here means the host returned from a call it should have refused.
  return ok_response("host accepted a bad call");
}
