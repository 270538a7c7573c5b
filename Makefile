# Leveller. `make run` serves the demo; `make test` runs lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck coverage coverage-floor lock bench install install-dev clean

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
# Coverage is gathered over both runs (--cov-append), reported (the least covered modules and the total) and
# held to the floor: every module at 80%, except those in tests/support/coverage_floor.py's BELOW list, which
# may not drop under the share recorded there (a list to empty). `make coverage-floor` checks it alone.
test: lint
	$(BIN)/pytest -m "not isolated" --cov=leveller --cov-report= $(PYTEST_ARGS)
	$(BIN)/pytest -m isolated --cov=leveller --cov-append --cov-report= $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(MAKE) --no-print-directory coverage
	$(MAKE) --no-print-directory coverage-floor

coverage: $(DEV_STAMP)
	$(BIN)/coverage report --skip-covered --sort=-cover | tail -n 40

coverage-floor: $(DEV_STAMP)
	$(BIN)/python tests/support/coverage_floor.py

bench: $(DEV_STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf var/test .pytest_cache .coverage
