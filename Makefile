# The two commands: `make up` runs the whole stack locally, `make test` lints and runs every
# test against real services. The logic lives in infra/ (Python, standard library only).

PYTHON ?= python3
VENV := .venv
# Extra pytest arguments, e.g. make pytest ARGS="tests/cases -x"
ARGS ?=

.PHONY: up down status venv lint pytest test python

up: python
	$(PYTHON) -m infra.stack up

down: python
	$(PYTHON) -m infra.stack down

status: python
	$(PYTHON) -m infra.stack status

venv: python
	$(PYTHON) -m infra.venv

# Everything else is Python; a minimal Debian image may not even have python3.
python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y python3 python3-venv; \
	  else echo "Install Python first: sudo apt-get update && sudo apt-get install -y python3 python3-venv" >&2; exit 2; fi; }

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

pytest: venv
	$(VENV)/bin/python -m infra.testenv -- $(ARGS)

test: lint pytest
