#!/bin/bash
# deps.sh -- make sure the Debian packages a make target needs are installed.
#
# usage: scripts/deps.sh GROUP...      GROUP: sqlite | test | bench
#
#   sqlite  build the extension and run the demo: gcc make libc6-dev
#           libsqlite3-dev sqlite3 perl (prove)
#   test    sqlite + valgrind, the Alembic oracle (python3-alembic, run by
#           Debian's /usr/bin/python3) and PostgreSQL 15 with pgTAP
#           (postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap
#           libtap-parser-sourcehandler-pgtap-perl for pg_prove)
#   bench   test + hyperfine
#
# Presence is read from dpkg's database in one query, so a ready machine
# never runs apt.  Missing packages are installed with apt-get when running
# as root; otherwise the exact command to run is printed and the exit status
# is 1.  Exit status 2: unknown group.
set -euo pipefail

SQLITE_PKGS="gcc make libc6-dev libsqlite3-dev sqlite3 perl"
TEST_PKGS="$SQLITE_PKGS valgrind python3 python3-alembic postgresql-15 \
postgresql-server-dev-15 postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl"
BENCH_PKGS="$TEST_PKGS hyperfine"

usage() {
	echo "usage: $0 sqlite|test|bench..." >&2
	exit 2
}

[ $# -gt 0 ] || usage
wanted=""
for group in "$@"; do
	case $group in
	sqlite) wanted="$wanted $SQLITE_PKGS" ;;
	test) wanted="$wanted $TEST_PKGS" ;;
	bench) wanted="$wanted $BENCH_PKGS" ;;
	*) usage ;;
	esac
done
# Each package once, in the order given.
wanted=$(printf '%s\n' $wanted | awk '!seen[$0]++' | tr '\n' ' ')

# missing PKG...: the packages dpkg does not report as installed.
missing() {
	if ! command -v dpkg-query >/dev/null 2>&1; then
		echo "$*"
		return
	fi
	local installed
	installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null |
		awk '$2 == "installed" { print $1 }')
	local pkg
	for pkg in "$@"; do
		grep -qxF "$pkg" <<<"$installed" || printf '%s ' "$pkg"
	done
}

need=$(missing $wanted)
need=${need% }
if [ -z "$need" ]; then
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps.sh: missing packages: $need" >&2
	echo "deps.sh: this is not a Debian system; install their equivalents" >&2
	exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: $need" >&2
	echo "run:" >&2
	echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y $need" >&2
	exit 1
fi

echo "deps.sh: installing $need"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need
