#!/bin/bash
# run.sh -- the PostgreSQL extension's tests, on a throw-away cluster.
#
# usage: tests/pg/run.sh [TEST...]     (default: every tests/pg/*.pg and *.t)
#        VERBOSE=1 tests/pg/run.sh     (every test line, not only failures)
#
# Builds and installs the extension into a private copy of the system's
# PostgreSQL 15 installation (see "a private installation"), creates
# a cluster in a temporary directory, listening on a Unix socket in that
# directory and on 127.0.0.1 at a free port, and runs:
#
#   *.pg   pgTAP files, with pg_prove, against the database migrate_test;
#   *.t    shell tests (TAP), with prove; they create their own databases.
#          Those that time sessions, make roles or cancel sessions run one
#          at a time; then the others (shared_ok below) PG_JOBS at once.
#
# The test database has pgtap, dblink, and migrate in schema "migrate";
# its search_path is "public, migrate"; the setting migrate_test.env_dir
# names a copy of the sample environment (migrations/) that the server can
# read.  The shell tests get PGHOST, PGPORT, PGUSER, MIGRATE_ROOT and
# MIGRATE_ENV_DIR.
#
# PostgreSQL refuses to run as root: as root, the cluster belongs to the
# "postgres" account (runuser); otherwise to the current user.  The
# cluster is stopped and the directory removed on exit, whatever happens.
# Exits 0 when every test passed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

say() { printf '# %s\n' "$*"; }
die() { say "$*"; exit 1; }

# ------------------------------------------------------------ a private installation
# The extension is never installed into the system's PostgreSQL: each
# checkout gets its own copy of the installation (PostgreSQL finds its
# share and library directories relative to its programs, so a copied tree
# works as is; the headers are linked, for PGXS builds), and installs into
# that.  Two checkouts testing at once never load each other's library,
# and the system installation stays untouched.  The copy is made again
# when the system's PostgreSQL changes (its version line differs).
sysconfig=$PGBIN/pg_config
[ -x "$sysconfig" ] || die "no pg_config in $PGBIN (scripts/deps.sh test)"
key=$(printf '%s' "$root" | md5sum | cut -c1-12)
PGROOT=${MIGRATE_PGROOT:-${TMPDIR:-/tmp}/migrate-pgroot-$key}
sysversion=$("$sysconfig" --version)
copy_installation() {
	local dir
	rm -rf "$PGROOT" && mkdir -p "$PGROOT" || return 1
	# the programs and libraries (bindir's parent), the share directory
	for dir in "$(dirname "$("$sysconfig" --bindir)")" "$("$sysconfig" --sharedir)"; do
		mkdir -p "$PGROOT$(dirname "$dir")" && cp -a "$dir" "$PGROOT$dir" || return 1
	done
	dir=$("$sysconfig" --includedir)
	mkdir -p "$PGROOT$(dirname "$dir")" && ln -s "$dir" "$PGROOT$dir" || return 1
	chmod -R a+rX "$PGROOT" && printf '%s\n' "$sysversion" >"$PGROOT/version"
}
(
	flock 9
	if [ "$(cat "$PGROOT/version" 2>/dev/null)" != "$sysversion" ]; then
		say "copying the PostgreSQL installation to $PGROOT"
		copy_installation || exit 1
	fi
) 9>"$PGROOT.lock" || die "could not copy the PostgreSQL installation to $PGROOT"
PGBIN=$PGROOT$PGBIN
export PATH="$PGBIN:$PATH"
# nothing of an earlier install (another branch's scripts) stays behind
rm -f "$(pg_config --sharedir)"/extension/migrate[.-]* "$(pg_config --pkglibdir)"/migrate.so

say "building and installing the extension (pg_config: $(command -v pg_config))"
make -s -j"${PG_JOBS:-2}" -C "$root/pg_ext" >/dev/null || die "make -C pg_ext failed"
make -s -C "$root/pg_ext" install >/dev/null || die "make -C pg_ext install failed"

# ------------------------------------------------------------ the cluster
if [ "$(id -u)" -eq 0 ]; then
	PGOWNER=postgres
	as_owner() { runuser -u "$PGOWNER" -- "$@"; }
