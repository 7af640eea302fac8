# Every target bootstraps .venv itself, so a fresh clone needs only `make run` or `make test`.
VENV     := .venv
PY       := $(VENV)/bin/python
FLASK    := $(VENV)/bin/flask --app app
STAMP    := $(VENV)/.installed
HOST     ?= 127.0.0.1
PORT     ?= 5000

.PHONY: run test test-pg bench lint translations clean install

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || { PYBIN=$$(scripts/find-python) && echo "Creating $(VENV) with $$PYBIN" && "$$PYBIN" -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

translations: $(STAMP)
	@if ls lms/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(VENV)/bin/pybabel compile --use-fuzzy --statistics -d lms/translations 2>&1 | tail -n 1; fi

run: $(STAMP) translations
	$(FLASK) lms init
	$(FLASK) lms demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(STAMP) translations
	$(PY) -m pytest $(PYTEST_ARGS)

PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/tap_huan_test

test-pg: $(STAMP) translations
	@# Creates the default test database when it is missing (a URL you pass is used as it is).
	@if [ -z "$$LMS_TEST_DATABASE_URL" ]; then \
	  psql -h 127.0.0.1 -U postgres -d postgres -tAc \
	    "select 1 from pg_database where datname = 'tap_huan_test'" | grep -q 1 || \
	  psql -h 127.0.0.1 -U postgres -d postgres -qc "create database tap_huan_test"; fi
	LMS_TEST_DATABASE_URL=$${LMS_TEST_DATABASE_URL:-$(PG_TEST_URL)} $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP) translations
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) -m bench.run

lint: $(STAMP)
	$(VENV)/bin/ruff check lms tests bench app.py

clean:
	rm -rf $(VENV) instance/*.db instance/*.db-* .pytest_cache
