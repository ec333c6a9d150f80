# Two commands for a fresh machine: `make run` and `make test`. The inner loop: `make test-quick`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test
# the packages the lint and type gates cover
LINTED := payerkg warehouse graph extract ingest fuzz tests
TYPED  := payerkg warehouse graph extract ingest fuzz

.PHONY: run test test-quick lint fuzz bench bench-readers bench-ingest install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

# the tests install the ray extra too: the --engine ray test runs in CI (it skips only without Ray)
$(TSTAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,ray]'
	touch $(TSTAMP)

install: $(STAMP)

# `make run` builds the seeds into payerkg.duckdb (see README "Warehouse") and prints rules per vendor.
run: $(STAMP)
	$(BIN)/payerkg build seeds/ --db payerkg.duckdb
	$(BIN)/payerkg query "select payer, vendor, count(*) as rules from coverage_rules group by all order by payer, rules desc" --db payerkg.duckdb
	@printf '\npayerkg is installed in $(VENV)/. Put it on your PATH (in each new shell), then see README "CLI":\n\n  source $(VENV)/bin/activate\n'

# the whole suite (CI runs it)
test: $(TSTAMP)
	$(BIN)/python -m pytest -q

# everything but the tests marked slow (processes, all seeds, several whole builds): ≤ 30 s
test-quick: $(TSTAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(TSTAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy $(TYPED)

# `make fuzz` runs the fuzzer (issue 18): mutated seed and devset files, hypothesis documents and structure
# bombs through ingest + extract, each with 20 s of CPU and 2 GiB; FUZZ_COUNT inputs or as many as start
# within FUZZ_MINUTES. Crashers and hangers are saved under fuzz-out/. See README "Fuzzing".
FUZZ_COUNT   ?= 100000
FUZZ_MINUTES ?= 60
FUZZ_SEED    ?= 0
fuzz: $(TSTAMP)
	mkdir -p fuzz-out
	$(BIN)/python -m fuzz --count $(FUZZ_COUNT) --minutes $(FUZZ_MINUTES) --seed $(FUZZ_SEED) --save fuzz-out --log fuzz-out/log.jsonl

# `make bench` measures builds of 100, 300 and 1,000 generated documents (about 25 minutes on 2 cores);
# `make bench SIZES=100` for a quick look. See README "Performance".
SIZES ?= 100,300,1000
bench: $(TSTAMP)
	$(BIN)/python benchmarks/run.py --sizes $(SIZES) --json benchmarks/.work/results.json

# `payerkg who` and `payerkg query` on the seeds (issue 16: ≤ 0.5 s): least wall and CPU seconds of 10 runs
bench-readers: $(TSTAMP)
	$(BIN)/python benchmarks/run.py --readers

bench-ingest: $(TSTAMP)
	$(BIN)/python benchmarks/ingest_bench.py

clean:
	rm -rf $(VENV) payerkg.duckdb .pytest_cache .mypy_cache .ruff_cache fuzz-out

# headless Chromium for the review site's browser tests (tests/test_report.py); CI runs it before `make test`.
# The stamp tells those tests that Chromium was asked for, so they fail instead of skipping when it is missing.
.PHONY: chromium
chromium:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	mkdir -p $(VENV) && touch $(VENV)/.installed-chromium
