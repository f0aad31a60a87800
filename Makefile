# wasmsite. `make up` renders the site, builds the components and the host, and serves
# on $(LISTEN); every step is skipped when its inputs have not changed.
LISTEN   ?= 127.0.0.1:3000
SITE_URL ?= http://$(LISTEN)
# REDIS=redis://127.0.0.1:6379 counts likes in Redis instead of the embedded store.
REDIS    ?=
DRAFTS   ?=
GO       ?= go
STATE    := .spin

SERVER_SRC := $(shell find server -name '*.go' -not -name '*_test.go' -not -path '*/testdata/*') go.mod go.sum
SSG_SRC    := $(shell find ssg -type f -not -name '*_test.go' -not -path '*/testdata/*') go.mod go.sum
SDK_SRC    := $(shell find functions/sdk -name '*.go' -not -name '*_test.go')
CONTENT    := $(shell find content -type f)

.PHONY: up build site test fuzz bench bench-ssg install clean FORCE

up: build site $(STATE)/jwt_secret
	SPIN_VARIABLE_JWT_SECRET="$$(cat $(STATE)/jwt_secret)" SPIN_VARIABLE_SITE_URL="$(SITE_URL)" \
	$(if $(REDIS),SPIN_VARIABLE_REDIS_ADDRESS="$(REDIS)") \
	./bin/server up -f spin.toml --listen $(LISTEN)

build: bin/server bin/ssg build/static.wasm build/likes.wasm

# The host embeds the SDK, the C example and its templates (server new); -buildvcs
# stamps the commit that `server --version` prints.
bin/server: $(SERVER_SRC) $(SDK_SRC) $(shell find server/internal/templates/files -type f) functions/examples/c/hello.c
	$(GO) build -buildvcs=auto -o $@ ./server

bin/ssg: $(SSG_SRC)
	$(GO) build -o $@ ./ssg

.SECONDEXPANSION:
build/%.wasm: $(SDK_SRC) $$(shell find functions/$$* -name '*.go' -not -name '*_test.go') go.mod go.sum
	GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -o $@ ./functions/$*

# The site is re-rendered when content, the generator or the options change.
site: $(STATE)/site.stamp
$(STATE)/site.stamp: bin/ssg $(CONTENT) $(STATE)/site.options
	./bin/ssg -content content -out public -gzip -base-url "$(SITE_URL)" $(if $(DRAFTS),-drafts)
	@touch $@
$(STATE)/site.options: FORCE
	@mkdir -p $(STATE)
	@echo "$(SITE_URL) $(DRAFTS)" | cmp -s - $@ || echo "$(SITE_URL) $(DRAFTS)" > $@

# A random local secret, created once and kept (never committed: .spin/ is ignored).
$(STATE)/jwt_secret:
	@mkdir -p $(STATE)
	@umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > $@
	@echo "created $@"

test:
	$(GO) vet ./...
	$(GO) test -timeout 30m ./...
	@$(MAKE) --no-print-directory fuzz FUZZTIME=3s

# Every fuzz target (func FuzzX in a _test.go file) runs for FUZZTIME, one after another;
# make test runs each for a few seconds beyond its committed seed corpus
# (testdata/fuzz). A failing input is written there: commit it with the fix.
FUZZTIME ?= 10m
fuzz:
	@set -e; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' server functions ssg); do \
	  for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
	    echo "fuzz: $$name in ./$$(dirname $$f) for $(FUZZTIME)"; \
	    $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) ./$$(dirname $$f); \
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
