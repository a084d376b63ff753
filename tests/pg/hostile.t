#!/bin/bash
# hostile.t -- a database prepared the way an attacker would prepare it
# (issue 18): mallory, a role without privileges of its own, owns schema
# app, first in the superuser's search_path, and may write the engine's
# tables (as a deploy role may); with that she crafts settings, catalog
# rows, version rows and kept heads, triggers on the log, and functions,
# operators and tables in app that shadow what the engine uses.  Then the
# superuser runs every function of the API.
#
# Driven by two tables.  CASES: one attack each (SQL run as mallory,
# then as the superuser where only an owner can do it), with what a call
# may answer:
#   twin SQL X  every call answers exactly as on the honest database
#               (mallory's part of the attack left out, SQL run instead:
#               e.g. the kept heads emptied), except the calls numbered
#               in X, each for a reason said above the case
#   refuse W S M  a call either succeeds or fails with an error holding
#               W and a HINT; the calls numbered in M must fail, with
#               SQLSTATE S
# CALLS: the functions of the API (migrate_functions()), r or w.  Each
# case is one psql session and one transaction, rolled back: the attack,
# then every call (psql's ON_ERROR_ROLLBACK: a failing call undoes only
# itself), each write call rolled back to its own savepoint before the
# next.  After every call, checked under a search_path of pg_catalog
# only: no role was created or changed (pg_authid: mallory is still no
# superuser), no file was written at the canary path, none of app's
# functions or operators ran (public.calls is empty) and the user's
# table is as it was.  migrate_upgrade_steps (CALL, outside a
# transaction) is tested in steps.t and online.t.
. "$(dirname "$0")/lib.sh"

# the server may write here: a file appearing is a finding
mkdir -p "$TMP/c" && chmod 777 "$TMP/c"
CANARY=$TMP/c/canary
fresh_db hostile
pq hostile "DROP ROLE IF EXISTS mallory;" "CREATE ROLE mallory LOGIN;" \
	"CREATE SCHEMA app AUTHORIZATION mallory;" \
	"GRANT USAGE ON SCHEMA migrate TO mallory;" \
	"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA migrate TO mallory;" \
	"GRANT USAGE ON ALL SEQUENCES IN SCHEMA migrate TO mallory;" \
	"CREATE TABLE public.calls (who text, what text);" "GRANT INSERT ON public.calls TO PUBLIC;" \
	"CREATE TABLE public.victim (a text);" "INSERT INTO public.victim VALUES ('keep1'), ('keep2');" \
	"GRANT SELECT, INSERT, UPDATE, DELETE ON public.victim TO mallory;" \
	"SELECT migrate_load('$MIGRATE_ENV_DIR');" "SELECT migrate_upgrade();" "SELECT migrate_downgrade('gxy@-1');"
[ "$RC" -eq 0 ] || { diag "$ERR"; echo "Bail out! cannot prepare the database"; exit 1; }

# mallory's snare: records who called it and tries to make her superuser
# (which only works when a superuser runs it)
SNARE="CREATE FUNCTION app.snare(what text) RETURNS boolean LANGUAGE plpgsql AS \$f\$
BEGIN
	INSERT INTO public.calls VALUES (current_user, what);
	BEGIN
		EXECUTE 'ALTER ROLE mallory SUPERUSER';
	EXCEPTION WHEN insufficient_privilege THEN NULL;
	END;
	RETURN true;
