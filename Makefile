# Empathetic support assistant: one command to run it, one to test it.
SHELL := /bin/bash
PY := .venv/bin/python
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export RASA_TELEMETRY_ENABLED := false

.DEFAULT_GOAL := help
.PHONY: help setup train run test lint bench clean

help: ## Show this help
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-7s %s\n", $$1, $$2}'

setup: ## Create .venv-rasa (Python 3.10, Rasa), .venv (Python 3.11, the rest) and var/encoder if needed
	@scripts/setup.sh

train: setup ## Train the Rasa model if domain.yml, config.yml, data/rasa or var/encoder changed
	@$(PY) -m bot.ops.train

run: train ## Start Redis (if needed), action server, Rasa and gateway; print the URLs
	@exec $(PY) -m bot.ops.stack run

test: setup ## Run every test (unit, conversation, end-to-end, browser, nginx, reports)
	@scripts/browser.sh
	@scripts/nginx.sh
	@scripts/pdf.sh
	@$(PY) -m bot.ops.train >/dev/null
	$(PY) -m pytest -q

lint: setup ## ruff (lint + format check) and mypy
	$(PY) -m ruff check bot actions bench tests
	$(PY) -m ruff format --check bot actions bench tests
	$(PY) -m mypy bot actions

bench: train ## Run the benchmarks (ONLY=a,b for some); write bench/results.json and docs/benchmarks.md
	$(PY) -m bench.report $(if $(ONLY),--only $(ONLY))

clean: ## Remove trained models and run-time files (keeps the environments)
	rm -rf models var/logs var/exp
