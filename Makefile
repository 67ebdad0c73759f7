# Two entry points a new user needs: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= corroborate.db
SAMPLE := samples/euaa-peru-country-focus-2023.txt
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-test demo ingest-sample test lint serve bench fuzz clean messages pg pg-stop

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'

ingest-sample: install
	$(BIN)/corroborate --db $(DB) ingest $(SAMPLE)

demo: ingest-sample
	@echo "Serving the web UI on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(BIN)/corroborate --db $(DB) serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/python -m pytest -q

# The long fuzzing run (over 10,000 mutated documents; `make test` runs a few hundred). Figures
# in benchmarks/results/fuzz.md.
fuzz: install-test
	CORROBORATE_FUZZ=long $(BIN)/python -m pytest -q -p no:cacheprovider tests/fuzz/test_fuzz_readers.py \
		--hypothesis-show-statistics

# A throwaway PostgreSQL 15 cluster under .pg/ (Debian's `postgresql` package); prints its URL.
pg: install
	$(BIN)/python scripts/pg-dev start

pg-stop:
	$(BIN)/python scripts/pg-dev stop

# Extract the interface's messages into the gettext catalogues (src/corroborate/locales) and list
# what Spanish still lacks; the test suite fails on an untranslated message (tests/test_i18n.py).
messages: install
	$(BIN)/python scripts/messages.py

bench: install-test
	$(BIN)/python benchmarks/bench_ingest.py

clean:
	rm -rf $(VENV) *.egg-info src/*.egg-info .pytest_cache .ruff_cache