END \$f\$;"
# functions and operators of app that shadow pg_catalog's for a search_path
# that puts app first and pg_catalog after it
SHADOW="$SNARE
CREATE FUNCTION app.eq(a text, b text) RETURNS boolean LANGUAGE sql AS \$f\$ SELECT app.snare('=') AND a OPERATOR(pg_catalog.=) b \$f\$;
CREATE OPERATOR app.= (LEFTARG = text, RIGHTARG = text, FUNCTION = app.eq);
CREATE FUNCTION app.lt(a text, b text) RETURNS boolean LANGUAGE sql AS \$f\$ SELECT app.snare('<') AND a OPERATOR(pg_catalog.<) b \$f\$;
CREATE OPERATOR app.< (LEFTARG = text, RIGHTARG = text, FUNCTION = app.lt);
CREATE FUNCTION app.ieq(a bigint, b bigint) RETURNS boolean LANGUAGE sql AS \$f\$ SELECT app.snare('int =') AND a OPERATOR(pg_catalog.=) b \$f\$;
CREATE OPERATOR app.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = app.ieq);
CREATE FUNCTION app.cat(a text, b text) RETURNS text LANGUAGE sql AS \$f\$ SELECT CASE WHEN app.snare('||') THEN a OPERATOR(pg_catalog.||) b END \$f\$;
CREATE OPERATOR app.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = app.cat);
CREATE FUNCTION app.lower(a text) RETURNS text LANGUAGE sql AS \$f\$ SELECT CASE WHEN app.snare('lower') THEN pg_catalog.lower(a) END \$f\$;
CREATE FUNCTION app.length(a text) RETURNS integer LANGUAGE sql AS \$f\$ SELECT CASE WHEN app.snare('length') THEN pg_catalog.length(a) END \$f\$;
CREATE FUNCTION app.to_regclass(a text) RETURNS regclass LANGUAGE sql AS \$f\$ SELECT CASE WHEN app.snare('to_regclass') THEN pg_catalog.to_regclass(a) END \$f\$;
CREATE FUNCTION app.quote_ident(a text) RETURNS text LANGUAGE sql AS \$f\$ SELECT CASE WHEN app.snare('quote_ident') THEN pg_catalog.quote_ident(a) END \$f\$;
CREATE FUNCTION app.format(a text, VARIADIC b text[]) RETURNS text LANGUAGE sql AS \$f\$ SELECT CASE WHEN app.snare('format') THEN pg_catalog.format(a, VARIADIC b) END \$f\$;
CREATE FUNCTION app.now() RETURNS timestamptz LANGUAGE sql AS \$f\$ SELECT CASE WHEN app.snare('now') THEN pg_catalog.now() END \$f\$;
CREATE FUNCTION app.md5(a text) RETURNS text LANGUAGE sql AS \$f\$ SELECT CASE WHEN app.snare('md5') THEN pg_catalog.md5(a) END \$f\$;
CREATE FUNCTION app.pg_advisory_xact_lock(a bigint) RETURNS void LANGUAGE sql AS \$f\$ SELECT app.snare('lock'); SELECT pg_catalog.pg_advisory_xact_lock(a) \$f\$;
CREATE FUNCTION app.pg_try_advisory_xact_lock(a bigint) RETURNS boolean LANGUAGE sql AS \$f\$ SELECT app.snare('trylock') AND pg_catalog.pg_try_advisory_xact_lock(a) \$f\$;
CREATE FUNCTION app.pg_has_role(a name, b name, c text) RETURNS boolean LANGUAGE sql AS \$f\$ SELECT app.snare('pg_has_role') AND pg_catalog.pg_has_role(a, b, c) \$f\$;
CREATE FUNCTION app.string_to_array(a text, b text) RETURNS text[] LANGUAGE sql AS \$f\$ SELECT CASE WHEN app.snare('string_to_array') THEN pg_catalog.string_to_array(a, b) END \$f\$;
CREATE TABLE app.migrate_catalog (LIKE migrate.migrate_catalog);
CREATE TABLE app.migrate_settings (key text, value text);
INSERT INTO app.migrate_settings VALUES ('version_table', 'victim');
CREATE TABLE app.migrate_catalog_heads (LIKE migrate.migrate_catalog_heads);
CREATE TABLE app.migrate_log (LIKE migrate.migrate_log);
CREATE VIEW app.pg_roles AS SELECT * FROM pg_catalog.pg_roles WHERE app.snare('pg_roles view');
CREATE VIEW app.pg_class AS SELECT * FROM pg_catalog.pg_class WHERE app.snare('pg_class view');"

