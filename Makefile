# levelfunnel — the two commands a newcomer needs are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PG        := scripts/pg.sh
DEMO_DB   := levelfunnel
TEST_DB   := levelfunnel_test
DEMO_GAME ?= demo
RELEASE   := .build/release/levelfunnel

# The demo uses DATABASE_URL when set, else the private cluster.
DEMO_URL   = $(if $(DATABASE_URL),$(DATABASE_URL),$(shell $(PG) url $(DEMO_DB)))

.PHONY: help setup build demo test bench stress clean-db

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: ## Install missing Debian packages (postgresql, libpq-dev, libncursesw5-dev, tmux).
	@scripts/setup.sh

build: setup ## Build the release binary.
	swift build -c release --product levelfunnel

demo: build ## Start PostgreSQL, load a demo game, aggregate it and open the dashboard.
	@[ -n "$(DATABASE_URL)" ] || $(PG) start $(DEMO_DB)
	@scripts/demo.sh "$(RELEASE)" "$(DEMO_URL)" "$(DEMO_GAME)"

test: setup ## Run every test against a private PostgreSQL.
	@$(PG) start
	@psql -X -q "$$($(PG) url postgres)" -c 'DROP DATABASE IF EXISTS $(TEST_DB) WITH (FORCE)' -c 'CREATE DATABASE $(TEST_DB)'
	LEVELFUNNEL_TEST_DATABASE_URL="$$($(PG) url $(TEST_DB))" swift test

bench: build ## Fast vs raw on the default game (5K players, ~374K level events): medians, sizes, backfill speed.
	@$(PG) start levelfunnel_bench
	@scripts/bench.sh "$(RELEASE)" "$$($(PG) url levelfunnel_bench)" bench 5000

stress: build ## The same on the 10x game (50K players, ~3.7M level events); takes several minutes.
	@$(PG) start levelfunnel_bench
	@scripts/bench.sh "$(RELEASE)" "$$($(PG) url levelfunnel_bench)" bench10x 50000

clean-db: ## Stop the private PostgreSQL (its data stays in /var/lib/levelfunnel/pg).
	$(PG) stop
