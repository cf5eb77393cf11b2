# The two commands a newcomer needs: `make run` and `make test`. Everything else is a detail.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/homeoffice
PYTEST_ARGS ?=

.PHONY: install run demo test test-postgres test-slow lint format bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

## Set up, migrate SQLite, load the demo ledger and serve on http://127.0.0.1:8000/admin/
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	$(PY) manage.py runserver 127.0.0.1:8000

## Set up and run the whole test suite (SQLite unless DATABASE_URL says otherwise)
test: install
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

## The same suite against the local PostgreSQL server
test-postgres: install
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -n 2 $(PYTEST_ARGS)

## The slow checks, once: two gunicorn servers sharing a database and an S3 bucket (a local
## moto server), throttles and lockout across them, a killed import, schemathesis with all its
## checks against the API (schemathesis.toml) (tests marked `slow`)
test-slow: install
	$(PY) -m pytest -m slow $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Time and query counts (benchmarks/run.py), then speed at every size beside baselines
## (benchmarks/scale.py: BENCH_SCALE=quick|large|full; BENCH_PG_URL adds PostgreSQL), then
## load under gunicorn beside a trivial endpoint (benchmarks/load.py)
bench: install
	$(PY) benchmarks/run.py
	$(PY) benchmarks/scale.py
	if [ -n "$(BENCH_PG_URL)" ]; then DATABASE_URL=$(BENCH_PG_URL) $(PY) benchmarks/scale.py; fi
	$(PY) benchmarks/load.py
	if [ -n "$(BENCH_PG_URL)" ]; then DATABASE_URL=$(BENCH_PG_URL) $(PY) benchmarks/load.py; fi

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles test-output
