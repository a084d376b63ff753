# lib.sh -- shared helpers of the SQLite tests (tests/sqlite/*.t).
#
# Sourced by every test file.  Gives:
#   - TAP output: plan N, ok NAME COMMAND..., is GOT WANT NAME,
#     like GOT ERE NAME, has GOT TEXT NAME, lacks GOT TEXT NAME,
#     skip NAME REASON, diag TEXT, done_testing;
#   - sq DB SQL: run SQL through the real sqlite3 shell with the extension
#     loaded and -bail; sets OUT (stdout), ERR (stderr), RC (exit status);
#     SQ_BAIL=0 before the call runs without -bail;
#   - snapshot DB: everything a user can see in DB (.dump of every table,
#     the catalog and the version table included, and user_version), for
#     "nothing changed" checks;
#   - $TMP, a directory of the test file's own, removed on exit;
#   - $ENV_DIR, the sample environment (migrations/);
#   - errmsg, golden NAME, golden_exists NAME, count TEXT, write_rev,
#     sqlite3_run (the shell, with sanitizer runtimes preloaded for an
#     ASan build of the extension).
#
# The Makefile sets MIGRATE_SO (the built extension, with or without
# the .so suffix) and MIGRATE_ROOT (the repository root).  The extension
# is loaded with an explicit entry point, so any file name works (the
# ASan build too).

set -u

if [ -z "${MIGRATE_SO:-}" ] || [ -z "${MIGRATE_ROOT:-}" ]; then
	echo "1..0 # SKIP MIGRATE_SO and MIGRATE_ROOT must be set (make test sets them)"
	exit 0
fi

