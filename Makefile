# levelfunnel — the two commands a newcomer needs are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PG        := scripts/pg.sh
DEMO_DB   := levelfunnel
TEST_DB   := levelfunnel_test
BENCH_DB  ?= levelfunnel_bench
# make morning drops and recreates it on every run.
MORNING_DB ?= levelfunnel_morning
DEMO_GAME ?= demo
RELEASE   := .build/release/levelfunnel
# make install: under PREFIX, into DESTDIR when staging (read by scripts/package.sh).
PREFIX    ?= /usr/local
export PREFIX DESTDIR

# The demo uses DATABASE_URL when set, else the private cluster.
DEMO_URL   = $(if $(DATABASE_URL),$(DATABASE_URL),$(shell $(PG) url $(DEMO_DB)))

.PHONY: help setup build install uninstall deb check-deb demo demo-reader test sql bench stress scale morning clean-db

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: ## Install missing Debian packages (postgresql, libpq-dev, libncursesw5-dev, tmux).
	@scripts/setup.sh

build: setup ## Build the release binary, the Swift runtime linked in: it needs only Debian's libpq5, ncurses and libc.
	swift build -c release --product levelfunnel --static-swift-stdlib --disable-local-rpath

install: build ## Install the binary, man pages, completions, themes and systemd units under PREFIX (/usr/local).
	@scripts/package.sh install "$(RELEASE)"

uninstall: ## Remove what make install put under PREFIX.
	@scripts/package.sh uninstall

deb: build ## Build the Debian package in .build/deb/ (prefix /usr, Depends from the binary's links, user levelfunnel).
	@scripts/setup.sh dpkg-dev binutils
	@scripts/package.sh deb "$(RELEASE)"

check-deb: ## Build the .deb, install it, check binary, man pages, completions, user, units; remove it; make install too.
	@scripts/check-deb.sh

demo: build ## Start PostgreSQL, load a demo game, aggregate it and open the dashboard.
	@[ -n "$(DATABASE_URL)" ] || $(PG) start $(DEMO_DB)
	@scripts/demo.sh "$(RELEASE)" "$(DEMO_URL)" "$(DEMO_GAME)"

demo-reader: build ## The demo as a role that may read the aggregates only (levelfunnel_reader), on the private cluster.
	@$(PG) start $(DEMO_DB)
	@scripts/demo.sh "$(RELEASE)" "$$($(PG) url $(DEMO_DB))" "$(DEMO_GAME)" reader

test: setup ## Run every test against a private PostgreSQL.
	@$(PG) start
	@psql -X -q "$$($(PG) url postgres)" -c 'DROP DATABASE IF EXISTS $(TEST_DB) WITH (FORCE)' -c 'CREATE DATABASE $(TEST_DB)'
	LEVELFUNNEL_TEST_DATABASE_URL="$$($(PG) url $(TEST_DB))" swift test

sql: ## Write docs/sql/*.sql from the code's SQL builders (SQLDocsTests fails when they differ).
	LEVELFUNNEL_WRITE_SQL=1 swift test --filter SQLDocsTests

bench: build ## The pipeline at 1x (5K players, 60 days, ~373K level events): generate, backfill, fast vs raw, sizes; a short load.
	@$(PG) start $(BENCH_DB)
	@scripts/bench.sh "$(RELEASE)" "$$($(PG) url $(BENCH_DB))" 1 60 4 300 1

stress: build ## The same at 10x (50K players, ~3.7M level events), then 10 readers x 500 fast queries during a backfill and refresh.
	@$(PG) start $(BENCH_DB)
	@scripts/bench.sh "$(RELEASE)" "$$($(PG) url $(BENCH_DB))" 10 60 10 500 3

scale: build ## The pipeline at 100x (500K players, 30 days, ~29M level events), then its morning; 1-2 hours, 30 GB. Not in CI.
	@$(PG) start $(BENCH_DB)
	@scripts/bench.sh "$(RELEASE)" "$$($(PG) url $(BENCH_DB))" 100 30
	@scripts/morning.sh "$(RELEASE)" $(MORNING_DB) 100 --runs 3 --today-until 08:00

morning: build ## Fast vs raw at night, in the morning (today's events to 08:00, late events) and after refresh, at 1x and 10x; MORNING_DB recreated.
	@scripts/morning.sh "$(RELEASE)" $(MORNING_DB) 1,10 --today-until 08:00

clean-db: ## Stop the private PostgreSQL (its data stays in /var/lib/levelfunnel/pg).
	$(PG) stop
