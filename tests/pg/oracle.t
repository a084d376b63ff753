#!/bin/bash
# oracle.t -- the PostgreSQL extension answers as real Alembic does, and as
# the SQLite extension does.
#
# 1. Alembic: every expectation is a golden file of tests/oracle/expected/
#    (written by tests/oracle/regen.sh from Alembic's own output on the
#    sample environment): listings, the postgresql offline SQL, the
#    "Running ..." lines of online runs, the version table and `current`
#    after them, and error messages.  The same sessions are replayed here
#    through psql.  (The schema_*.txt files describe SQLite's catalog and
#    are not compared.)
# 2. The SQLite host: the same calls on the sqlite3 shell with the SQLite
#    extension (MIGRATE_SO, or sqlite_ext/migrate.so when built) give the
#    same lines.  Skipped when sqlite3 or the extension is missing.
. "$(dirname "$0")/lib.sh"

GOLDEN_DIR="${MIGRATE_GOLDEN:-$MIGRATE_ROOT/tests/oracle/expected}"
LOAD="SELECT migrate_load('$MIGRATE_ENV_DIR');"

golden() { cat "$GOLDEN_DIR/$1" 2>/dev/null; }
golden_exists() { [ -f "$GOLDEN_DIR/$1" ]; }

# cmp_golden NAME GOT TEST: GOT equals the golden file NAME.
cmp_golden() {
	if golden_exists "$1"; then
		is "$2" "$(golden "$1")" "$3"
	else
		skip "$3" "golden file $1 missing"
	fi
}

# names_inner_reason TEXT: the error holds Alembic's inner reason TEXT
# (its trailing "..." aside), or its DETAIL names every quoted name and
# revision id TEXT names.
names_inner_reason() {
	local want=${1%...} detail tok
	want=${want%.}
	[[ $ERR == *"$want"* ]] && return 0
	detail=$(printf '%s\n' "$ERR" | sed -n 's/^DETAIL:  //p')
	[ -n "$detail" ] || { diag "no DETAIL in: $ERR"; return 1; }
	for tok in $(grep -oE "'[^']+'|[0-9a-f]{12}" <<<"$want" | tr -d "'"); do
		if [[ $detail != *"$tok"* ]]; then
			diag "DETAIL \"$detail\" does not name \"$tok\" (Alembic: $want)"
			return 1
		fi
	done
	return 0
}

# cmp_error NAME TEST: the last call failed with the golden message
# errors/NAME.txt, and its DETAIL names Alembic's inner reason.
cmp_error() {
	ok "$2: fails" [ "$RC" -ne 0 ]
	cmp_golden "errors/$1.txt" "$(errmsg)" "$2: Alembic's message"
	if golden_exists "errors/$1.detail.txt"; then
		ok "$2: names what Alembic's inner reason names" names_inner_reason "$(golden "errors/$1.detail.txt")"
	fi
}

versions() { val "$1" "SELECT string_agg(version_num, E'\n' ORDER BY version_num) FROM alembic_version"; }
lines() { val "$1" "SELECT string_agg(line, E'\n') FROM $2"; }

if [ ! -d "$GOLDEN_DIR" ]; then
	skip "Alembic's answers" "no golden files in $GOLDEN_DIR (run tests/oracle/regen.sh)"
else
	# ------------------------------------------------------------ listings
	fresh_db oracle_graph
	pq oracle_graph "$LOAD"
	is "$RC" 0 "load the sample environment"
	cmp_golden heads.txt "$(lines oracle_graph "migrate_heads()")" "heads"
	cmp_golden branches.txt "$(val oracle_graph "SELECT migrate_branches()")" "branches"
	cmp_golden history.txt "$(lines oracle_graph "migrate_history()")" "history"
	cmp_golden history_range_b182f655505f_9540a051226e.txt \
		"$(lines oracle_graph "migrate_history('b182f655505f:9540a051226e')")" "history -r b182f655505f:9540a051226e"
	cmp_golden history_range_9540a051226e_end.txt \
		"$(lines oracle_graph "migrate_history('9540a051226e:')")" "history -r 9540a051226e:"
	pq oracle_graph "SELECT line FROM migrate_history('9540a051226e:c39f1de47a04');"
	cmp_error history_range_not_lineage "history over two lineages"
	pq oracle_graph "SELECT line FROM migrate_history('9540a051226e');"
	cmp_error history_range_without_colon "history range without colon"

	# ------------------------------------------------------------ offline SQL (postgresql)
	offline() {	# golden function range
		cmp_golden "$1" "$(val oracle_graph "SELECT $2('$3')")" "$2('$3') is Alembic's --sql for postgresql"
	}
	offline upgrade_heads_postgresql.sql migrate_upgrade_sql heads
	offline upgrade_gxy_head_postgresql.sql migrate_upgrade_sql gxy@head
	offline upgrade_tsi_head_postgresql.sql migrate_upgrade_sql tsi@head
	offline upgrade_9540a051226e_a2e418ad6a15_postgresql.sql migrate_upgrade_sql 9540a051226e:a2e418ad6a15
	offline downgrade_unmerge_postgresql.sql migrate_downgrade_sql 9540a051226e:b182f655505f
	offline downgrade_a2e418ad6a15_9540a051226e_postgresql.sql migrate_downgrade_sql a2e418ad6a15:9540a051226e
	pq oracle_graph "SELECT migrate_downgrade_sql('b182f655505f');"
	cmp_error downgrade_sql_without_range "downgrade_sql without a range"
	is "$(val oracle_graph "SELECT to_regclass('alembic_version') IS NULL")" "t" "offline SQL created no version table"

	# ------------------------------------------------------------ the demo session
	fresh_db oracle_gxy
	pq oracle_gxy "$LOAD" "SELECT migrate_upgrade('gxy@head');"
	cmp_golden upgrade_gxy_head.log "$(printf '%s\n' "$OUT" | tail -n +2)" "upgrade gxy@head: steps"
	cmp_golden version_table_after_gxy_head.txt "$(versions oracle_gxy)" "upgrade gxy@head: version table"
	cmp_golden current_after_gxy_head.txt "$(lines oracle_gxy "migrate_current()")" "current after gxy@head"
	cmp_golden history_indicate_current_after_gxy_head.txt "$(lines oracle_gxy "migrate_history(NULL, true)")" \
		"history --indicate-current after gxy@head"
	pq oracle_gxy "SELECT migrate_downgrade('gxy@-1');"
	cmp_golden downgrade_gxy_minus_1.log "$OUT" "downgrade gxy@-1: steps"
	cmp_golden current_after_gxy_minus_1.txt "$(lines oracle_gxy "migrate_current()")" "current after gxy@-1"
	cmp_golden version_table_after_gxy_minus_1.txt "$(versions oracle_gxy)" "version table after gxy@-1"
	pq oracle_gxy "SELECT migrate_downgrade('3a2d6b1c9e0f');"
	cmp_error downgrade_3a2d6b1c9e0f "downgrade to a revision not below the heads"
	pq oracle_gxy "SELECT migrate_upgrade('tsi@head');"
	cmp_golden upgrade_tsi_head_after_gxy.log "$OUT" "upgrade tsi@head after gxy: steps"
	cmp_golden version_table_after_gxy_then_tsi.txt "$(versions oracle_gxy)" "version table after gxy then tsi"
	pq oracle_gxy "SELECT migrate_upgrade('+1');"
	cmp_error upgrade_plus_1_two_heads "upgrade +1 with two heads"

	# ------------------------------------------------------------ everything, then base
	fresh_db oracle_heads
	pq oracle_heads "$LOAD" "SELECT migrate_upgrade();"
	cmp_golden upgrade_heads.log "$(printf '%s\n' "$OUT" | tail -n +2)" "upgrade (heads): steps"
	cmp_golden version_table_after_heads.txt "$(versions oracle_heads)" "upgrade heads: version table"
	cmp_golden current_after_heads.txt "$(lines oracle_heads "migrate_current()")" "current after heads"
	cmp_golden history_indicate_current_after_heads.txt "$(lines oracle_heads "migrate_history(NULL, true)")" \
		"history --indicate-current after heads"
	pq oracle_heads "SELECT migrate_downgrade('base');"
	cmp_golden downgrade_base_from_heads.log "$OUT" "downgrade base: steps"
	cmp_golden version_table_after_downgrade_base.txt "$(versions oracle_heads)" "downgrade base: version table"
	is "$(val oracle_heads "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'alembic_version'")" "0" \
		"downgrade base: no table of the environment is left"

	# ------------------------------------------------------------ tsi alone
	fresh_db oracle_tsi
	pq oracle_tsi "$LOAD" "SELECT migrate_upgrade('tsi@head');"
	cmp_golden upgrade_tsi_head.log "$(printf '%s\n' "$OUT" | tail -n +2)" "upgrade tsi@head: steps (with its gxy dependency)"
	cmp_golden version_table_after_tsi_head.txt "$(versions oracle_tsi)" "upgrade tsi@head: version table"
	cmp_golden current_after_tsi_head.txt "$(lines oracle_tsi "migrate_current()")" "current after tsi@head"
	pq oracle_tsi "SELECT migrate_downgrade('tsi@base');"
	cmp_golden downgrade_tsi_base.log "$OUT" "downgrade tsi@base: steps"
	cmp_golden version_table_after_tsi_base.txt "$(versions oracle_tsi)" "downgrade tsi@base: version table"

	# ------------------------------------------------------------ merge and unmerge
	fresh_db oracle_merge
	pq oracle_merge "$LOAD" "SELECT migrate_upgrade('9540a051226e');"
	cmp_golden upgrade_9540a051226e.log "$(printf '%s\n' "$OUT" | tail -n +2)" "upgrade to the merge point: steps"
	cmp_golden version_table_after_9540a051226e.txt "$(versions oracle_merge)" "version table after the merge"
	pq oracle_merge "SELECT migrate_downgrade('b182f655505f');"
	cmp_golden downgrade_b182f655505f.log "$OUT" "downgrade below the merge: steps"
	cmp_golden version_table_after_unmerge.txt "$(versions oracle_merge)" "version table after the unmerge"

	# ------------------------------------------------------------ errors
	fresh_db oracle_errors
	pq oracle_errors "$LOAD"
	error_case() {	# name target
		pq oracle_errors "SELECT migrate_upgrade('$2');"
		cmp_error "$1" "upgrade $2"
	}
	error_case upgrade_head head
	error_case upgrade_zz zz
	error_case upgrade_ffff ffff
	error_case upgrade_5555 5555
	error_case upgrade_tsi_at_c39f1de47a04 tsi@c39f1de47a04
	error_case upgrade_nosuch_at_head nosuch@head
	error_case upgrade_heads_minus_1 heads-1
	error_case upgrade_gxy_minus_1 gxy@-1
	error_case upgrade_e7b6dcb09efd_plus_3 e7b6dcb09efd+3
	error_case upgrade_range_online e7b6dcb09efd:b182f655505f
	is "$(val oracle_errors "SELECT to_regclass('alembic_version') IS NULL")" "t" "no failed upgrade created anything"
