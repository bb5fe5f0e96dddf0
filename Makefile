# Latchkey: the only commands a newcomer needs are `make dev` and `make test`.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT  := $(CURDIR)
TOOLS := $(ROOT)/.tools/bin
NODE_BIN := $(ROOT)/node_modules/.bin
WASM_TARGET := wasm32-unknown-unknown
PORT ?= 8787

# worker-build would download wasm-bindgen, wasm-opt and esbuild from hosts these machines
# cannot reach; point it at the local ones instead.
WORKER_BUILD_ENV := WASM_BINDGEN_BIN=$(TOOLS)/wasm-bindgen WASM_OPT_BIN=$(NODE_BIN)/wasm-opt \
	ESBUILD_BIN=$(NODE_BIN)/esbuild

RUST_SRC := Cargo.toml Cargo.lock $(shell find core worker sdk -name '*.rs' -o -name Cargo.toml)
WORKER_OUT := worker/build/index.js
ADMIN_OUT := worker/build-admin/index.js
SDK_OUT := pkg/latchkey_sdk_bg.wasm

.PHONY: help dev test bench load pkg fmt lint tools browser-tools worker sdk migrate-local \
	test-native test-wasm test-e2e clean

help:
	@echo "make dev    build everything and serve the worker on http://127.0.0.1:$(PORT)"
	@echo "make test   fmt, clippy, native tests, browser (wasm) tests, end-to-end tests"
	@echo "make bench  print the figures (sizes, start-up time)"
	@echo "make load   load test: logins/s and refreshes/s at concurrency 1, 2, 4 beside the argon2id hash rate"
	@echo "make pkg    build the npm package in pkg/"

tools:
	@scripts/install-tools.sh

browser-tools:
	@scripts/install-tools.sh --browser

# ---- builds ---------------------------------------------------------------------------
worker: tools $(ADMIN_OUT) $(WORKER_OUT) www/openapi.json www/admin/land.js

# The OpenAPI document, made natively at build time and served as a static file (the
# worker's .wasm carries no schema generator).
www/openapi.json: $(RUST_SRC)
	cargo run -q -p latchkey-core --features openapi --example openapi > $@.tmp
	@mv $@.tmp $@

# The admin map's land outlines, from a pinned npm package (world-atlas), as one SVG path.
www/admin/land.js: scripts/land.mjs package-lock.json
	node scripts/land.mjs $@

# Two Workers from one crate (worker/Cargo.toml's features): the edge Worker (worker/build,
# wrangler.toml), which every request reaches, and the administration Worker
# (worker/build-admin, wrangler.admin.toml), which the edge passes the administration API's
# requests to. The edge is built last, so that target/ holds its .wasm with the function
# names (`make bench` reads the crates' shares from it); the deployed ones go without them
# (a tenth of their gzip size).
define build_worker
	cd worker && $(WORKER_BUILD_ENV) $(TOOLS)/worker-build --release --out-dir $(1) . \
		--no-default-features --features $(2)
	$(NODE_BIN)/wasm-opt worker/$(1)/index_bg.wasm --strip-debug --strip-producers \
		--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
		--enable-mutable-globals --enable-reference-types --enable-multivalue \
		-o worker/$(1)/index_bg.wasm
	@touch worker/$(1)/index.js
endef

$(ADMIN_OUT): $(RUST_SRC)
	$(call build_worker,build-admin,admin)

$(WORKER_OUT): $(RUST_SRC) $(ADMIN_OUT)
	$(call build_worker,build,signin)

sdk: tools $(SDK_OUT)

$(SDK_OUT): $(RUST_SRC) pkg/package.json
	rm -rf pkg/snippets
	cargo build -p latchkey-sdk --target $(WASM_TARGET) --profile sdk
	$(TOOLS)/wasm-bindgen --target web --out-dir pkg --out-name latchkey_sdk \
		target/$(WASM_TARGET)/sdk/latchkey_sdk.wasm
	cp $(SDK_OUT) target/latchkey_sdk_bg.names.wasm # with names, for `make bench`'s breakdown
	$(NODE_BIN)/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
		--enable-sign-ext --enable-mutable-globals --enable-reference-types \
		$(SDK_OUT) -o $(SDK_OUT)
	# The glue ships to browsers too: minified, names kept (its docs stay in the .d.ts).
	$(NODE_BIN)/esbuild pkg/latchkey_sdk.js --minify-whitespace --minify-syntax --format=esm --target=es2020 --log-level=warning \
		--banner:js='/* @ts-self-types="./latchkey_sdk.d.ts" */' --allow-overwrite --outfile=pkg/latchkey_sdk.js
	rm -rf www/pkg && mkdir -p www/pkg && cp -r pkg/latchkey_sdk.js pkg/latchkey_sdk_bg.wasm pkg/snippets www/pkg/

pkg: sdk
	@echo "pkg/ is ready: cd pkg && npm pack"

# ---- development ----------------------------------------------------------------------
migrate-local: tools
	$(NODE_BIN)/wrangler d1 migrations apply latchkey --local

dev: tools worker sdk migrate-local
	@node scripts/dev-secrets.mjs .dev.vars $(PORT)
	@# Once the worker answers, the first run's organization, application and user (printed).
	@# Both Workers in one process, sharing local D1 and KV and .dev.vars: the edge Worker
	@# (wrangler.toml) on the port, the administration Worker behind its service binding.
	node scripts/dev-seed.mjs .dev-seed.json $(PORT) .dev.vars & \
	$(NODE_BIN)/wrangler dev --config wrangler.toml --config wrangler.admin.toml \
		--ip 127.0.0.1 --port $(PORT)

# ---- checks ---------------------------------------------------------------------------
fmt:
	cargo fmt --all

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --all-features -- -D warnings
	cargo clippy -p latchkey-worker -p latchkey-sdk --target $(WASM_TARGET) -- -D warnings
	@# Each Worker alone (worker/Cargo.toml's features), as `make worker` builds it.
	cargo clippy -p latchkey-worker --target $(WASM_TARGET) --no-default-features --features signin -- -D warnings
	cargo clippy -p latchkey-worker --target $(WASM_TARGET) --no-default-features --features admin -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

test: browser-tools lint test-native test-wasm worker sdk test-e2e

test-native:
	cargo test --workspace --all-features

test-wasm: browser-tools
	cd sdk && CHROMEDRIVER=$$(command -v chromedriver) \
		CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=$(TOOLS)/wasm-bindgen-test-runner \
		cargo test --target $(WASM_TARGET)

test-e2e: browser-tools worker sdk
	node tests/run.mjs

bench: tools worker sdk
	cargo bench -p latchkey-core --bench password --bench auth
	node scripts/bench.mjs

# Load test with autocannon against wrangler dev (fresh state): LOAD_SECONDS per run
# (default 10), LOAD_CONCURRENCY (default 1,2,4), LOAD_USERS (default 64).
load: tools worker sdk
	node scripts/load.mjs

clean:
	rm -rf target worker/build worker/build-admin www/pkg pkg/latchkey_sdk* .wrangler tests/.state
