# wasmsite. `make up` renders the site, builds the components and the host, and serves
# on $(LISTEN); every step is skipped when its inputs have not changed.
LISTEN   ?= 127.0.0.1:3000
SITE_URL ?= http://$(LISTEN)
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

.PHONY: up build site test bench bench-ssg clean FORCE

up: build site $(STATE)/jwt_secret
	SPIN_VARIABLE_JWT_SECRET="$$(cat $(STATE)/jwt_secret)" SPIN_VARIABLE_SITE_URL="$(SITE_URL)" \
	$(if $(REDIS),SPIN_VARIABLE_REDIS_ADDRESS="$(REDIS)") \
	./bin/server up -f spin.toml --listen $(LISTEN)

build: bin/server bin/ssg build/static.wasm build/likes.wasm

bin/server: $(SERVER_SRC)
	$(GO) build -o $@ ./server

bin/ssg: $(SSG_SRC)
	$(GO) build -o $@ ./ssg

.SECONDEXPANSION:
build/%.wasm: $(SDK_SRC) $$(shell find functions/$$* -name '*.go' -not -name '*_test.go') go.mod go.sum
	GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -o $@ ./functions/$*

# The site is re-rendered when content, the generator or the options change.
site: $(STATE)/site.stamp
$(STATE)/site.stamp: bin/ssg $(CONTENT) $(STATE)/site.options
	./bin/ssg -content content -out public -gzip -base-url "$(SITE_URL)" $(if $(DRAFTS),-drafts) $(if $(FUTURE),-future)
	@touch $@
$(STATE)/site.options: FORCE
	@mkdir -p $(STATE)
	@echo "$(SITE_URL) $(DRAFTS) $(FUTURE)" | cmp -s - $@ || echo "$(SITE_URL) $(DRAFTS) $(FUTURE)" > $@

# A random local secret, created once and kept (never committed: .spin/ is ignored).
$(STATE)/jwt_secret:
	@mkdir -p $(STATE)
	@umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > $@
	@echo "created $@"

test:
	$(GO) vet ./...
	$(GO) test -timeout 30m ./...

# Each benchmark prints its figures beside a baseline measured in the same run:
# pooled vs naive instances, embedded store vs redis-server, the wasm likes component vs
# a native Go handler, ssg vs Hugo (when installed).
bench:
	$(GO) test -run '^$$' -bench . -benchtime 300x ./server/internal/engine ./server/store
	$(GO) test -run '^$$' -bench Likes -benchtime 3000x ./server/internal/e2e
	$(GO) test -run '^$$' -bench . -benchtime 1x ./ssg/...

bench-ssg:
	$(GO) test -run '^$$' -bench . -benchtime 1x ./ssg/...

clean:
	rm -rf bin build public/* .cache $(STATE)/site.stamp $(STATE)/site.options $(STATE)/cache
