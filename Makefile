# The two commands the README promises: `make run` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run test lint

$(BIN)/hwerror: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/hwerror

# SQLite by default (hwerror.db here); set DATABASE_URL for PostgreSQL. Without Slack credentials
# `serve` names what is missing and, in a terminal, starts the shell adapter.
run: install
	$(BIN)/hwerror db upgrade
	$(BIN)/hwerror serve

# The habits CI keeps: lint rules, one format, types (production code and tests), no dead code.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot knowledge migrations tests testing bench
	$(BIN)/vulture bot knowledge migrations --min-confidence 80

# The whole suite, each database test once on SQLite and once on PostgreSQL (127.0.0.1:5432).
test: install lint
	$(BIN)/pytest -q -n auto
