# The two commands a new user needs: `make run` (the product with demo data) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(abspath $(VENV))/bin
PORT ?= 8000
HOST ?= 127.0.0.1
# Where the product reaches itself (the simulator's webhooks, signed file links).
SITE_URL ?= http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)

.PHONY: run test lint format screenshot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

# Embedded Redis (unless REDIS_URL names one), daphne, the Celery workers (one for inbound,
# outbound and the rest, one for deadlines: config/queues.py) and beat under one process
# runner: Ctrl-C stops them all.
run: export DEBUG ?= 1
run: export PATH := $(BIN):$(PATH)
run: export WEB_PORT := $(PORT)
run: export WEB_HOST := $(HOST)
run: export SITE_URL := $(SITE_URL)
run: $(VENV)/.runtime
	python manage.py migrate --noinput
	python manage.py demo
	@echo
	@echo "  Contact center: http://$(HOST):$(PORT)/   (admin: /admin/, API docs: /api/docs/)"
	@echo "  Log in with the demo logins above. Ctrl-C stops everything."
	@echo
	honcho --no-colour start $(if $(REDIS_URL),,redis) web worker deadlines beat

test: $(VENV)/.dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The README's picture of the workspace mid-chat, from the last browser test run's output.
screenshot: var/screenshots/crm-and-ticket-widgets.png
	mkdir -p docs
	cp var/screenshots/crm-and-ticket-widgets.png docs/workspace-mid-chat.png
