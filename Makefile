# The quick-start commands: `make demo`, `make check`, `make test` and `make ci` (what .ci/run runs).
# Each installs what it needs first.
# Versions are pinned by constraints.txt (what the suite last passed with); `make constraints`
# writes it again from the installed environment after an upgrade.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

# The bytecode is written once, as a non-editable install has it: with PYTHONDONTWRITEBYTECODE (as
# on CI machines) every command, and every process the tests start, compiled each module again.
$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e ".[test,es,dev,postgres]"
	$(BIN)/python -m compileall -q catalog harvesters web simulator
	touch $@

install: $(BIN)/.installed

demo: $(BIN)/.installed
	$(BIN)/catalog demo $(ARGS)

check: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# every test but those marked slow (the crash loop): the suite to run while working
test: $(BIN)/.installed
	$(BIN)/python -m pytest -m "not slow" $(ARGS)

# only the slow ones
test-slow: $(BIN)/.installed
	$(BIN)/python -m pytest -m slow $(ARGS)

# every test, slow ones included
test-all: $(BIN)/.installed
	$(BIN)/python -m pytest $(ARGS)

# what .ci/run runs: the checks, the README's test command, then the slow tests
ci: check test test-slow

bench: $(BIN)/.installed
	$(BIN)/python -m bench $(ARGS)

constraints: $(BIN)/.installed
	(sed -n "1,2p" constraints.txt; $(BIN)/pip freeze --all --exclude-editable --exclude pip) > constraints.tmp && mv constraints.tmp constraints.txt

.PHONY: install demo check test test-slow test-all ci bench constraints
