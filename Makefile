# wasmsite. `make up` builds what changed and serves the site on $(LISTEN) in development
# mode: the generator watches content/ and re-renders it on every save, open tabs reload by
# themselves, a broken post leaves the last good site up. `make serve` is the production
# run: render once, serve, nothing watched or injected. Steps are skipped when their inputs
# have not changed.
SHELL    := /bin/bash
LISTEN   ?= 127.0.0.1:3000
SITE_URL ?= http://$(LISTEN)
# Where the generator serves live-reload events in development mode (same host as LISTEN).
LIVE     ?= $(LISTEN_HOST):35729
# REDIS=redis://127.0.0.1:6379 counts likes in Redis instead of the embedded store.
REDIS    ?=
DRAFTS   ?=
FUTURE   ?=
GO       ?= go
STATE    := .spin

SERVER_SRC := $(shell find server -name '*.go' -not -name '*_test.go' -not -path '*/testdata/*') go.mod go.sum
SSG_SRC    := $(shell find ssg -type f -not -name '*_test.go' -not -path '*/testdata/*') go.mod go.sum
SDK_SRC    := $(shell find functions/sdk -name '*.go' -not -name '*_test.go')
CONTENT    := $(shell find content -type f)

# host:port split for bash's /dev/tcp (no brackets around an IPv6 address).
LISTEN_HOST := $(patsubst %:$(lastword $(subst :, ,$(LISTEN))),%,$(LISTEN))
tcp_host     = $(subst ],,$(subst [,,$(patsubst %:$(lastword $(subst :, ,$(1))),%,$(1))))
tcp_port     = $(lastword $(subst :, ,$(1)))

SSG_FLAGS  = -content content -out public -base-url "$(SITE_URL)" $(if $(DRAFTS),-drafts) $(if $(FUTURE),-future)
# The host's environment: the secret is read by the shell, never echoed.
HOST_RUN   = SPIN_VARIABLE_JWT_SECRET="$$(cat $(STATE)/jwt_secret)" SPIN_VARIABLE_SITE_URL="$(SITE_URL)" \
	$(if $(REDIS),SPIN_VARIABLE_REDIS_ADDRESS="$(REDIS)") ./bin/server up -q -f spin.toml --listen $(LISTEN)

# Shell snippets of the up and serve recipes (bash). await_host waits until the host
# listens (it loads and compiles the components first), or fails if it exited.
await_host = until { exec 4<>/dev/tcp/$(call tcp_host,$(LISTEN))/$(call tcp_port,$(LISTEN)); } 2>/dev/null; do \
	kill -0 $$host 2>/dev/null || exit 1; sleep 0.2; done; exec 4<&-
first_start = [ -n "$$(ls -A $(STATE)/cache 2>/dev/null)" ] || \
	echo "    (first start: the components are compiled to machine code, about 8 s; later starts reuse $(STATE)/cache)"
banner = printf '\n  Serving %s/  %s\n  Ctrl-C to stop.\n\n' "$(SITE_URL)" "$(1)"

.PHONY: up serve build site test test-deps missing-test-deps fuzz bench bench-ssg install clean FORCE

# Development mode. The generator renders content/, then serves live-reload events on $(LIVE)
# (answering once its first build is done: if that build fails and public/ holds no site,
# it exits and so does make); then the host starts. Both stop on Ctrl-C, or when either exits.
up: build $(STATE)/jwt_secret
	@rm -f $(STATE)/site.stamp
	@mkdir -p $(STATE)/logs
	@echo "==> rendering content/ into public/, and again on every save (live reload on $(LIVE))"
	@trap 'kill $$ssg $$host 2>/dev/null; wait 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	./bin/ssg $(SSG_FLAGS) -live $(LIVE) & ssg=$$!; \
	until { exec 3<>/dev/tcp/$(call tcp_host,$(LIVE))/$(call tcp_port,$(LIVE)); } 2>/dev/null; do \
		kill -0 $$ssg 2>/dev/null || exit 1; sleep 0.1; done; \
	printf 'GET /events HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3; read -r -t 600 status <&3 2>/dev/null; exec 3<&-; \
	[[ $$status == *" 200 "* ]] || exit 1; \
	echo "==> starting the host on $(LISTEN) (its log: $(STATE)/logs/host.txt)"; $(first_start); \
	$(HOST_RUN) -e CACHE_CONTROL=no-cache >>$(STATE)/logs/host.txt & host=$$!; \
	$(await_host); \
	$(call banner,(development mode: pages reload when you save)); \
	wait -n

