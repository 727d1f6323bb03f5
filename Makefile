# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DEBUG ?= 1

.PHONY: run test lint check bench vendor lock clean

$(BIN)/activate:
	$(shell command -v $(PYTHON) || echo python3) -m venv $(VENV)

# Stamp files make a second run skip installs whose lockfile did not change.
$(VENV)/.installed-run: requirements.lock | $(BIN)/activate
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(BIN)/activate
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	touch $@ $(VENV)/.installed-run

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(VENV)/.installed-run
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_content
	@echo "Serving on http://$(HOST):$(PORT)/"
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: $(VENV)/.installed-dev
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check --fail-level WARNING
	@if [ -x ../shared/tools/check-no-copy ]; then ../shared/tools/check-no-copy content templates; fi

# The whole suite on SQLite (browser tests included), then again on a throwaway
# PostgreSQL server, where search and loading run on PostgreSQL's own engine, then the
# tests of the shared cache (page cache, rate limits) on PostgreSQL with a real Redis.
test: lint check node_modules/.installed
	$(BIN)/pytest
	tests/with-postgres $(BIN)/pytest tests --ignore=tests/browser -p no:cacheprovider
	tests/with-postgres tests/with-redis $(BIN)/pytest tests -m cache -p no:cacheprovider

# Speed of the log diagnosis: --file on a generated million-line log, and one API call.
bench: $(VENV)/.installed-dev
	$(PY) bench/run.py

# Refresh the vendored htmx from the npm lockfile.
vendor: node_modules/.installed
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js

# Re-resolve the Python lockfiles after editing pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements.lock
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements-dev.lock

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
