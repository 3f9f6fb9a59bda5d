# Thin targets over the `healthcheck` command line. `make help` lists them.
VENV ?= .venv
PY := $(VENV)/bin/python
HC := $(VENV)/bin/healthcheck
PYTEST_ARGS ?=

.PHONY: help setup system run lint test bench clean-outputs

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# the accessibility checks' npm packages (axe-core, puppeteer-core), exactly as package-lock.json pins them;
# puppeteer-core never downloads a browser: the checks drive Debian's Chromium
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "warning: npm is missing; the accessibility tests will be skipped"; exit 0; }; \
	 npm ci --no-audit --no-fund --loglevel=error && touch $@

setup: system $(VENV)/.installed node_modules/.installed ## create .venv, install the package, its tools, Chromium and the npm checkers

system: ## install Debian's Chromium (chart images, accessibility checks) and Node.js with npm (skipped when present)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	 { echo "installing Debian's chromium for static chart export"; \
	   (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	   echo "warning: could not install chromium; chart images (PNG/SVG, Word, PDF) need it"; }
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || \
	 { echo "installing Debian's nodejs and npm for the accessibility checks (axe-core)"; \
	   (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null) || \
	   echo "warning: could not install nodejs and npm; the axe-core accessibility test will be skipped"; }

run: setup ## sample data, clean, score and every report, end to end
	$(HC) run

lint: setup ## ruff (lint and format) and the import layers between the stages
	$(VENV)/bin/ruff check src tests benchmarks notebooks
	$(VENV)/bin/ruff format --check src tests benchmarks notebooks
	$(VENV)/bin/lint-imports

test: lint ## the checks, then the test suite
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

bench: setup ## run the benchmarks (scoring at 100x, batch reports)
	$(PY) benchmarks/score.py
	$(PY) benchmarks/batch.py

clean-outputs: ## delete generated data and reports (never data/raw of real years)
	rm -rf data/processed/* reports/*
