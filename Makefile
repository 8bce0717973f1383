# levelfunnel — the two commands a newcomer needs are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PG        := scripts/pg.sh
CITUS     := scripts/citus.sh
CITUS_TEST_DB := levelfunnel_citus_test
# The differential tests (fast = raw: random ranges and filters, late events, re-runs, any order and length of passes,
# stale and live days, deltas applied and pending) that make test-citus runs again with the coordinator as the test database (TestDatabase
# distributes each test's events by game there).
CITUS_DIFFERENTIAL := AggregationTests/(fastEqualsRaw|dimensionsThatStop|aLateEvent|playersActive|backfillTwice|reaggregationRemoves)|DayIndependenceTests/(anyOrder|passesOfAnyLength|aBackfillFromTheMiddle|reaggregatingAnOldDay)|LiveTailTests/rangesMixing|ComposedAnswerExactnessTests|DeltaTests|ChangeCaptureTests/(anInsertCommitted|updatesDeletes)
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

.PHONY: help setup build install uninstall deb check-deb demo demo-reader test test-citus bench bench-citus stress scale morning clean-db

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

test: setup ## Run every test against a private PostgreSQL, then the Citus suite when Citus is installed.
	@$(PG) start
	@psql -X -q "$$($(PG) url postgres)" -c 'DROP DATABASE IF EXISTS $(TEST_DB) WITH (FORCE)' -c 'CREATE DATABASE $(TEST_DB)'
	LEVELFUNNEL_TEST_DATABASE_URL="$$($(PG) url $(TEST_DB))" swift test --skip CitusTests
	@if $(CITUS) installed; then $(MAKE) --no-print-directory test-citus; \
	 else echo "make test: the Citus suite did not run: Citus is not installed (scripts/citus.sh install builds it, then make test-citus)"; fi

test-citus: setup ## The Citus suite on a private cluster (scripts/citus.sh: a coordinator, two workers); builds Citus when missing.
	@$(PG) start $(TEST_DB)
	@$(CITUS) recreate $(CITUS_TEST_DB)
	LEVELFUNNEL_TEST_DATABASE_URL="$$($(PG) url $(TEST_DB))" LEVELFUNNEL_CITUS_TEST_DATABASE_URL="$$($(CITUS) url $(CITUS_TEST_DB))" \
	  swift test --filter CitusTests
	LEVELFUNNEL_TEST_DATABASE_URL="$$($(CITUS) url $(CITUS_TEST_DB))" swift test --filter '$(CITUS_DIFFERENTIAL)'

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

bench-citus: build ## Two games (2,000 players x 30 days each) on the Citus cluster (one per worker) and on one node: parallel backfill, fast vs raw.
	@scripts/citus-bench.sh "$(RELEASE)" 2000 30

morning: build ## Fast vs raw at night, in the morning (today's events to 08:00, late events) and after refresh, at 1x and 10x; MORNING_DB recreated.
	@scripts/morning.sh "$(RELEASE)" $(MORNING_DB) 1,10 --today-until 08:00

clean-db: ## Stop the private PostgreSQL (its data stays in /var/lib/levelfunnel/pg) and the Citus cluster, if any.
	$(PG) stop
	@if [ -d /var/lib/levelfunnel/citus ]; then $(CITUS) stop; fi
