# Tessera — the two commands a newcomer needs are `make dev` and `make test` (see README.md).
# Each installs what it needs: Python tools go into .venv (cargo-lambda, moto, cfn-lint,
# aws-sam-cli), Debian packages through apt-get when missing.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
VENV := .venv
PYTHON ?= python3
DEV_PORT ?= 9000
# What SAM builds for Lambda leaves SQLite out; local runs turn the embedded backend on.
EMBEDDED := --features tessera-http/embedded
# Every function package, as `-p <name>` arguments.
FUNCTION_PACKAGES := $(patsubst functions/%/,-p %,$(wildcard functions/*/))
MOTO_PORT ?= 5077
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export SAM_CLI_TELEMETRY := 0
# CI builds once from a fresh clone: incremental caches would only take disk (a clean run's target
# directory is tens of gigabytes, and CI once ran out of space).
ifeq ($(CI),true)
export CARGO_INCREMENTAL := 0
endif

.PHONY: dev test lint smoke browser fuzz-api soak build jobs bench tools-dev tools-test tools-build clean

## make dev: the whole API on http://127.0.0.1:9000, on the embedded default (state in .local/).
dev: tools-dev
	cargo lambda watch $(EMBEDDED) --invoke-address 127.0.0.1 --invoke-port $(DEV_PORT)

## make test: formatting, every Rust test on both backends (moto on loopback), the IAM policies
## held to the DynamoDB keys those tests touched, clippy, the
## template linted by cfn-lint and sam, the README's curl session and the portal's journeys in
## Chromium against `cargo lambda watch`, and
## a bounded schemathesis run from the OpenAPI document against it (scripts/api-fuzz.sh).
## Installs Debian's chromium for the browser tests (the public transcript page, the portal's
## journeys, in process and against `cargo lambda watch`), and Node.js for the edge layer's
## viewer-request function.
test: tools-test
	scripts/ensure-system-packages.sh chromium node
	cargo fmt --all -- --check
	mkdir -p .test-output
	rm -rf .test-output/dynamodb-keys
	scripts/with-moto.sh $(MOTO_PORT) cargo test --workspace --all-targets 2>&1 | tee .test-output/cargo-test.log
	# What the flows did on DynamoDB, against each function's IAM policy (tests/tests/leading_keys.rs).
	cargo test -p tessera-tests --test leading_keys -- --ignored 2>&1 | tee -a .test-output/cargo-test.log
	cargo clippy --workspace --all-targets -- -D warnings
	# What SAM builds: the functions on their own, without the embedded backend the tests turn on.
	cargo clippy $(FUNCTION_PACKAGES) -- -D warnings
	$(MAKE) --no-print-directory lint smoke browser fuzz-api
	scripts/test-summary.sh .test-output/cargo-test.log

## make bench: release builds, cold starts, sizes, login ÷ argon2, DynamoDB calls per flow and the
## cost model, written to bench/RESULTS.md and bench/results.json (see scripts/bench.sh).
bench: tools-build tools-test
	scripts/bench.sh

## make soak: the longer runs (not in CI): every cargo-fuzz target for FUZZ_SECONDS (60) each on
## nightly, schemathesis with FUZZ_EXAMPLES (100) examples per operation, and the bounded load run
## on `cargo lambda watch --release` (scripts/soak.sh).
soak: tools-test
	scripts/soak.sh

## make jobs: every scheduled job once (notification retries, then the expiry jobs), against the
## embedded default (what `make dev` serves).
jobs:
	cargo run --quiet $(EMBEDDED) -p notification-retries
	cargo run --quiet $(EMBEDDED) -p expiry-jobs

lint: tools-test
	cfn-lint infra/template.yaml
	sam validate --lint --template-file infra/template.yaml --region us-east-1
	openapi-spec-validator infra/openapi.yaml

smoke: tools-dev
	scripts/readme-session.sh

## make browser: the portal's journeys in Chromium against `cargo lambda watch` (screenshots in
## .test-output/pages/).
browser: tools-dev
	scripts/ensure-system-packages.sh chromium
	scripts/browser-journeys.sh

fuzz-api: tools-test
	scripts/api-fuzz.sh

## make build: release arm64 bootstraps of every function under target/lambda/ (what SAM deploys).
build: tools-build
	cargo lambda build --release --arm64

tools-dev: $(VENV)/.dev-tools
tools-test: $(VENV)/.test-tools
tools-build: $(VENV)/.build-tools

$(VENV)/bin/python:
	scripts/ensure-system-packages.sh
	$(PYTHON) -m venv $(VENV)

$(VENV)/.dev-tools: requirements-dev.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(VENV)/.test-tools: requirements-test.txt $(VENV)/.dev-tools
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

$(VENV)/.build-tools: requirements-build.txt $(VENV)/.dev-tools
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-build.txt
	touch $@

clean:
	rm -rf .local .test-output
