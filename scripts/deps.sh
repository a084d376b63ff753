#!/bin/bash
# deps.sh -- make sure the Debian packages a make target needs are installed.
#
# usage: scripts/deps.sh GROUP...      GROUP: sqlite | test | bench
#
#   sqlite  build the extension and run the demo: gcc make libc6-dev
#           libsqlite3-dev sqlite3 perl (prove)
#   test    sqlite + valgrind, the Alembic oracle (python3-alembic, run by
#           Debian's /usr/bin/python3; python3-psycopg2 for Alembic's online
#           runs on PostgreSQL in tests/pg/from_alembic.t), PostgreSQL 15 with pgTAP
#           (postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap
#           libtap-parser-sourcehandler-pgtap-perl for pg_prove),
#           graphviz (dot: the tests parse migrate_graph()'s output and
#           render docs/graph.svg), and clang with its libFuzzer runtime
#           (clang libclang-rt-14-dev) for the fuzz targets; procps (pgrep:
#           the fault tests find the sqlite3 process to kill)
#   bench   test + hyperfine and time (GNU time), and the peers the
#           benchmark compares with: Alembic's command line (alembic) with
#           psycopg2 for PostgreSQL (python3-psycopg2), sqitch with its
#           SQLite and PostgreSQL drivers (sqitch libdbd-sqlite3-perl
#           libdbd-pg-perl), and dbmate, the npm package @dbmate/linux-x64
#           (linux-arm64 on arm64) installed with npm into bench/.peers/
#
# Presence is read from dpkg's database in one query, so a ready machine
# never runs apt.  Missing packages are installed with apt-get when running
# as root; otherwise the exact command to run is printed and the exit status
# is 1.  Exit status 2: unknown group.
#
# The peers are optional: a peer that cannot be installed does not fail the
# group; its reason goes to bench/.peers/<peer>.reason, where the benchmark
# reads it to mark the peer's cells n/a.  As another user than root, the
# apt-get command for the missing peer packages is printed and the group
# still succeeds.  dbmate is installed by any user (npm writes only into
# bench/.peers/), when npm is there.
set -euo pipefail

SQLITE_PKGS="gcc make libc6-dev libsqlite3-dev sqlite3 perl"
TEST_PKGS="$SQLITE_PKGS valgrind python3 python3-alembic python3-psycopg2 postgresql-15 \
postgresql-server-dev-15 postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl \
graphviz clang libclang-rt-14-dev procps"
BENCH_PKGS="$TEST_PKGS hyperfine time"
PEER_PKGS="alembic python3-psycopg2 sqitch libdbd-sqlite3-perl libdbd-pg-perl"

usage() {
	echo "usage: $0 sqlite|test|bench..." >&2
	exit 2
}

[ $# -gt 0 ] || usage
wanted=""
peers=0
for group in "$@"; do
	case $group in
	sqlite) wanted="$wanted $SQLITE_PKGS" ;;
	test) wanted="$wanted $TEST_PKGS" ;;
	bench) wanted="$wanted $BENCH_PKGS"; peers=1 ;;
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

# install_core: the required packages; exits 1 when they cannot be had.
install_core() {
	local need
	need=$(missing $wanted)
	need=${need% }
	[ -z "$need" ] && return 0
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
	updated=1
}

# peer_of PKG: the benchmark's name of the peer a package belongs to
peer_of() {
	case $1 in
	alembic | python3-psycopg2) echo alembic ;;
	sqitch | libdbd-*) echo sqitch ;;
	*) echo "$1" ;;
	esac
}

# reason PEER TEXT: record why PEER is not installed; unreason PEER: forget it
# (neither may fail the group, e.g. in a checkout the user cannot write)
reason() { echo "$2" 2>/dev/null >"$peerdir/$1.reason" || true; }
unreason() { rm -f "$peerdir/$1.reason" 2>/dev/null || true; }

# install_peers: the peers' packages one by one, and dbmate with npm; a
# failure is recorded, never fatal.
install_peers() {
	local root need pkg log arch
	root=$(cd "$(dirname "$0")/.." && pwd)
	peerdir=$root/bench/.peers
	mkdir -p "$peerdir" 2>/dev/null || true
	need=$(missing $PEER_PKGS)
	need=${need% }
	for pkg in $PEER_PKGS; do
		case " $need " in
		*" $pkg "*) ;;
		*) unreason "$(peer_of "$pkg")" ;;
		esac
	done
	if [ -n "$need" ]; then
		if ! command -v apt-get >/dev/null 2>&1; then
			echo "deps.sh: peers not installed (not a Debian system): $need" >&2
			for pkg in $need; do
				reason "$(peer_of "$pkg")" "Debian package $pkg not installed: this is not a Debian system"
			done
		elif [ "$(id -u)" -ne 0 ]; then
			echo "deps.sh: the benchmark's peers are missing: $need" >&2
			echo "run (their cells are n/a until then):" >&2
			echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y $need" >&2
		else
			echo "deps.sh: installing the benchmark's peers: $need"
			[ "${updated:-0}" = 1 ] || apt-get update || true
			log=$(mktemp)
			for pkg in $need; do
				if DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
					"$pkg" >"$log" 2>&1; then
					unreason "$(peer_of "$pkg")"
				else
					echo "deps.sh: could not install $pkg: $(grep -E '^E:' "$log" | head -n 1)" >&2
					reason "$(peer_of "$pkg")" "apt-get install $pkg failed: $(grep -E '^E:' "$log" | head -n 1)"
				fi
			done
			rm -f "$log"
		fi
	fi

	case $(uname -m) in
	x86_64 | amd64) arch=linux-x64 ;;
	aarch64 | arm64) arch=linux-arm64 ;;
	*) arch="" ;;
	esac
	if [ -z "$arch" ]; then
		reason dbmate "npm has no dbmate build for $(uname -m)"
	elif [ -x "$peerdir/node_modules/@dbmate/$arch/bin/dbmate" ]; then
		unreason dbmate
	elif ! command -v npm >/dev/null 2>&1; then
		echo "deps.sh: dbmate needs npm (Debian package npm, or Node.js's own)" >&2
		reason dbmate "npm not installed, so dbmate is not (npm install --prefix bench/.peers @dbmate/$arch)"
	else
		echo "deps.sh: installing dbmate: npm install --prefix bench/.peers @dbmate/$arch"
		log=$(mktemp)
		if mkdir -p "$peerdir" 2>/dev/null && npm install --no-audit --no-fund --no-save --prefix "$peerdir" "@dbmate/$arch" >"$log" 2>&1 &&
			[ -x "$peerdir/node_modules/@dbmate/$arch/bin/dbmate" ]; then
			unreason dbmate
		else
			echo "deps.sh: could not install dbmate: $(grep -i 'err' "$log" | head -n 1)" >&2
			reason dbmate "npm install @dbmate/$arch failed: $(grep -i 'err' "$log" | head -n 1)"
		fi
		rm -f "$log"
	fi
}

install_core
[ "$peers" = 1 ] && install_peers
exit 0
