// The smallest useful Spin 1.x HTTP component in C: it answers every request with
// "hello" as text. It is the C side of the host's benchmarks (compare a native Go hello
// handler) and shows the least a component must do under the core-module ABI: export
// the allocator and handle-http-request, free the request it is given, return a
// response record whose strings and lists the host frees.
//
// Build: clang --target=wasm32-wasi -O2 -mexec-model=reactor -o hello.wasm hello.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

__attribute__((export_name("canonical_abi_realloc")))
void *canonical_abi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  if (new_size == 0) return (void *)align;
  void *p = realloc(ptr, new_size);
  if (p == NULL) abort();
  return p;
}

__attribute__((export_name("canonical_abi_free")))
void canonical_abi_free(void *ptr, size_t size, size_t align) {
  (void)align;
  if (size != 0) free(ptr);
}

typedef struct {
  char *name; uint32_t name_len;
  char *value; uint32_t value_len;
} pair;

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

static char *copy(const char *s, size_t n) {
  char *p = malloc(n);
  if (p == NULL) abort();
  memcpy(p, s, n);
  return p;
}

static void free_pairs(pair *ps, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    canonical_abi_free(ps[i].name, ps[i].name_len, 1);
    canonical_abi_free(ps[i].value, ps[i].value_len, 1);
  }
  canonical_abi_free(ps, n * sizeof(pair), 4);
}

__attribute__((export_name("handle-http-request")))
void *handle_http_request(uint32_t method, char *uri, uint32_t uri_len, pair *headers,
                          uint32_t headers_len, pair *params, uint32_t params_len,
                          uint32_t body_is_some, char *body, uint32_t body_len) {
  (void)method;
  free_pairs(headers, headers_len);
  free_pairs(params, params_len);
  canonical_abi_free(uri, uri_len, 1);
  if (body_is_some) canonical_abi_free(body, body_len, 1);

  pair *h = malloc(sizeof(pair));
  if (h == NULL) abort();
  h->name = copy("content-type", 12);
  h->name_len = 12;
  h->value = copy("text/plain", 10);
  h->value_len = 10;
  memset(&response, 0, sizeof response);
  response.status = 200;
  response.headers_is_some = 1;
  response.headers = h;
  response.headers_len = 1;
  response.body_is_some = 1;
  response.body = copy("hello\n", 6);
  response.body_len = 6;
  return &response;
}
