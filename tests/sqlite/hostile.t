#!/bin/bash
# hostile.t -- database files made the way an attacker would make them
# (issue 18): crafted settings, catalog rows, version rows and kept heads,
# triggers on the version table and the log, views in place of the
# engine's tables, triggers and views that call the shell's writefile or
# the extension's own functions.
#
# Driven by two tables.  CASES: one attack each, SQL run on a copy of a
# prepared file by the plain sqlite3 shell (no extension: the attacker's
# tool), with what a call may answer:
#   twin SQL X  every call answers exactly as on the same file after SQL
#               (the honest file: e.g. the kept heads emptied), except
#               the calls numbered in X, each for a reason said above it
#   session     the attack runs in the caller's own session before the
#               calls (temp tables); every call answers as without it
#   refuse W M  a call either succeeds or fails with an error holding W
#               and a HINT; the calls numbered in M must fail (SQLite has
#               no SQLSTATE: the words are the check)
# CALLS: every function of the API (migrate_functions()), r (reads) or w
# (writes).  A case's calls run in one shell session, in order, each
# behind a marker; a write call inside BEGIN ... ROLLBACK, so each sees
# the attacked file.  After every call: no file at the canary path, the
# user's table "victim" as it was, and after a read call or a failing
# write call the whole file as it was (.sha3sum --schema).  The whole
# file runs in a few seconds: about 45 sqlite3 processes in all.
# In the sanitizer pass the ASan runtime is preloaded into every process:
# start again without it, so that lib.sh preloads it into the sqlite3
# shells only (bash, awk and cp are not built for it; mawk trips it).
[ -z "${LD_PRELOAD:-}" ] || exec env -u LD_PRELOAD /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

CANARY=$TMP/canary
OUTDIR=$TMP/out
mkdir -p "$OUTDIR"
write_rev "$TMP/inline" ffff00000010 a2e418ad6a15 "CREATE TABLE inline_t (a INTEGER);" "DROP TABLE inline_t;"
INLINE=$TMP/inline/ffff00000010_rev.sql

# The prepared file: the sample loaded, upgraded, gxy one step behind, and
# a user table.
base=$TMP/base.db
sq "$base" "SELECT migrate_load('$ENV_DIR');" "SELECT migrate_upgrade();" \
	"SELECT migrate_downgrade('gxy@-1');" \
	"CREATE TABLE victim (a TEXT); INSERT INTO victim VALUES ('keep1'), ('keep2');"
[ "$RC" -eq 0 ] || { diag "$ERR"; echo "Bail out! cannot prepare the base file"; exit 1; }

CALLS=(
	"w|SELECT migrate_upgrade();"
	"w|SELECT migrate_downgrade('-1');"
	"w|SELECT migrate_stamp('heads');"
	"w|SELECT migrate_init();"
	"w|SELECT migrate_verify();"
	"w|SELECT migrate_config('branches', 'gxy,tsi');"
	"w|SELECT migrate_load('$ENV_DIR');"
	"w|SELECT migrate_add(readfile('$INLINE'));"
	"w|SELECT migrate_revision_write('$OUTDIR', 'x', 'gxy@head', 'ffff00000003');"
	"w|SELECT migrate_merge_write('$OUTDIR', 'heads', 'm', NULL, 'ffff00000004');"
	"r|SELECT migrate_upgrade_sql();"
	"r|SELECT migrate_downgrade_sql('a2e418ad6a15:6a67bf27e6a6');"
	"r|SELECT * FROM migrate_current();"
	"r|SELECT * FROM migrate_heads();"
	"r|SELECT * FROM migrate_history();"
	"r|SELECT revision, branch_labels, state, applied_by, checksum_ok, file FROM migrate_status();"
	"r|SELECT migrate_graph();"
	"r|SELECT migrate_show('a2e418ad6a15');"
	"r|SELECT migrate_branches();"
	"r|SELECT migrate_check();"
	"r|SELECT migrate_config('version_table');"
	"r|SELECT migrate_revision('x', 'gxy@head', 'ffff00000001');"
	"r|SELECT migrate_merge('heads', 'm', NULL, 'ffff00000002');"
	"r|SELECT migrate_wait(NULL, 0);"
	"r|SELECT * FROM migrate_plan();"
	"r|SELECT * FROM migrate_schema();"
	"r|SELECT step, revision, direction, status, statements, changes, error FROM migrate_rehearse();"
	"r|SELECT * FROM migrate_stairway();"
	"r|SELECT migrate_version() <> '';"
	"r|SELECT count(*) FROM migrate_functions();"
)

NOTRIG="DROP TRIGGER migrate_catalog_INSERT; DROP TRIGGER migrate_catalog_UPDATE; DROP TRIGGER migrate_catalog_DELETE;"
H=migrate_catalog_heads
LONG=$(printf 'x%.0s' $(seq 1 300))
# name ^ kind ^ SQL of the attack ^ twin SQL, or the words of the refusal ^ MUST
CASES=(
	# ---- the kept heads (core/headcache.c): every answer is the graph's
	"heads: an unknown id^twin^UPDATE $H SET revision = 'ffffffffffff' WHERE pos = 0;^DELETE FROM $H;^"
	"heads: a non-head id (the database's own row)^twin^UPDATE $H SET revision = '6a67bf27e6a6' WHERE pos = 0;^DELETE FROM $H;^"
	"heads: a head deleted^twin^DELETE FROM $H WHERE pos = 0;^DELETE FROM $H;^"
	"heads: a head duplicated^twin^INSERT INTO $H SELECT 5, seq, revision, down_revisions, branch_labels, depends_on, message, is_mergepoint, carried_labels, heads_line, current_line FROM $H WHERE pos = 1;^DELETE FROM $H;^"
	"heads: a NUL byte^twin^UPDATE $H SET revision = revision || char(0) || 'x', carried_labels = 'gxy' || char(0) || 'tsi' WHERE pos = 0;^DELETE FROM $H;^"
	"heads: huge values^twin^UPDATE $H SET seq = 9223372036854775807, message = printf('%.*c', 1000000, 'm'), carried_labels = 'gxy,tsi' WHERE pos = 0;^DELETE FROM $H;^"
	"heads: the fingerprint row deleted^twin^DELETE FROM $H WHERE pos = -1;^DELETE FROM $H;^"
	"heads: stale (triggers dropped, catalog edited)^twin^$NOTRIG UPDATE migrate_catalog SET down_revisions = '' WHERE revision = 'ffff';  INSERT INTO migrate_catalog (revision, down_revisions, checksum, script, added_at) SELECT 'ffff00000009', 'a2e418ad6a15', checksum, replace(replace(script, 'a2e418ad6a15', 'ffff00000009'), 'Revises: 6a67bf27e6a6', 'Revises: a2e418ad6a15'), added_at FROM migrate_catalog WHERE revision = 'a2e418ad6a15';^DELETE FROM $H;^"
	"heads: labels forged so the held gxy looks done^twin^UPDATE migrate_settings SET value = 'gxy' WHERE key = 'branches'; INSERT OR REPLACE INTO migrate_settings VALUES ('branches', 'gxy'); UPDATE $H SET carried_labels = 'tsi'; DELETE FROM alembic_version WHERE version_num <> '5555bbbb0002';^DELETE FROM $H;^"
	"heads: a view in place of the table, calling migrate_heads()^refuse^DROP TABLE $H; CREATE VIEW $H AS SELECT -1 AS pos, 0 AS seq, '' AS revision, '' AS down_revisions, '' AS branch_labels, '' AS depends_on, '' AS message, 0 AS is_mergepoint, (SELECT count(*) FROM migrate_heads()) AS carried_labels, '' AS heads_line, '' AS current_line;^is not a table^1 13 14"
	# ---- settings
	"setting version_table: quotes and a semicolon^refuse^INSERT OR REPLACE INTO migrate_settings VALUES ('version_table', 'x\"; DROP TABLE victim; --');^setting \"version_table\"^1 2 3 11 13 20"
	"setting version_table: a NUL byte^refuse^INSERT OR REPLACE INTO migrate_settings VALUES ('version_table', 'alembic_version' || char(0) || 'victim');^setting \"version_table\"^1 2 3 13 20"
	"setting version_table: overlong^refuse^INSERT OR REPLACE INTO migrate_settings VALUES ('version_table', '$LONG');^setting \"version_table\"^1 2 3 13 20"
	"setting version_table: the engine's catalog^refuse^INSERT OR REPLACE INTO migrate_settings VALUES ('version_table', 'migrate_catalog');^setting \"version_table\"^1 2 3 13 20"
	"setting version_table: a user table^refuse^INSERT OR REPLACE INTO migrate_settings VALUES ('version_table', 'victim');^version table^1 2 3"
	"setting version_table: a view^refuse^CREATE VIEW v_versions AS SELECT version_num FROM alembic_version; INSERT OR REPLACE INTO migrate_settings VALUES ('version_table', 'v_versions');^is not a table^1 2 3 13 20"
	"setting legacy_table: quotes and writefile^refuse^INSERT OR REPLACE INTO migrate_settings VALUES ('legacy_table', 'x\" AS version FROM (SELECT writefile(''$CANARY'', ''x'')) --');^setting \"legacy_table\"^"
	"setting branches: quotes, semicolon, NUL^refuse^INSERT OR REPLACE INTO migrate_settings VALUES ('branches', 'gxy''; DROP TABLE victim; --' || char(0));^branch^1 13"
	"settings: every other key hostile^refuse^INSERT OR REPLACE INTO migrate_settings VALUES ('legacy_versions', 'gxy=1\"; DROP TABLE victim'), ('base_release', '$LONG'), ('lock_timeout', '1; DROP TABLE victim'), ('lock_retries', '-1e999'), ('statement_timeout', 'x'), ('online_conninfo', 'host=/tmp'' dbname=x');^setting^"
	"settings: an unknown key^refuse^INSERT INTO migrate_settings VALUES ('writefile', '$CANARY');^setting^"
	# ---- catalog rows
	"catalog: a body declaring another Revision ID^refuse^UPDATE migrate_catalog SET script = replace(script, 'Revision ID: a2e418ad6a15', 'Revision ID: ffffffffffff') WHERE revision = 'a2e418ad6a15';^declares revision^1"
	"catalog: a cycle by hand^refuse^UPDATE migrate_catalog SET depends_on = '6a67bf27e6a6' WHERE revision = 'e7b6dcb09efd';^Dependency cycle^1 13 15 20"
	"catalog: a NUL byte in a body^refuse^UPDATE migrate_catalog SET script = replace(script, 'CREATE', 'CRE' || char(0) || 'ATE') WHERE revision = 'a2e418ad6a15';^a2e418ad6a15^1"
	"catalog: absurd sizes^refuse^UPDATE migrate_catalog SET message = printf('%.*c', 2000000, 'm'), down_revisions = down_revisions || printf('%.*c', 100000, ',') WHERE revision = 'a2e418ad6a15';^a2e418ad6a15^"
	# ---- version rows
	"versions: NULL^refuse^DROP TABLE alembic_version; CREATE TABLE alembic_version (version_num VARCHAR(32)); INSERT INTO alembic_version VALUES (NULL);^corrupt^1 2 3 13 20"
	"versions: a NUL byte^refuse^UPDATE alembic_version SET version_num = version_num || char(0) || 'x' WHERE version_num = '6a67bf27e6a6';^corrupt^1 2 3 13 20"
	"versions: unknown ids^refuse^INSERT INTO alembic_version VALUES ('ffffffffffff');^ffffffffffff^1"
	"versions: duplicates^refuse^DROP TABLE alembic_version; CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL); INSERT INTO alembic_version VALUES ('6a67bf27e6a6'), ('6a67bf27e6a6'), ('5555bbbb0002');^6a67bf27e6a6^"
	"versions: 10,000 rows^refuse^INSERT INTO alembic_version WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000) SELECT printf('r%011d', x) FROM c;^r00000000001^1"
	# ---- triggers and views
	"trigger on the version table: calls writefile^refuse^CREATE TRIGGER t_v AFTER INSERT ON alembic_version BEGIN SELECT writefile('$CANARY', 'x'); END; CREATE TRIGGER t_v2 AFTER DELETE ON alembic_version BEGIN SELECT writefile('$CANARY', 'x'); END; CREATE TRIGGER t_v3 AFTER UPDATE ON alembic_version BEGIN SELECT writefile('$CANARY', 'x'); END;^unsafe use of writefile()^1 2 3"
	"setting version_table: a user table whose trigger calls writefile^refuse^CREATE TABLE mv (version_num VARCHAR(32) NOT NULL PRIMARY KEY); INSERT INTO mv VALUES ('6a67bf27e6a6'), ('5555bbbb0002'); CREATE TRIGGER t_mv AFTER INSERT ON mv BEGIN SELECT writefile('$CANARY', 'x'); END; CREATE TRIGGER t_mv2 AFTER UPDATE ON mv BEGIN SELECT writefile('$CANARY', 'x'); END; CREATE TRIGGER t_mv3 AFTER DELETE ON mv BEGIN SELECT writefile('$CANARY', 'x'); END; INSERT OR REPLACE INTO migrate_settings VALUES ('version_table', 'mv');^unsafe use of writefile()^1 2 3"
	"trigger on the version table: calls migrate_upgrade^refuse^CREATE TRIGGER t_v AFTER INSERT ON alembic_version BEGIN SELECT migrate_upgrade(); END; CREATE TRIGGER t_v2 AFTER UPDATE ON alembic_version BEGIN SELECT migrate_downgrade('base'); END; CREATE TRIGGER t_v3 AFTER DELETE ON alembic_version BEGIN SELECT migrate_stamp('base'); END;^unsafe use of migrate_^1 2 3"
	# rehearse and stairway run on a private copy of the file, on a
	# connection without the extension's functions: there the trigger fails
	"trigger on the version table: calls the engine's read functions^twin^CREATE TRIGGER t_v AFTER UPDATE ON alembic_version BEGIN SELECT migrate_check(), migrate_show('a2e418ad6a15'), migrate_graph(), migrate_config('version_table'), migrate_upgrade_sql(); END;^DROP TRIGGER t_v;^27 28"
	"trigger on the kept heads: writes a user table^refuse^DELETE FROM $H; CREATE TRIGGER t_h AFTER INSERT ON $H BEGIN DELETE FROM victim; END;^has a trigger the engine does not trust^1 2 3 7 8"
	"a user's view that calls writefile^refuse^CREATE VIEW v_snare AS SELECT writefile('$CANARY', 'x') AS a; CREATE TABLE t_snare (a TEXT); CREATE TRIGGER t_snare AFTER INSERT ON t_snare BEGIN SELECT writefile('$CANARY', 'x'); END;^^"
	"trigger on the log: writes a user table^refuse^CREATE TRIGGER t_l2 AFTER INSERT ON migrate_log BEGIN DELETE FROM victim; END;^has a trigger the engine does not trust^1 2 3"
	"trigger on the schema's fingerprint: writes a user table^refuse^CREATE TRIGGER t_f AFTER INSERT ON migrate_schema_fingerprint BEGIN DELETE FROM victim; END; CREATE TRIGGER t_f2 AFTER UPDATE ON migrate_schema_fingerprint BEGIN DELETE FROM victim; END;^has a trigger the engine does not trust^1"
	"trigger named as the engine's own, with another body^refuse^DROP TRIGGER migrate_catalog_INSERT; CREATE TRIGGER migrate_catalog_INSERT AFTER INSERT ON migrate_catalog BEGIN DELETE FROM victim; END;^has a trigger the engine does not trust^7 8"
	"trigger on the log: calls writefile^refuse^CREATE TRIGGER t_l AFTER INSERT ON migrate_log BEGIN SELECT writefile('$CANARY', 'x'); END;^has a trigger the engine does not trust^1 2 3"
	"trigger on the settings: calls migrate_upgrade^refuse^CREATE TRIGGER t_s AFTER INSERT ON migrate_settings BEGIN SELECT migrate_upgrade(); END; CREATE TRIGGER t_s2 AFTER UPDATE ON migrate_settings BEGIN SELECT migrate_upgrade(); END;^has a trigger the engine does not trust^1 6"
	"view in place of the version table: calls writefile^refuse^DROP TABLE alembic_version; CREATE VIEW alembic_version AS SELECT writefile('$CANARY', 'x') AS version_num;^is not a table^1 2 3 13 20"
	# ---- the session's own temp tables in front of the engine's (run before each call, in its session)
	"temp tables shadowing the version table and the engine's^session^CREATE TEMP TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY); INSERT INTO temp.alembic_version VALUES ('a2e418ad6a15'), ('5555bbbb0002'); CREATE TEMP TABLE migrate_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO temp.migrate_settings VALUES ('version_table', 'victim'); CREATE TEMP TABLE migrate_catalog_heads AS SELECT * FROM main.migrate_catalog_heads WHERE 0; CREATE TEMP TABLE migrate_log AS SELECT * FROM main.migrate_log WHERE 0;^^"
	"view in place of the catalog: calls migrate_check^refuse^ALTER TABLE migrate_catalog RENAME TO real_catalog; CREATE VIEW migrate_catalog AS SELECT *, migrate_check() AS x FROM real_catalog;^is not a table^1 8 13 14 15 20"
)

# session DB [SQL]: one sqlite3 shell on DB (after SQL, the session's own
# attack): every call of CALLS in order, each behind "@@ N" and followed
# by "@@ checks": the hash of the file (.sha3sum --schema), the user's
# table and whether the canary file exists.  A write call runs inside
# BEGIN ... ROLLBACK (the engine's unit is then a savepoint in it, as for
# any caller's transaction), so every call sees the file as attacked; the
# hash after the ROLLBACK proves it.  Writes the parts to $TMP/s.PREFIX/
# (N.out, N.chk, all), without what differs between two honest runs (a
# new revision's Create Date, a run's time, the line in the shell's input);
# a line over 2000 bytes is cut to its start and length.
session() {
	local db=$1 sql=${2:-} prefix=$3 i kind cmds=()
	[ -n "$sql" ] && cmds+=("$sql")
	cmds+=(".print @@ start" ".sha3sum --schema")
	for i in "${!CALLS[@]}"; do
		kind=${CALLS[$i]%%|*}
		[ "$kind" = w ] && cmds+=("BEGIN;")
		cmds+=(".print @@ $((i + 1))" "${CALLS[$i]#*|}" ".print @@ checks" ".sha3sum --schema"
			"SELECT 'victim ' || group_concat(a) FROM victim;"
			"SELECT 'canary ' || (readfile('$CANARY') IS NOT NULL);")
		[ "$kind" = w ] && cmds+=("ROLLBACK;" ".sha3sum --schema")
	done
	cmds+=(".print @@ end")
	rm -rf "$TMP/s.$prefix" "$OUTDIR"/* && mkdir -p "$TMP/s.$prefix"
	printf '%s\n' "${cmds[@]}" |
		LD_PRELOAD=$SANITIZER_PRELOAD stdbuf -oL -e0 "$SQLITE3" -batch \
			-cmd ".load '$MIGRATE_EXT' sqlite3_migrate_init" "$db" 2>&1 |
		awk -v d="$TMP/s.$prefix" '
			length($0) > 2000 { $0 = substr($0, 1, 1000) "... (" length($0) " bytes)" }
			{ sub(/^-- Create Date: .*/, "-- Create Date: X"); gsub(/[0-9]+\.[0-9]+ ms/, "X ms")
				gsub(/ near line [0-9]+/, "") }
			/^@@ / { if (f) close(f)
				if ($2 == "checks") f = d "/" n ".chk"; else { n = $2; f = d "/" n ".out" }
				printf "" > f; next }
			{ print > (f ? f : d "/pre"); print > (d "/all") }'
}

# slurp VAR FILE: FILE's text in VAR (no subshell: the loops below run
# once per call and case)
slurp() { printf -v "$1" ''; [ ! -e "$2" ] || IFS= read -r -d '' "$1" <"$2" || true; }

# judge N: the verdict on call N of a refuse case (appends to bad)
judge() {
	local n=$1 text failed=0 what="call $1 (${CALLS[$(($1 - 1))]#*|})"
	slurp text "$TMP/s.case/$n.out"
	[[ $text == *"Runtime error"* || $text == *"Parse error"* || $text == *"Error: "* ]] && failed=1
	if [[ " $must " == *" $n "* ]]; then
		if [ "$failed" = 0 ]; then
			bad+=("$what must refuse, answered: $(head -c 300 <<<"$text")")
		elif [[ $text != *"$want"* || $text != *HINT:* ]]; then
			bad+=("$what refuses without saying \"$want\" and a hint: $(head -c 300 <<<"$text")")
		fi
	elif [ "$failed" = 1 ] && [[ $text != *HINT:* ]]; then
		bad+=("$what fails without a hint: $(head -c 300 <<<"$text")")
	fi
	FAILED=$failed
}

# checks N FAILED: what call N left behind (appends to bad): the file as
# the session found it after a read call or a failing write call (and
# after every ROLLBACK), the user's table whole, no canary file
checks() {
	local n=$1 failed=$2 what="call $1 (${CALLS[$(($1 - 1))]#*|})"
	chk=()
	[ ! -e "$TMP/s.case/$n.chk" ] || mapfile -t chk <"$TMP/s.case/$n.chk"
	[ "${CALLS[$((n - 1))]%%|*}" = w ] && [ "$failed" = 0 ] ||
		[ "${chk[0]:-}" = "$start" ] || bad+=("$what changed the file")
	[ "${chk[1]:-}" = "victim keep1,keep2" ] || bad+=("$what changed the user's table: ${chk[1]:-}")
	[ "${chk[2]:-}" = "canary 0" ] || bad+=("$what wrote the canary file (or the check failed): ${chk[2]:-}")
	[ "${CALLS[$((n - 1))]%%|*}" = r ] || [ "${#chk[@]}" = 4 ] && [ "${chk[3]:-$start}" = "$start" ] ||
		bad+=("the ROLLBACK after $what did not restore the file: ${chk[*]:3}")
}

