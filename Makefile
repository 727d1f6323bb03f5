# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DEBUG ?= 1

.PHONY: run serve test lint check bench vendor lock clean system-packages reliability screenshots

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
	$(BIN)/lint-imports --no-cache

check: $(VENV)/.installed-dev
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check --fail-level WARNING
	@if [ -x ../shared/tools/check-no-copy ]; then ../shared/tools/check-no-copy content templates; fi

# Production settings on this machine: DEBUG off, compressed and hashed static files,
# Gunicorn with workers sized to the cores, on the embedded SQLite unless DATABASE_URL
# (and REDIS_URL) are set. Plain http on loopback, so no redirect to https. A random
# secret key is made once and kept in .secret-key (never committed).
SERVE_ENV = DEBUG=0 SECRET_KEY="$$(cat .secret-key)" SECURE_SSL_REDIRECT=0 \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" GUNICORN_BIND=$(HOST):$(PORT)

.secret-key:
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

serve: $(VENV)/.installed-run .secret-key
	$(SERVE_ENV) $(PY) manage.py collectstatic --no-input -v 0
	$(SERVE_ENV) $(PY) manage.py migrate --no-input -v 0
	$(SERVE_ENV) $(PY) manage.py load_content
	@echo "Serving (production settings) on http://$(HOST):$(PORT)/"
	$(SERVE_ENV) $(BIN)/gunicorn --config deploy/gunicorn.conf.py portal.wsgi

# The whole suite on SQLite (browser tests included), then again on a throwaway
# PostgreSQL server, where search and loading run on PostgreSQL's own engine, then the
# tests of the shared cache (page cache, rate limits) and of deploy/ (nginx in front of
# Gunicorn) on PostgreSQL with a real Redis, as production runs. The fault and backup
# tests (marked faults) start servers of their own to break and run in the first pass.
test: system-packages lint check node_modules/.installed
	$(BIN)/pytest
	tests/with-postgres $(BIN)/pytest tests --ignore=tests/browser --ignore=tests/deploy -p no:cacheprovider
	tests/with-postgres tests/with-redis $(BIN)/pytest tests -m "cache or deploy" -p no:cacheprovider

# The Security and reliability table in README.md, from the tests it lists.
reliability: system-packages node_modules/.installed
	$(BIN)/pytest -m reliability -p no:cacheprovider --write-reliability

# Chromium, PostgreSQL, Redis, nginx and Node.js, installed when missing.
system-packages:
	@tests/system-packages

# The production stack on loopback (PostgreSQL, Redis, Gunicorn, nginx with deploy/),
# 10,000 generated articles, driven by wrk; the table goes to bench/results.md.
bench: $(VENV)/.installed-dev
	@tests/system-packages wrk
	tests/with-postgres tests/with-redis $(PY) bench/run.py

# The key pages at 390 and 1280 px, light and dark, into docs/screenshots/ (the site runs
# on a free loopback port with a database of its own; pngquant keeps the files small).
screenshots: $(VENV)/.installed-dev
	@tests/system-packages pngquant
	$(PY) -m tests.screenshots

# Refresh the vendored htmx from the npm lockfile.
vendor: node_modules/.installed
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js

# Re-resolve the Python lockfiles after editing pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements.lock
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements-dev.lock

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm .secret-key
