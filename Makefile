# backspasm: `make run` starts the web app on SQLite; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench vignettes setup clean browser-deps java-deps text-report docs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q src
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/backspasm serve

browser-deps:
	bash scripts/install-browser-deps.sh

java-deps:
	bash scripts/install-java.sh

test: $(STAMP) browser-deps java-deps
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadgroup
	bash scripts/vignettes.sh

vignettes: $(STAMP)
	bash scripts/vignettes.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy

# Byte-compile first: where PYTHONDONTWRITEBYTECODE is set, the editable sources would
# otherwise be compiled again in every process the benchmarks start.
bench: $(STAMP) java-deps
	$(BIN)/python -m compileall -q src
	$(BIN)/python -m benchmarks

# Per-code precision and recall of the text reader on the development corpus and the phrase table.
text-report: $(STAMP)
	$(BIN)/python tests/text/report.py

# Rewrite the generated tables in docs/*.md from the knowledge base (a test fails when they are stale).
docs: $(STAMP)
	$(BIN)/cog -r -I scripts docs/contract.md docs/clinical-basis.md

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
