// unknown_import.c imports a function this host does not provide (Spin's outbound-pg).
#include <stdint.h>
#include <stdlib.h>
__attribute__((import_module("outbound-pg"), import_name("query")))
extern void pg_query(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
__attribute__((export_name("canonical_abi_realloc")))
void *canonical_abi_realloc(void *ptr, size_t o, size_t a, size_t n) { (void)o; return n ? realloc(ptr, n) : (void *)a; }
__attribute__((export_name("canonical_abi_free")))
void canonical_abi_free(void *ptr, size_t s, size_t a) { (void)a; if (s) free(ptr); }
__attribute__((export_name("handle-http-request")))
uint32_t handle_http_request(uint32_t m) { pg_query(m, 0, 0, 0, 0, 0, 0); return 0; }
