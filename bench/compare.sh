#!/usr/bin/env bash
# compare.sh: the engine against the floor and against Alembic, sqitch and
# dbmate, on SQLite and PostgreSQL, in one run; prints a Markdown report.
#
# One workload, written in every format by gen_workload.py: revision i
# creates t_<i> (id INTEGER PRIMARY KEY, v TEXT) and an index on v; its
# downgrade drops both.  Shapes: chains of SMALL and LARGE revisions (default
# 100 and 1,000) and branchy graphs of GSMALL and GLARGE (default 1,000 and
# 10,000: four labelled branches forking and merging every ten revisions).
#
# Sections of the report, each for SQLite and for PostgreSQL:
#   1. apply: the chain to an empty database; engine / floor, peer / floor
#      (the floor: every upgrade body in one plain SQL file, run in one
#      transaction by sqlite3 or psql -1 -f);
#   2. no-op upgrade on an up-to-date branchy database of GSMALL and GLARGE
#      revisions: engine vs the client start plus one catalog query, and vs
#      each peer;
#   3. graph work on the branchy catalogs: heads, history, current, offline
#      SQL base:heads; engine vs Alembic, and the engine's growth GSMALL ->
#      GLARGE;
#   4. round trip on the chains: upgrade all, then downgrade to base; engine
#      vs floor;
#   5. peak memory of every process measured (PostgreSQL: also the backend's,
#      private and by getrusage),
#   and the issue's targets with a verdict.
#
# Every cell is timed as a whole command (its own process, as a user or a
# deploy script runs it) by hyperfine -N with a fresh database made by
# --prepare where the command changes it; the median is reported, with the
# number of runs.  Then the cell runs once more, untimed, with its output and
# the database checked (table count, "nothing to do", number of lines) and
# its peak memory taken: the process's maximum resident set size from GNU
# time (%M; for a command that starts other processes, the largest of them).
# On PostgreSQL, for the cells psql runs (the engine, the floor, the offline
# SQL, and the baselines: SELECT 1 on the catalog and the no-op floor), the
# same psql, in the same backend, after the cell's statements, also runs
# \o FILE and SELECT pg_read_file('/proc/self/status'): the backend's private
# peak memory is VmHWM - RssShmem - RssFile of that file (its peak resident
# set without the shared buffers it touched and the code pages it mapped:
# the memory it allocated); the memory target uses it.  The timed runs
# do not run it.  For every PostgreSQL cell with a database, also the
# backends' maximum resident set size as getrusage reports it to
# log_statement_stats (per statement; the largest value seen for the run's
# database; it counts every shared buffer page the backend touched, so it
# mostly measures the catalog's pages): the only backend figure of the peers,
# which open their own connections.  For the slow peer cells whose database
# is SQLite or none, memory comes from the timed runs themselves (GNU time
# wraps each of them) and the check reads the state the last run left.
#
# A peer that is not installed (scripts/deps.sh bench installs them) shows
# n/a with the reason.  PostgreSQL cells run on a throw-away cluster
# (scripts/pg-cluster.sh: a Unix socket in a temporary directory, fsync off),
# as the superuser postgres, with max_locks_per_transaction raised to 1024
# (64 cannot create 10,000 tables in one transaction); without PostgreSQL
# its columns show n/a.  The real psql (pg_config --bindir) is first on PATH
# for every tool: Debian's /usr/bin/psql wrapper costs tens of ms per start.
#
# Usage: bench/compare.sh --ext PATH/migrate.so [--quick] [--engines sqlite,pg]
#        [--sections 1,2,3,4] [--work DIR] [--keep] [--callgrind]
#   --quick      sizes 20/100 and 100/1,000, 2 runs per cell (a smoke test)
#   --callgrind  also profile, with valgrind --tool=callgrind (instruction
#                counts), the SQLite apply of LARGE revisions (floor, offline
#                SQL, engine), the no-op and the offline SQL at GSMALL and
#                GLARGE, and list the hottest functions of migrate.so
# Environment: DBMATE (path of the dbmate binary; default bench/.peers/...).

set -uo pipefail
start_ns=$(date +%s%N)

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
orig_args=("$@")
ext=""
quick=0
engines="sqlite,pg"
sections="1,2,3,4"
work=""
keep=0
callgrind=0

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; }
while [ $# -gt 0 ]; do
	case $1 in
		--ext) ext=$2; shift 2 ;;
		--quick) quick=1; shift ;;
		--engines) engines=$2; shift 2 ;;
		--sections) sections=$2; shift 2 ;;
		--work) work=$2; shift 2 ;;
		--keep) keep=1; shift ;;
		--callgrind) callgrind=1; shift ;;
		-h|--help) usage; exit 0 ;;
		*) echo "compare.sh: unknown argument \"$1\"" >&2; usage >&2; exit 2 ;;
	esac
done

die() { echo "compare.sh: $*" >&2; exit 1; }
say() { echo "[$(( ($(date +%s%N) - start_ns) / 1000000000 )) s] $*" >&2; }
has() { [[ ,$1, == *,$2,* ]]; }

# show_args WORD...: the words as a shell would read them back
show_args() {
	local a out=""
	for a in "$@"; do
		if [[ $a =~ [^A-Za-z0-9_./:@=,+%-] ]]; then out+="\"$a\" "; else out+="$a "; fi
	done
	printf '%s' "${out% }"
}

[ -n "$ext" ] || die "--ext PATH/migrate.so is required (bench/run.sh builds it)"
[ -f "$ext" ] || die "extension \"$ext\" not found"
ext=$(cd "$(dirname "$ext")" && pwd)/$(basename "$ext")
command -v sqlite3 >/dev/null || die "sqlite3 not found (scripts/deps.sh bench)"
command -v hyperfine >/dev/null || die "hyperfine not found (scripts/deps.sh bench)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (Debian package time; scripts/deps.sh bench)"
py=$(command -v python3) || die "python3 not found"

if [ "$quick" = 1 ]; then
	SMALL=20 LARGE=100 GSMALL=100 GLARGE=1000
	R_FAST=2 W_FAST=1 R_APPLY=2 R_SLOW=2 R_SLOWEST=1 R_PAIR_APPLY=2 R_PAIR_APPLY_PG=2 R_PAIR_FAST=4
else
	SMALL=100 LARGE=1000 GSMALL=1000 GLARGE=10000
	# runs per cell: fast cells (under ~0.3 s), the apply cells of the
	# engine, the floor and dbmate, the slow peer cells (Alembic, sqitch),
	# and the slowest (sqitch applying LARGE on PostgreSQL: ~12 s a run)
	R_FAST=10 W_FAST=2 R_APPLY=5 R_SLOW=3 R_SLOWEST=2
	# alternated pairs of the engine and its floor, for the targets: the
	# apply of LARGE revisions (SQLite, PostgreSQL: ~0.4 s and ~2 s a
	# pair), the no-op at GLARGE and current at both sizes
	R_PAIR_APPLY=30 R_PAIR_APPLY_PG=15 R_PAIR_FAST=30
fi

# Two directories: the SQLite databases on the disk that holds TMPDIR (a
# user's database is on a disk: commits pay their fsync), and everything
# else (workloads, the PostgreSQL cluster, results) in tmpfs when there is
# room: the cluster runs with fsync off anyway, and removing hundreds of
# thousands of small files from a disk mounted with "discard" takes minutes.
# With --work DIR, both go under DIR (DIR/db on its disk).
if [ -z "$work" ]; then
	disk=$(mktemp -d "${TMPDIR:-/tmp}/migrate-compare.XXXXXX")
	shm_kb=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')
	if [ -n "$shm_kb" ] && [ "$shm_kb" -gt 4194304 ] && [ -w /dev/shm ]; then
		work=$(mktemp -d /dev/shm/migrate-compare.XXXXXX)
	else
		work=$disk/work
	fi
