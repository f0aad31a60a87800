// A Spin 1.x HTTP component written by hand in C: no bindings generator, only the
// core-module ABI (wit-bindgen 0.2 layout) that Spin 1.x hosts speak.
//
// Exports: handle-http-request, canonical_abi_realloc, canonical_abi_free.
// Imports: spin-config.get-config (the "greeting" config key) and key-value
// open/get/set/close (a hit counter in the "default" store).
//
// Build: clang --target=wasm32-wasi -O2 -mexec-model=reactor -o http.wasm http.c
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// ---- allocator exports: the host allocates arguments and results through these ----

__attribute__((export_name("canonical_abi_realloc")))
void *canonical_abi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  if (new_size == 0) return (void *)align; // a non-null, aligned "dangling" pointer
  void *p = realloc(ptr, new_size);        // malloc aligns to 16, enough for the ABI
  if (p == NULL) abort();
  return p;
}

__attribute__((export_name("canonical_abi_free")))
void canonical_abi_free(void *ptr, size_t size, size_t align) {
  (void)align;
  if (size != 0) free(ptr);
}

// ---- imports ----

__attribute__((import_module("spin-config"), import_name("get-config")))
extern void spin_config_get(const char *key, size_t key_len, void *ret);

__attribute__((import_module("key-value"), import_name("open")))
extern void kv_open(const char *name, size_t name_len, void *ret);
__attribute__((import_module("key-value"), import_name("get")))
extern void kv_get(uint32_t store, const char *key, size_t key_len, void *ret);
__attribute__((import_module("key-value"), import_name("set")))
extern void kv_set(uint32_t store, const char *key, size_t key_len, const void *val, size_t val_len, void *ret);
__attribute__((import_module("key-value"), import_name("close")))
extern void kv_close(uint32_t store);

// Result areas of the imports: 16 bytes, align 4. +0 is_err; ok payload at +4;
// errors: variant tag at +4, a string payload (if any) at +8/+12.
typedef struct {
  uint8_t is_err;
  uint8_t _pad[3];
  uint32_t a; // ok: string ptr / handle / list ptr;  err: tag
  uint32_t b; // ok: string len / list len;           err: string ptr
  uint32_t c; //                                       err: string len
} ret16;

// ---- a growable buffer ----

typedef struct {
  char *p;
  size_t n, cap;
} buf;

static void put(buf *b, const char *s, size_t n) {
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2 + 64;
    b->p = realloc(b->p, b->cap);
    if (b->p == NULL) abort();
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
}
static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static char *dup_n(const char *s, size_t n) {
  char *p = malloc(n ? n : 1);
  if (p == NULL) abort();
  memcpy(p, s, n);
  return p;
}

// ---- the request record ----

typedef struct {
  const char *name; uint32_t name_len;
  const char *value; uint32_t value_len;
} pair; // 16 bytes, align 4: list<tuple<string,string>> element

static const char *METHODS[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"};

// The response record: 28 bytes, align 4.
static struct {
  uint16_t status;
  uint8_t _p0[2];
  uint8_t headers_is_some;
  uint8_t _p1[3];
  pair *headers;
  uint32_t headers_len;
  uint8_t body_is_some;
  uint8_t _p2[3];
  char *body;
  uint32_t body_len;
} response;

_Static_assert(sizeof(response) == 28, "response record is 28 bytes");
_Static_assert(sizeof(pair) == 16, "header element is 16 bytes");

static void set_header(pair *h, const char *name, const char *value, size_t value_len) {
  h->name = dup_n(name, strlen(name));
  h->name_len = strlen(name);
  h->value = dup_n(value, value_len);
  h->value_len = value_len;
}

// hits increments the counter "c-hits" in the default store and returns it (or -1).
static long hits(void) {
  ret16 r = {0};
  kv_open("default", 7, &r);
  if (r.is_err) return -1 - (long)r.a; // -1 - error tag
  uint32_t store = r.a;
  long n = 0;
  ret16 g = {0};
  kv_get(store, "c-hits", 6, &g);
  if (!g.is_err) {
    char tmp[32] = {0};
    memcpy(tmp, (char *)g.a, g.b < 31 ? g.b : 31);
    n = atol(tmp);
    canonical_abi_free((void *)g.a, g.b, 1); // the value is ours now
  }
  n++;
  char val[32];
  int len = snprintf(val, sizeof val, "%ld", n);
  ret16 s = {0};
  kv_set(store, "c-hits", 6, val, (size_t)len, &s);
  kv_close(store);
  return s.is_err ? -100 : n;
}

__attribute__((export_name("handle-http-request")))
void *handle_http_request(uint32_t method, char *uri, uint32_t uri_len, pair *headers,
                          uint32_t headers_len, pair *params, uint32_t params_len,
                          uint32_t body_is_some, char *body, uint32_t body_len) {
  buf out = {0};
  char line[256];
  puts_(&out, "hello from C\n");
  snprintf(line, sizeof line, "method: %s\n", method < 7 ? METHODS[method] : "?");
  puts_(&out, line);
  puts_(&out, "uri: ");
  put(&out, uri, uri_len);
  puts_(&out, "\n");
  for (uint32_t i = 0; i < headers_len; i++) {
    if (headers[i].name_len == 14 && memcmp(headers[i].name, "spin-path-info", 14) == 0) {
      puts_(&out, "path-info: ");
      put(&out, headers[i].value, headers[i].value_len);
      puts_(&out, "\n");
    }
  }
  ret16 cfg = {0};
  spin_config_get("greeting", 8, &cfg);
  if (cfg.is_err) {
    snprintf(line, sizeof line, "greeting: error %u\n", cfg.a);
    puts_(&out, line);
    canonical_abi_free((void *)cfg.b, cfg.c, 1);
  } else {
    puts_(&out, "greeting: ");
    put(&out, (char *)cfg.a, cfg.b);
    puts_(&out, "\n");
    canonical_abi_free((void *)cfg.a, cfg.b, 1);
  }
  long n = hits();
  snprintf(line, sizeof line, "hits: %ld\n", n);
  puts_(&out, line);
  snprintf(line, sizeof line, "body: %u bytes\n", body_is_some ? body_len : 0);
  puts_(&out, line);
  if (body_is_some) put(&out, body, body_len);

  // The request's strings and lists were allocated for us: free them.
  for (uint32_t i = 0; i < headers_len; i++) {
    canonical_abi_free((void *)headers[i].name, headers[i].name_len, 1);
    canonical_abi_free((void *)headers[i].value, headers[i].value_len, 1);
  }
  canonical_abi_free(headers, headers_len * sizeof(pair), 4);
  for (uint32_t i = 0; i < params_len; i++) {
    canonical_abi_free((void *)params[i].name, params[i].name_len, 1);
    canonical_abi_free((void *)params[i].value, params[i].value_len, 1);
  }
  canonical_abi_free(params, params_len * sizeof(pair), 4);
  canonical_abi_free(uri, uri_len, 1);
  if (body_is_some) canonical_abi_free(body, body_len, 1);

  // The response's strings and lists are freed by the host after it has read them.
  pair *hs = malloc(2 * sizeof(pair));
  set_header(&hs[0], "content-type", "text/plain; charset=utf-8", 25);
  snprintf(line, sizeof line, "%ld", n);
  set_header(&hs[1], "x-c-hits", line, strlen(line));
  memset(&response, 0, sizeof response);
  response.status = 200;
  response.headers_is_some = 1;
  response.headers = hs;
  response.headers_len = 2;
  response.body_is_some = 1;
  response.body = out.p;
  response.body_len = out.n;
  return &response;
}
