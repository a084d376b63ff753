#!/usr/bin/env bash
# readme_alembic.t -- the README's "Coming from Alembic" examples, run and compared.
#
# The section's examples work on a copy of the test project
# tests/fromalembic/shop (its alembic.ini gets sqlalchemy.url =
# sqlite:///shop.sqlite) and of tests/fromalembic/datafix (as datafix/), in
# a scratch directory that is the working directory of every example, with
# tools/migrate-from-alembic and an `alembic` command (Debian's python3 -m
# alembic) on PATH.  Blocks run in the order of the section:
#   ```console           "$ COMMAND" lines run by bash (stderr merged into
#                        stdout); the lines after one, up to the next
#                        prompt, are its expected output;
#   ```sqlite3 NAME.sqlite
#                        sqlite3 sessions on NAME.sqlite, as in readme.t
#                        ("sqlite> SQL", "   ...> " continuations, .load
#                        lines skipped: the extension is loaded for them).
# (readme.t and readme_galaxy.t leave these fences alone.)  "-- Create
# Date:" timestamps are compared by shape, since migrate_revision_write
# writes the clock's.
set -u
root=${MIGRATE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
so=${MIGRATE_SO:-$root/sqlite_ext/migrate.so}
so=${so%.so}
case "$so" in /*) ;; *) so=$root/$so ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cp "$root/tests/fromalembic/shop/alembic.ini" "$tmp/"
cp -R "$root/tests/fromalembic/shop/alembic" "$tmp/alembic"
echo 'sqlalchemy.url = sqlite:///%(here)s/shop.sqlite' >>"$tmp/alembic.ini"
mkdir "$tmp/datafix" "$tmp/bin"
cp -R "$root/tests/fromalembic/datafix/." "$tmp/datafix/"
ln -s "$root/tools/migrate-from-alembic" "$tmp/bin/migrate-from-alembic"
printf '#!/bin/sh\nexec /usr/bin/python3 -m alembic "$@"\n' >"$tmp/bin/alembic"
chmod +x "$tmp/bin/alembic"
export PATH="$tmp/bin:$PATH"

normalize() {
	sed -E 's/^(Runtime error near line [0-9]+: |Error: stepping, |Error: near line [0-9]+: |Parse error: )/Runtime error: /;
		s/^(-- Create Date: )[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}$/\1<timestamp>/'
}

n=0 fail=0
report() {	# report NAME EXPECTED GOT
	n=$((n + 1))
	if [ "$2" == "$3" ]; then
		echo "ok $n - $1"
	else
		fail=$((fail + 1))
		echo "not ok $n - $1"
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/# /'
	fi
}

run_case() {	# run_case KIND DB STMT EXPECTED DOTS
	local kind=$1 db=$2 stmt=$3 expected=$4 dots=$5 got
	[ -z "$stmt" ] && return
	if [ "$kind" = console ]; then
		got=$(cd "$tmp" && bash -c "$stmt" 2>&1 | normalize)
		report "\$ $stmt" "$(printf '%s\n' "$expected" | normalize)" "$got"
	else
		got=$(cd "$tmp" && printf '%s\n%s\n' "$dots" "$stmt" | sqlite3 -bail -cmd ".load $so" "$db" 2>&1 | normalize)
		report "$db: $(printf '%s' "$stmt" | head -n 1)" "$(printf '%s\n' "$expected" | normalize)" "$got"
	fi
}

section=$(awk '/^## Coming from Alembic$/ { on = 1; print; next } on && /^## / { exit } on' "$root/README.md")
[ -n "$section" ] || { echo "1..1"; echo "not ok 1 - README has a section \"Coming from Alembic\""; exit 1; }

kind="" db="" stmt="" expected="" dots="" first_out=1
while IFS= read -r line; do
	if [ -z "$kind" ]; then
		if [ "$line" == '```console' ]; then
			kind=console stmt="" expected=""
		elif [[ $line =~ ^\`\`\`sqlite3\ ([A-Za-z0-9_.-]+\.sqlite)$ ]]; then
			kind=sqlite db=${BASH_REMATCH[1]} dots="" stmt="" expected=""
		fi
		continue
	fi
	if [ "$line" == '```' ]; then
		run_case "$kind" "$db" "$stmt" "$expected" "$dots"
		kind="" stmt="" expected=""
		continue
	fi
	if [ "$kind" = console ] && [[ $line == '$ '* ]]; then
		run_case "$kind" "$db" "$stmt" "$expected" "$dots"
		stmt=${line#\$ } expected="" first_out=1
		continue
	fi
	if [ "$kind" = sqlite ]; then
		case "$line" in
		"sqlite> "*)
			run_case "$kind" "$db" "$stmt" "$expected" "$dots"
			stmt=${line#sqlite> } expected="" first_out=1
			case "$stmt" in
			.load*) stmt="" ;;
			.*) dots="$dots"$'\n'"$stmt"; stmt="" ;;
			esac
			continue
			;;
		"   ...> "*)
			stmt="$stmt"$'\n'"${line#   ...> }"
			continue
			;;
		esac
	fi
	if [ $first_out -eq 1 ]; then expected=$line; first_out=0
	else expected="$expected"$'\n'"$line"; fi
done <<<"$section"
echo "1..$n"
[ $fail -eq 0 ]