else
	mkdir -p "$work"
	work=$(cd "$work" && pwd)
	disk=$work/db
fi
# the PostgreSQL server (user postgres) reads the environments and the floor
mkdir -p "$work" "$disk"
chmod 755 "$work" "$disk"
mkdir -p "$work"/{wl,prep,hf,mem,out} "$disk/sqlite"
results=$work/results.tsv
meta=$work/meta.tsv
: >"$results"
: >"$meta"

# the real psql first for every tool (sqitch runs psql and sqlite3 itself)
pgbin=""
if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/psql" ]; then
	pgbin=$(pg_config --bindir)
elif [ -x /usr/lib/postgresql/15/bin/psql ]; then
	pgbin=/usr/lib/postgresql/15/bin
fi
[ -n "$pgbin" ] && export PATH="$pgbin:$PATH"
export SQITCH_FULLNAME="Bench" SQITCH_EMAIL="bench@localhost"
unset PGOPTIONS
# Alembic imports every revision module on each run: let Python cache their
# bytecode (__pycache__) as it does for any installed application
unset PYTHONDONTWRITEBYTECODE

pgdir=$work/pg
pg_up=0
cleanup() {
	if [ "$pg_up" = 1 ]; then
		"$root/scripts/pg-cluster.sh" stop "$pgdir" >/dev/null 2>&1
	fi
	if [ "$keep" = 1 ]; then
		say "work files kept in $work and $disk"
	else
		rm -rf "$work" "$disk"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

meta() { printf '%s\t%s\n' "$1" "$2" >>"$meta"; }

# ------------------------------------------------------------ peers
dbmate=${DBMATE:-}
if [ -z "$dbmate" ]; then
	for d in "$here"/.peers/node_modules/@dbmate/*/bin/dbmate; do
		[ -x "$d" ] && dbmate=$d && break
	done
fi
[ -z "$dbmate" ] && command -v dbmate >/dev/null && dbmate=$(command -v dbmate)

# reason_file PEER: why scripts/deps.sh could not install PEER, if it said
reason_file() { [ -f "$here/.peers/$1.reason" ] && head -n 1 "$here/.peers/$1.reason"; }
na_alembic="" na_alembic_pg="" na_sqitch="" na_sqitch_sqlite="" na_sqitch_pg="" na_dbmate=""
na_dbmate_sqlite="" na_dbmate_pg=""
if ! command -v alembic >/dev/null || ! /usr/bin/python3 -c 'import alembic' 2>/dev/null; then
	na_alembic=$(reason_file alembic)
	na_alembic=${na_alembic:-"not installed (Debian alembic; scripts/deps.sh bench)"}
fi
if [ -z "$na_alembic" ] && ! /usr/bin/python3 -c 'import psycopg2' 2>/dev/null; then
	na_alembic_pg="psycopg2 not installed (Debian python3-psycopg2; scripts/deps.sh bench)"
fi
if ! command -v sqitch >/dev/null; then
	na_sqitch=$(reason_file sqitch)
	na_sqitch=${na_sqitch:-"not installed (Debian sqitch; scripts/deps.sh bench)"}
fi
perl -MDBD::SQLite -e1 2>/dev/null ||
	na_sqitch_sqlite="DBD::SQLite not installed (Debian libdbd-sqlite3-perl; scripts/deps.sh bench)"
perl -MDBD::Pg -e1 2>/dev/null ||
	na_sqitch_pg="DBD::Pg not installed (Debian libdbd-pg-perl; scripts/deps.sh bench)"
if [ -n "$dbmate" ] && ! [ -x "$dbmate" ]; then
	na_dbmate="$dbmate is not an executable"
elif [ -z "$dbmate" ]; then
	na_dbmate=$(reason_file dbmate)
	na_dbmate=${na_dbmate:-"not installed (npm @dbmate/linux-x64 in bench/.peers; scripts/deps.sh bench)"}
fi

# peer_na TOOL ENGINE: the reason TOOL cannot run on ENGINE, or nothing
peer_na() {
	case $1 in
		alembic) [ -n "$na_alembic" ] && echo "$na_alembic" && return
			[ "$2" = pg ] && [ -n "$na_alembic_pg" ] && echo "$na_alembic_pg" ;;
		sqitch) [ -n "$na_sqitch" ] && echo "$na_sqitch" && return
			[ "$2" = sqlite ] && [ -n "$na_sqitch_sqlite" ] && echo "$na_sqitch_sqlite"
			[ "$2" = pg ] && [ -n "$na_sqitch_pg" ] && echo "$na_sqitch_pg" ;;
		dbmate) [ -n "$na_dbmate" ] && echo "$na_dbmate" && return
			[ "$2" = sqlite ] && [ -n "$na_dbmate_sqlite" ] && echo "$na_dbmate_sqlite"
			[ "$2" = pg ] && [ -n "$na_dbmate_pg" ] && echo "$na_dbmate_pg" ;;
	esac
	return 0
}

# ------------------------------------------------------------ PostgreSQL
pglog=""
pg_na=""
if has "$engines" pg; then
	if [ -n "${MIGRATE_BENCH_PG_NA:-}" ]; then
		pg_na=$MIGRATE_BENCH_PG_NA
	elif [ -z "$pgbin" ] || ! [ -x "$pgbin/initdb" ]; then
		pg_na="PostgreSQL server not installed (scripts/deps.sh bench)"
	elif ! [ -f "$(pg_config --sharedir)/extension/migrate.control" ]; then
		pg_na="the migrate extension is not installed (make -C pg_ext install)"
	else
		say "starting a throw-away PostgreSQL cluster"
		if env=$(TMPDIR=$work PG_BINDIR=$pgbin PGPORT_TEST=$((20000 + RANDOM % 20000)) \
			"$root/scripts/pg-cluster.sh" start "$pgdir" 2>"$work/pg-start.log"); then
			eval "$env"
			pg_up=1
			run=$(cat "$pgdir/cluster")
			pglog=$run/server.log
			psql -X -q -d postgres -c "ALTER SYSTEM SET max_locks_per_transaction = 1024" \
				-c "ALTER SYSTEM SET log_line_prefix = '[%p %d] '" >/dev/null &&
				runuser -u "$(stat -c %U "$run/data")" -- "$pgbin/pg_ctl" -D "$run/data" \
					-l "$pglog" -w -t 60 -m fast restart >/dev/null ||
				pg_na="could not restart the cluster with max_locks_per_transaction = 1024"
		else
			pg_na="the cluster did not start: $(tail -n 1 "$work/pg-start.log")"
		fi
	fi
	[ -n "$pg_na" ] && say "PostgreSQL cells are n/a: $pg_na"
fi
eng_list=()
has "$engines" sqlite && eng_list+=(sqlite)
has "$engines" pg && [ -z "$pg_na" ] && eng_list+=(pg)
engs=$(IFS=,; echo "${eng_list[*]}")

# pq DB SQL...: psql, one -c per statement, quiet, errors fatal
pq() { local db=$1; shift; local a=(); for s in "$@"; do a+=(-c "$s"); done
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "${a[@]}"; }
pg_fresh() { pq postgres "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" "CREATE DATABASE \"$1\"${2:+ TEMPLATE \"$2\"}" 2>/dev/null; }
pg_url() { echo "postgresql://postgres@/$1"; }
# the prepare step of the PostgreSQL cells, a script so that the command
# list can show it: pgfresh.sh DB [TEMPLATE|-] [ext]
cat >"$work/pgfresh.sh" <<'EOF_FRESH'
#!/bin/bash
# pgfresh.sh DB [TEMPLATE|-] [ext]: drop DB, create it (from TEMPLATE), and
# with "ext" create the extension migrate in it
set -e
tmpl=""
[ -n "${2:-}" ] && [ "$2" != - ] && tmpl=" TEMPLATE \"$2\""
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" \
	-c "CREATE DATABASE \"$1\"$tmpl" 2>/dev/null
if [ "${3:-}" = ext ]; then
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "CREATE EXTENSION migrate"
fi
EOF_FRESH
fresh="bash $work/pgfresh.sh"
dbmate_pg_url() { echo "postgres://postgres@/$1?socket=$PGHOST&port=$PGPORT&sslmode=disable"; }

# ------------------------------------------------------------ versions
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta machine "$(nproc) CPUs, ${cpu:-unknown CPU}, $mem, $(uname -sr); load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$ext" = "$root/sqlite_ext/migrate.so" ]; then
	built="migrate.so built by the top-level Makefile: -O2"
else
	built="$ext"
fi
meta migrate "$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown) ($built)"
meta sqlite3 "$(sqlite3 --version | cut -d' ' -f1-2)"
if has "$engs" pg; then
	meta PostgreSQL "$(pq postgres 'SHOW server_version'), psql $(psql --version | awk '{print $3}') from $pgbin"
else
	meta PostgreSQL "n/a${pg_na:+: $pg_na}"
fi
if [ -z "$na_alembic" ]; then
	meta Alembic "$(alembic --version 2>&1 | awk '{print $2}'), SQLAlchemy $(/usr/bin/python3 -c 'import sqlalchemy; print(sqlalchemy.__version__)'), $(/usr/bin/python3 --version)$( /usr/bin/python3 -c 'import psycopg2; print(", psycopg2", psycopg2.__version__.split()[0])' 2>/dev/null)"
else
	meta Alembic "n/a: $na_alembic"
fi
if [ -z "$na_sqitch" ]; then
	meta sqitch "$(sqitch --version | awk '{print $3}'), DBD::SQLite $(perl -MDBD::SQLite -e 'print $DBD::SQLite::VERSION' 2>/dev/null || echo n/a), DBD::Pg $(perl -MDBD::Pg -e 'print $DBD::Pg::VERSION' 2>/dev/null || echo n/a), perl $(perl -e 'printf "%vd", $^V')"
else
	meta sqitch "n/a: $na_sqitch"
fi
if [ -z "$na_dbmate" ]; then
	meta dbmate "$("$dbmate" --version | awk '{print $3}') ($dbmate)"
else
	meta dbmate "n/a: $na_dbmate"
fi
meta hyperfine "$(hyperfine --version | awk '{print $2}')"
meta args "$(show_args "${orig_args[@]}")"
meta work "$work"
meta disk "$disk"
meta fs "workloads and the PostgreSQL cluster on $(df -PT "$work" | awk 'NR == 2 { print $2 }'), SQLite databases on $(df -PT "$disk" | awk 'NR == 2 { print $2 }')$(mount | awk -v d="$(df -P "$disk" | awk 'NR == 2 { print $6 }')" '$3 == d { print " " $6 }' | head -n 1)"
meta root "$root"
meta ext "$ext"
meta pairs "the targets that compare the engine with its floor (apply of $LARGE revisions, no-op at $GLARGE, the nets of the graph cells over the client's start, and of current over the no-op floor): the median of $R_PAIR_APPLY (SQLite apply), $R_PAIR_APPLY_PG (PostgreSQL apply) or $R_PAIR_FAST (no-op, graph) alternated pairs, each one hyperfine -N call with one run of the engine and one of its floor (order swapped every pair)"
meta runs "$R_FAST after $W_FAST warm-up runs for the no-op and graph cells of the engine, the floor and dbmate; $R_FAST after 1 for their apply and round-trip cells of $SMALL revisions, $R_APPLY after 1 at $LARGE; Alembic and sqitch without warm-up: $((R_SLOW + 2)) runs applying $SMALL revisions, $R_SLOW otherwise, $R_SLOWEST for sqitch applying $LARGE on PostgreSQL"
meta sizes "$SMALL $LARGE $GSMALL $GLARGE"

# ------------------------------------------------------------ the cells

# cell key=value...: time one command and record it.
#   id       unique name; eng sqlite|pg; sec apply|noop|graph|trip|info;
#   size     revisions; row the table row (floor, engine, alembic, ...)
#   cmd      the command, in shell words (hyperfine -N splits it the same way)
#   prep     bash run before every run (fresh database), optional
#   db       PostgreSQL database the command uses (for the backend's memory;
#            with a psql command, also its private memory, read in the
#            check run)
#   runs, warm   samples and warm-up runs
#   mem      sep: one more run for memory and checks; wrap: GNU time wraps
#            the timed runs (slow cells; no backend figure)
#   expect   extended regexp the output of the check run must match
#   reject   extended regexp it must not match
#   check    bash whose output must equal want, after the last run
#   na       a reason: record the cell as n/a without running it
# Appends to results.tsv: id eng sec size row median_ms runs client_kb
# backend_kb private_kb status prep cmd
cell() {
	local id="" eng="" sec="" size="" row="" cmd="" prep="" db="" runs=$R_FAST warm=$W_FAST
	local mem=sep expect="" reject="" check="" want="" na="" a
	for a in "$@"; do printf -v "${a%%=*}" '%s' "${a#*=}"; done
	local status=ok median="" ckb="" bkb="" pkb="" pf="$work/prep/$id.sh" json="$work/hf/$id.json"
	local memf="$work/mem/$id.txt" out="$work/out/$id.txt" statf="$work/mem/$id.status"
	say "== $id: $cmd"
	if [ -n "$na" ]; then
		status="n/a: $na"
	else
		printf '%s\n' "set -e" "${prep:-:}" >"$pf"
		local hf=(hyperfine -N --style none --export-json "$json" --runs "$runs" --warmup "$warm"
			--prepare "bash $pf")
		local c=$cmd
		if [ "$mem" = wrap ]; then
			: >"$memf"
			c="/usr/bin/time -a -o $memf -f %M $cmd"
			hf+=(--output "$out")
		fi
		if ! "${hf[@]}" "$c" >"$work/hf/$id.log" 2>&1; then
			status="failed: $(grep -v '^\s*$' "$work/hf/$id.log" | tail -n 2 | tr '\n\t' '  ')"
		else
			median=$("$py" "$here/compare_table.py" median "$json")
			if [ "$mem" = sep ]; then
				local off=0 args
				eval "args=($cmd)"
				bash "$pf" >/dev/null 2>&1 || status="failed: prepare"
				if [ "$eng" = pg ] && [ -n "$db" ]; then
					pq postgres "ALTER DATABASE \"$db\" SET log_statement_stats = on" >/dev/null
					off=$(stat -c %s "$pglog")
				fi
				# a psql cell: the same backend, after the cell's statements,
				# writes its /proc/self/status to statf (\o: the cell's own
				# output and its checks stay as they are)
				rm -f "$statf"
				if [ "$eng" = pg ] && [ -n "$db" ] && [ "${args[0]}" = psql ]; then
					args+=(-c "\\o $statf" -c "SELECT pg_read_file('/proc/self/status')")
				fi
				/usr/bin/time -o "$memf" -f %M "${args[@]}" >"$out" 2>&1 ||
					status="failed: check run exited non-zero: $(tail -n 2 "$out" | tr '\n\t' '  ')"
				if [ "$eng" = pg ] && [ -n "$db" ]; then
					pq postgres "ALTER DATABASE \"$db\" RESET log_statement_stats" >/dev/null
					bkb=$(tail -c +$((off + 1)) "$pglog" | "$py" "$here/compare_table.py" backend-kb "$db")
					[ -f "$statf" ] && pkb=$("$py" "$here/compare_table.py" private-kb "$statf")
				fi
			fi
			ckb=$(grep -E '^[0-9]+$' "$memf" | sort -n | tail -n 1)
			if [ "$status" = ok ] && [ -n "$expect" ] && ! grep -Eq -- "$expect" "$out"; then
				status="failed: output does not match /$expect/: $(head -c 200 "$out" | tr '\n\t' '  ')"
			fi
			if [ "$status" = ok ] && [ -n "$reject" ] && grep -Eq -- "$reject" "$out"; then
				status="failed: output matches /$reject/"
			fi
			if [ "$status" = ok ] && [ -n "$check" ]; then
				local got
				got=$(bash -c "$check" 2>&1)
				[ "$got" = "$want" ] || status="failed: check \"$check\" gave \"${got:0:200}\", expected \"$want\""
			fi
		fi
	fi
	[ "$status" = ok ] || say "   $status"
	[ -n "$median" ] && say "   median $median ms${ckb:+, client ${ckb} kB}${bkb:+, backend ${bkb} kB}${pkb:+, backend private ${pkb} kB}"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$eng" "$sec" "$size" "$row" \
		"$median" "$runs" "$ckb" "$bkb" "$pkb" "$status" "$(printf '%s' "$prep" | tr '\n\t' '; ')" "$cmd" >>"$results"
}

# once ID ENG SEC SIZE ROW COMMAND...: time one run of a setup step (not a
# median: reported as "once"); fails the whole benchmark when it fails,
# unless ONCE_SOFT=1 (a peer's step): then it records the failure and
# returns 1
once() {
	local id=$1 eng=$2 sec=$3 size=$4 row=$5 t0 ms
	shift 5
	say "== $id (once): $(show_args "$@")"
	t0=$(date +%s%N)
	if ! "$@" >"$work/out/$id.txt" 2>&1; then
		tail -n 5 "$work/out/$id.txt" >&2
		[ "${ONCE_SOFT:-0}" = 1 ] || die "$id failed"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$eng" "$sec" "$size" "$row" \
			"" 1 "" "" "" "failed: $(tail -n 1 "$work/out/$id.txt" | tr '\t' ' ')" "" "$(show_args "$@")" >>"$results"
		return 1
	fi
	ms=$(( ($(date +%s%N) - t0) / 1000 ))
	ms=$(awk -v u="$ms" 'BEGIN { printf "%.1f", u / 1000 }')
	say "   $ms ms"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$eng" "$sec" "$size" "$row" \
		"$ms" 1 "" "" "" ok "" "$(show_args "$@")" >>"$results"
}

# ------------------------------------------------------------ workloads
say "writing the workloads"
wl() { echo "$work/wl/$1_$2"; }
for spec in "chain $SMALL" "chain $LARGE" "branchy $GSMALL" "branchy $GLARGE"; do
	set -- $spec
	"$py" "$here/gen_workload.py" --shape "$1" --count "$2" --out "$(wl "$1" "$2")" >>"$work/wl/sizes.txt" ||
		die "gen_workload.py failed"
done
chmod -R a+rX "$work/wl"
while read -r shape n _ _ _ _ _ _ bytes _; do
	meta "catalog ${shape}_${n%:}" "$bytes"
done <"$work/wl/sizes.txt"

# alembic_ini WL NAME URL: an alembic.ini for one database, in the env
alembic_ini() {
	sed "s#^sqlalchemy.url = .*#sqlalchemy.url = $3#" "$1/alembic/alembic.ini" >"$1/alembic/$2.ini"
	echo "$1/alembic/$2.ini"
}
if [ -z "$na_alembic" ]; then
	# compile the revision modules once (__pycache__), as any second run finds them
	for spec in "chain $SMALL" "chain $LARGE" "branchy $GSMALL" "branchy $GLARGE"; do
		set -- $spec
		ini=$(alembic_ini "$(wl "$1" "$2")" offline sqlite://)
		alembic -c "$ini" heads >/dev/null 2>&1 || na_alembic="alembic heads failed on the generated environment"
	done
fi

E=$ext
sq_load() { echo ".load $E"; }

# ------------------------------------------------------------ state
# For each engine: the branchy catalogs loaded (empty otherwise), and the
# same upgraded by the engine (both timed once).  The upgraded database is
# up to date for every tool: Alembic's version table is the engine's (same
# table, same rows); sqitch records the deploy with --log-only, its way to
# adopt a database (on SQLite its registry is the file sqitch.db beside the
# database, written against an empty database and copied); dbmate creates
# its table through a migration of its own, whose row is then replaced by
# the versions of every revision (dbmate cannot record without running).
# The chains are loaded once too, as templates of the "catalog already
# loaded" cells.
sdb=$disk/sqlite
mkdir -p "$sdb"
dm_init=$work/wl/dbmate_init
mkdir -p "$dm_init"
printf -- '-- migrate:up\n\n-- migrate:down\n' >"$dm_init/00000000000000_init.sql"
chmod -R a+rX "$dm_init"

build_state_sqlite() {
	local n w
	for n in "$SMALL" "$LARGE"; do
		w=$(wl chain "$n")
		rm -f "$sdb/chainload_$n.db"
		sqlite3 "$sdb/chainload_$n.db" "$(sq_load)" "SELECT migrate_load('$w/migrate')" >/dev/null ||
			die "migrate_load of chain $n failed"
		sqlite3 "$sdb/chainload_$n.db" "$(sq_load)" "SELECT migrate_upgrade_sql('base:heads')" >"$w/floor/offline_sqlite.sql"
	done
	for n in "$GSMALL" "$GLARGE"; do
		w=$(wl branchy "$n")
		rm -rf "$sdb/load_$n.db" "$sdb/up_$n"
		mkdir -p "$sdb/up_$n"
		once "sqlite.info.$n.load" sqlite info "$n" "load" \
			sqlite3 "$sdb/load_$n.db" "$(sq_load)" "SELECT migrate_load('$w/migrate')"
		cp "$sdb/load_$n.db" "$sdb/up_$n/db.db"
		once "sqlite.info.$n.upgrade" sqlite info "$n" "upgrade" \
			sqlite3 "$sdb/up_$n/db.db" "$(sq_load)" "SELECT migrate_upgrade('heads')"
		rm -f "$sdb/floor_$n.db"
		once "sqlite.info.$n.floor" sqlite info "$n" "floor" \
			sqlite3 "$sdb/floor_$n.db" BEGIN ".read $w/floor/up.sql" COMMIT
		rm -f "$sdb/floor_$n.db"
		if [ -z "$(peer_na sqitch sqlite)" ]; then
			# sqitch keeps a SQLite target's registry in sqitch.db beside the
			# database and attaches it; written against an empty database
			# (the same registry, without reading a 20,000-object schema on
			# every change), then put beside the upgraded copy
			mkdir -p "$sdb/sqreg_$n"
			rm -f "$sdb/sqreg_$n"/*.db
			# sqitch takes the latest change by committed_at, which --log-only
			# writes many times within one millisecond: spread them 1 ms
			# apart in plan order (rev_<i> is the i-th change of the plan)
			ONCE_SOFT=1 once "sqlite.info.$n.sqitch_log_only" sqlite info "$n" "sqitch_log_only" \
				sqitch --chdir "$w/sqitch" deploy --log-only "db:sqlite:$sdb/sqreg_$n/db.db" &&
				sqlite3 "$sdb/sqreg_$n/sqitch.db" "UPDATE changes SET committed_at = strftime('%Y-%m-%d %H:%M:%f', (SELECT min(committed_at) FROM changes), '+' || (CAST(substr(change, 5) AS INTEGER) / 1000.0) || ' seconds')" &&
				cp "$sdb/sqreg_$n/sqitch.db" "$sdb/up_$n/sqitch.db" ||
				na_sqitch_sqlite="sqitch deploy --log-only could not record the $n revisions (see the setup steps)"
		fi
		if [ -z "$(peer_na dbmate sqlite)" ]; then
			"$dbmate" --no-dump-schema -u "sqlite:$sdb/up_$n/db.db" -d "$dm_init" migrate >"$work/out/dbmate_init_sqlite_$n.txt" 2>&1 &&
				sqlite3 "$sdb/up_$n/db.db" "DELETE FROM schema_migrations" ".mode csv" \
					".import $w/floor/dbmate_versions.txt schema_migrations" ||
				na_dbmate_sqlite="dbmate could not create its table: $(tail -n 1 "$work/out/dbmate_init_sqlite_$n.txt")"
		fi
	done
}

build_state_pg() {
	local n w
	for n in "$SMALL" "$LARGE"; do
		w=$(wl chain "$n")
		pg_fresh "chainload_$n" && pq "chainload_$n" "CREATE EXTENSION migrate" \
			"SELECT migrate_load('$w/migrate')" >/dev/null || die "PostgreSQL: loading chain $n failed"
		pq "chainload_$n" "SELECT migrate_upgrade_sql('base:heads')" >"$w/floor/offline_pg.sql"
	done
	for n in "$GSMALL" "$GLARGE"; do
		w=$(wl branchy "$n")
		pg_fresh "load_$n" && pq "load_$n" "CREATE EXTENSION migrate" >/dev/null || die "PostgreSQL: createdb"
		once "pg.info.$n.load" pg info "$n" "load" \
			psql -X -q -v ON_ERROR_STOP=1 -d "load_$n" -c "SELECT migrate_load('$w/migrate')"
		pg_fresh "up_$n" "load_$n" || die "PostgreSQL: createdb"
		once "pg.info.$n.upgrade" pg info "$n" "upgrade" \
			psql -X -q -v ON_ERROR_STOP=1 -d "up_$n" -c "SELECT migrate_upgrade('heads')"
		pg_fresh "floor_$n" || die "PostgreSQL: createdb"
		once "pg.info.$n.floor" pg info "$n" "floor" \
			psql -X -q -v ON_ERROR_STOP=1 -1 -d "floor_$n" -f "$w/floor/up.sql"
		pq postgres "DROP DATABASE \"floor_$n\"" >/dev/null
		if [ -z "$(peer_na sqitch pg)" ]; then
			ONCE_SOFT=1 once "pg.info.$n.sqitch_log_only" pg info "$n" "sqitch_log_only" \
				sqitch --chdir "$w/sqitch" deploy --log-only "db:pg:up_$n" &&
				pq "up_$n" "UPDATE sqitch.changes SET committed_at = (SELECT min(committed_at) FROM sqitch.changes) + CAST(substr(change, 5) AS integer) * interval '1 millisecond'" >/dev/null ||
				na_sqitch_pg="sqitch deploy --log-only could not record the $n revisions (see the setup steps)"
		fi
		if [ -z "$(peer_na dbmate pg)" ]; then
			"$dbmate" --no-dump-schema -u "$(dbmate_pg_url "up_$n")" -d "$dm_init" migrate >"$work/out/dbmate_init_pg_$n.txt" 2>&1 &&
				pq "up_$n" "DELETE FROM schema_migrations" \
					"\\copy schema_migrations FROM '$w/floor/dbmate_versions.txt'" >/dev/null ||
				na_dbmate_pg="dbmate could not create its table: $(tail -n 1 "$work/out/dbmate_init_pg_$n.txt")"
		fi
	done
}

for eng in "${eng_list[@]}"; do
	say "building the $eng databases"
	"build_state_$eng"
done

# table count of a database, for the checks
sq_tables() { echo "sqlite3 '$1' \"SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name GLOB 't_[0-9]*'\""; }
pg_tables() { echo "psql -X -At -d '$1' -c \"SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname ~ '^t_[0-9]+\$'\""; }
tables() { if [ "$1" = sqlite ]; then sq_tables "$2"; else pg_tables "$2"; fi; }

# ------------------------------------------------------------ 1. apply
section_apply() {
	local eng=$1 n w d runs slow
	for n in "$SMALL" "$LARGE"; do
		w=$(wl chain "$n")
		runs=$R_APPLY
		[ "$n" = "$SMALL" ] && runs=$R_FAST
		slow=$R_SLOW
		[ "$n" = "$SMALL" ] && slow=$((R_SLOW + 2))
		if [ "$eng" = sqlite ]; then
			d=$sdb/apply_$n
			mkdir -p "$d"/{floor,engine,loaded,offline,alembic,sqitch,dbmate}
			cell id="sqlite.apply.$n.floor" eng=sqlite sec=apply size="$n" row=floor runs="$runs" warm=1 \
				prep="rm -f $d/floor/db.db" \
				cmd="sqlite3 $d/floor/db.db BEGIN \".read $w/floor/up.sql\" COMMIT" \
				check="$(sq_tables "$d/floor/db.db")" want="$n"
			cell id="sqlite.apply.$n.engine" eng=sqlite sec=apply size="$n" row=engine runs="$runs" warm=1 \
				prep="rm -f $d/engine/db.db" \
				cmd="sqlite3 $d/engine/db.db \"$(sq_load)\" \"SELECT migrate_load('$w/migrate')\" \"SELECT migrate_upgrade('heads')\"" \
				check="$(sq_tables "$d/engine/db.db")" want="$n"
			cell id="sqlite.apply.$n.engine_loaded" eng=sqlite sec=apply size="$n" row=engine_loaded runs="$runs" warm=1 \
				prep="cp $sdb/chainload_$n.db $d/loaded/db.db" \
				cmd="sqlite3 $d/loaded/db.db \"$(sq_load)\" \"SELECT migrate_upgrade('heads')\"" \
				check="$(sq_tables "$d/loaded/db.db")" want="$n"
			cell id="sqlite.apply.$n.offline" eng=sqlite sec=apply size="$n" row=offline runs="$runs" warm=1 \
				prep="rm -f $d/offline/db.db" \
				cmd="sqlite3 $d/offline/db.db BEGIN \".read $w/floor/offline_sqlite.sql\" COMMIT" \
				check="$(sq_tables "$d/offline/db.db")" want="$n"
			local ini
			ini=$(alembic_ini "$w" apply_sqlite "sqlite:///$d/alembic/db.db")
			cell id="sqlite.apply.$n.alembic" eng=sqlite sec=apply size="$n" row=alembic runs="$slow" warm=0 \
				mem=wrap na="$(peer_na alembic sqlite)" prep="rm -f $d/alembic/db.db" \
				cmd="alembic -c $ini upgrade heads" \
				check="$(sq_tables "$d/alembic/db.db")" want="$n"
			cell id="sqlite.apply.$n.sqitch" eng=sqlite sec=apply size="$n" row=sqitch runs="$slow" warm=0 \
				mem=wrap na="$(peer_na sqitch sqlite)" prep="rm -f $d/sqitch/db.db $d/sqitch/sqitch.db" \
				cmd="sqitch --chdir $w/sqitch deploy db:sqlite:$d/sqitch/db.db" \
				check="$(sq_tables "$d/sqitch/db.db")" want="$n"
			cell id="sqlite.apply.$n.dbmate" eng=sqlite sec=apply size="$n" row=dbmate runs="$runs" warm=1 \
				na="$(peer_na dbmate sqlite)" prep="rm -f $d/dbmate/db.db" \
				cmd="$dbmate --no-dump-schema -u sqlite:$d/dbmate/db.db -d $w/dbmate migrate" \
				check="$(sq_tables "$d/dbmate/db.db")" want="$n"
		else
			local p=a${n}_
			cell id="pg.apply.$n.floor" eng=pg sec=apply size="$n" row=floor runs="$runs" warm=1 db="${p}floor" \
				prep="$fresh ${p}floor" \
				cmd="psql -X -q -v ON_ERROR_STOP=1 -1 -d ${p}floor -f $w/floor/up.sql" \
				check="$(pg_tables "${p}floor")" want="$n"
			cell id="pg.apply.$n.engine" eng=pg sec=apply size="$n" row=engine runs="$runs" warm=1 db="${p}engine" \
				prep="$fresh ${p}engine - ext" \
				cmd="psql -X -q -v ON_ERROR_STOP=1 -d ${p}engine -c \"SELECT migrate_load('$w/migrate')\" -c \"SELECT migrate_upgrade('heads')\"" \
				check="$(pg_tables "${p}engine")" want="$n"
			cell id="pg.apply.$n.engine_loaded" eng=pg sec=apply size="$n" row=engine_loaded runs="$runs" warm=1 db="${p}loaded" \
				prep="$fresh ${p}loaded chainload_$n" \
				cmd="psql -X -q -v ON_ERROR_STOP=1 -d ${p}loaded -c \"SELECT migrate_upgrade('heads')\"" \
				check="$(pg_tables "${p}loaded")" want="$n"
			cell id="pg.apply.$n.offline" eng=pg sec=apply size="$n" row=offline runs="$runs" warm=1 db="${p}offline" \
				prep="$fresh ${p}offline" \
				cmd="psql -X -q -v ON_ERROR_STOP=1 -d ${p}offline -f $w/floor/offline_pg.sql" \
				check="$(pg_tables "${p}offline")" want="$n"
			local ini
			ini=$(alembic_ini "$w" "apply_pg" "$(pg_url "${p}alembic")")
			cell id="pg.apply.$n.alembic" eng=pg sec=apply size="$n" row=alembic runs="$slow" warm=0 db="${p}alembic" \
				na="$(peer_na alembic pg)" prep="$fresh ${p}alembic" \
				cmd="alembic -c $ini upgrade heads" \
				check="$(pg_tables "${p}alembic")" want="$n"
			local sr=$slow
			[ "$n" = "$LARGE" ] && sr=$R_SLOWEST
			cell id="pg.apply.$n.sqitch" eng=pg sec=apply size="$n" row=sqitch runs="$sr" warm=0 db="${p}sqitch" \
				na="$(peer_na sqitch pg)" prep="$fresh ${p}sqitch" \
				cmd="sqitch --chdir $w/sqitch deploy db:pg:${p}sqitch" \
				check="$(pg_tables "${p}sqitch")" want="$n"
			cell id="pg.apply.$n.dbmate" eng=pg sec=apply size="$n" row=dbmate runs="$runs" warm=1 db="${p}dbmate" \
				na="$(peer_na dbmate pg)" prep="$fresh ${p}dbmate" \
				cmd="$dbmate --no-dump-schema -u \"$(dbmate_pg_url "${p}dbmate")\" -d $w/dbmate migrate" \
				check="$(pg_tables "${p}dbmate")" want="$n"
		fi
	done
}

# ------------------------------------------------------------ 2. no-op
section_noop() {
	local eng=$1 n w ini
	for n in "$GSMALL" "$GLARGE"; do
		w=$(wl branchy "$n")
		if [ "$eng" = sqlite ]; then
			cell id="sqlite.noop.$n.floor" eng=sqlite sec=noop size="$n" row=floor \
				cmd="sqlite3 $sdb/up_$n/db.db \"SELECT version_num FROM alembic_version\"" \
				expect='^[0-9a-f]{12}$'
			cell id="sqlite.noop.$n.engine" eng=sqlite sec=noop size="$n" row=engine \
				cmd="sqlite3 $sdb/up_$n/db.db \"$(sq_load)\" \"SELECT migrate_upgrade('heads')\"" \
				expect='^nothing to do'
			ini=$(alembic_ini "$w" noop_sqlite "sqlite:///$sdb/up_$n/db.db")
			cell id="sqlite.noop.$n.alembic" eng=sqlite sec=noop size="$n" row=alembic runs="$R_SLOW" warm=0 \
				na="$(peer_na alembic sqlite)" mem=wrap cmd="alembic -c $ini upgrade heads" \
				check="sqlite3 $sdb/up_$n/db.db 'SELECT count(*) FROM alembic_version'" want=4
			cell id="sqlite.noop.$n.sqitch" eng=sqlite sec=noop size="$n" row=sqitch runs="$R_SLOW" warm=0 \
				na="$(peer_na sqitch sqlite)" mem=wrap \
				cmd="sqitch --chdir $w/sqitch deploy db:sqlite:$sdb/up_$n/db.db" expect='Nothing to deploy'
			cell id="sqlite.noop.$n.dbmate" eng=sqlite sec=noop size="$n" row=dbmate \
				na="$(peer_na dbmate sqlite)" \
				cmd="$dbmate --no-dump-schema -u sqlite:$sdb/up_$n/db.db -d $w/dbmate migrate" \
				reject='Applying'
		else
			cell id="pg.noop.$n.floor" eng=pg sec=noop size="$n" row=floor db="up_$n" \
				cmd="psql -X -q -At -v ON_ERROR_STOP=1 -d up_$n -c \"SELECT version_num FROM alembic_version\"" \
				expect='^[0-9a-f]{12}$'
			cell id="pg.noop.$n.engine" eng=pg sec=noop size="$n" row=engine db="up_$n" \
				cmd="psql -X -q -At -v ON_ERROR_STOP=1 -d up_$n -c \"SELECT migrate_upgrade('heads')\"" \
				expect='^nothing to do'
			ini=$(alembic_ini "$w" noop_pg "$(pg_url "up_$n")")
			cell id="pg.noop.$n.alembic" eng=pg sec=noop size="$n" row=alembic runs="$R_SLOW" warm=0 db="up_$n" \
				na="$(peer_na alembic pg)" cmd="alembic -c $ini upgrade heads" reject='Running upgrade'
			cell id="pg.noop.$n.sqitch" eng=pg sec=noop size="$n" row=sqitch runs="$R_SLOW" warm=0 db="up_$n" \
				na="$(peer_na sqitch pg)" \
				cmd="sqitch --chdir $w/sqitch deploy db:pg:up_$n" expect='Nothing to deploy'
			cell id="pg.noop.$n.dbmate" eng=pg sec=noop size="$n" row=dbmate db="up_$n" \
				na="$(peer_na dbmate pg)" \
				cmd="$dbmate --no-dump-schema -u \"$(dbmate_pg_url "up_$n")\" -d $w/dbmate migrate" \
				reject='Applying'
		fi
	done
}

# ------------------------------------------------------------ 3. graph work
section_graph() {
	local eng=$1 n w ini slow nlines
	for n in "$GSMALL" "$GLARGE"; do
		w=$(wl branchy "$n")
		# lines of Alembic's upgrade --sql base:heads and of the engine's:
		# 1 + 2 per revision at least
		if [ "$eng" = sqlite ]; then
			local L="sqlite3 $sdb/load_$n.db \"$(sq_load)\"" U="sqlite3 $sdb/up_$n/db.db \"$(sq_load)\""
			cell id="sqlite.graph.$n.base" eng=sqlite sec=graph size="$n" row=base \
				cmd="$L \"SELECT 1\"" expect='^1$'
			cell id="sqlite.graph.$n.heads" eng=sqlite sec=graph size="$n" row=heads \
				cmd="$L \"SELECT line FROM migrate_heads()\"" \
				check="grep -c '(head)' $work/out/sqlite.graph.$n.heads.txt" want=4
			cell id="sqlite.graph.$n.history" eng=sqlite sec=graph size="$n" row=history \
				cmd="$L \"SELECT line FROM migrate_history()\"" \
				check="grep -c ' -> ' $work/out/sqlite.graph.$n.history.txt" want="$n"
			cell id="sqlite.graph.$n.current" eng=sqlite sec=graph size="$n" row=current \
				cmd="$U \"SELECT line FROM migrate_current()\"" \
				check="grep -c '(head)' $work/out/sqlite.graph.$n.current.txt" want=4
			cell id="sqlite.graph.$n.sql" eng=sqlite sec=graph size="$n" row=sql \
				cmd="$L \"SELECT migrate_upgrade_sql('base:heads')\"" \
				check="grep -c '^CREATE TABLE t_' $work/out/sqlite.graph.$n.sql.txt" want="$n"
		else
			local L="psql -X -q -At -d load_$n" U="psql -X -q -At -d up_$n"
			cell id="pg.graph.$n.base" eng=pg sec=graph size="$n" row=base db="load_$n" \
				cmd="$L -c \"SELECT 1\"" expect='^1$'
			cell id="pg.graph.$n.heads" eng=pg sec=graph size="$n" row=heads db="load_$n" \
				cmd="$L -c \"SELECT line FROM migrate_heads()\"" \
				check="grep -c '(head)' $work/out/pg.graph.$n.heads.txt" want=4
			cell id="pg.graph.$n.history" eng=pg sec=graph size="$n" row=history db="load_$n" \
				cmd="$L -c \"SELECT line FROM migrate_history()\"" \
				check="grep -c ' -> ' $work/out/pg.graph.$n.history.txt" want="$n"
			cell id="pg.graph.$n.current" eng=pg sec=graph size="$n" row=current db="up_$n" \
				cmd="$U -c \"SELECT line FROM migrate_current()\"" \
				check="grep -c '(head)' $work/out/pg.graph.$n.current.txt" want=4
			cell id="pg.graph.$n.sql" eng=pg sec=graph size="$n" row=sql db="load_$n" \
				cmd="$L -c \"SELECT migrate_upgrade_sql('base:heads')\"" \
				check="grep -c '^CREATE TABLE t_' $work/out/pg.graph.$n.sql.txt" want="$n"
			# PostgreSQL's own cost of returning a text that long, for the
			# memory report: a built-in function's text of the same length
			local len=0
			[ -f "$work/out/pg.graph.$n.sql.txt" ] &&
				len=$(( $(wc -c <"$work/out/pg.graph.$n.sql.txt") - 1 ))
			cell id="pg.graph.$n.text" eng=pg sec=graph size="$n" row=text db="load_$n" \
				cmd="$L -c \"SELECT repeat('x', $len)\"" \
				check="wc -c <$work/out/pg.graph.$n.text.txt" want="$((len + 1))"
		fi
		# Alembic: heads and history read no database (measured once, under
		# SQLite); current reads the version table; upgrade --sql writes the
		# dialect of the URL
		local na
		na=$(peer_na alembic "$eng")
		if [ "$eng" = sqlite ] || ! has "$engs" sqlite; then
			ini=$(alembic_ini "$w" offline_sqlite "sqlite:///$sdb/up_$n/db.db")
			cell id="any.graph.$n.alembic_heads" eng=any sec=graph size="$n" row=alembic_heads \
				runs="$R_SLOW" warm=0 mem=wrap na="$na" cmd="alembic -c $ini heads" \
				check="grep -c '(head)' $work/out/any.graph.$n.alembic_heads.txt" want=4
			cell id="any.graph.$n.alembic_history" eng=any sec=graph size="$n" row=alembic_history \
				runs="$R_SLOW" warm=0 mem=wrap na="$na" cmd="alembic -c $ini history" \
				check="grep -c ' -> ' $work/out/any.graph.$n.alembic_history.txt" want="$n"
		fi
		if [ "$eng" = sqlite ]; then
			ini=$(alembic_ini "$w" graph_sqlite "sqlite:///$sdb/up_$n/db.db")
			cell id="sqlite.graph.$n.alembic_current" eng=sqlite sec=graph size="$n" row=alembic_current \
				runs="$R_SLOW" warm=0 mem=wrap na="$na" cmd="alembic -c $ini current" \
				check="grep -c '(head)' $work/out/sqlite.graph.$n.alembic_current.txt" want=4
			cell id="sqlite.graph.$n.alembic_sql" eng=sqlite sec=graph size="$n" row=alembic_sql \
				runs="$R_SLOW" warm=0 mem=wrap na="$na" cmd="alembic -c $ini upgrade --sql base:heads" \
				check="grep -c '^CREATE TABLE t_' $work/out/sqlite.graph.$n.alembic_sql.txt" want="$n"
		else
			ini=$(alembic_ini "$w" graph_pg "$(pg_url "up_$n")")
			cell id="pg.graph.$n.alembic_current" eng=pg sec=graph size="$n" row=alembic_current \
				runs="$R_SLOW" warm=0 mem=wrap na="$na" cmd="alembic -c $ini current" \
				check="grep -c '(head)' $work/out/pg.graph.$n.alembic_current.txt" want=4
			cell id="pg.graph.$n.alembic_sql" eng=pg sec=graph size="$n" row=alembic_sql \
				runs="$R_SLOW" warm=0 mem=wrap na="$na" cmd="alembic -c $ini upgrade --sql base:heads" \
				check="grep -c '^CREATE TABLE t_' $work/out/pg.graph.$n.alembic_sql.txt" want="$n"
		fi
	done
}

# ------------------------------------------------------------ 4. round trip
section_trip() {
	local eng=$1 n w runs d
	for n in "$SMALL" "$LARGE"; do
		w=$(wl chain "$n")
		runs=$R_APPLY
		[ "$n" = "$SMALL" ] && runs=$R_FAST
		if [ "$eng" = sqlite ]; then
			d=$sdb/trip_$n
			mkdir -p "$d"
			cell id="sqlite.trip.$n.floor" eng=sqlite sec=trip size="$n" row=floor runs="$runs" warm=1 \
				prep="rm -f $d/floor.db" \
				cmd="sqlite3 $d/floor.db BEGIN \".read $w/floor/up.sql\" COMMIT BEGIN \".read $w/floor/down.sql\" COMMIT" \
				check="$(sq_tables "$d/floor.db")" want=0
			cell id="sqlite.trip.$n.engine" eng=sqlite sec=trip size="$n" row=engine runs="$runs" warm=1 \
				prep="cp $sdb/chainload_$n.db $d/engine.db" \
				cmd="sqlite3 $d/engine.db \"$(sq_load)\" \"SELECT migrate_upgrade('heads')\" \"SELECT migrate_downgrade('base')\"" \
				check="$(sq_tables "$d/engine.db")" want=0
		else
			cell id="pg.trip.$n.floor" eng=pg sec=trip size="$n" row=floor runs="$runs" warm=1 db="t${n}_floor" \
				prep="$fresh t${n}_floor" \
				cmd="psql -X -q -v ON_ERROR_STOP=1 -d t${n}_floor -c BEGIN -f $w/floor/up.sql -c COMMIT -c BEGIN -f $w/floor/down.sql -c COMMIT" \
				check="$(pg_tables "t${n}_floor")" want=0
			cell id="pg.trip.$n.engine" eng=pg sec=trip size="$n" row=engine runs="$runs" warm=1 db="t${n}_engine" \
				prep="$fresh t${n}_engine chainload_$n" \
				cmd="psql -X -q -v ON_ERROR_STOP=1 -d t${n}_engine -c \"SELECT migrate_upgrade('heads')\" -c \"SELECT migrate_downgrade('base')\"" \
				check="$(pg_tables "t${n}_engine")" want=0
		fi
	done
}

for eng in "${eng_list[@]}"; do
	has "$sections" 1 && section_apply "$eng"
	has "$sections" 2 && section_noop "$eng"
	has "$sections" 3 && section_graph "$eng"
	has "$sections" 4 && section_trip "$eng"
done

# ------------------------------------------------------------ pairs
# pair A B N: cells A (the engine) and B (its floor) once more, alternated:
# N pairs, each one hyperfine -N call with one run of each (the order
# swapped from pair to pair, each with its cell's --prepare), so that both
# commands of a pair see the machine in the same state.  The targets that
# compare the engine with its floor use the median of the pairs' ratios
# and differences: on a shared machine the separate medians of two cells
# measured a minute apart move with the machine (the SQLite floor of the
# apply took 184 ms and 255 ms in two runs of the same benchmark).
# Appends to pairs.tsv: A B pairs median_ratio median_diff_ms status.
pairs=$work/pairs.tsv
: >"$pairs"
pair() {
	local a=$1 b=$2 n=$3 i ca cb st
	ca=$(awk -F'\t' -v id="$a" '$1 == id && $11 == "ok" { print $13 }' "$results")
	cb=$(awk -F'\t' -v id="$b" '$1 == id && $11 == "ok" { print $13 }' "$results")
	[ -n "$ca" ] && [ -n "$cb" ] || return 0
	say "== pairs: $a / $b, $n alternated"
	mkdir -p "$work/pairs/$a"
	st=ok
	for ((i = 0; i < n; i++)); do
		local j=$work/pairs/$a/$i.json
		if [ $((i % 2)) = 0 ]; then
			hyperfine -N --style none --runs 1 --export-json "$j" \
				--prepare "bash $work/prep/$a.sh" --prepare "bash $work/prep/$b.sh" "$ca" "$cb" \
				>"$work/pairs/$a/$i.log" 2>&1 || st="failed: $(tail -n 1 "$work/pairs/$a/$i.log")"
		else
			hyperfine -N --style none --runs 1 --export-json "$j" \
				--prepare "bash $work/prep/$b.sh" --prepare "bash $work/prep/$a.sh" "$cb" "$ca" \
				>"$work/pairs/$a/$i.log" 2>&1 || st="failed: $(tail -n 1 "$work/pairs/$a/$i.log")"
		fi
		[ "$st" = ok ] || break
	done
	if [ "$st" = ok ]; then
		printf '%s\t%s\t%s\t%s\n' "$a" "$b" "$n" \
			"$("$py" "$here/compare_table.py" pairs "$work/pairs/$a" "$ca")" >>"$pairs"
		say "   $(tail -n 1 "$pairs" | cut -f 4,5 | tr '\t' ' ')"
	else
		printf '%s\t%s\t%s\t\t\t%s\n' "$a" "$b" "$n" "$st" >>"$pairs"
		say "   $st"
	fi
}
for eng in "${eng_list[@]}"; do
	if has "$sections" 1; then
		np=$R_PAIR_APPLY
		[ "$eng" = pg ] && np=$R_PAIR_APPLY_PG
		pair "$eng.apply.$LARGE.engine" "$eng.apply.$LARGE.floor" "$np"
		pair "$eng.apply.$LARGE.engine_loaded" "$eng.apply.$LARGE.floor" "$np"
	fi
	has "$sections" 2 && pair "$eng.noop.$GLARGE.engine" "$eng.noop.$GLARGE.floor" "$R_PAIR_FAST"
	# current answers from the kept heads: its net over the no-op floor is
	# a fraction of a millisecond, which only pairs can tell from noise
	if has "$sections" 2 && has "$sections" 3; then
		for n in "$GSMALL" "$GLARGE"; do
			pair "$eng.graph.$n.current" "$eng.noop.$n.floor" "$R_PAIR_FAST"
		done
	fi
	# the growth of the other graph cells is the ratio of their nets over
	# the client's start; at 1,000 revisions a net is a millisecond or two,
	# within the drift between two separate medians
	if has "$sections" 3; then
		for n in "$GSMALL" "$GLARGE"; do
			for op in heads history sql; do
				pair "$eng.graph.$n.$op" "$eng.graph.$n.base" "$R_PAIR_FAST"
			done
		done
	fi
done

# ------------------------------------------------------------ callgrind
cgdir=$work/cg
if [ "$callgrind" = 1 ] && has "$engs" sqlite; then
	if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
		say "valgrind not found: no callgrind profiles"
	else
		mkdir -p "$cgdir"
		# without debug information each function is one entry
		cp "$ext" "$cgdir/migrate.so"
		strip --strip-debug "$cgdir/migrate.so" 2>/dev/null || true
		# cgsim=(--cache-sim=yes) for the next profile: valgrind's model
		# of the first-level and last-level caches counts the misses too
		cgsim=()
		cg() { # cg NAME PREP SQLITE-ARGS...
			local name=$1 prep=$2
			shift 2
			say "== callgrind $name"
			bash -c "$prep" >/dev/null 2>&1
			valgrind --tool=callgrind "${cgsim[@]}" --callgrind-out-file="$cgdir/$name.out" sqlite3 "$@" \
				>/dev/null 2>"$cgdir/$name.log" || say "   valgrind failed: $cgdir/$name.log"
		}
		w=$(wl chain "$LARGE")
		# the apply's profiles simulate the caches: is the engine's extra
		# time over the floor its instructions, or memory the floor does
		# not touch?
		cgsim=(--cache-sim=yes)
		cg "apply_floor" "rm -f $cgdir/f.db" "$cgdir/f.db" BEGIN ".read $w/floor/up.sql" COMMIT
		cg "apply_engine" "cp $sdb/chainload_$LARGE.db $cgdir/e.db" "$cgdir/e.db" ".load $cgdir/migrate.so" "SELECT migrate_upgrade('heads')"
		cg "apply_engine_load" "rm -f $cgdir/l.db" "$cgdir/l.db" ".load $cgdir/migrate.so" "SELECT migrate_load('$w/migrate')" "SELECT migrate_upgrade('heads')"
		cgsim=()
		cg "apply_offline" "rm -f $cgdir/o.db" "$cgdir/o.db" BEGIN ".read $w/floor/offline_sqlite.sql" COMMIT
		for n in "$GSMALL" "$GLARGE"; do
			cg "noop_floor_$n" ":" "$sdb/up_$n/db.db" "SELECT version_num FROM alembic_version"
			cg "noop_engine_$n" ":" "$sdb/up_$n/db.db" ".load $cgdir/migrate.so" "SELECT migrate_upgrade('heads')"
			cg "base_$n" ":" "$sdb/load_$n.db" ".load $cgdir/migrate.so" "SELECT 1"
			cg "sql_$n" ":" "$sdb/load_$n.db" ".load $cgdir/migrate.so" "SELECT migrate_upgrade_sql('base:heads')"
		done
	fi
fi

# ------------------------------------------------------------ report
meta "total" "$(( ($(date +%s%N) - start_ns) / 1000000000 ))"
cgarg=()
[ "$callgrind" = 1 ] && [ -d "$cgdir" ] && cgarg=("$cgdir")
"$py" "$here/compare_table.py" report "$results" "$meta" "$pairs" "${cgarg[@]}"
exit 0
