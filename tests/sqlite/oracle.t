#!/bin/bash
# oracle.t -- the SQLite extension answers as real Alembic does.
#
# Every expectation is a golden file written by tests/oracle/regen.sh from
# Alembic's own output on the sample environment (migrations/): listings
# (heads, history, branches, current), offline SQL, the "Running ..."
# lines of online runs with the version table and schema after them, and
# error messages.  The same sessions are replayed here through the sqlite3
# shell.
. "$(dirname "$0")/lib.sh"

if [ ! -d "$GOLDEN_DIR" ]; then
	echo "1..0 # SKIP no golden files in $GOLDEN_DIR (run tests/oracle/regen.sh)"
	exit 0
fi

# cmp_golden NAME GOT TEST: GOT equals the golden file NAME.
cmp_golden() {
	if golden_exists "$1"; then
		is "$2" "$(golden "$1")" "$3"
	else
		skip "$3" "golden file $1 missing"
	fi
}

# cmp_error NAME TEST: the last call failed with the golden message
# errors/NAME.txt, and its inner reason errors/NAME.detail.txt (when
# Alembic has one) is in the DETAIL.
cmp_error() {
	ok "$2: fails" [ "$RC" -ne 0 ]
	cmp_golden "errors/$1.txt" "$(errmsg)" "$2: Alembic's message"
	if golden_exists "errors/$1.detail.txt"; then
		ok "$2: names what Alembic's inner reason names" \
			names_inner_reason "$(golden "errors/$1.detail.txt")"
	fi
}

# names_inner_reason TEXT: the error holds Alembic's inner reason TEXT
# (Alembic's trailing "..." aside), or at least its DETAIL names every
# quoted name and revision id that TEXT names.
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

versions() {
	sqlite3_run "$1" "SELECT version_num FROM alembic_version ORDER BY 1"
}

# The user's tables and indexes (not the engine's state tables).
schema() {
	sqlite3_run "$1" "SELECT type || ' ' || name FROM sqlite_master
		WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE 'migrate_%' ORDER BY name"
}

LOAD="SELECT migrate_load('$ENV_DIR');"

# ------------------------------------------------------------ listings
db=$TMP/graph.db
sq_ok "load the sample environment" "$db" "$LOAD"
sq "$db" "SELECT line FROM migrate_heads();"
cmp_golden heads.txt "$OUT" "heads"
# Alembic keeps a revision's children in a set, so the order of the
# "->" lines changes from one Python process to the next: compare sorted.
sq "$db" "SELECT migrate_branches();"
if golden_exists branches.txt; then
	is "$(printf '%s\n' "$OUT" | head -n 1)" "$(golden branches.txt | head -n 1)" \
		"branches: the branch point"
	is "$(printf '%s\n' "$OUT" | grep -v '^$' | sort)" "$(golden branches.txt | grep -v '^$' | sort)" \
		"branches: its children (any order)"
else
	skip "branches" "golden file branches.txt missing"
fi
sq "$db" "SELECT line FROM migrate_history();"
cmp_golden history.txt "$OUT" "history"
sq "$db" "SELECT line FROM migrate_history('b182f655505f:9540a051226e');"
cmp_golden history_range_b182f655505f_9540a051226e.txt "$OUT" "history -r b182f655505f:9540a051226e"
sq "$db" "SELECT line FROM migrate_history('9540a051226e:');"
cmp_golden history_range_9540a051226e_end.txt "$OUT" "history -r 9540a051226e:"
sq "$db" "SELECT line FROM migrate_history('9540a051226e:c39f1de47a04');"
cmp_error history_range_not_lineage "history over two lineages"
sq "$db" "SELECT line FROM migrate_history('9540a051226e');"
cmp_error history_range_without_colon "history range without colon"

# Identifier resolution: migrate_show names the revisions an identifier
# resolves to ("Rev: <id>" lines), or fails with Alembic's inner reason.
if golden_exists resolve.tsv; then
	while IFS=$'\t' read -r ident verdict want; do
		sq "$db" "SELECT migrate_show('$ident');"
		if [ "$verdict" = ok ]; then
			got=$(printf '%s\n' "$OUT" | sed -n 's/^Rev: \([^ ]*\).*/\1/p' | sort | tr '\n' ' ')
			is "${got% }" "$(printf '%s\n' $want | sort | tr '\n' ' ' | sed 's/ $//')" \
				"resolve '$ident' as Alembic does"
		else
			ok "resolve '$ident' fails with Alembic's reason" names_inner_reason "$want"
		fi
	done < <(golden resolve.tsv)
else
	skip "identifier resolution" "golden file resolve.tsv missing"
fi

# ------------------------------------------------------------ offline SQL
offline() {	# golden function range
	sq "$db" "SELECT $2('$3');"
	cmp_golden "$1" "$OUT" "$2('$3') is Alembic's --sql"
}
offline upgrade_heads_sqlite.sql migrate_upgrade_sql heads
offline upgrade_gxy_head_sqlite.sql migrate_upgrade_sql gxy@head
offline upgrade_tsi_head_sqlite.sql migrate_upgrade_sql tsi@head
offline upgrade_9540a051226e_a2e418ad6a15_sqlite.sql migrate_upgrade_sql 9540a051226e:a2e418ad6a15
offline upgrade_d4_sqlite.sql migrate_upgrade_sql d4
offline downgrade_unmerge_sqlite.sql migrate_downgrade_sql 9540a051226e:b182f655505f
offline downgrade_a2e418ad6a15_9540a051226e_sqlite.sql migrate_downgrade_sql a2e418ad6a15:9540a051226e
sq "$db" "SELECT migrate_downgrade_sql('b182f655505f');"
cmp_error downgrade_sql_without_range "downgrade_sql without a range"
ok "offline SQL created no version table" [ -z "$(schema "$db")" ]

