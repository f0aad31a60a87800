// A WAGI module that changes its static data and heap on every request and reports
// what it found first: on a host that reuses instances, every request must still see
// counter=0 buffer=initial, and its own arguments and environment.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int counter;
static char buffer[16] = "initial";

int main(int argc, char **argv) {
  const char *query = getenv("QUERY_STRING");
  printf("Content-Type: text/plain\n\n");
  printf("counter=%d buffer=%s argc=%d arg1=%s query=%s\n", counter, buffer, argc,
         argc > 1 ? argv[1] : "", query ? query : "(unset)");
  counter++;
  strcpy(buffer, "changed");
  char *leak = malloc(1 << 16);
  memset(leak, 1, 1 << 16);
  return 0;
}