CALLS=(
	"w|SELECT migrate_upgrade();"
	"w|SELECT migrate_downgrade('-1');"
	"w|SELECT migrate_stamp('heads');"
	"w|SELECT migrate_init();"
	"w|SELECT migrate_verify();"
	"w|SELECT migrate_config('branches', 'gxy,tsi');"
	"w|SELECT migrate_load('$MIGRATE_ENV_DIR');"
	"w|SELECT migrate_add(\$s\$-- inline
--
-- Revision ID: ffff00000010
-- Revises: a2e418ad6a15

-- migrate:upgrade
CREATE TABLE inline_t (a int);

-- migrate:downgrade
DROP TABLE inline_t;
\$s\$, 'inline.sql');"
	"r|SELECT migrate_upgrade_sql();"
	"r|SELECT migrate_downgrade_sql('a2e418ad6a15:6a67bf27e6a6');"
	"r|SELECT * FROM migrate_current();"
	"r|SELECT * FROM migrate_heads();"
	"r|SELECT * FROM migrate_history();"
	"r|SELECT revision, branch_labels, state, checksum_ok, file FROM migrate_status();"
	"r|SELECT migrate_graph();"
	"r|SELECT migrate_show('a2e418ad6a15');"
	"r|SELECT migrate_branches();"
	"r|SELECT migrate_check();"
	"r|SELECT migrate_config('version_table');"
	"r|SELECT migrate_revision('x', 'gxy@head', 'ffff00000001');"
	"r|SELECT migrate_merge('heads', 'm', NULL, 'ffff00000002');"
	"r|SELECT migrate_wait(NULL, 0);"
	"r|SELECT * FROM migrate_plan();"
	"r|SELECT count(*) > 0 FROM migrate_schema();"
	"r|SELECT step, revision, direction, status, statements, changes, error FROM migrate_rehearse();"
	"r|SELECT * FROM migrate_stairway();"
	"r|SELECT migrate_version() <> '';"
	"r|SELECT count(*) FROM migrate_functions();"
)

H=migrate.migrate_catalog_heads
LONG=$(printf 'x%.0s' $(seq 1 300))
# name ^ kind ^ attack (as mallory) ^ attack (as the superuser) ^ twin SQL, or the words of the refusal ^ its SQLSTATE ^ MUST
CASES=(
	"heads: an unknown id^twin^UPDATE $H SET revision = 'ffffffffffff' WHERE pos = 0;^^DELETE FROM $H;^^"
	"heads: a non-head id (the database's own row)^twin^UPDATE $H SET revision = '6a67bf27e6a6' WHERE pos = 0;^^DELETE FROM $H;^^"
	"heads: a head deleted^twin^DELETE FROM $H WHERE pos = 0;^^DELETE FROM $H;^^"
	"heads: a head duplicated^twin^INSERT INTO $H SELECT 5, seq, revision, down_revisions, branch_labels, depends_on, message, is_mergepoint, carried_labels, heads_line, current_line FROM $H WHERE pos = 1;^^DELETE FROM $H;^^"
	"heads: huge values^twin^UPDATE $H SET seq = 2147483647, message = repeat('m', 1000000), carried_labels = 'gxy,tsi' WHERE pos = 0;^^DELETE FROM $H;^^"
	"heads: the fingerprint row deleted^twin^DELETE FROM $H WHERE pos = -1;^^DELETE FROM $H;^^"
	"heads: stale (the catalog's trigger disabled, catalog edited)^twin^^ALTER TABLE migrate.migrate_catalog DISABLE TRIGGER migrate_catalog_changed; UPDATE migrate.migrate_catalog SET down_revisions = '' WHERE revision = 'ffff'; INSERT INTO migrate.migrate_catalog (revision, down_revisions, checksum, script, added_at) SELECT 'ffff00000009', 'a2e418ad6a15', checksum, replace(replace(script, 'a2e418ad6a15', 'ffff00000009'), 'Revises: 6a67bf27e6a6', 'Revises: a2e418ad6a15'), added_at FROM migrate.migrate_catalog WHERE revision = 'a2e418ad6a15'; ALTER TABLE migrate.migrate_catalog ENABLE TRIGGER migrate_catalog_changed;^DELETE FROM $H;^^"
	"heads: labels forged so the held gxy looks done^twin^UPDATE $H SET carried_labels = 'tsi';^INSERT INTO migrate.migrate_settings VALUES ('branches', 'gxy') ON CONFLICT (key) DO UPDATE SET value = 'gxy'; DELETE FROM public.alembic_version WHERE version_num <> '5555bbbb0002';^DELETE FROM $H;^^"
	# the revision body's IN resolves = through the caller's search_path, as
	# any SQL the caller types (app's is not IMMUTABLE: the index fails):
	# upgrade, rehearse and stairway differ; migrate_check reports app's
	# new tables as drift.  The engine's own queries never reach app.
	"shadows: app's functions, operators, tables and views first in search_path^twin^$SHADOW^^SELECT 1;^^1 18 25 26"
	"shadows: mallory's alembic_version first in search_path, with a trigger^refuse^$SNARE CREATE TABLE app.alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY); INSERT INTO app.alembic_version VALUES ('a2e418ad6a15'), ('5555bbbb0002'); CREATE FUNCTION app.tg() RETURNS trigger LANGUAGE plpgsql AS \$f\$ BEGIN PERFORM app.snare('trigger'); RETURN NULL; END \$f\$; CREATE TRIGGER tg AFTER INSERT OR UPDATE OR DELETE ON app.alembic_version FOR EACH STATEMENT EXECUTE FUNCTION app.tg();^^owned by role \"mallory\"^42501^1 2 3"
	"shadows: the caller's temp tables in front of the engine's^twin^^CREATE TEMP TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY); INSERT INTO pg_temp.alembic_version VALUES ('a2e418ad6a15'), ('5555bbbb0002'); CREATE TEMP TABLE migrate_settings (key text PRIMARY KEY, value text NOT NULL); INSERT INTO pg_temp.migrate_settings VALUES ('version_table', 'victim'); CREATE TEMP TABLE migrate_catalog_heads AS SELECT * FROM migrate.migrate_catalog_heads WHERE false; CREATE TEMP TABLE migrate_log AS SELECT * FROM migrate.migrate_log WHERE false; CREATE TEMP TABLE migrate_catalog AS SELECT * FROM migrate.migrate_catalog WHERE false;^SELECT 1;^^"
	"setting version_table: quotes and a semicolon^refuse^INSERT INTO migrate.migrate_settings VALUES ('version_table', 'x\"; DROP TABLE public.victim; --') ON CONFLICT (key) DO UPDATE SET value = excluded.value;^^setting \"version_table\"^22023^1 2 3 11 18"
	"setting version_table: overlong^refuse^INSERT INTO migrate.migrate_settings VALUES ('version_table', '$LONG') ON CONFLICT (key) DO UPDATE SET value = excluded.value;^^setting \"version_table\"^22023^1 2 3 11 18"
	"setting version_table: the engine's catalog^refuse^INSERT INTO migrate.migrate_settings VALUES ('version_table', 'migrate_catalog') ON CONFLICT (key) DO UPDATE SET value = excluded.value;^^setting \"version_table\"^22023^1 2 3 11 18"
	"setting version_table: a user table^refuse^INSERT INTO migrate.migrate_settings VALUES ('version_table', 'victim') ON CONFLICT (key) DO UPDATE SET value = excluded.value;^^version table^55000^1 2 3"
	"setting version_table: mallory's view that calls her function^refuse^$SNARE CREATE VIEW app.mview AS SELECT CAST('6a67bf27e6a6' AS varchar(32)) AS version_num WHERE app.snare('view'); INSERT INTO migrate.migrate_settings VALUES ('version_table', 'mview') ON CONFLICT (key) DO UPDATE SET value = excluded.value;^^is not a table^55000^1 2 3"
	"setting version_table: mallory's table with a trigger^refuse^$SNARE CREATE TABLE app.mv (version_num varchar(32) NOT NULL PRIMARY KEY); CREATE FUNCTION app.tg() RETURNS trigger LANGUAGE plpgsql AS \$f\$ BEGIN PERFORM app.snare('trigger'); RETURN NULL; END \$f\$; CREATE TRIGGER tg AFTER INSERT OR UPDATE OR DELETE ON app.mv FOR EACH STATEMENT EXECUTE FUNCTION app.tg(); INSERT INTO app.mv VALUES ('6a67bf27e6a6'); INSERT INTO migrate.migrate_settings VALUES ('version_table', 'mv') ON CONFLICT (key) DO UPDATE SET value = excluded.value;^^owned by role \"mallory\"^42501^1 2 3"
	"setting legacy_table: quotes and COPY TO PROGRAM^refuse^INSERT INTO migrate.migrate_settings VALUES ('legacy_table', 'x\"; COPY (SELECT 1) TO ''$CANARY''; --') ON CONFLICT (key) DO UPDATE SET value = excluded.value;^DELETE FROM public.alembic_version;^setting \"legacy_table\"^22023^"
	"settings: every other key hostile^refuse^INSERT INTO migrate.migrate_settings VALUES ('branches', 'gxy''; DROP TABLE public.victim; --'), ('legacy_versions', 'gxy=1\"; DROP TABLE public.victim'), ('base_release', '$LONG'), ('lock_timeout', '1; DROP TABLE public.victim'), ('lock_retries', '-1e999'), ('statement_timeout', 'x'), ('online_conninfo', 'host=/tmp'' dbname=x') ON CONFLICT (key) DO UPDATE SET value = excluded.value;^^setting^^"
	"settings: an unknown key^refuse^INSERT INTO migrate.migrate_settings VALUES ('copy', '$CANARY');^^setting^^"
	"catalog: a body declaring another Revision ID^refuse^^UPDATE migrate.migrate_catalog SET script = replace(script, 'Revision ID: a2e418ad6a15', 'Revision ID: ffffffffffff') WHERE revision = 'a2e418ad6a15';^declares revision^42601^1"
	"catalog: a cycle by hand^refuse^^UPDATE migrate.migrate_catalog SET depends_on = '6a67bf27e6a6' WHERE revision = 'e7b6dcb09efd';^Dependency cycle^42P17^1 11 13 18"
	"catalog: absurd sizes^refuse^^UPDATE migrate.migrate_catalog SET message = repeat('m', 2000000), down_revisions = down_revisions || repeat(',', 100000) WHERE revision = 'a2e418ad6a15';^a2e418ad6a15^^"
	"catalog: rows added by mallory^refuse^UPDATE migrate.migrate_catalog SET message = message || '!' WHERE revision = 'a2e418ad6a15';^^added by role \"mallory\"^42501^1"
	"catalog: a row that claims the superuser added it^refuse^INSERT INTO migrate.migrate_catalog (revision, down_revisions, checksum, script, added_at, added_by) SELECT 'ffff00000009', 'a2e418ad6a15', checksum, replace(replace(script, 'a2e418ad6a15', 'ffff00000009'), 'Revises: 6a67bf27e6a6', 'Revises: a2e418ad6a15'), added_at, session_user FROM migrate.migrate_catalog WHERE revision = 'a2e418ad6a15';^^added by role \"mallory\"^42501^1"
	"versions: unknown ids^refuse^^INSERT INTO public.alembic_version VALUES ('ffffffffffff');^ffffffffffff^42704^1"
	"versions: 10,000 rows^refuse^^INSERT INTO public.alembic_version SELECT 'r' || lpad(i::text, 11, '0') FROM generate_series(1, 10000) i;^r00000000001^42704^1"
	"versions: duplicates^refuse^^ALTER TABLE public.alembic_version DROP CONSTRAINT alembic_version_pkc; INSERT INTO public.alembic_version VALUES ('6a67bf27e6a6');^6a67bf27e6a6^^"
	"versions: NULL^refuse^^ALTER TABLE public.alembic_version DROP CONSTRAINT alembic_version_pkc; ALTER TABLE public.alembic_version ALTER version_num DROP NOT NULL; INSERT INTO public.alembic_version VALUES (NULL);^corrupt^55000^1 2 3 11 18"
	"trigger on the log (mallory was granted TRIGGER)^refuse^$SNARE CREATE FUNCTION app.tg() RETURNS trigger LANGUAGE plpgsql AS \$f\$ BEGIN PERFORM app.snare('log trigger'); RETURN NULL; END \$f\$; CREATE TRIGGER tg AFTER INSERT ON migrate.migrate_log FOR EACH STATEMENT EXECUTE FUNCTION app.tg();^GRANT TRIGGER ON migrate.migrate_log TO mallory;^has a trigger the engine does not trust^55000^1 2 3"
	"trigger on the version table (mallory was granted TRIGGER)^refuse^$SNARE CREATE FUNCTION app.tg() RETURNS trigger LANGUAGE plpgsql AS \$f\$ BEGIN PERFORM app.snare('version trigger'); RETURN NULL; END \$f\$; CREATE TRIGGER tg AFTER INSERT OR UPDATE OR DELETE ON public.alembic_version FOR EACH STATEMENT EXECUTE FUNCTION app.tg();^GRANT TRIGGER ON public.alembic_version TO mallory;^has a trigger the engine does not trust^55000^1 2 3"
)

# the state a call must not change beyond its own work
ROLES="SELECT string_agg(concat_ws(':', rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin), ',' ORDER BY rolname) FROM pg_catalog.pg_authid"
roles_before=$(val hostile "$ROLES")
# after every call: roles as before, app's functions never called, the
# user's table whole, no file at the canary path
CHECKS="SELECT ($ROLES) IS NOT DISTINCT FROM \$r\$$roles_before\$r\$ AS roles_same,
	(SELECT count(*) FROM public.calls) AS calls,
	(SELECT string_agg(a, ',' ORDER BY a) FROM public.victim) AS victim,
	pg_catalog.pg_stat_file('$CANARY', true) IS NULL AS no_canary;"

# session ATTACK_M ATTACK_S: one psql session, one transaction, rolled
# back: the attacks (the superuser's part first), then every call of
# CALLS behind "@@ N", each followed by "@@ checks" and the checks; a write
# call is rolled back to its own savepoint before the next.  Writes the
# parts to $TMP/s.PREFIX/ (pre: the attack's output, N.out, N.chk, all),
# without what differs between two honest runs (a new revision's Create
# Date, a run's time); a line over 2000 bytes is cut to its start and
# length.
session() {
	local m=$1 s=$2 prefix=$3 i kind
	rm -rf "$TMP/s.$prefix" && mkdir -p "$TMP/s.$prefix"
	{
		echo "\\set ON_ERROR_ROLLBACK on"
		echo "\\set VERBOSITY verbose"
		echo "BEGIN;"
		[ -n "$s" ] && printf '%s\n' "$s"
		[ -n "$m" ] && printf '%s\n' "SET ROLE mallory;" "$m" "RESET ROLE;"
		# what the attack's own snare recorded is not a finding
		echo "DELETE FROM public.calls;"
		echo "SET search_path = app, pg_catalog, public, migrate;"
		for i in "${!CALLS[@]}"; do
			kind=${CALLS[$i]%%|*}
			[ "$kind" = w ] && echo "SAVEPOINT w;"
			# the checks run under a search_path of their own: app's
			# operators would take them over too
			printf '%s\n' "\\echo @@ $((i + 1))" "${CALLS[$i]#*|}" "\\echo @@ checks" \
				"SET search_path = pg_catalog;" "$CHECKS" "SET search_path = app, pg_catalog, public, migrate;"
			[ "$kind" = w ] && echo "ROLLBACK TO SAVEPOINT w;"
		done
		echo "ROLLBACK;"
		echo "\\echo @@ end"
	} | PGOPTIONS="-c client_min_messages=warning" stdbuf -o0 -e0 psql -X -q -A -t -d hostile 2>&1 |
		awk -v d="$TMP/s.$prefix" '
			length($0) > 2000 { $0 = substr($0, 1, 1000) "... (" length($0) " bytes)" }
			{ sub(/^-- Create Date: .*/, "-- Create Date: X"); gsub(/[0-9]+\.[0-9]+ ms/, "X ms") }
			/^@@ / { if (f) close(f)
				if ($2 == "checks") f = d "/" n ".chk"; else { n = $2; f = d "/" n ".out" }
				printf "" > f; next }
			{ print > (f ? f : d "/pre"); print > (d "/all") }'
}

