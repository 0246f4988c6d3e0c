# socialpulse: the two commands of the README, and a few more.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PIP     = $(BIN)/python -m pip

.PHONY: demo test install install-test lint bench serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

install: $(BIN)/python
	$(PIP) install -q -e .

install-test: $(BIN)/python
	bash scripts/system_deps.sh
	$(PIP) install -q -e '.[test]'

## Install and start the dashboard on the demo workspace (http://127.0.0.1:8000).
demo: install
	$(BIN)/socialpulse demo

## Install the test tools and run every check and test.
test: install-test
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: install-test
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy

## Benchmarks: ratios against baselines measured in the same run -> bench/results.json
bench: install-test
	@for b in bench/bench_*.py; do \
	  echo "== $$b"; $(BIN)/python -m bench.$$(basename $$b .py) || exit 1; \
	done

serve: install
	$(BIN)/socialpulse serve

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache
