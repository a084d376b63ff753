# Makefile -- builds the migrate core and its SQLite extension; runs every test.
#
#   make              build/libmgcore.a and sqlite_ext/migrate.so
#   make test         scripts/deps.sh test (installs what is missing), then
#                     `make check`
#   make check        every test under prove, in this order:
#                       core      tests/core/test_*.c, one binary each, linked
#                                 with all of core/*.c (tests/bin/)
#                       sqlite    tests/sqlite/*.t against sqlite_ext/migrate.so
#                       oracle    tests/oracle/*.t and tests/alembic/*.t
#                                 (Alembic conformance)
#                       pg        tests/pg/run.sh: the PostgreSQL extension's
#                                 pgTAP and shell tests on a throw-away
#                                 cluster (it builds and installs pg_ext/)
#                       asan-core, asan-sqlite
#                                 the core and SQLite tests again, built with
#                                 -fsanitize=address,undefined (build/asan/)
#                       valgrind  the core tests under valgrind
#                       fuzz      tests/fuzz/fuzz_*.c, libFuzzer targets
#                                 built with clang (build/fuzz/): each
#                                 replays its corpus tests/fuzz/corpus/NAME/
#                                 and runs FUZZ_RUNS mutations with a fixed
#                                 seed (a regression run of a few seconds)
#                     then one summary line: "tests: N passed, N failed".
#                     Each suite also has its own target: check-core,
#                     check-sqlite, check-oracle, check-pg, check-asan-core,
#                     check-asan-sqlite, check-valgrind, check-fuzz.
#   make fuzz         build the fuzz targets and run each for FUZZ_SECONDS
#                     (default 60) with a random seed: the long run, e.g.
#                     make fuzz FUZZ_SECONDS=3600.  Findings are written to
#                     build/fuzz/artifacts/ with the command that replays
#                     them; new inputs to build/fuzz/corpus/ (see
#                     tests/fuzz/README.md for adding one to the corpus)
#   make pg           build the PostgreSQL extension (make -C pg_ext)
#   make install      install what a packager ships (INSTALL_TARGETS):
#                       install-sqlite  sqlite_ext/migrate.so as
#                                       $(DESTDIR)$(SQLITE_EXTDIR)/migrate.so
#                                       (default /usr/local/lib/sqlite3:
#                                       .load /usr/local/lib/sqlite3/migrate)
#                       install-pg      the PostgreSQL extension (library,
#                                       control file, sql/migrate--*.sql)
#                                       into the server PG_CONFIG names, by
#                                       PGXS (make -C pg_ext install)
#                       install-tools   tools/migrate-from-alembic as
#                                       $(DESTDIR)$(BINDIR)/migrate-from-alembic
#                                       (default /usr/local/bin)
#                     PREFIX, LIBDIR, BINDIR, SQLITE_EXTDIR and DESTDIR (a staging
#                     root, for packages) are honoured; PGXS takes its
#                     directories from pg_config and honours DESTDIR.  A new
#                     component adds its own install-X / uninstall-X rules
#                     and appends them to INSTALL_TARGETS / UNINSTALL_TARGETS.
#   make uninstall    remove what make install installed
#   make demo         scripts/deps.sh sqlite, then scripts/demo.sh: a sqlite3
#                     shell session with the extension on the sample migrations
#   make bench        scripts/deps.sh bench, then bench/run.sh (when present)
#                     and bench/run.sh check (the start-up check at 100,000
#                     revisions and 300,000 log rows)
#                     and bench/status.sh (migrate_status at 10,000
#                     revisions and 100,000 log rows)
#                     and bench/run.sh rehearse (migrate_rehearse against
#                     the run, migrate_stairway at 250/500/1,000 revisions,
#                     migrate_schema of 1,000 tables)
#   make docs-graph   docs/graph.dot and docs/graph.svg, the README's picture
#                     of the sample environment (scripts/docs-graph.sh;
#                     tests/sqlite/docs_graph.t checks they are current)
#   make conformance  a long soak against real Alembic on random graphs:
#                     make conformance SEED=soak GRAPHS=10000 (prints the seed
#                     and a replay command for every mismatch)
#   make clean
#
# Tests are found by glob, so a new file is picked up without editing this
# file.  The .t scripts of the sqlite and oracle suites (shell, perl or
# python, TAP on stdout) run from the repository root with these variables
# in the environment:
#   MIGRATE_SO        absolute path of the extension to .load (in the
#                     asan-sqlite pass: build/asan/migrate.so, with libasan
#                     preloaded and leak detection off, since the sqlite3
#                     shell itself is not instrumented)
#   MIGRATE_ROOT      absolute path of the repository root
#   MIGRATE_SANITIZE  "1" in the asan-core and asan-sqlite passes
#   MIGRATE_VALGRIND  "1" in the valgrind pass (the core tests may thin out
#                     slow sweeps, e.g. fail every Nth allocation only)
# Every test file is killed after TEST_TIMEOUT seconds (the pg suite as a
# whole after PG_TIMEOUT).  The suites whose files only compute (core,
# asan-core, valgrind, fuzz, oracle: no server, no shared files, no
# timing) run JOBS files at once (default: the machine's cores).  The
# SQLite suites run their timed files (SQLITE_TIMED: lock holders, busy
# timeouts, kills) one at a time and alone, then the others JOBS at once;
# the pg suite runs its files that time sessions against each other, make
# roles or cancel sessions one at a time and alone, then the others (the
# list in tests/pg/run.sh) JOBS at once.
#
# Variables (override on the command line: make CC=clang PROVEFLAGS=-v):
#   CC CFLAGS CPPFLAGS LDFLAGS TEST_LIBS SANFLAGS AR PROVE PROVEFLAGS VALGRIND
#   TEST_TIMEOUT PG_TIMEOUT JOBS FUZZ_CC FUZZ_FLAGS FUZZ_RUNS FUZZ_SECONDS
#   FUZZ_TIMEOUT

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DELETE_ON_ERROR:
.SUFFIXES:

