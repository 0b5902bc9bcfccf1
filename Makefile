# Two commands on a fresh machine (python3, make, git): `make demo` and `make test`.
# uv is installed into .bootstrap/ when it is not already on PATH.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.bootstrap/bin/uv)
export UV_PYTHON_DOWNLOADS := never
# Trust the system certificate store (corporate proxies add their CA there).
export UV_SYSTEM_CERTS := 1
export UV_PYTHON := $(PYTHON)
# Tests that build wheels find the same uv.
export ONESDK_UV := $(UV)
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup demo test lint typecheck unit bench docs dist clean

$(CURDIR)/.bootstrap/bin/uv:
	$(PYTHON) -m venv $(CURDIR)/.bootstrap
	$(CURDIR)/.bootstrap/bin/python -m pip install --quiet --disable-pip-version-check uv

.venv/.synced: $(UV) uv.lock pyproject.toml onesdk-core/pyproject.toml onesdk-kimi/pyproject.toml
	$(UV) sync --locked --all-packages
	@touch $@

setup: .venv/.synced

demo: setup
	$(UV) run --no-sync python examples/demo.py

lint: setup
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .

typecheck: setup
	$(UV) run --no-sync mypy

unit: setup
	$(UV) run --no-sync pytest

docs: setup
	$(UV) run --no-sync mkdocs build --strict --quiet --site-dir site

dist: setup
	rm -rf dist
	$(UV) build --all-packages -o dist
	$(UV) run --no-sync twine check dist/*

test: lint typecheck docs unit

# Benchmarks run in their own environment (workspace + the bench group: openai, aiohttp) so a
# `make test` resync cannot pull openai from under a run and dev tools (click, rich) do not
# inflate `import httpx`. BENCH_ARGS=--quick for a short run.
BENCH_ENV := UV_PROJECT_ENVIRONMENT=$(CURDIR)/benchmarks/.venv
bench: $(UV)
	$(BENCH_ENV) $(UV) sync --locked --all-packages --no-default-groups --group bench
	$(BENCH_ENV) $(UV) run --no-sync python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf .venv .bootstrap dist site .mypy_cache .ruff_cache benchmarks/.venv
