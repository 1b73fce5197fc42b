# The two commands the README promises: `make run` and `make test`. Both set up .venv themselves:
# `make run` installs what running needs (with the `ocr` extra: screenshots); `make test` adds the
# test tools (the `test` extra).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install install-test run test lint

$(BIN)/hwerror: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[ocr]"
	touch $@

# A stamp of its own: `make run` after `make test` keeps the tools, and the reverse reinstalls nothing.
$(VENV)/.test-tools: $(BIN)/hwerror pyproject.toml
	$(BIN)/pip install --quiet -e ".[test,ocr]"
	touch $@

install: $(BIN)/hwerror

install-test: $(VENV)/.test-tools

# SQLite by default (hwerror.db here); set DATABASE_URL for PostgreSQL. Without Slack credentials
# `serve` names what is missing and, in a terminal, starts the shell adapter.
run: install
	$(BIN)/hwerror db upgrade
	$(BIN)/hwerror serve

# The habits CI keeps: lint rules, one format, types (production code and tests), no dead code.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot knowledge migrations tests testing bench
	$(BIN)/vulture bot knowledge migrations --min-confidence 80

# The whole suite, each database test once on SQLite and once on PostgreSQL (127.0.0.1:5432).
test: install-test lint
	$(BIN)/pytest -q -n auto
