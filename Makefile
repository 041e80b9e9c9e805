# Every target sets up what it needs: a .venv with rtagents and its dev tools,
# rebuilt when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_DIRS := $(wildcard rtagents tests benchmarks examples)
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit docs docs-serve bench emulator clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "rtagents needs Python >= 3.10 (found $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/rtagents demo

test: lint typecheck unit docs

lint: $(STAMP)
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)

typecheck: $(STAMP)
	$(BIN)/mypy rtagents

unit: $(STAMP)
	$(BIN)/pytest -q

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir .site

docs-serve: $(STAMP)
	$(BIN)/mkdocs serve

bench: $(STAMP)
	@$(BIN)/python -m benchmarks

emulator: $(STAMP)
	$(BIN)/rtagents emulator --port 8765

clean:
	rm -rf $(VENV) .site .pytest_cache .mypy_cache .ruff_cache
