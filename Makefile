# The two commands: `make up` runs the whole stack locally, `make test` lints and runs every
# test against real services. The logic lives in infra/ (Python, standard library only).

PYTHON ?= python3
VENV := .venv
# Extra pytest arguments, e.g. make pytest ARGS="tests/cases -x"
ARGS ?=

.PHONY: up down status venv lint pytest test

up:
	$(PYTHON) -m infra.stack up

down:
	$(PYTHON) -m infra.stack down

status:
	$(PYTHON) -m infra.stack status

venv:
	$(PYTHON) -m infra.venv

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

pytest: venv
	$(VENV)/bin/python -m infra.testenv -- $(ARGS)

test: lint pytest
