# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: run test bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(TSTAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TSTAMP)

install: $(STAMP)

# Until the warehouse lands (`payerkg build`), the main job is ingest + extraction of seeds/.
run: $(STAMP)
	$(BIN)/payerkg ingest seeds/ --format summary
	$(BIN)/payerkg extract seeds/ --format summary

test: $(TSTAMP)
	$(BIN)/python -m pytest -q

bench: $(TSTAMP)
	$(BIN)/python benchmarks/ingest_bench.py

clean:
	rm -rf $(VENV) payerkg.duckdb .pytest_cache