# Production run: render once (a broken post fails here), serve public/ as it is.
serve: build site $(STATE)/jwt_secret
	@mkdir -p $(STATE)/logs
	@echo "==> starting the host on $(LISTEN) (its log: $(STATE)/logs/host.txt)"; $(first_start)
	@trap 'kill $$host 2>/dev/null; wait 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	$(HOST_RUN) >>$(STATE)/logs/host.txt & host=$$!; \
	$(await_host); \
	$(call banner,(production: built once; nothing is watched)); \
	wait -n

build: bin/server bin/ssg build/static.wasm build/likes.wasm

# The host embeds the SDK, the C example and its templates (server new); -buildvcs
# stamps the commit that `server --version` prints.
bin/server: $(SERVER_SRC) $(SDK_SRC) $(shell find server/internal/templates/files -type f) functions/examples/c/hello.c
	@echo "==> compiling the host, $@ (the first time takes about 2 minutes)"
	@$(GO) build -buildvcs=auto -o $@ ./server

bin/ssg: $(SSG_SRC)
	@echo "==> compiling the generator, $@"
	@$(GO) build -o $@ ./ssg

.SECONDEXPANSION:
build/%.wasm: $(SDK_SRC) $$(shell find functions/$$* -name '*.go' -not -name '*_test.go') go.mod go.sum
	@echo "==> compiling the $* component, $@ (GOOS=wasip1)"
	@GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -o $@ ./functions/$*

# The site is re-rendered when content, the generator or the options change.
site: $(STATE)/site.stamp
$(STATE)/site.stamp: bin/ssg $(CONTENT) $(STATE)/site.options
	@echo "==> rendering content/ into public/"
	@./bin/ssg $(SSG_FLAGS) -gzip
	@touch $@
$(STATE)/site.options: FORCE
	@mkdir -p $(STATE)
	@echo "$(SITE_URL) $(DRAFTS) $(FUTURE)" | cmp -s - $@ || echo "$(SITE_URL) $(DRAFTS) $(FUTURE)" > $@

# A random local secret, created once and kept (never committed: .spin/ is ignored).
$(STATE)/jwt_secret:
	@mkdir -p $(STATE)
	@umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > $@
	@echo "created $@"

# What `make test` needs besides Go, as Debian packages (.ci/run installs them).
MISSING_TEST_DEPS = $(strip \
	$(if $(shell command -v redis-server),,redis-server) \
	$(if $(shell command -v chromium || command -v chromium-browser),,chromium) \
	$(if $(shell command -v clang),,clang) \
	$(if $(shell command -v wasm-ld),,lld) \
	$(if $(wildcard /usr/lib/wasm32-wasi/libc.a),,wasi-libc) \
	$(if $(wildcard /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a),,libclang-rt-14-dev-wasm32))

missing-test-deps:
	@echo $(MISSING_TEST_DEPS)

test-deps:
	@if [ -n "$(MISSING_TEST_DEPS)" ]; then \
		echo "make test needs: $(MISSING_TEST_DEPS)"; \
		echo "install them with:  sudo apt-get install -y $(MISSING_TEST_DEPS)"; \
		exit 1; \
	fi

