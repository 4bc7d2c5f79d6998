# Set-up and everyday commands. The README names two: `make serve` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: serve site test install install-site system lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The site needs no torch: `make serve` installs only the `site` extra.
$(VENV)/.site-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[site]'
	touch $@

$(VENV)/.all-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[all]'
	touch $@ $(VENV)/.site-installed

install-site: $(VENV)/.site-installed
install: $(VENV)/.all-installed

# System packages (headless chromium for the browser test, ...): scripts/apt-packages.txt.
system:
	bash scripts/setup-system.sh

## Main job: validate the knowledge base, build the site and serve it on localhost.
serve: install-site
	$(BIN)/lic-bench kb validate
	$(BIN)/lic-bench site serve --port $(PORT)

site: install-site
	$(BIN)/lic-bench site build

## Tests: everything installed, then the whole suite on 2 workers (pytest-xdist; a test
## file, or the files sharing an expensive fixture, run whole on one worker).
test: install system
	$(BIN)/lic-bench kb validate
	$(BIN)/python -m pytest -n 2 --durations=10

lint: install
	$(BIN)/python -m ruff check lic_bench tests scripts

clean:
	rm -rf build .pytest_cache
