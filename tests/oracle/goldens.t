#!/bin/bash
# goldens.t -- the golden files in tests/oracle/expected/ are Alembic's
# current answers on migrations/, and the same for any hash seed.
#
# Regenerates every file with regen.sh into a scratch directory, twice
# (PYTHONHASHSEED 0 and 1: Alembic itself is patched to be deterministic),
# and compares file by file.  A difference means migrations/ or the oracle
# changed without `tests/oracle/regen.sh` being run.  Then checks that the
# real alembic command line (alembic_cli.sh) prints the same as regen.py's
# in-process runs.
set -u

here=$(cd "$(dirname "$0")" && pwd)
expected=$here/expected
tmp=$(mktemp -d "${TMPDIR:-/tmp}/migrate-goldens.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

if [ ! -d "$expected" ]; then
	echo "1..0 # SKIP no golden files (run tests/oracle/regen.sh)"
	exit 0
fi

for seed in 0 1; do
	out=$tmp/seed$seed
	PYTHONHASHSEED=$seed "$here/regen.sh" "$out" >"$tmp/regen.log" 2>&1
	rc=$?
	ok $rc "regen.sh runs (PYTHONHASHSEED=$seed)"
	if [ $rc -ne 0 ]; then
		sed 's/^/# /' "$tmp/regen.log"
		continue
	fi
	want=$(cd "$expected" && find . -type f | sort)
	got=$(cd "$out" && find . -type f | sort)
	[ "$want" = "$got" ]
	ok $? "seed $seed: the same set of files"
	if [ "$want" != "$got" ]; then
		diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
	fi
	for f in $want; do
		f=${f#./}
		if [ -f "$out/$f" ] && cmp -s "$expected/$f" "$out/$f"; then
			ok 0 "seed $seed: $f"
		else
			ok 1 "seed $seed: $f"
			diff -u "$expected/$f" "$out/$f" 2>&1 | head -40 | sed 's/^/# /'
		fi
	done
done

# The command line agrees with the in-process runs of regen.py.
cli=$here/alembic_cli.sh
cli_is() {
	local name=$1 url=$2
	shift 2
	MIGRATE_ORACLE_URL=$url "$cli" "$@" >"$tmp/cli.out" 2>"$tmp/cli.err"
	cmp -s "$tmp/cli.out" "$expected/$name"
	ok $? "alembic_cli.sh $* prints expected/$name"
}
cli_is heads.txt sqlite:// heads
cli_is history.txt sqlite:// history
cli_is branches.txt sqlite:// branches
cli_is upgrade_heads_postgresql.sql postgresql:// upgrade heads --sql
cli_is downgrade_unmerge_sqlite.sql sqlite:// downgrade 9540a051226e:b182f655505f --sql
MIGRATE_ORACLE_URL=sqlite:// "$cli" upgrade 5555 >"$tmp/cli.out" 2>"$tmp/cli.err"
[ $? -eq 255 ]
ok $? "alembic_cli.sh upgrade 5555 fails with Alembic's status"
[ "$(cat "$tmp/cli.out")" = "FAILED: $(cat "$expected/errors/upgrade_5555.txt")" ]
ok $? "alembic_cli.sh upgrade 5555 prints FAILED: and expected/errors/upgrade_5555.txt"

# The files the engine's tests rely on are there and not empty.
for f in heads.txt history.txt branches.txt current_after_gxy_head.txt \
	history_indicate_current_after_gxy_head.txt upgrade_heads_sqlite.sql \
	upgrade_heads_postgresql.sql downgrade_unmerge_postgresql.sql \
	upgrade_gxy_head.log errors/upgrade_head.txt errors/upgrade_5555.txt \
	errors/upgrade_5555.detail.txt; do
	[ -s "$expected/$f" ]
	ok $? "expected/$f is present and not empty"
done

echo "1..$n"
[ $failed -eq 0 ]