else
	PGOWNER=$(id -un)
	as_owner() { "$@"; }
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/migrate-pg-test.XXXXXX") || die "mktemp failed"
chmod 755 "$TMP"
[ "$PGOWNER" != "$(id -un)" ] && chown "$PGOWNER" "$TMP"
DATA=$TMP/data
started=0
child=

cleanup() {
	[ -n "$child" ] && kill "$child" 2>/dev/null
	if [ "$started" -eq 1 ]; then
		as_owner pg_ctl -D "$DATA" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Run a test driver in the background and wait for it, so that a signal
# is handled at once (bash runs traps only between foreground commands).
run() {
	"$@" &
	child=$!
	wait "$child"
	local rc=$?
	child=
	return "$rc"
}

as_owner initdb -D "$DATA" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$TMP/initdb.log" 2>&1 ||
	{ cat "$TMP/initdb.log"; die "initdb failed"; }

# A free port: try one, and the next if the server cannot bind it.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((20000 + RANDOM % 20000))
for _ in $(seq 1 20); do
	if ! port_in_use "$port"; then
		if as_owner pg_ctl -D "$DATA" -l "$TMP/server.log" -w -t 60 \
			-o "-p $port -k $TMP -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null 2>&1; then
			started=1
			break
		fi
	fi
	port=$((port + 1))
done
[ "$started" -eq 1 ] || { cat "$TMP/server.log" 2>/dev/null; die "could not start the cluster"; }
say "cluster in $TMP, port $port"

export PGHOST=$TMP PGPORT=$port PGUSER=postgres PGDATABASE=migrate_test
export MIGRATE_ROOT=$root
export MIGRATE_ENV_DIR=$TMP/env
# the server reads migrate_load's directory with its own account
cp -R "$root/migrations" "$MIGRATE_ENV_DIR"
chmod -R a+rX "$MIGRATE_ENV_DIR"

psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<EOF || die "could not create the test database"
CREATE DATABASE migrate_test;
\c migrate_test
CREATE EXTENSION pgtap;
CREATE EXTENSION dblink;
CREATE SCHEMA migrate;
CREATE EXTENSION migrate WITH SCHEMA migrate;
ALTER DATABASE migrate_test SET search_path = public, migrate;
ALTER DATABASE migrate_test SET migrate_test.env_dir = '$MIGRATE_ENV_DIR';
EOF

# ------------------------------------------------------------ the tests
pg_tests=()
sh_tests=()
if [ "$#" -gt 0 ]; then
	for t in "$@"; do
		case "$t" in
			*.pg) pg_tests+=("$t") ;;
			*) sh_tests+=("$t") ;;
		esac
	done
else
	pg_tests=("$here"/*.pg)
	sh_tests=("$here"/*.t)
fi

# The shell tests that may run beside each other (PG_JOBS at once, default
# 2): none of them times anything, makes roles, cancels other sessions or
# changes the server's settings, and their databases have names of their
# own.  Every other file (a new one too, until it is listed here) runs
# alone, one at a time, first.
shared_ok=" dump.t from_alembic.t galaxy.t hardening.t hints.t load.t load_input.t load_truth.t oracle.t
	rehearse.t rehearse_steps.t status_update.t steps.t unit.t update.t "
alone=()
beside=()
for t in "${sh_tests[@]}"; do
	if [ "$#" -eq 0 ] && [[ "$shared_ok" == *[[:space:]]"$(basename "$t")"[[:space:]]* ]]; then
		beside+=("$t")
	else
		alone+=("$t")
	fi
done

status=0
if [ "${#pg_tests[@]}" -gt 0 ]; then
	run pg_prove ${VERBOSE:+-v} -d migrate_test "${pg_tests[@]}" || status=1
fi
if [ "${#alone[@]}" -gt 0 ]; then
	run prove ${VERBOSE:+-v} -e /bin/bash "${alone[@]}" || status=1
fi
if [ "${#beside[@]}" -gt 0 ]; then
	run prove ${VERBOSE:+-v} -j"${PG_JOBS:-2}" -e /bin/bash "${beside[@]}" || status=1
fi
if [ "$status" -ne 0 ]; then
	say "server log (last lines):"
	tail -n 30 "$TMP/server.log" | sed 's/^/#   /'
fi
exit "$status"
