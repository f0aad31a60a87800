// A Spin HTTP component that changes everything a request can change in its instance
// and reports what it found first: a counter in static data, an initialised buffer, a
// heap block kept in a static pointer, the stack (a deep recursion), and the memory
// size (grown by 3 pages on /grow). Every request on a host that gives each request a
// fresh instance state must see: counter=0 buffer=initial heap=none pages=<initial>.
#include <stdint.h>
#include <stdio.h>
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

typedef struct { char *name; uint32_t name_len; char *value; uint32_t value_len; } pair;

static struct {
  uint16_t status; uint8_t _p0[2];
  uint8_t headers_is_some; uint8_t _p1[3]; pair *headers; uint32_t headers_len;
  uint8_t body_is_some; uint8_t _p2[3]; char *body; uint32_t body_len;
} response;

static int counter;
static char buffer[16] = "initial";
static char *heap;

static int depth(int n) {
  volatile char frame[256];
  frame[n % 256] = (char)n;
  return n == 0 ? frame[0] : depth(n - 1) + frame[n % 256];
}

__attribute__((export_name("handle-http-request")))
void *handle_http_request(uint32_t method, char *uri, uint32_t uri_len, pair *headers,
                          uint32_t headers_len, pair *params, uint32_t params_len,
                          uint32_t body_is_some, char *body, uint32_t body_len) {
  (void)method; (void)headers; (void)headers_len; (void)params; (void)params_len;
  (void)body_is_some; (void)body; (void)body_len;
  char *out = malloc(128);
  int n = snprintf(out, 128, "counter=%d buffer=%s heap=%s pages=%lu", counter, buffer,
                   heap ? heap : "none", (unsigned long)__builtin_wasm_memory_size(0));
  counter++;
  strcpy(buffer, "changed");
  heap = malloc(32);
  strcpy(heap, "dirty");
  depth(200);
  if (uri_len >= 5 && memcmp(uri, "/grow", 5) == 0) __builtin_wasm_memory_grow(0, 3);
  memset(&response, 0, sizeof response);
  response.status = 200;
  response.body_is_some = 1;
  response.body = out;
  response.body_len = (uint32_t)n;
  return &response;
}
