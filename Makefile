# Set-up is automatic: every target that needs Python creates .venv on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-8)
# A little below the measured line coverage of classifier/ and service/ under `make test` (90.5%).
COVERAGE_FLOOR := 88

.DEFAULT_GOAL := help
.PHONY: help venv serve demo test test-fast lint format data validate datasheet train train-smoke evaluate benchmark memory-benchmark statutes mutation

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP) ## create .venv and install everything (torch CPU build first)

serve: $(STAMP) ## the main job: HTTP API + moderators' page on 127.0.0.1:8000, auth off (local use)
	$(PY) -m service --no-auth

demo: $(STAMP) ## audit the two sample articles with the shipped model (the main job)
	$(PY) -m classifier audit examples/misleading_article.txt examples/accurate_article.html --format table

test: $(STAMP) ## the gates: ruff (lint, format, docstrings on the public API), mypy, the whole suite with a coverage floor (corpus validation included)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest -q --cov=classifier --cov=service --cov-report=term:skip-covered --cov-fail-under=$(COVERAGE_FLOOR)

test-fast: $(STAMP) ## the tests without the slow ones
	$(PY) -m pytest -q -m "not slow"

mutation: $(STAMP) ## mutmut on normalize, verdict, segment, legal against their unit tests (about 2 minutes) -> reports/mutation.md
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children 1
	$(VENV)/bin/mutmut results

lint: $(STAMP) ## ruff lint and format check
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

format: $(STAMP) ## ruff format
	$(PY) -m ruff format . && $(PY) -m ruff check --fix .

data: $(STAMP) ## rebuild labeled_data/ from the written sources, validate, refresh the datasheets
	$(PY) -m labeled_data.build
	$(PY) -m training.data validate
	$(PY) -m training.data datasheet

validate: $(STAMP) ## validate labeled_data/
	$(PY) -m training.data validate

statutes: $(STAMP) ## rebuild classifier/data/statutes.json from ../shared/legal-reference.md
	$(PY) -m training.statutes ../shared/legal-reference.md

train: $(STAMP) ## train the shipped model end to end (about 45 minutes on 2 cores)
	$(PY) -m training.train --preset default --output classifier/models/default

train-smoke: $(STAMP) ## tiny end-to-end training run (about two minutes)
	$(PY) -m training.train --preset smoke --output runs/smoke

evaluate: $(STAMP) ## baselines, transformer alone and what ships on in-split test and the challenge set -> reports/
	$(PY) -m training.evaluate --output reports
	$(PY) -m training.model_card --model classifier/models/default

benchmark: $(STAMP) ## speed and memory of the shipped model -> benchmarks/results.md
	$(PY) -m benchmarks.speed --output benchmarks/results.json
	$(PY) -m training.model_card --model classifier/models/default

memory-benchmark: $(STAMP) ## RSS over 1,600 model calls from two threads, with and without the periodic trim (about 4 minutes) -> benchmarks/memory_results.json
	$(PY) -m benchmarks.memory --output benchmarks/memory_results.json

load-test: $(STAMP) ## 50 clients x 60 s against the service -> benchmarks/load_results.json
	$(PY) -m benchmarks.load --clients 50 --seconds 60

batch-benchmark: $(STAMP) ## articles/minute of audit-batch on 1,000 generated pages
	$(PY) -m benchmarks.batch --pages 1000