# -count=1: many tests build components and the host from source in a subprocess, which
# go test's result cache does not see; a cached pass could hide a change there. The
# second vet checks that the host and ssg, tests included, still build off Linux (the
# portable back ends), which nothing here can run.
test: test-deps
	$(GO) vet ./...
	GOOS=darwin $(GO) vet ./server/... ./ssg/...
	$(GO) test -count=1 -timeout 30m ./...
	@$(MAKE) --no-print-directory fuzz FUZZTIME=3s

# Every fuzz target (func FuzzX in a _test.go file) runs for FUZZTIME, one after another;
# make test runs each for a few seconds beyond its committed seed corpus
# (testdata/fuzz). A failing input is written there: commit it with the fix.
# Go 1.26's fuzzing can fail a target with a bare "context deadline exceeded" just as
# FUZZTIME ends (go.dev/issue/75804, fixed in Go 1.27); such a run, which wrote no failing
# input, is run once more. Any other failure, or that one twice, fails.
FUZZTIME ?= 10m
fuzz:
	@set -eo pipefail; log=$$(mktemp); trap 'rm -f $$log' EXIT; \
	run() { $(GO) test -run '^$$' -fuzz "^$$1\$$" -fuzztime $(FUZZTIME) $$2 2>&1 | tee $$log; }; \
	for f in $$(grep -rl --include='*_test.go' '^func Fuzz' server functions ssg); do \
	  for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
	    echo "fuzz: $$name in ./$$(dirname $$f) for $(FUZZTIME)"; \
	    run $$name ./$$(dirname $$f) || { \
	      grep -q '^    context deadline exceeded$$' $$log && ! grep -q 'Failing input written' $$log || exit 1; \
	      echo "fuzz: $$name stopped on Go's fuzztime race (go.dev/issue/75804) without a failing input: once more"; \
	      run $$name ./$$(dirname $$f) || exit 1; \
	    }; \
	  done; \
	done

# Each benchmark prints its figures beside a baseline measured in the same run: resets
# per memory mode vs a new instance per request, embedded store vs redis-server, each
# route through the host under load vs a native Go server doing the same work, ssg vs
# Hugo (when installed).
bench:
	$(GO) test -run '^$$' -bench Reset -benchtime 2000x ./server/internal/engine
	$(GO) test -run '^$$' -bench . -benchtime 300x ./server/store
	$(GO) test -run '^$$' -bench Load -benchtime 1x -timeout 30m ./server/internal/e2e
	$(GO) test -run '^$$' -bench . -benchtime 1x ./ssg/...

bench-ssg:
	$(GO) test -run '^$$' -bench . -benchtime 1x ./ssg/...

# make install PREFIX=/usr/local: the host and the generator in $(PREFIX)/bin, the
# application (spin.toml and its components) in $(PREFIX)/share/wasmsite, and the
# systemd unit in $(PREFIX)/lib/systemd/system. DESTDIR prefixes every path (packaging).
PREFIX ?= /usr/local
install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/wasmsite/build $(DESTDIR)$(PREFIX)/share/wasmsite/public \
	  $(DESTDIR)$(PREFIX)/lib/systemd/system
	install -m 755 bin/server bin/ssg $(DESTDIR)$(PREFIX)/bin/
	install -m 644 spin.toml $(DESTDIR)$(PREFIX)/share/wasmsite/
	install -m 644 build/static.wasm build/likes.wasm $(DESTDIR)$(PREFIX)/share/wasmsite/build/
	sed 's|/usr/local|$(PREFIX)|g' server/dist/wasmsite.service > $(DESTDIR)$(PREFIX)/lib/systemd/system/wasmsite.service
	@echo "installed in $(DESTDIR)$(PREFIX); publish the site with: $(PREFIX)/bin/ssg -content content -out $(PREFIX)/share/wasmsite/public -gzip -base-url https://your.domain"

clean:
	rm -rf bin build public/* .cache $(STATE)/site.stamp $(STATE)/site.options $(STATE)/cache
