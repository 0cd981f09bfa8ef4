# TicketDesk: `make run` starts everything with demo data; `make test` runs every test.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Top-level packages: a new one needs a new editable install to become importable.
PACKAGES := $(wildcard */__init__.py) $(wildcard proto/*/__init__.py)

.PHONY: install run test chaos bench proto lint i18n css clean

install: $(STAMP)

$(STAMP): pyproject.toml $(PACKAGES)
	@test -x $(BIN)/python || { echo "creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --quiet -e '.[dev]'
	@touch $(STAMP)

run: install
	$(BIN)/ticketdesk dev

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# The fault, bad-input and load tests at full size (`make test` runs the load test short).
chaos: install
	TICKETDESK_LOAD_SECONDS=60 $(BIN)/pytest $(PYTEST_ARGS) tests/faults tests/load tests/security

# Benchmarks against raw baselines (bench/): `make bench`, or `make bench QUICK=1`.
bench: install
	$(BIN)/python -m bench $(if $(QUICK),--quick)

proto: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m grpc_tools.protoc -Iproto \
		--python_out=proto --grpc_python_out=proto --mypy_out=proto --mypy_grpc_out=proto \
		$$(find proto -name '*.proto')

# The proto style (buf) and the layers of docs/ARCHITECTURE.md (import-linter).
lint: install
	$(BIN)/buf lint
	$(BIN)/lint-imports

# The texts people read (texts/ and ui/): extract the marked strings, then merge them into
# each catalog; translate the new (empty) entries in texts/locale/*/LC_MESSAGES/messages.po.
# tests/texts/test_catalog.py fails while one is missing.
i18n: install
	$(BIN)/pybabel extract -F texts/locale/babel.cfg --no-default-keywords \
		-k _ -k N_ -k pgettext:1c,2 --no-location --sort-output --project TicketDesk \
		-o texts/locale/messages.pot texts ui
	$(BIN)/pybabel update -i texts/locale/messages.pot -d texts/locale --no-fuzzy-matching \
		--ignore-obsolete

# The web UI's Tailwind classes compiled ahead (ui/static/tailwind.css, ui/styles.py): after
# using a class not used before; needs Node.js and npm. tests/ui/test_styles.py fails while
# a class used in ui/ is missing from the sheet.
css: install
	$(BIN)/python -m ui.styles

clean:
	rm -rf var