for c in "${CASES[@]}"; do
	IFS='^' read -r name kind attack want must <<<"$c"
	db=$TMP/case.db
	bad=()
	session=
	if [ "$kind" = session ]; then
		session=$attack
		attack="SELECT 1;"
		kind=twin
		want="SELECT 1;"
	fi
	cp "$base" "$db"
	rm -f "$CANARY"
	sqlite3_run -batch "$db" "$attack" >/dev/null 2>"$TMP/attack.err" ||
		bad+=("the attack itself failed: $(cat "$TMP/attack.err")")
	session "$db" "$session" case
	slurp all "$TMP/s.case/all"
	sanitizer_check "$all"
	[ -e "$TMP/s.case/end.out" ] || bad+=("the shell died during the calls: $(tail -c 300 <<<"$all")")
	start=
	[ ! -e "$TMP/s.case/start.out" ] || read -r start <"$TMP/s.case/start.out"
	[ ! -s "$TMP/s.case/pre" ] || bad+=("the session's attack failed: $(head -c 300 "$TMP/s.case/pre")")
	if [ "$kind" = twin ]; then
		# the honest file: the same, with the attack undone by WANT
		cp "$db" "$TMP/twin.db"
		sqlite3_run -batch "$TMP/twin.db" "$want" >/dev/null 2>&1
		session "$TMP/twin.db" "" twin
		slurp all "$TMP/s.twin/all"
		sanitizer_check "$all"
		[ -e "$TMP/s.twin/end.out" ] || bad+=("the shell died during the honest calls: $(tail -c 300 "$TMP/s.twin/all")")
	fi
	for i in "${!CALLS[@]}"; do
		n=$((i + 1))
		if [ "$kind" = twin ]; then
			slurp got "$TMP/s.case/$n.out"
			slurp exp "$TMP/s.twin/$n.out"
			[ "$got" = "$exp" ] || [[ " $must " == *" $n "* ]] ||
				bad+=("call $n (${CALLS[$i]#*|}) answers differently: ${got:0:300} / honest: ${exp:0:300}")
			FAILED=0
			[[ $got == *"Runtime error"* ]] && FAILED=1
		else
			judge $n
		fi
		checks $n $FAILED
	done
	ok "$name" [ ${#bad[@]} -eq 0 ]
	for b in "${bad[@]}"; do diag "$b"; done
done

done_testing
