# Two commands set everything up on a fresh clone: `make run` and `make test`.
VENV     ?= .venv
PYTHON   := $(VENV)/bin/python
CHROMIUM ?= /usr/bin/chromium
PORT     ?= 5000
# Links in mail, feeds and calendar files point here; other host names are refused.
PUBLIC_URL ?= http://127.0.0.1:$(PORT)
export FLASK_APP := wenevents

.PHONY: run dev test lint fmt bench bench-smoke test-deps clean messages

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PYTHON) -m pip install -q -e '.[server]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed-test
	$(PYTHON) -m pip install -q -e '.[test,bench]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(PYTHON) -m pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The catalogues are compiled, not committed: the .po files are the source.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard wenevents/translations/*/LC_MESSAGES/messages.po))
%.mo: %.po
	$(VENV)/bin/pybabel compile -f -i $< -o $@

## run: install, create or upgrade the SQLite database, load the demo, serve on 127.0.0.1:5000
# Under gunicorn's sync workers, the server `make bench` measured fastest (README,
# Performance) and the one the deployment guide runs. One worker: rate limits are counted in
# its memory unless WENEVENTS_RATELIMIT_STORAGE_URL names Redis (then WORKERS=2 or more).
# The mail worker runs beside the server (mail lands in instance/outbox/ without
# WENEVENTS_MAIL_SERVER) and stops with it.
WORKERS ?= 1
run: export WENEVENTS_PUBLIC_URL = $(PUBLIC_URL)
run: $(VENV)/.installed $(CATALOGUES)
	$(VENV)/bin/wenevents init-db
	$(VENV)/bin/wenevents load-demo
	$(VENV)/bin/wenevents worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn -c python:wenevents.gunicorn_config --workers $(WORKERS) \
	  --bind 127.0.0.1:$(PORT) 'wenevents:create_app()'

## dev: the same on Flask's development server, which reloads on every code change and
## shows the debugger on an error (on 127.0.0.1 only; never in production)
dev: export WENEVENTS_PUBLIC_URL = $(PUBLIC_URL)
dev: $(VENV)/.installed $(CATALOGUES)
	$(VENV)/bin/wenevents init-db
	$(VENV)/bin/wenevents load-demo
	$(VENV)/bin/wenevents worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/wenevents run --host 127.0.0.1 --port $(PORT) --debug

## test: the whole suite (browser tests included); set WENEVENTS_TEST_DATABASE_URL for PostgreSQL
# On every core (pytest-xdist); each test file stays on one worker, so a module's live server
# and its demo data are built once. TEST_WORKERS=0 runs in one process; PYTEST_ARGS adds more.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-test node_modules/.installed test-deps $(CATALOGUES)
	$(PYTHON) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Chromium (Playwright cannot download its own browser here), Java (the HTML checker) and
# nginx (in front of an instance, tests/uploads/test_nginx_front.py) come from Debian's
# packages.
test-deps:
	@if [ ! -x "$(CHROMIUM)" ] || ! command -v java >/dev/null || \
	    { [ ! -x /usr/sbin/nginx ] && ! command -v nginx >/dev/null; }; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && apt-get install -y -qq chromium default-jre-headless nginx >/dev/null; \
	  else \
	    echo "Install Debian's chromium, default-jre-headless and nginx (sudo apt-get install chromium default-jre-headless nginx)"; exit 1; \
	  fi; \
	fi

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(VENV)/.installed-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## bench: serve the demo under gunicorn (2 workers) and print latency, throughput, queries
# wrk (apt install wrk) drives the comparison of servers; without it that part is skipped.
bench: $(VENV)/.installed-bench $(CATALOGUES)
	$(PYTHON) -m benchmarks.bench

bench-smoke: $(VENV)/.installed-test $(CATALOGUES)
	$(PYTHON) -m benchmarks.bench --requests 20 --scales 1 --upload-mb 5 --no-servers

## messages: extract the strings marked for translation into wenevents/translations/messages.pot
messages: $(VENV)/.installed-test
	$(VENV)/bin/pybabel extract -F babel.cfg -k lazy_gettext -k _l --no-wrap --sort-by-file \
	  --ignore-dirs '.* node_modules' -o wenevents/translations/messages.pot .
	$(VENV)/bin/pybabel update -i wenevents/translations/messages.pot -d wenevents/translations \
	  --no-wrap --ignore-obsolete --no-fuzzy-matching

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache *.egg-info
