# Two commands for a fresh machine (see README):
#   make run   – install, migrate, seed the sandbox, print URL/login/tokens and serve on 127.0.0.1:8000
#   make test  – install dev tools, lint, check the import layering and migrations, run the whole suite
#   make serve – production: collect static files and run gunicorn (no migrate, no seed)
#   make screenshots – run the browser tests and save screenshots of the back office in docs/screenshots/

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Development targets default to the local settings, `make serve` to production's; the environment wins.
SETTINGS_GIVEN := $(DJANGO_SETTINGS_MODULE)
export DJANGO_SETTINGS_MODULE ?= config.settings.local
export HOST PORT
TEST_WORKERS ?= auto

SCREENSHOTS_DIR ?= docs/screenshots

.PHONY: run test install install-dev lint imports-check migrations-check serve static bench bench-smoke screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The lock files pin every package with hashes; a stamp avoids reinstalling when nothing changed.
$(VENV)/.installed-base: requirements/base.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/base.txt
	touch $@

$(VENV)/.installed-dev: requirements/dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed-base
install-dev: $(VENV)/.installed-dev

run: install
	@$(BIN)/python scripts/check_port_free.py $(HOST) $(PORT)
	$(BIN)/python manage.py migrate --noinput
	SANDBOX_URL=http://$(HOST):$(PORT)/ $(BIN)/python manage.py seed_sandbox
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

serve static: export DJANGO_SETTINGS_MODULE = $(or $(SETTINGS_GIVEN),config.settings.production)

# Static files hashed and compressed into STATIC_ROOT, for the app to serve.
static: install
	$(BIN)/python manage.py collectstatic --noinput -v0

# gunicorn as in production: HOST, PORT, WEB_CONCURRENCY and the settings from the environment.
serve: static
	exec $(BIN)/gunicorn --config python:config.gunicorn config.wsgi

test: install-dev lint imports-check migrations-check
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m pytest -n $(TEST_WORKERS)

lint: install-dev
	$(BIN)/ruff check .

# The layering of the README's architecture section (contracts in pyproject.toml): an import against it fails.
imports-check: install-dev
	$(BIN)/lint-imports

migrations-check: install-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

# The national-scale bench (bench/run.py): seeds BENCH_DB once per size (seed_scale), serves it with gunicorn
# as deployed and prints p50/p95/p99 next to the same rows' raw-SQL floor; results in bench/results/.
BENCH_DB ?= ecf_bench
BENCH_PARTICIPANTS ?= 300000
BENCH_DECLARATIONS ?= 1200000
bench: install-dev
	BENCH_DB=$(BENCH_DB) BENCH_PARTICIPANTS=$(BENCH_PARTICIPANTS) BENCH_DECLARATIONS=$(BENCH_DECLARATIONS) \
		$(BIN)/python bench/run.py

# The same pipeline at a tiny size, rebuilt every time, in well under a minute (tests/test_bench_smoke.py runs
# it in `make test`).
bench-smoke: install-dev
	BENCH_DB=$(BENCH_DB)_smoke BENCH_RESEED=1 BENCH_PARTICIPANTS=2000 BENCH_DECLARATIONS=8000 BENCH_SAMPLES=5 \
		BENCH_ROW_SECONDS=2 BENCH_POSTS=64 $(BIN)/python bench/run.py

# The browser tests (headless Chromium at 1366 px) save a full-page screenshot of every key page they visit.
screenshots: install-dev
	rm -rf $(SCREENSHOTS_DIR)
	SCREENSHOTS_DIR=$(abspath $(SCREENSHOTS_DIR)) DJANGO_SETTINGS_MODULE=config.settings.test \
		$(BIN)/python -m pytest tests/browser -n 0 -q
	@ls $(SCREENSHOTS_DIR)/*.png >/dev/null 2>&1 && echo "Screenshots in $(SCREENSHOTS_DIR)/" \
		|| (echo "No screenshots written: is Chromium installed at /usr/bin/chromium?" && exit 1)

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache .hypothesis .import_linter_cache