fi

# ------------------------------------------------------------ the SQLite host
SQLITE3=${SQLITE3:-sqlite3}
so=${MIGRATE_SO:-$MIGRATE_ROOT/sqlite_ext/migrate.so}
[ -e "$so" ] || [ ! -e "$so.so" ] || so=$so.so
if ! command -v "$SQLITE3" >/dev/null || [ ! -e "$so" ]; then
	skip "the SQLite host gives the same lines" "no sqlite3 or no SQLite extension ($so; make builds it)"
else
	lite_db=$TMP/lite.db
	lite() {	# lite SQL: run on the SQLite database, extension loaded
		printf '%s\n' "$1" | "$SQLITE3" -bail -batch -cmd ".load '$so' sqlite3_migrate_init" "$lite_db" 2>&1
	}
	fresh_db oracle_lite
	# the same calls, one by one, on both hosts
	same() {	# same SQL TEST
		is "$(val oracle_lite "$1")" "$(lite "$1")" "$2"
	}
	lite "$LOAD" >/dev/null
	pq oracle_lite "$LOAD"
	same "SELECT line FROM migrate_heads();" "heads: the same lines as the SQLite host"
	same "SELECT line FROM migrate_history();" "history: the same"
	same "SELECT migrate_branches();" "branches: the same"
	same "SELECT migrate_show('b182');" "show: the same"
	same "SELECT migrate_upgrade('gxy@head');" "upgrade gxy@head: the same report"
	same "SELECT line FROM migrate_current();" "current: the same"
	same "SELECT line FROM migrate_history('9540:', true);" "history with the current revision: the same"
	same "SELECT migrate_downgrade('gxy@-1');" "downgrade gxy@-1: the same report"
	same "SELECT migrate_upgrade();" "upgrade heads: the same report"
	same "SELECT migrate_stamp('tsi@base');" "stamp: the same"
	# (with one version row: with two, both list them in table order, which
	# is the engine's own: rowid order in SQLite, heap order here)
	same "SELECT migrate_check();" "check: the same"
	same "SELECT version_num FROM alembic_version ORDER BY 1;" "the same version table"
fi

done_testing
