// bad_wagi.c is a misbehaving WAGI module for the conformance tests; QUERY_STRING picks
// the misbehaviour, anything else answers 200 "ok".
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  const char *q = getenv("QUERY_STRING");
  if (q == NULL) q = "";
  if (strcmp(q, "loop") == 0) {
    volatile unsigned n = 0;
    for (;;) n++;
  }
  if (strcmp(q, "silent") == 0) return 0;
  if (strcmp(q, "exit3") == 0) {
    printf("Content-Type: text/plain\n\nexit 3");
    return 3;
  }
  if (strcmp(q, "noheaders") == 0) {
    printf("X-Foo: bar\n\nbody");
    return 0;
  }
  if (strcmp(q, "badstatus") == 0) {
    printf("Status: abc\n\nbody");
    return 0;
  }
  if (strcmp(q, "trap") == 0) __builtin_trap();
  printf("Content-Type: text/plain\n\nok");
  return 0;
}
