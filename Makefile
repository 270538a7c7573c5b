# Leveller. `make run` serves the demo; `make test` runs lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres lint typecheck coverage coverage-floor lock bench install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Both install the pinned versions from requirements.lock (runtime and dev), then leveller itself without
# resolving again; `pip install .` alone still works, within pyproject.toml's ranges.
$(STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(DEV_STAMP): $(STAMP)
	touch $@

lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --annotation-style line \
		--custom-compile-command "make lock" -o requirements.lock

install: $(STAMP)
install-dev: $(DEV_STAMP)

run: $(STAMP)
	$(BIN)/leveller serve --demo --host $(HOST) --port $(PORT)

lint: $(DEV_STAMP)
	$(BIN)/ruff check leveller tests bench
	$(BIN)/ruff format --check leveller tests bench
	$(BIN)/mypy

# mypy's files and settings are in pyproject.toml ([tool.mypy]): core, realtime, stv and every actions module.
typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# Tests marked `isolated` run in a pytest process of their own (see pyproject.toml's markers); none may be
# marked (pytest then exits 5: no tests collected).
# Coverage is gathered over both runs (--cov-append) and reported (the least covered modules and the total).
# `make coverage-floor` holds each module to 80% (tests/support/coverage_floor.py); it joins `make test` once
# its BELOW list has been recorded from a whole run.
test: lint
	$(BIN)/pytest -m "not isolated" --cov=leveller --cov-report= $(PYTEST_ARGS)
	$(BIN)/pytest -m isolated --cov=leveller --cov-append --cov-report= $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(MAKE) --no-print-directory coverage

coverage: $(DEV_STAMP)
	$(BIN)/coverage report --skip-covered --sort=cover | tail -n 30

coverage-floor: $(DEV_STAMP)
	$(BIN)/python tests/support/coverage_floor.py

bench: $(DEV_STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf var/test .pytest_cache .coverage
