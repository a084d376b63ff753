# lib.sh -- shared helpers of the PostgreSQL shell tests (tests/pg/*.t).
#
# Sourced by every test file; tests/pg/run.sh runs them against its
# throw-away cluster (PGHOST, PGPORT, PGUSER set; MIGRATE_ROOT the
# repository, MIGRATE_ENV_DIR a copy of migrations/ the server can read).
# Gives:
#   - TAP output: plan N, ok NAME COMMAND..., is GOT WANT NAME,
#     has GOT TEXT NAME, lacks GOT TEXT NAME, skip NAME REASON,
#     diag TEXT, done_testing;
#   - fresh_db NAME [VERSION]: a new database NAME with the extension
#     (schema "migrate", search_path "public, migrate"; at VERSION, else
#     the default one), dropped again on exit;
#   - STATE: a query of the engine's whole state as text (catalog, log,
#     settings, version table), for "nothing changed" and "the same
#     after" checks;
#   - pq DB SQL...: the SQL (one argument a line) through psql in one
#     session, ON_ERROR_STOP, unaligned tuples only; sets OUT, ERR, RC;
#   - val DB SQL: one value (psql -Atc), for checks;
#   - errmsg: the first line of the last error without "ERROR:  ";
#   - write_rev DIR ID REVISES UP DOWN: a revision script file;
#   - $TMP, a directory of the test file's own (readable by the server),
#     removed on exit.

set -u

if [ -z "${PGHOST:-}" ] || [ -z "${MIGRATE_ROOT:-}" ] || [ -z "${MIGRATE_ENV_DIR:-}" ]; then
	echo "1..0 # SKIP run by tests/pg/run.sh (PGHOST, MIGRATE_ROOT, MIGRATE_ENV_DIR)"
	exit 0
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/migrate-pg-t.XXXXXX")
chmod 755 "$TMP"
_dbs=()

_lib_cleanup() {
	local d
	for d in "${_dbs[@]}"; do
		psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)" >/dev/null 2>&1
	done
	rm -rf "$TMP"
}
trap _lib_cleanup EXIT

_tap_n=0
_tap_failed=0
_tap_planned=""

plan() {
	_tap_planned=$1
	echo "1..$1"
}

diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

_tap_result() {	# pass(0/1) name
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
	fi
}

ok() {	# ok NAME COMMAND...: passes when COMMAND succeeds
	local name=$1
	shift
	if "$@"; then
		_tap_result 0 "$name"
	else
		_tap_result 1 "$name"
	fi
}

is() {	# is GOT WANT NAME: exact comparison, with a diff when they differ
	if [ "$1" = "$2" ]; then
		_tap_result 0 "$3"
	else
		_tap_result 1 "$3"
		diag "got:"
		diag "$1"
		diag "expected:"
		diag "$2"
	fi
}

has() {	# has GOT TEXT NAME: GOT contains TEXT
	if [[ $1 == *"$2"* ]]; then
		_tap_result 0 "$3"
	else
		_tap_result 1 "$3"
		diag "got:"
		diag "$1"
		diag "does not contain: $2"
	fi
}

lacks() {	# lacks GOT TEXT NAME: GOT does not contain TEXT
	if [[ $1 != *"$2"* ]]; then
		_tap_result 0 "$3"
	else
		_tap_result 1 "$3"
		diag "got:"
		diag "$1"
		diag "contains: $2"
	fi
}

skip() {	# skip NAME REASON
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

done_testing() {
	if [ -z "$_tap_planned" ]; then
		echo "1..$_tap_n"
	elif [ "$_tap_planned" -ne "$_tap_n" ]; then
		diag "planned $_tap_planned tests but ran $_tap_n"
		exit 255
	fi
	[ "$_tap_failed" -eq 0 ] || exit 1
	exit 0
}

STATE="SELECT concat_ws(E'\n',
	(SELECT string_agg(concat_ws('|', seq, revision, down_revisions, branch_labels, depends_on, tags,
		message, filename, transactional, checksum, md5(script), added_at), E'\n' ORDER BY seq)
	 FROM migrate.migrate_catalog),
	(SELECT string_agg(concat_ws('|', id, revision, direction, from_revisions, to_revisions, run_at,
		duration_ms, checksum, applied_by), E'\n' ORDER BY id) FROM migrate.migrate_log),
	(SELECT string_agg(key || '=' || value, E'\n' ORDER BY key) FROM migrate.migrate_settings),
	(SELECT string_agg(version_num, E'\n' ORDER BY version_num) FROM alembic_version))"

fresh_db() {	# fresh_db NAME [VERSION]
	_dbs+=("$1")
	psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null 2>"$TMP/.err" <<EOF
DROP DATABASE IF EXISTS "$1" WITH (FORCE);
CREATE DATABASE "$1";
\\c "$1"
CREATE SCHEMA migrate;
CREATE EXTENSION migrate WITH SCHEMA migrate ${2:+VERSION '$2'};
ALTER DATABASE "$1" SET search_path = public, migrate;
EOF
	local rc=$?
	[ $rc -eq 0 ] || cat "$TMP/.err" >&2
	return $rc
}

pq() {	# pq DB SQL...: one psql session; OUT, ERR, RC
	local db=$1
	shift
	printf '%s\n' "$@" |
		psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" >"$TMP/.out" 2>"$TMP/.err"
	RC=$?
	OUT=$(cat "$TMP/.out")
	ERR=$(cat "$TMP/.err")
}

val() {	# val DB SQL: one value (an error shows instead; NOTICEs do not)
	PGOPTIONS="-c client_min_messages=warning" psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>&1
}

errmsg() {	# the first ERROR line of the last pq, without its prefix
	printf '%s\n' "$ERR" | sed -n 's/^\(psql:[^ ]* \)\{0,1\}ERROR:  //p' | head -n 1
}

write_rev() {	# write_rev DIR ID REVISES UP DOWN
	local dir=$1 id=$2 revises=$3 up=$4 down=$5
	mkdir -p "$dir"
	chmod 755 "$dir"
	{
		echo "-- revision $id"
		echo "--"
		echo "-- Revision ID: $id"
		echo "-- Revises: $revises"
		echo
		echo "-- migrate:upgrade"
		printf '%s\n' "$up"
		echo
		echo "-- migrate:downgrade"
		printf '%s\n' "$down"
	} >"$dir/${id}_rev.sql"
	chmod 644 "$dir/${id}_rev.sql"
}
