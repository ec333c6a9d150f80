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

# `make run` builds the seeds into payerkg.duckdb (see README "Warehouse") and prints rules per vendor.
run: $(STAMP)
	$(BIN)/payerkg build seeds/ --db payerkg.duckdb
	$(BIN)/payerkg query "select payer, vendor, count(*) as rules from coverage_rules group by all order by payer, rules desc" --db payerkg.duckdb

test: $(TSTAMP)
	$(BIN)/python -m pytest -q

bench: $(TSTAMP)
	$(BIN)/python benchmarks/ingest_bench.py

clean:
	rm -rf $(VENV) payerkg.duckdb .pytest_cache
