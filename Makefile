# Every target sets up what it needs in .venv, rebuilt when pyproject.toml changes:
# the demo only the runtime (what a user installs), the checks the dev tools too.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_DIRS := $(wildcard rtagents tests benchmarks examples docs_build pytest_rtagents.py)
RUNTIME := $(VENV)/.runtime
DEV := $(VENV)/.dev

.PHONY: demo test lint typecheck unit docs docs-serve bench emulator dist clean system-deps floors mutate

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
	$(BIN)/mypy rtagents pytest_rtagents.py

# In parallel (pytest-xdist): -n auto is three workers per core (tests/conftest.py), as most
# tests wait on sockets and subprocesses. Tests marked xdist_group(NAME) share one worker, one
# after another (a module-scoped build, say). Bytecode is written even where the environment
# says not to (PYTHONDONTWRITEBYTECODE): each worker's collection would rewrite and compile
# every test module again, and each of the hundreds of Python processes the tests start would
# compile rtagents again (about a fifth of the suite's time).
unit: $(DEV) system-deps
	$(BIN)/pyright --version >/dev/null  # (its first run fetches it with npm: once, not per worker)
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q --collect-only >/dev/null  # (once)
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -n auto --dist loadgroup

# What the tests need from Debian (command:package), installed when missing: real speech
# (espeak-ng, resampled by sox), the Node SDK as a client of the emulator (node, npm), and a
# real Redis for the replicas' call registry (redis-server), and a real browser for the WebRTC
# page (chromium, driven through chromedriver by selenium).
DEBIAN_TOOLS := espeak-ng:espeak-ng sox:sox node:nodejs npm:npm redis-server:redis-server \
	chromium:chromium chromedriver:chromium-driver
system-deps:
	@missing=""; for pair in $(DEBIAN_TOOLS); do 		command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; 	done; 	if [ -n "$$missing" ]; then 		echo "installing$$missing (Debian packages the tests use)"; 		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; 		$$sudo apt-get update -qq && 		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; 	fi

# The declared floors work: the lowest versions of our direct dependencies (uv's
# lowest-direct resolution) in a venv of their own, then the tests that need no extra and no
# openai SDK (the session, approvals, tools and MCP against the emulator). CI runs it.
FLOORS := .venv-floors
FLOOR_DIRS := tests/session tests/approvals tests/tools tests/mcp
# The test files that import the openai SDK (an oracle the floors venv has not) are left out.
FLOOR_TESTS = $(FLOOR_DIRS) $(addprefix --ignore=,$(shell grep -rlE '^(from|import) openai' $(FLOOR_DIRS)))
floors: $(DEV)
	rm -rf $(FLOORS)
	$(BIN)/uv venv --quiet --python $(BIN)/python $(FLOORS)
	$(BIN)/uv pip install --quiet --python $(FLOORS)/bin/python --resolution lowest-direct -e .
	$(BIN)/uv pip freeze --python $(FLOORS)/bin/python | grep -v -e '^-e' -e '^rtagents' > $(FLOORS)/pins.txt
	$(BIN)/uv pip install --quiet --python $(FLOORS)/bin/python -c $(FLOORS)/pins.txt \
		pytest pytest-timeout hypothesis opentelemetry-sdk
	@echo "floors:"; grep -iE '^(pydantic|anyio|websockets|mcp|opentelemetry-api|starlette|uvicorn|httpx2)==' $(FLOORS)/pins.txt | tr '\n' ' '; echo
	$(FLOORS)/bin/python -m pytest -q -p no:cacheprovider $(FLOOR_TESTS)

# The site serves mermaid itself (docs_build/mermaid.py): the first build fetches it with npm
# into .docs-cache/, and later builds reuse it.
docs: $(DEV) system-deps
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir .site

docs-serve: $(DEV) system-deps
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

bench: $(DEV)
	@$(BIN)/python -m benchmarks

emulator: $(RUNTIME)
	$(BIN)/rtagents emulator --port 8765

dist: $(DEV)
	rm -rf dist
	$(BIN)/python -m build --outdir dist

# Mutation testing (mutmut, set up in pyproject's [tool.mutmut]) of approvals/ and the
# orchestration core, each mutant against only the tests that reach the mutated function (two
# at a time). Not part of `make test`: it takes a few minutes. Prints the run's time and the
# score per package, and fails when a mutant of approvals/ survives (tests/mutation_score.py).
# The mutants and their log are in mutants/.
mutate: $(DEV)
	rm -rf mutants && mkdir mutants
	@start=$$(date +%s); \
	$(BIN)/mutmut run --max-children 2 > mutants/run.log 2>&1 || { tail -40 mutants/run.log; exit 1; }; \
	echo "mutmut run: $$(( $$(date +%s) - start )) s (log: mutants/run.log)"
	$(BIN)/python tests/mutation_score.py

clean:
	rm -rf $(VENV) $(FLOORS) mutants .site .docs-cache .pytest_cache .mypy_cache .ruff_cache dist
