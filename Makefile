# HallQ: `make demo` runs the demo hall; `make test` runs the whole suite. Both set up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make demo PORT=8080` serves the demo on another port.
PORT ?= 5000
STAMP := $(VENV)/.installed-stamp

.PHONY: setup demo demo-fresh test test-fast lint bench system-packages clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "HallQ needs Python 3.11 or newer")'
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

system-packages:
	@scripts/ensure-system-packages

demo: setup
	$(BIN)/hallq demo --port $(PORT)

demo-fresh: setup
	$(BIN)/hallq demo --fresh --port $(PORT)

test: setup system-packages
	$(BIN)/pytest

test-fast: setup
	$(BIN)/pytest -m "not browser and not live_server"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
