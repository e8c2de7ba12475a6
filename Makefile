# Two commands: `make run` and `make test`. Everything else is a helper of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000
# One test worker per CPU, two to four of them; a worker that runs out of tests takes some of another's.
WORKERS ?= $(shell $(PYTHON) -c 'import os; print(min(4, max(2, len(os.sched_getaffinity(0)))))')
PYTEST_ARGS ?= -n $(WORKERS) --dist worksteal

.PHONY: run test lint translations compile-translations migrate seed ci clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

compile-translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d translations

migrate: $(VENV)/.installed
	$(FLASK) db upgrade

## make run: set up, migrate, load the demo network when empty, serve on 127.0.0.1:$(PORT)
run: $(VENV)/.installed compile-translations migrate
	$(FLASK) seed-demo --if-empty
	$(FLASK) compress-assets
	@echo "WCC Network: http://127.0.0.1:$(PORT)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

## make test: install the test tools and run the whole suite (SQLite and PostgreSQL)
test: $(VENV)/.dev-installed compile-translations lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make lint: ruff over the whole tree (configuration in ruff.toml)
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .

## make translations: extract messages, update the fa/en/ru catalogues, compile them
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _lp:1c,2 -k ngettext:1,2 --no-location \
		--ignore-dirs='.* __pycache__ node_modules' \
		--sort-by-file -w 100 --project "WCC Network" -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching -w 100
	$(BIN)/pybabel compile --statistics -d translations

clean:
	rm -rf $(VENV) .pytest_cache
