# Yimen — two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
DATA_DIR ?= $(CURDIR)/.demo-data
HOUSEHOLDS ?= 5000

.PHONY: run test lint bench bench-startup bench-sync demo county-demo selftest clean install install-test translations screenshots

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install -q -e '.[test,county]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Start the application on the embedded demo township (created on first run).
run: install
	@test -f "$(DATA_DIR)/yimen.db" || $(VENV)/bin/yimen demo --data-dir "$(DATA_DIR)" --households $(HOUSEHOLDS)
	$(VENV)/bin/yimen --data-dir "$(DATA_DIR)"

demo: install
	$(VENV)/bin/yimen demo --data-dir "$(DATA_DIR)" --households $(HOUSEHOLDS)

# A county hub on SQLite for a trial beside `make run` (prints the enrollment codes; Ctrl+C stops it).
county-demo: install-test
	$(VENV)/bin/yimen-county demo --data-dir "$(CURDIR)/.county-demo"

selftest: install
	$(VENV)/bin/yimen self-test --data-dir "$(DATA_DIR)"

# The whole suite: layering contracts, lint, then pytest (Qt offscreen).
# tools/ensure_postgres.sh installs Debian's postgresql when missing (the hub's tests run their own cluster).
test: install-test
	sh tools/ensure_postgres.sh
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff check desktop sync forms tests tools
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider

lint: install-test
	$(VENV)/bin/ruff check desktop sync forms tests tools
	$(VENV)/bin/lint-imports --no-cache

bench: install-test
	sh tools/ensure_postgres.sh
	sh tools/ensure_pouchdb.sh
	$(PY) -m tests.bench

# Only the sync figures (push over a slow link against PouchDB, 50 devices on PostgreSQL).
bench-sync: install-test
	sh tools/ensure_postgres.sh
	sh tools/ensure_pouchdb.sh
	$(PY) -m tests.bench sync

# Only cold start to the login window (against a bare PySide6 window) and RSS after sign-in.
bench-startup: install-test
	$(PY) -m tests.bench startup

# Regenerate resources/translations/yimen_zh_CN.ts/.qm after changing UI text.
translations: install
	tools/update_translations.sh

# Screenshots of every screen at 1366x768 under Xvfb (Debian: xvfb and the xcb libs, see FACTS).
SHOT_DIR ?= /tmp/yimen-shots-demo
screenshots: install
	SHOT_DIR="$(SHOT_DIR)" sh tools/screenshots_all.sh

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
