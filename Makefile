# One command per job; README and CI use these targets.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: venv run test lint type check migrate bench serve clean tracker

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

## run: set up, migrate the embedded SQLite database, create admin + demo site, serve on :8000
run: $(STAMP)
	$(BIN)/analytics-server quickstart

## serve: start the server without the first-run setup
serve: $(STAMP)
	$(BIN)/analytics-server serve

## test: the whole suite (MariaDB/Redis/browser tests skip with a reason when absent)
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check analytics_server tests migrations bench
	$(BIN)/ruff format --check analytics_server tests migrations bench
	$(BIN)/lint-imports

type: $(STAMP)
	$(BIN)/mypy

check: lint type test

migrate: $(STAMP)
	$(BIN)/analytics-server migrate

## bench: every benchmark (needs MariaDB and Redis; about 30 minutes)
bench: $(STAMP)
	$(BIN)/python bench/ingest.py --mode embedded --seconds 20
	$(BIN)/python bench/ingest.py --mode redis --seconds 20
	$(BIN)/python bench/ingest_batch.py
	$(BIN)/python bench/archive.py
	$(BIN)/python bench/api.py --runs 30
	$(BIN)/python bench/email_report.py
	$(BIN)/python bench/dashboard.py --runs 10

## tracker: rebuild tracker_js/dist/tracker.min.js (needs node and npm; the build is committed)
tracker: $(STAMP)
	$(BIN)/python tracker_js/build.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
