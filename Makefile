# secrets-cmk: the two commands a newcomer needs are `make demo` and `make test`.
# Everything the project needs is installed by these targets: Rust crates (cargo),
# the Python emulator and tools (a pinned venv), the CDK's npm packages (package-lock).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PYTHON := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
VENV_STAMP := $(VENV)/.installed
CARGO ?= cargo

.PHONY: help venv test test-rust test-emulator lint build

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

venv: $(VENV_STAMP) ## Create the pinned Python venv (moto emulator, pytest, cfn-lint, cargo-lambda)

$(VENV_STAMP): requirements.txt requirements.lock
	python3 -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt -c requirements.lock
	touch $@

lint: ## rustfmt check and clippy with warnings as errors
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

build: ## Build every binary and test target (the end-to-end tests run the built binaries)
	$(CARGO) build --workspace --all-targets --locked

test-rust: venv build ## Rust unit, adapter and end-to-end tests
	$(CARGO) test --workspace --locked

test-emulator: venv ## The emulator patch layer's own tests
	$(PYTHON) -m pytest tests/emulator -q

test: lint test-rust test-emulator ## Every test: lint, Rust, emulator
