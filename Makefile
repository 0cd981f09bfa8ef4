# TicketDesk: `make run` starts everything with demo data; `make test` runs every test.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Top-level packages: a new one needs a new editable install to become importable.
PACKAGES := $(wildcard */__init__.py) $(wildcard proto/*/__init__.py)

.PHONY: install run test proto lint clean

install: $(STAMP)

$(STAMP): pyproject.toml $(PACKAGES)
	@test -x $(BIN)/python || { echo "creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --quiet -e '.[dev]'
	@touch $(STAMP)

run: install
	$(BIN)/ticketdesk dev

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

proto: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m grpc_tools.protoc -Iproto \
		--python_out=proto --grpc_python_out=proto --mypy_out=proto --mypy_grpc_out=proto \
		$$(find proto -name '*.proto')

lint: install
	$(BIN)/buf lint

clean:
	rm -rf var