case "$MIGRATE_SO" in
	/*) ;;
	*) MIGRATE_SO="$PWD/$MIGRATE_SO" ;;
esac
# The shell's .load tries the name as given, then with ".so" appended.
MIGRATE_EXT="$MIGRATE_SO"
if [ ! -e "$MIGRATE_EXT" ] && [ -e "$MIGRATE_EXT.so" ]; then
	MIGRATE_EXT="$MIGRATE_EXT.so"
fi
ENV_DIR="$MIGRATE_ROOT/migrations"
SQLITE3="${SQLITE3:-sqlite3}"

# An ASan/UBSan build of the extension needs its runtimes loaded first in
# the sqlite3 process.  Unless the caller set LD_PRELOAD already, preload
# them for the sqlite3 processes only (not for prove or perl).
SANITIZER_PRELOAD=""
if [ -z "${LD_PRELOAD:-}" ] && command -v ldd >/dev/null 2>&1; then
	SANITIZER_PRELOAD=$(ldd "$MIGRATE_EXT" 2>/dev/null |
		awk '/lib(asan|ubsan)\.so/ { printf "%s%s", sep, $3; sep = " " }')
fi

# sqlite3_run ARGS...: the sqlite3 shell (with the sanitizer runtimes when needed).
sqlite3_run() {
	if [ -n "$SANITIZER_PRELOAD" ]; then
		LD_PRELOAD="$SANITIZER_PRELOAD" "$SQLITE3" "$@"
	else
		"$SQLITE3" "$@"
	fi
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/migrate-sqlite-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

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

# ok NAME COMMAND...: passes when COMMAND succeeds.
ok() {
	local name=$1
	shift
	if "$@"; then
		_tap_result 0 "$name"
	else
		_tap_result 1 "$name"
	fi
}

# is GOT WANT NAME: exact comparison, with a diff when they differ.
is() {
	if [ "$1" = "$2" ]; then
		_tap_result 0 "$3"
	else
		_tap_result 1 "$3"
		diag "got:"
		diag "$1"
		diag "expected:"
		diag "$2"
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$1") | sed 's/^/# /' | head -40
	fi
}

# like GOT ERE NAME: GOT matches the extended regular expression.
like() {
	if [[ $1 =~ $2 ]]; then
		_tap_result 0 "$3"
	else
		_tap_result 1 "$3"
		diag "got:"
		diag "$1"
		diag "does not match: $2"
	fi
}

# has GOT TEXT NAME: GOT contains TEXT (fixed string).
has() {
	if [[ $1 == *"$2"* ]]; then
		_tap_result 0 "$3"
	else
		_tap_result 1 "$3"
		diag "got:"
		diag "$1"
		diag "does not contain: $2"
	fi
}

# lacks GOT TEXT NAME: GOT does not contain TEXT.
lacks() {
	if [[ $1 != *"$2"* ]]; then
		_tap_result 0 "$3"
	else
		_tap_result 1 "$3"
		diag "got:"
		diag "$1"
		diag "contains: $2"
	fi
}

# skip NAME REASON: a test that cannot run here.
skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

# count GOT TEXT: how many lines of GOT contain TEXT (fixed string).
count() {
	printf '%s\n' "$1" | grep -cF -- "$2"
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

# sq DB SQL...: the SQL (all arguments, one per line) on stdin of the
# sqlite3 shell, extension loaded, -bail unless SQ_BAIL=0.
sq() {
	local db=$1
	local bail=-bail
	shift
	[ "${SQ_BAIL:-1}" = 0 ] && bail=
	printf '%s\n' "$@" |
		sqlite3_run $bail -batch -cmd ".load '$MIGRATE_EXT' sqlite3_migrate_init" "$db" \
			>"$TMP/.out" 2>"$TMP/.err"
	RC=$?
	OUT=$(<"$TMP/.out")
	ERR=$(<"$TMP/.err")
	sanitizer_check "$ERR"
}

# sanitizer_check TEXT: a failing test when TEXT holds a report of
# AddressSanitizer, LeakSanitizer or UndefinedBehaviorSanitizer.
sanitizer_check() {
	case "$1" in
	*AddressSanitizer* | *LeakSanitizer* | *": runtime error: "*)
		_tap_result 1 "no sanitizer report"
		diag "$1"
		;;
	esac
}

# sq_ok NAME DB SQL...: runs sq; passes when it succeeded
# with nothing on stderr (one test).
sq_ok() {
	local name=$1
	shift
	sq "$@"
	if [ "$RC" -eq 0 ] && [ -z "$ERR" ]; then
		_tap_result 0 "$name"
	else
		_tap_result 1 "$name"
		diag "exit status $RC"
		diag "$ERR"
	fi
}

# errmsg: the first line of the last error, without the shell's
# "Runtime error near line N: " prefix.
errmsg() {
	printf '%s\n' "$ERR" | head -n 1 |
		sed -E 's/^(Runtime error|Parse error|Error)( near line [0-9]+)?: //; s/^stepping, //'
}

# golden NAME: the Alembic answer tests/oracle/expected/NAME (empty when
# absent; golden_exists NAME tells).
GOLDEN_DIR="${MIGRATE_GOLDEN:-$MIGRATE_ROOT/tests/oracle/expected}"
golden() {
	cat "$GOLDEN_DIR/$1" 2>/dev/null
}
golden_exists() {
	[ -f "$GOLDEN_DIR/$1" ]
}

# snapshot DB: the whole visible state (no extension needed).
snapshot() {
	sqlite3_run -batch "$1" .dump "PRAGMA user_version;" 2>&1
}

# fails NAME SQL TEXT...: SQL fails on $db; its error contains every
# TEXT; the snapshot of $db is the same before and after.  A test file may
# define its own (author.t also checks the files it writes).
fails() {
	local name=$1 sql=$2 before after t
	shift 2
	before=$(snapshot "$db")
	sq "$db" "$sql"
	ok "$name: fails" [ "$RC" -ne 0 ]
	for t in "$@"; do
		has "$ERR" "$t" "$name: says $t"
	done
	after=$(snapshot "$db")
	is "$after" "$before" "$name: nothing changed"
}

# write_rev DIR ID REVISES BODY_UP BODY_DOWN [EXTRA_HEADER_LINES]:
# a revision script DIR/ID_rev.sql with upgrade and downgrade sections.
write_rev() {
	local dir=$1 id=$2 revises=$3 up=$4 down=$5 extra=${6:-}
	mkdir -p "$dir"
	{
		echo "-- revision $id"
		echo "--"
		echo "-- Revision ID: $id"
		echo "-- Revises: $revises"
		echo "-- Create Date: 2024-01-01 00:00:00.000000"
		[ -n "$extra" ] && printf '%s\n' "$extra"
		echo
		echo "-- migrate:upgrade"
		printf '%s\n' "$up"
		echo
		echo "-- migrate:downgrade"
		printf '%s\n' "$down"
	} >"$dir/${id}_rev.sql"
}
