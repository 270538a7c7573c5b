# Leveller. `make run` serves the demo; `make test` runs lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres lint bench install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP) $@

install: $(STAMP)
install-dev: $(DEV_STAMP)

run: $(STAMP)
	$(BIN)/leveller serve --demo --host $(HOST) --port $(PORT)

lint: $(DEV_STAMP)
	$(BIN)/ruff check leveller tests bench
	$(BIN)/ruff format --check leveller tests bench

# Tests marked `isolated` run in a pytest process of their own (see pyproject.toml's markers); none may be
# marked (pytest then exits 5: no tests collected).
test: lint
	$(BIN)/pytest -m "not isolated" $(PYTEST_ARGS)
	$(BIN)/pytest -m isolated $(PYTEST_ARGS) || [ $$? -eq 5 ]

bench: $(DEV_STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf var/test .pytest_cache
