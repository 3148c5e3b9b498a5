# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint format bench chaos check-deploy clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

run: install
	@$(PY) manage.py migrate --noinput
	@$(PY) manage.py seed_demo
	@$(PY) manage.py runstack

test: install
	@$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

bench: install
	@$(PY) -m benchmarks $(BENCH_ARGS)

chaos: install
	@$(PY) -m benchmarks.chaos $(CHAOS_ARGS)

format: install
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var
