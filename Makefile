# Every target bootstraps .venv itself, so a fresh clone needs only `make run` or `make test`.
VENV     := .venv
PY       := $(VENV)/bin/python
FLASK    := $(VENV)/bin/flask --app app
STAMP    := $(VENV)/.installed
HOST     ?= 127.0.0.1
PORT     ?= 5000

.PHONY: run test test-pg test-browser bench lint translations clean install

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

test-pg: $(STAMP) translations
	LMS_TEST_DATABASE_URL=$${LMS_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/tap_huan_test} $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP) translations
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) -m bench.run

lint: $(STAMP)
	$(VENV)/bin/ruff check lms tests bench app.py

clean:
	rm -rf $(VENV) instance/*.db instance/*.db-* .pytest_cache