# ------------------------------------------------------------ the demo session
db=$TMP/gxy.db
sq_ok "load" "$db" "$LOAD"
sq "$db" "SELECT migrate_upgrade('gxy@head');"
cmp_golden upgrade_gxy_head.log "$OUT" "upgrade gxy@head: steps"
cmp_golden version_table_after_gxy_head.txt "$(versions "$db")" "upgrade gxy@head: version table"
cmp_golden schema_after_gxy_head.txt "$(schema "$db")" "upgrade gxy@head: schema"
sq "$db" "SELECT line FROM migrate_current();"
cmp_golden current_after_gxy_head.txt "$OUT" "current after gxy@head"
sq "$db" "SELECT line FROM migrate_history(NULL, 1);"
cmp_golden history_indicate_current_after_gxy_head.txt "$OUT" "history --indicate-current after gxy@head"
sq "$db" "SELECT migrate_downgrade('gxy@-1');"
cmp_golden downgrade_gxy_minus_1.log "$OUT" "downgrade gxy@-1: steps"
sq "$db" "SELECT line FROM migrate_current();"
cmp_golden current_after_gxy_minus_1.txt "$OUT" "current after gxy@-1"
cmp_golden version_table_after_gxy_minus_1.txt "$(versions "$db")" "version table after gxy@-1"
sq "$db" "SELECT migrate_downgrade('3a2d6b1c9e0f');"
cmp_error downgrade_3a2d6b1c9e0f "downgrade to a revision not below the heads"
sq "$db" "SELECT migrate_upgrade('tsi@head');"
cmp_golden upgrade_tsi_head_after_gxy.log "$OUT" "upgrade tsi@head after gxy: steps"
cmp_golden version_table_after_gxy_then_tsi.txt "$(versions "$db")" "version table after gxy then tsi"
sq "$db" "SELECT migrate_upgrade('+1');"
cmp_error upgrade_plus_1_two_heads "upgrade +1 with two heads"

# ------------------------------------------------------------ everything, then base
db=$TMP/heads.db
sq_ok "load" "$db" "$LOAD"
sq "$db" "SELECT migrate_upgrade();"
cmp_golden upgrade_heads.log "$OUT" "upgrade (heads): steps"
cmp_golden version_table_after_heads.txt "$(versions "$db")" "upgrade heads: version table"
cmp_golden schema_after_heads.txt "$(schema "$db")" "upgrade heads: schema"
sq "$db" "SELECT line FROM migrate_current();"
cmp_golden current_after_heads.txt "$OUT" "current after heads"
sq "$db" "SELECT line FROM migrate_history(NULL, 1);"
cmp_golden history_indicate_current_after_heads.txt "$OUT" "history --indicate-current after heads"
sq "$db" "SELECT migrate_downgrade('base');"
cmp_golden downgrade_base_from_heads.log "$OUT" "downgrade base: steps"
cmp_golden version_table_after_downgrade_base.txt "$(versions "$db")" "downgrade base: version table"
cmp_golden schema_after_downgrade_base.txt "$(schema "$db")" "downgrade base: schema"

# ------------------------------------------------------------ tsi alone
db=$TMP/tsi.db
sq_ok "load" "$db" "$LOAD"
sq "$db" "SELECT migrate_upgrade('tsi@head');"
cmp_golden upgrade_tsi_head.log "$OUT" "upgrade tsi@head: steps (with its gxy dependency)"
cmp_golden version_table_after_tsi_head.txt "$(versions "$db")" "upgrade tsi@head: version table"
sq "$db" "SELECT line FROM migrate_current();"
cmp_golden current_after_tsi_head.txt "$OUT" "current after tsi@head"
sq "$db" "SELECT migrate_downgrade('tsi@base');"
cmp_golden downgrade_tsi_base.log "$OUT" "downgrade tsi@base: steps"
cmp_golden version_table_after_tsi_base.txt "$(versions "$db")" "downgrade tsi@base: version table"

# ------------------------------------------------------------ merge and unmerge
db=$TMP/merge.db
sq_ok "load" "$db" "$LOAD"
sq "$db" "SELECT migrate_upgrade('9540a051226e');"
cmp_golden upgrade_9540a051226e.log "$OUT" "upgrade to the merge point: steps"
cmp_golden version_table_after_9540a051226e.txt "$(versions "$db")" "version table after the merge"
sq "$db" "SELECT migrate_downgrade('b182f655505f');"
cmp_golden downgrade_b182f655505f.log "$OUT" "downgrade below the merge: steps"
cmp_golden version_table_after_unmerge.txt "$(versions "$db")" "version table after the unmerge"

# ------------------------------------------------------------ errors
db=$TMP/errors.db
sq_ok "load" "$db" "$LOAD"
error_case() {	# name target
	sq "$db" "SELECT migrate_upgrade('$2');"
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
ok "no failed upgrade created anything" [ -z "$(schema "$db")" ]

done_testing