CC = gcc
CFLAGS = -std=c11 -Wall -Wextra -Werror -O2 -g -fPIC
CPPFLAGS = -Icore
LDFLAGS =
# Core unit tests may use a real SQLite database as their test host.
TEST_LIBS = -lsqlite3
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
AR = ar
PROVE = prove
PROVEFLAGS =
VALGRIND = valgrind -q --leak-check=full --error-exitcode=1
# Seconds one test file may run before it is killed (it then fails with
# "Non-zero exit status: 124"), so a hung test cannot stall CI.
TEST_TIMEOUT = 600
TIMEOUT = timeout -k 10 $(TEST_TIMEOUT)
PG_TIMEOUT = 1800
JOBS = $(shell nproc 2>/dev/null || echo 1)

ASAN_OPTIONS_CORE = detect_leaks=1
ASAN_OPTIONS_SQLITE = detect_leaks=0
UBSAN_OPTIONS_ALL = halt_on_error=1:print_stacktrace=1
# The ASan runtime, preloaded into the uninstrumented sqlite3 shell.
ASAN_RUNTIME = $(shell $(CC) -print-file-name=libasan.so)

CORE_SRC := $(sort $(wildcard core/*.c))
EXT_SRC := $(sort $(wildcard sqlite_ext/*.c))
CORE_TESTS := $(sort $(wildcard tests/core/test_*.c))
SQLITE_TESTS := $(sort $(wildcard tests/sqlite/*.t))
# The SQLite files that time processes against each other (lock holders,
# busy timeouts, kills, waits): they run one at a time, before the others
# run JOBS at once.
SQLITE_TIMED := $(filter $(addprefix tests/sqlite/,concurrency.t faults.t hardening.t hostile.t rehearse.t wait.t),$(SQLITE_TESTS))
SQLITE_UNTIMED := $(filter-out $(SQLITE_TIMED),$(SQLITE_TESTS))
ORACLE_TESTS := $(sort $(wildcard tests/oracle/*.t tests/alembic/*.t))
PG_RUN := tests/pg/run.sh

LIB := build/libmgcore.a
SO := sqlite_ext/migrate.so
CORE_OBJ := $(CORE_SRC:%.c=build/%.o)
EXT_OBJ := $(EXT_SRC:%.c=build/%.o)
TEST_BIN := $(CORE_TESTS:tests/core/%.c=tests/bin/%)

ASAN_SO := build/asan/migrate.so
ASAN_CORE_OBJ := $(CORE_SRC:%.c=build/asan/%.o)
ASAN_EXT_OBJ := $(EXT_SRC:%.c=build/asan/%.o)
ASAN_TEST_BIN := $(CORE_TESTS:tests/core/%.c=build/asan/tests/bin/%)

# libFuzzer needs clang (Debian: clang, libclang-rt-14-dev).  The core is
# built once with coverage and sanitizers, each target links it.
FUZZ_CC = clang
FUZZ_FLAGS = -std=c11 -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined
# Mutations per target in `make check` (fixed seed: the same inputs every
# run), seconds per target in `make fuzz`, seconds any one input may take.
FUZZ_RUNS = 6000
FUZZ_SECONDS = 60
FUZZ_TIMEOUT = 5
# Extra defines for the targets (FUZZ_SKIP_DEPENDS_ON_CYCLES: the graph
# target skips catalogs with a cycle through Depends On, as it had to before
# the graph builder refused them).
FUZZ_DEFS =
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_CORE_OBJ := $(CORE_SRC:%.c=build/fuzz/%.o)
.SECONDARY: $(FUZZ_CORE_OBJ)

LOGS := build/logs
SUITES := core sqlite oracle pg asan-core asan-sqlite valgrind fuzz

.PHONY: all pg test check $(SUITES:%=check-%) demo bench conformance clean fuzz docs-graph \
	install uninstall install-sqlite uninstall-sqlite install-pg uninstall-pg

all: $(LIB) $(SO)

# ---------------------------------------------------------------- build

build/asan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -MMD -MP -c $< -o $@

build/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(CORE_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(SO): $(EXT_OBJ) $(CORE_OBJ)
	$(CC) $(CFLAGS) -shared -o $@ $^ $(LDFLAGS)

$(ASAN_SO): $(ASAN_EXT_OBJ) $(ASAN_CORE_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) -shared -o $@ $^ $(LDFLAGS)

tests/bin/%: tests/core/%.c $(CORE_OBJ)
	@mkdir -p $(@D) build/tests
	$(CC) $(CPPFLAGS) -Itests/core $(CFLAGS) -MMD -MP -MF build/tests/$*.d \
		-o $@ $< $(CORE_OBJ) $(LDFLAGS) $(TEST_LIBS)

build/asan/tests/bin/%: tests/core/%.c $(ASAN_CORE_OBJ)
	@mkdir -p $(@D) build/asan/tests
	$(CC) $(CPPFLAGS) -Itests/core $(CFLAGS) $(SANFLAGS) -MMD -MP \
		-MF build/asan/tests/$*.d -o $@ $< $(ASAN_CORE_OBJ) $(LDFLAGS) \
		$(TEST_LIBS)

build/fuzz/core/%.o: core/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_CORE_OBJ)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) $(FUZZ_DEFS) -fsanitize=fuzzer -MMD -MP \
		-MF build/fuzz/fuzz_$*.d -o $@ $< $(FUZZ_CORE_OBJ)

-include $(wildcard build/*/*.d build/asan/*/*.d build/fuzz/*/*.d)

# ---------------------------------------------------------------- tests

# $(call prove,SUITE,ENVIRONMENT,PROVE-ARGUMENTS,FILES): run FILES under
# prove, keeping the output in build/logs/SUITE.log for the summary.
define prove
	@mkdir -p $(LOGS)
	@echo "# suite $(1)"
	@if [ -z "$(strip $(4))" ]; then \
		echo "# no tests"; : >$(LOGS)/$(1).log; \
	else \
		$(2) $(PROVE) $(PROVEFLAGS) $(3) $(4) 2>&1 | tee $(LOGS)/$(1).log; \
	fi
endef

# $(call prove_split,SUITE,ENVIRONMENT,PROVE-ARGUMENTS,TIMED,UNTIMED): the
# TIMED files one at a time, then the UNTIMED ones JOBS at once, into one
# log (scripts/test-summary.sh adds up its two runs).
define prove_split
	@mkdir -p $(LOGS)
	@echo "# suite $(1)"
	@: >$(LOGS)/$(1).log; rc=0; \
	if [ -n "$(strip $(4))" ]; then \
		$(2) $(PROVE) $(PROVEFLAGS) $(3) $(4) 2>&1 | tee -a $(LOGS)/$(1).log || rc=1; \
	fi; \
	if [ -n "$(strip $(5))" ]; then \
		$(2) $(PROVE) $(PROVEFLAGS) -j$(JOBS) $(3) $(5) 2>&1 | tee -a $(LOGS)/$(1).log || rc=1; \
	fi; \
	exit $$rc
endef

HOST_ENV = MIGRATE_ROOT=$(CURDIR)

test:
	scripts/deps.sh test
	@$(MAKE) --no-print-directory check

# Everything the suites run is built first, JOBS compilers at once; every
# suite runs even when an earlier one fails (or the build does); the exit
# status is non-zero if anything failed.
check:
	@rm -rf $(LOGS)
	@rc=0; \
	$(MAKE) --no-print-directory -j$(JOBS) all $(TEST_BIN) $(ASAN_SO) $(ASAN_TEST_BIN) $(FUZZ_BIN) || rc=1; \
	for suite in $(SUITES); do \
		$(MAKE) --no-print-directory check-$$suite || rc=1; \
	done; \
	scripts/test-summary.sh $(SUITES:%=$(LOGS)/%.log) || rc=1; \
	exit $$rc

# Binaries run directly; .t scripts through perl, which runs a script whose
# #! line names another interpreter with that interpreter (as prove does).
check-core: $(TEST_BIN)
	$(call prove,core,,-j$(JOBS) -e '$(TIMEOUT)',$(TEST_BIN))

check-sqlite: $(SO)
	$(call prove_split,sqlite,$(HOST_ENV) MIGRATE_SO=$(CURDIR)/$(SO),\
		-e '$(TIMEOUT) perl',$(SQLITE_TIMED),$(SQLITE_UNTIMED))

check-oracle: $(SO)
	$(call prove,oracle,$(HOST_ENV) MIGRATE_SO=$(CURDIR)/$(SO),\
		-j$(JOBS) -e '$(TIMEOUT) perl',$(ORACLE_TESTS))

check-pg:
	@mkdir -p $(LOGS)
	@echo "# suite pg"
	@if [ -x $(PG_RUN) ]; then \
		PG_JOBS=$(JOBS) timeout -k 10 $(PG_TIMEOUT) $(PG_RUN) 2>&1 | tee $(LOGS)/pg.log; \
	else \
		echo "# no tests"; : >$(LOGS)/pg.log; \
	fi

check-asan-core: $(ASAN_TEST_BIN)
	$(call prove,asan-core,MIGRATE_SANITIZE=1 \
		ASAN_OPTIONS=$(ASAN_OPTIONS_CORE) \
		UBSAN_OPTIONS=$(UBSAN_OPTIONS_ALL),-j$(JOBS) -e '$(TIMEOUT)',$(ASAN_TEST_BIN))

check-asan-sqlite: $(ASAN_SO)
	$(call prove_split,asan-sqlite,$(HOST_ENV) MIGRATE_SO=$(CURDIR)/$(ASAN_SO) \
		MIGRATE_SANITIZE=1 LD_PRELOAD=$(ASAN_RUNTIME) \
		ASAN_OPTIONS=$(ASAN_OPTIONS_SQLITE) \
		UBSAN_OPTIONS=$(UBSAN_OPTIONS_ALL),-e '$(TIMEOUT) perl',$(SQLITE_TIMED),$(SQLITE_UNTIMED))

check-valgrind: $(TEST_BIN)
	$(call prove,valgrind,MIGRATE_VALGRIND=1,-j$(JOBS) -e '$(TIMEOUT) $(VALGRIND)',\
		$(TEST_BIN))

check-fuzz: $(FUZZ_BIN)
	$(call prove,fuzz,FUZZ_TIMEOUT=$(FUZZ_TIMEOUT),\
		-j$(JOBS) -e '$(TIMEOUT) tests/fuzz/run.sh --runs $(FUZZ_RUNS)',$(FUZZ_BIN))

# The long run: each target FUZZ_SECONDS with a random seed.
fuzz: $(FUZZ_BIN)
	$(call prove,fuzz-long,FUZZ_TIMEOUT=$(FUZZ_TIMEOUT),\
		-e 'timeout -k 10 $(shell echo $$(($(FUZZ_SECONDS) + 600))) tests/fuzz/run.sh --seconds $(FUZZ_SECONDS)',\
		$(FUZZ_BIN))

# ---------------------------------------------------------------- the rest

demo:
	scripts/deps.sh sqlite
	@$(MAKE) --no-print-directory $(SO)
	MIGRATE_SO=$(CURDIR)/$(SO) $(HOST_ENV) scripts/demo.sh

SEED ?= soak
GRAPHS ?= 10000

conformance: $(SO)
	scripts/deps.sh test
	MIGRATE_SO=$(CURDIR)/$(SO) MIGRATE_ROOT=$(CURDIR) /usr/bin/python3 \
		tests/alembic/conform.py --seed $(SEED) --graphs $(GRAPHS) --quiet \
		--summary-every 500

bench:
	scripts/deps.sh bench
	@if [ -f bench/run.sh ]; then \
		$(MAKE) --no-print-directory all && bash bench/run.sh --callgrind && \
		bash bench/run.sh check && \
		bash bench/status.sh | tee build/bench/status.md && \
		bash bench/run.sh rehearse | tee build/bench/rehearse.md; \
	else \
		echo "bench/run.sh not present: no benchmarks yet"; \
	fi

pg:
	$(MAKE) -C pg_ext PG_CONFIG=$(PG_CONFIG)

# ---------------------------------------------------------------- install

PREFIX = /usr/local
LIBDIR = $(PREFIX)/lib
SQLITE_EXTDIR = $(LIBDIR)/sqlite3
PG_CONFIG = pg_config
INSTALL = install
BINDIR = $(PREFIX)/bin
INSTALL_TARGETS = install-sqlite install-pg install-tools
UNINSTALL_TARGETS = uninstall-sqlite uninstall-pg uninstall-tools

install: $(INSTALL_TARGETS)

uninstall: $(UNINSTALL_TARGETS)

install-sqlite: $(SO)
	$(INSTALL) -d '$(DESTDIR)$(SQLITE_EXTDIR)'
	$(INSTALL) -m 644 $(SO) '$(DESTDIR)$(SQLITE_EXTDIR)/migrate.so'

uninstall-sqlite:
	rm -f '$(DESTDIR)$(SQLITE_EXTDIR)/migrate.so'

install-pg:
	$(MAKE) -C pg_ext PG_CONFIG=$(PG_CONFIG)
	$(MAKE) -C pg_ext PG_CONFIG=$(PG_CONFIG) DESTDIR='$(DESTDIR)' install

uninstall-pg:
	$(MAKE) -C pg_ext PG_CONFIG=$(PG_CONFIG) DESTDIR='$(DESTDIR)' uninstall

install-tools:
	$(INSTALL) -d '$(DESTDIR)$(BINDIR)'
	$(INSTALL) -m 755 tools/migrate-from-alembic '$(DESTDIR)$(BINDIR)/migrate-from-alembic'

uninstall-tools:
	rm -f '$(DESTDIR)$(BINDIR)/migrate-from-alembic'

docs-graph: $(SO)
	MIGRATE_SO=$(CURDIR)/$(SO) scripts/docs-graph.sh

clean:
	rm -rf build tests/bin tests/tmp $(SO)
	if [ -f pg_ext/Makefile ] && command -v pg_config >/dev/null; then \
		$(MAKE) -C pg_ext clean; \
	fi
