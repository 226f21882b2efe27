# Two commands for a newcomer:  make run  (start the suite)  and  make test  (run every test).
# A fresh machine needs only Python 3.11 and the package registries: uv comes from PyPI into
# .tools/, and every dependency from uv.lock into .venv/.

UV_VERSION := 0.13.9
PYTHON ?= python3.11
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup run test lint asyncapi demo bench-settlement bench-clearing clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.synced: $(UV) uv.lock pyproject.toml libs/common/pyproject.toml deploy/pyproject.toml services/*/pyproject.toml
	$(UV) sync --frozen
	touch $@

setup: .venv/.synced

## Start the whole suite (embedded broker unless KAFKA_BOOTSTRAP_SERVERS is set); Ctrl-C stops it.
run: setup
	$(UV) run --frozen devstack up

## Unit, integration and end-to-end tests on SQLite, and again on PostgreSQL when
## TEST_POSTGRES_URL is set (e.g. postgresql://postgres@127.0.0.1:5432/postgres).
test: setup
	$(UV) run --frozen pytest $(PYTEST_ARGS)

lint: setup
	$(UV) run --frozen ruff check .

## With `make run` up in another terminal: the whole journey, ending in a clearing statement.
demo: setup
	$(UV) run --frozen python -m devstack.demo

## Benchmarks (not tests; PostgreSQL required: BENCH_POSTGRES_URL, default the local server).
bench-settlement: setup
	$(UV) run --frozen python bench/settlement/run.py $(BENCH_ARGS)

bench-clearing: setup
	$(UV) run --frozen python bench/clearing/run.py $(BENCH_ARGS)

## Regenerate the AsyncAPI document of the event contract.
asyncapi: setup
	$(UV) run --frozen python -m medins_common.events.asyncapi > docs/asyncapi.json

clean:
	rm -rf .venv $(TOOLS) .data
