# Two commands for a fresh machine (see README):
#   make run   – install, migrate, seed the sandbox, print URL/login/tokens and serve on 127.0.0.1:8000
#   make test  – install dev tools, lint, check the import layering and migrations, run the whole suite

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.local
TEST_WORKERS ?= auto

.PHONY: run test install install-dev lint imports-check migrations-check serve seed bench clean

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
	$(BIN)/python manage.py migrate --noinput
	SANDBOX_URL=http://$(HOST):$(PORT)/ $(BIN)/python manage.py seed_sandbox
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

test: install-dev lint imports-check migrations-check
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m pytest -n $(TEST_WORKERS)

lint: install-dev
	$(BIN)/ruff check .

# The layering of the README's architecture section (contracts in pyproject.toml): an import against it fails.
imports-check: install-dev
	$(BIN)/lint-imports

migrations-check: install-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache .hypothesis .import_linter_cache