# slurp VAR FILE: FILE's text in VAR (no subshell: the loops below run
# once per call and case)
slurp() { printf -v "$1" ''; [ ! -e "$2" ] || IFS= read -r -d '' "$1" <"$2" || true; }

# judge N: the verdict on call N of a refuse case (appends to bad; sets
# FAILED)
judge() {
	local n=$1 text failed=0 what="call $1 (${CALLS[$(($1 - 1))]#*|})"
	slurp text "$TMP/s.case/$n.out"
	[[ $text == *"ERROR:  "* ]] && failed=1
	if [[ " $must " == *" $n "* ]]; then
		if [ "$failed" = 0 ]; then
			bad+=("$what must refuse, answered: ${text:0:300}")
		elif [[ $text != *"ERROR:  $state: "*"$want"* || $text != *HINT:* ]]; then
			bad+=("$what refuses without SQLSTATE $state, \"$want\" and a hint: ${text:0:400}")
		fi
	elif [ "$failed" = 1 ] && [[ $text != *HINT:* ]]; then
		bad+=("$what fails without a hint: ${text:0:300}")
	fi
	FAILED=$failed
}

for c in "${CASES[@]}"; do
	IFS='^' read -r -d '' name kind am as want state must <<<"$c"
	must=${must%$'\n'}
	bad=()
	session "$am" "$as" case
	[ -e "$TMP/s.case/end.out" ] || bad+=("the session died: $(tail -c 300 "$TMP/s.case/all")")
	slurp pre "$TMP/s.case/pre"
	[[ $pre != *ERROR* ]] || bad+=("the attack failed: ${pre:0:500}")
	# the honest database: the superuser's part of the attack, then WANT, no mallory
	[ "$kind" = twin ] && session "" "$as
$want" twin
	for i in "${!CALLS[@]}"; do
		n=$((i + 1))
		if [ "$kind" = twin ]; then
			slurp got "$TMP/s.case/$n.out"
			slurp exp "$TMP/s.twin/$n.out"
			[ "$got" = "$exp" ] || [[ " $must " == *" $n "* ]] ||
				bad+=("call $n (${CALLS[$i]#*|}) answers differently: ${got:0:300} / honest: ${exp:0:300}")
		else
			judge $n
		fi
		slurp chk "$TMP/s.case/$n.chk"
		[ "$chk" = $'t|0|keep1,keep2|t\n' ] ||
			bad+=("call $n (${CALLS[$i]#*|}): roles same|app calls|victim|no canary = $chk")
	done
	ok "$name" [ ${#bad[@]} -eq 0 ]
	for b in "${bad[@]}"; do diag "$b"; done
done

is "$(val hostile "SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'")" "f" "mallory is no superuser"
is "$(val hostile "$ROLES")" "$roles_before" "no role was created or changed"
ok "no file at the canary path" [ ! -e "$CANARY" ]

done_testing
