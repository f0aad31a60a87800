// A WAGI module in C: an ordinary WASI command. The host passes the request as CGI
// (variables in the environment, body on stdin) and reads the response from stdout.
//
//   ?go=/somewhere   answers with only a Location header (a 302 redirect)
//   ?status=404      adds "Status: 404 Not Found"
//
// It also exports a second entry point, "hello", for `executor = { type = "wagi",
// entrypoint = "hello" }`.
//
// Build: clang --target=wasm32-wasi -O2 -o wagi.wasm wagi.c
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env(const char *name) {
  const char *v = getenv(name);
  return v ? v : "(unset)";
}

int main(int argc, char **argv) {
  const char *q = env("QUERY_STRING");
  const char *go = strstr(q, "go=");
  if (go != NULL) {
    printf("Location: %s\n\n", go + 3);
    return 0;
  }
  if (strstr(q, "status=404") != NULL) printf("Status: 404 Not Found\n");
  printf("Content-Type: text/plain\n\n");
  printf("hello from C WAGI\n");
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  const char *vars[] = {"REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "SCRIPT_NAME",
                        "X_MATCHED_ROUTE", "SERVER_SOFTWARE", "CONTENT_LENGTH", "HTTP_X_TEST", NULL};
  for (int i = 0; vars[i] != NULL; i++) printf("%s=%s\n", vars[i], env(vars[i]));
  printf("stdin=");
  char b[4096];
  size_t n;
  while ((n = fread(b, 1, sizeof b, stdin)) > 0) fwrite(b, 1, n, stdout);
  printf("\n");
  return 0;
}

__attribute__((export_name("hello")))
void hello(void) {
  printf("Content-Type: text/plain\n\nhello from the C WAGI entry point \"hello\"\n");
}
