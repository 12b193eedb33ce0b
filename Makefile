# The two quick-start commands: `make demo` and `make test`. Each installs what it needs first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test,es]"
	touch $@

install: $(BIN)/.installed

demo: $(BIN)/.installed
	$(BIN)/catalog demo $(ARGS)

test: $(BIN)/.installed
	$(BIN)/python -m pytest $(ARGS)

bench: $(BIN)/.installed
	$(BIN)/python -m bench $(ARGS)

.PHONY: install demo test bench
