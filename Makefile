# Steward: `make run` serves the demo site; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SHELL := /bin/bash

.PHONY: run dev test test-fast lint format install static migrate demo bench clean

$(BIN)/steward: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(BIN)/steward

install: $(BIN)/steward

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

steward/static/vendor/.built: node_modules/.package-lock.json scripts/build_static.mjs
	node scripts/build_static.mjs
	touch $@

static: install steward/static/vendor/.built
	$(BIN)/steward collectstatic --noinput --verbosity 0

## the database: one line per area as its tables are built, then how long it took
migrate: install
	@echo "Building the database (the first time takes a minute or two):"
	@start=$$(date +%s); \
	$(BIN)/steward migrate --noinput --verbosity 1 | awk '/^  Applying / { split($$2, m, "."); \
	  n++; if (m[1] != app) { app = m[1]; printf "  %s\n", app; fflush() } } \
	  END { if (n) printf "  %d migrations applied\n", n; else print "  already up to date" }'; \
	status=$${PIPESTATUS[0]}; [ $$status -eq 0 ] || exit $$status; \
	echo "Database ready in $$(( $$(date +%s) - start )) s."

demo: migrate
	$(BIN)/steward demo

## make run: set everything up and serve the demo site on http://127.0.0.1:$(PORT) with gunicorn,
## beside one background worker (imports, emails, the daily jobs on schedule); both stop together
run: static demo
	@echo "Steward is starting on http://127.0.0.1:$(PORT) with a background worker  (Ctrl-C to stop)"
	@echo "(Demo: administrators and oversight officers are not asked for a second factor; production asks.)"
	STEWARD_TWO_FACTOR_REQUIRED=$${STEWARD_TWO_FACTOR_REQUIRED:-0} $(BIN)/python scripts/serve.py $(BIN) $(PORT)

## make dev: the Django development server, with auto-reload and debug pages
dev: static demo
	STEWARD_DEBUG=1 STEWARD_TWO_FACTOR_REQUIRED=$${STEWARD_TWO_FACTOR_REQUIRED:-0} $(BIN)/steward runserver 127.0.0.1:$(PORT)

## make test: every test (unit, API, permission matrix, browser with axe-core)
test: install steward/static/vendor/.built
	$(BIN)/steward collectstatic --noinput --verbosity 0
	$(BIN)/steward makemigrations --check --dry-run --verbosity 0
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install steward/static/vendor/.built
	$(BIN)/steward collectstatic --noinput --verbosity 0
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

## make lint: what CI checks besides the tests (style, formatting, types, the layer order)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy steward
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/register.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules steward/static/vendor var/staticfiles
