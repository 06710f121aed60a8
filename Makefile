# secrets-cmk: the two commands a newcomer needs are `make demo` and `make test`.
# Everything the project needs is installed by these targets: Rust crates (cargo),
# the Python emulator and tools (a pinned venv), the CDK's npm packages (package-lock).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
export CARGO_TERM_COLOR ?= never

VENV := .venv
PYTHON := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
VENV_STAMP := $(VENV)/.installed
CARGO ?= cargo
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)

BENCH_VENV := bench/work/venv
BENCH_STAMP := $(BENCH_VENV)/.installed
BENCH_TARGET_DIR := target/bench
BENCH_ARGS ?=

.PHONY: bench help demo venv test test-rust test-emulator lint check build cdk-deps cdk-test lambda synth deploy fuzz fuzz-ci fuzz-tool guard-tool guard-test browser-deps

VENV_BIN := $(CURDIR)/.venv/bin
STACK ?= SecretsCmk
FUZZ_TARGETS := event rule_parameters key_ref history_item template plan
CARGO_FUZZ_VERSION := 0.13.2
FUZZ_SECONDS ?= 300
FUZZ_RUNS ?= -1

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# The demo finds secrets-cmk-rule and secrets-cmk next to its own executable: build them all.
demo: venv ## The main job on a local emulator: seed, evaluate, remediate, back out
	$(CARGO) build --workspace --bins --locked
	$(TARGET_DIR)/debug/secrets-cmk-demo

venv: $(VENV_STAMP) ## Create the pinned Python venv (moto emulator, pytest, cfn-lint, cargo-lambda)

$(VENV_STAMP): requirements.txt requirements.lock
	python3 -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt -c requirements.lock
	touch $@

lint: ## rustfmt check and clippy with warnings as errors
	$(CARGO) fmt --all --check
	cd fuzz && $(CARGO) fmt --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

check: lint ## Fast: lint, then every test that needs no emulator (rule-core, adapters, the handler and the CLI over fakes)
	$(CARGO) test --locked -p rule-core
	$(CARGO) test --locked -p secrets-cmk-aws --all-features
	$(CARGO) test --locked -p rule-lambda --lib --test handler --test contract
	$(CARGO) test --locked -p secrets-cmk-cli --lib --test fakes
	$(CARGO) test --locked -p secrets-cmk-harness --lib

build: ## Build every binary and test target
	$(CARGO) build --workspace --all-targets --locked

# cargo builds what the tests run: the end-to-end tests take their binary from cargo.
test-rust: venv ## Rust unit, adapter and end-to-end tests
	$(CARGO) test --workspace --locked

test-emulator: venv ## The emulator patch layer's own tests
	$(PYTHON) -m pytest tests/emulator -q

cdk-deps: ## Install the CDK app's npm packages from its lock file
	cd cdk && npm ci --no-audit --no-fund

cdk-test: cdk-deps venv ## CDK: type-check, jest, synth with the fixture asset, cfn-lint (offline)
	cd cdk && npx tsc --noEmit
	cd cdk && npx jest --ci
	cd cdk && SECRETS_CMK_ASSET=test/fixtures/asset scripts/synth.sh
	$(CARGO) run --quiet --locked --bin secrets-cmk -- check-template cdk/cdk.out
	cd cdk && CFN_LINT=$(VENV_BIN)/cfn-lint scripts/lint-templates.sh

lambda: venv ## Build the deployable Lambda (release, x86_64, provided.al2023) with cargo-lambda
	PATH=$(VENV_BIN):$$PATH $(CARGO) lambda build --release --bin secrets-cmk-rule

synth: lambda cdk-deps ## Synthesize every stack with the real Lambda into cdk/cdk.out, then cfn-lint
	cd cdk && scripts/synth.sh
	cd cdk && CFN_LINT=$(VENV_BIN)/cfn-lint scripts/lint-templates.sh

deploy: synth ## Deploy one stack (needs AWS credentials): make deploy STACK=SecretsCmk CDK_ARGS="-c kmsKeyArns=alias/x"
	cd cdk && npx cdk deploy $(STACK) --require-approval broadening $(CDK_ARGS)

$(BENCH_STAMP): bench/requirements.txt bench/requirements.lock
	python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt -c bench/requirements.lock
	touch $@

# The driver (and the CLI its organization audit runs) is optimised (a fair floor) but
# without LTO, in its own target directory.
bench: lambda $(BENCH_STAMP) ## Benchmark against the emulator and Cloud Custodian; writes and prints bench/RESULTS.md
	CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_STRIP=none \
		$(CARGO) build --release --locked -p secrets-cmk-bench -p secrets-cmk-cli --target-dir $(BENCH_TARGET_DIR)
	$(BENCH_TARGET_DIR)/release/secrets-cmk-bench $(BENCH_ARGS)

fuzz-tool: ## Install cargo-fuzz if it is missing (about 2 minutes, once)
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked --version $(CARGO_FUZZ_VERSION)

fuzz: fuzz-tool ## Fuzz every parser FUZZ_SECONDS each (default 300); crashes land in fuzz/artifacts/
	$(CARGO) fetch --locked --manifest-path fuzz/Cargo.toml
	for target in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/target/corpus/$$target crates/rule-core/tests/fuzz_regressions/$$target; \
	  $(CARGO) fuzz run --sanitizer none $$target fuzz/target/corpus/$$target fuzz/corpus/$$target \
	    crates/rule-core/tests/fuzz_regressions/$$target -- \
	    -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1; \
	done

fuzz-ci: ## The bounded fuzz run of CI: 500,000 inputs or 20 s per parser, whichever comes first
	$(MAKE) fuzz FUZZ_RUNS=500000 FUZZ_SECONDS=20

# cfn-guard, pinned, built from crates.io into the target directory (not on PATH). A
# debug build: it compiles in less than half the CPU time of a release one (measured
# here: 2.6 against 6.2 CPU-minutes) and judges the test templates in seconds either way.
CFN_GUARD_VERSION := 3.2.1
CFN_GUARD_ROOT := $(abspath $(TARGET_DIR))/tools/cfn-guard-$(CFN_GUARD_VERSION)-debug
CFN_GUARD := $(CFN_GUARD_ROOT)/bin/cfn-guard

guard-tool: $(CFN_GUARD) ## Install the pinned cfn-guard into target/tools (a few minutes, once)

$(CFN_GUARD):
	$(CARGO) install cfn-guard --version $(CFN_GUARD_VERSION) --locked --debug --root $(CFN_GUARD_ROOT)

guard-test: guard-tool venv ## Guard rule: cfn-guard unit tests, then the template corpus of contract/templates
	CFN_GUARD=$(CFN_GUARD) PYTHON=$(PYTHON) guard/run-tests.sh

# Debian's Chromium, for the HTML report's browser test (crates/cli/tests/browser). Debian
# replaces a version when a security fix lands, so this takes the release's current one;
# CHROMIUM_VERSION=... pins one exactly. `make test` requires it (the test fails without).
CHROMIUM_VERSION ?=
browser-deps: ## Install Debian's chromium when it is missing (the HTML report's browser test)
	@test -x /usr/bin/chromium || { \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && \
	  $$sudo apt-get install -y chromium$(if $(CHROMIUM_VERSION),=$(CHROMIUM_VERSION)); }
	@/usr/bin/chromium --version 2>/dev/null

test: export SECRETS_CMK_REQUIRE_BROWSER := 1
test: browser-deps lint test-rust test-emulator cdk-test guard-test demo fuzz-ci ## Every test: lint, Rust, emulator, CDK, the Guard rule, the demo, a bounded fuzz run
