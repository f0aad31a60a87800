// no_export.c is a reactor with the allocator exports but no handle-http-request.
#include <stdint.h>
#include <stdlib.h>
__attribute__((export_name("canonical_abi_realloc")))
void *canonical_abi_realloc(void *ptr, size_t o, size_t a, size_t n) { (void)o; return n ? realloc(ptr, n) : (void *)a; }
__attribute__((export_name("canonical_abi_free")))
void canonical_abi_free(void *ptr, size_t s, size_t a) { (void)a; if (s) free(ptr); }
__attribute__((export_name("handle-other")))
uint32_t handle_other(void) { return 0; }
