#!/bin/bash
# pg-cluster.sh -- a throw-away PostgreSQL cluster on a local socket, for tests.
#
# usage: scripts/pg-cluster.sh start DIR    create (initdb) and start a cluster
#                                           in DIR; print the variables to eval
#        scripts/pg-cluster.sh stop DIR     stop it (DIR is left for the caller
#                                           to remove)
#
#   env=$(scripts/pg-cluster.sh start "$tmp/pg") && eval "$env"
#   psql -c 'SELECT 1'          # PGHOST, PGPORT, PGUSER, PGDATABASE are set
#   scripts/pg-cluster.sh stop "$tmp/pg"
#
# The server listens on no TCP address, only on a Unix socket inside DIR;
# authentication is trust; the superuser is "postgres".  When run as root
# the server runs as the postgres user (PostgreSQL refuses root).  Server
# programs come from $PG_BINDIR, default `pg_config --bindir`.  Exit status
# 1 when PostgreSQL is not installed or the server does not start (its log
# is printed).
set -euo pipefail

usage() {
	echo "usage: $0 start|stop DIR" >&2
	exit 2
}
[ $# -eq 2 ] || usage
cmd=$1
dir=$2
port=${PGPORT_TEST:-54329}

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
	bindir=$(pg_config --bindir 2>/dev/null) || {
		echo "pg-cluster.sh: pg_config not found (scripts/deps.sh test)" >&2
		exit 1
	}
fi
[ -x "$bindir/initdb" ] || {
	echo "pg-cluster.sh: no initdb in $bindir (scripts/deps.sh test)" >&2
	exit 1
}

# as_server CMD...: run a server program as the cluster's owner.
as_server() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# The cluster lives in DIR, or, when running as root, in a directory of its
# own owned by postgres (DIR's parents may be closed to that user); the file
# DIR/cluster names it.
case $cmd in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ -f "$dir/cluster" ]; then
		run=$(cat "$dir/cluster")
	elif [ "$(id -u)" -eq 0 ]; then
		run=$(mktemp -d "${TMPDIR:-/tmp}/migrate-pg.XXXXXX")
		chown postgres "$run"
		chmod 711 "$run"
	else
		run=$dir
	fi
	echo "$run" >"$dir/cluster"
	if [ ! -f "$run/data/PG_VERSION" ]; then
		as_server "$bindir/initdb" -D "$run/data" -U postgres -A trust \
			-E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || {
			cat "$dir/initdb.log" >&2
			exit 1
		}
	fi
	as_server "$bindir/pg_ctl" -D "$run/data" -l "$run/server.log" -w -t 60 \
		-o "-c listen_addresses='' -k $run -p $port -c fsync=off" \
		start >/dev/null || {
		cat "$run/server.log" >&2
		exit 1
	}
	echo "export PGHOST='$run' PGPORT=$port PGUSER=postgres PGDATABASE=postgres"
	;;
stop)
	dir=$(cd "$dir" && pwd)
	[ -f "$dir/cluster" ] || exit 0
	run=$(cat "$dir/cluster")
	if [ -f "$run/postmaster.pid" ] || [ -f "$run/data/postmaster.pid" ]; then
		as_server "$bindir/pg_ctl" -D "$run/data" -m fast -w stop >/dev/null
	fi
	if [ "$run" != "$dir" ]; then
		rm -rf "$run"
	fi
	rm -f "$dir/cluster"
	;;
*)
	usage
	;;
esac
