# tsunagari: two commands on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.stamp-install

.PHONY: demo test lint typecheck check bench install node clean neo4j neo4j-stop neo4j-deps

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 が必要です (python3.11 not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	$(PY) -c "from matching.analyser import main; main()" >/dev/null  # chiVe word index into the user cache (no download)
	touch $(STAMP)

install: $(STAMP)

node_modules/.stamp: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch node_modules/.stamp

node: node_modules/.stamp

demo: install
	$(VENV)/bin/tsunagari demo

test: install node
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) tools/strip_notebooks.py --check

typecheck: install
	$(VENV)/bin/mypy

check: lint typecheck test

bench: install
	$(PY) bench/run_all.py

# A real Neo4j 5.26 + GDS (jars from Maven Central, cached in ~/.m2): eval "$$(make -s neo4j)" sets NEO4J_*.
neo4j: install
	@$(PY) tools/neo4j/neo4jctl.py start

neo4j-stop:
	@$(PY) tools/neo4j/neo4jctl.py stop

neo4j-deps: install
	@$(PY) tools/neo4j/neo4jctl.py deps

clean:
	rm -rf $(VENV) node_modules out data tools/neo4j/target
