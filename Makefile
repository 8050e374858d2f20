# One command for every check CI runs before the tests: `make check`.
PY ?= .venv/bin

.PHONY: check lint format types imports test

check: lint types imports

lint:
	$(PY)/ruff check game tui tests
	$(PY)/ruff format --check game tui tests

format:
	$(PY)/ruff format game tui tests
	$(PY)/ruff check --fix game tui tests

types:
	$(PY)/mypy

imports:
	$(PY)/lint-imports

test:
	$(PY)/pytest
