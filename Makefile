# Every target sets up what it needs in .venv, rebuilt when pyproject.toml changes:
# the demo only the runtime (what a user installs), the checks the dev tools too.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_DIRS := $(wildcard rtagents tests benchmarks examples)
RUNTIME := $(VENV)/.runtime
DEV := $(VENV)/.dev

.PHONY: demo test lint typecheck unit docs docs-serve bench emulator dist clean system-deps

$(RUNTIME): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "rtagents needs Python >= 3.10 (found $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $(RUNTIME)

$(DEV): $(RUNTIME)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(DEV)

demo: $(RUNTIME)
	$(BIN)/rtagents demo

test: lint typecheck unit docs

lint: $(DEV)
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)

typecheck: $(DEV)
	$(BIN)/mypy rtagents

unit: $(DEV) system-deps
	$(BIN)/pytest -q

# What the tests need from Debian (command:package), installed when missing: real speech
# (espeak-ng, resampled by sox), the Node SDK as a client of the emulator (node, npm), and a
# real Redis for the replicas' call registry (redis-server).
DEBIAN_TOOLS := espeak-ng:espeak-ng sox:sox node:nodejs npm:npm redis-server:redis-server
system-deps:
	@missing=""; for pair in $(DEBIAN_TOOLS); do 		command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; 	done; 	if [ -n "$$missing" ]; then 		echo "installing$$missing (Debian packages the tests use)"; 		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; 		$$sudo apt-get update -qq && 		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; 	fi

docs: $(DEV)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir .site

docs-serve: $(DEV)
	$(BIN)/mkdocs serve

bench: $(DEV)
	@$(BIN)/python -m benchmarks

emulator: $(RUNTIME)
	$(BIN)/rtagents emulator --port 8765

dist: $(DEV)
	rm -rf dist
	$(BIN)/python -m build --outdir dist

clean:
	rm -rf $(VENV) .site .pytest_cache .mypy_cache .ruff_cache dist
