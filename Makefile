# Switchboard — the two commands a newcomer needs are `make run` and `make test`.
CARGO ?= cargo
RUNTIME_DIR := $(or $(XDG_RUNTIME_DIR),/tmp/switchboard-runtime-$(shell id -u))

.PHONY: run test check fmt clippy screenshot bench deps deps-test runtime-dir

## Build with optimisations and open the workstation on the embedded engine with demo traffic.
run: deps
	$(CARGO) run --release --bin switchboard -- run

## Install what the tests need and run the whole suite (GUI tests render on lavapipe).
test: deps-test runtime-dir
	XDG_RUNTIME_DIR=$(RUNTIME_DIR) WGPU_BACKEND=vulkan $(CARGO) test --all-targets

## What to run before a pull request: formatting, lints, tests.
check: fmt clippy test

fmt:
	$(CARGO) fmt --all -- --check

clippy: deps
	$(CARGO) clippy --all-targets -- -D warnings

## A PNG of every mode, from the real window under Xvfb, into target/screenshots/.
screenshot: deps-test
	$(CARGO) build --release --bin switchboard
	scripts/screenshot.sh target/screenshots

## The foundation's measurements (start to first frame, idle CPU, memory).
bench: deps-test
	$(CARGO) build --release --bins
	./target/release/switchboard-bench startup

deps:
	@scripts/install-deps.sh run

deps-test:
	@scripts/install-deps.sh test

runtime-dir:
	@mkdir -p $(RUNTIME_DIR) && chmod 700 $(RUNTIME_DIR)
