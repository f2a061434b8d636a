# Two commands matter: `make run` and `make test`. Everything else is a step they call.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Django 6 needs Python 3.12 or newer; use the first one this machine has.
PYTHON ?= $(shell for p in python3.13 python3.12 /root/.pyenv/versions/3.13*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3 /usr/bin/python3; do \
	  if $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then command -v $$p || echo $$p; break; fi; done)
HOST ?= 127.0.0.1
PORT ?= 8000
REGISTRY_CSV ?= $(firstword $(wildcard ../shared/data/lao_registry.csv) data/lao_registry.csv)

.PHONY: run test install install-dev assets browser system-deps migrate demo lint format lock messages clean bench

$(VENV)/.installed: requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12+ is required (Django 6)"; exit 1; }
	@# PyICU (Thai collation) is built against Debian's ICU.
	@pkg-config --exists icu-i18n 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config >/dev/null; \
	  else echo "Install Debian's libicu-dev and pkg-config (PyICU, Thai collation)"; fi; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install -q -r requirements-dev.txt
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed assets system-deps

# WeasyPrint (PDF reports) needs Debian's pango at run time.
system-deps:
	@ldconfig -p 2>/dev/null | grep -q libpangoft2 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-thai-tlwg >/dev/null; \
	  else echo "Install Debian's libpango-1.0-0 and libpangoft2-1.0-0 for PDF reports"; fi; }
install-dev: $(VENV)/.installed-dev assets system-deps
assets: node_modules/.package-lock.json

# Debian's Chromium and Thai fonts for the browser tests and screenshots (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list | grep -qi -e sarabun -e garuda -e loma || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-thai-tlwg libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	  else echo "Install Debian's chromium and fonts-thai-tlwg for the browser tests"; fi; }

migrate: install
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py import_registry $(REGISTRY_CSV)
	$(PY) manage.py import_framework localstandards/frameworks/samples/framework-2567-sample.xlsx --publish
	$(PY) manage.py load_demo
	$(PY) manage.py load_demo_round
	@# Chiang Mai mid-round, as a real province looks: answers, evidence, returns sent back with reasons, accepted
	@# returns with their results, and the national results (docs/generator.md). Once: it skips when it is there.
	$(PY) manage.py generate_round --seed 2567 --provinces 50 --if-absent

run: demo
	trap 'kill %1 %2' EXIT; $(PY) manage.py db_worker & $(PY) manage.py run_scheduler & $(PY) manage.py runserver $(HOST):$(PORT)

# Two pytest-xdist workers, each with its own test database, given whole files (a file's shared rows are built once)
# in collection order, so one worker starts the long browser test first (docs/testing.md). PYTEST_XDIST= runs serially.
PYTEST_XDIST ?= -n 2 --dist loadfile --no-loadscope-reorder

test: install-dev browser
	$(PY) -m ruff check .
	$(PY) -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

lock: install-dev
	$(PIP) install -q pip-tools
	$(VENV)/bin/pip-compile -q --strip-extras --no-emit-find-links --no-emit-index-url -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile -q --strip-extras --no-emit-find-links --no-emit-index-url -o requirements-dev.txt requirements-dev.in

messages: install
	$(PY) manage.py makemessages -l th --no-obsolete --ignore=node_modules --ignore=.venv
	$(PY) manage.py compilemessages -l th --ignore=node_modules --ignore=.venv

# The national benchmark on a throw-away PostgreSQL database (BENCHMARKS.md); not part of `make test`.
# BENCH_QUICK=1 make bench: 3 provinces and 30-second rushes, under 10 minutes.
bench: install-dev
	REGISTRY_CSV=$(REGISTRY_CSV) bench/run.sh

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles media
