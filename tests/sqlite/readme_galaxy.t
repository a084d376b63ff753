#!/usr/bin/env bash
# readme_galaxy.t -- the README's sessions on named databases, run and
# compared.
#
# readme.t runs the blocks fenced ```sqlite3 on one database.  Blocks
# fenced ```sqlite3 NAME.db are sessions on the database NAME.db instead
# (Galaxy's combined and separate layouts need several): each named
# database lives for the whole README, in a scratch directory that also
# holds a copy of migrations/ (so examples may write revision files into
# it) and is the working directory of every statement (so ATTACH 'x.db'
# names another of them).  As in readme.t: "sqlite> SQL" (continued by
# "   ...> " lines) is run with the extension loaded, the lines after it
# are its expected output, errors are compared as "Runtime error: ...",
# and dot-commands other than .load stay in force for their block.
# "-- Create Date: <timestamp>" lines are the clock's: compared by shape.
set -u
root=${MIGRATE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
so=${MIGRATE_SO:-$root/sqlite_ext/migrate.so}
so=${so%.so}
case "$so" in /*) ;; *) so=$root/$so ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R "$root/migrations" "$tmp/migrations"
readme=$root/README.md

normalize() {
	sed -E 's/^(Runtime error near line [0-9]+: |Error: stepping, |Error: near line [0-9]+: |Parse error: )/Runtime error: /;
		s/^(-- Create Date: )[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}$/\1<timestamp>/'
}

n=0 fail=0
run_case() {
	local db=$1 stmt=$2 expected=$3 dots=$4 got
	[ -z "$stmt" ] && return
	n=$((n + 1))
	got=$(cd "$tmp" && printf '%s\n%s\n' "$dots" "$stmt" | sqlite3 -bail -cmd ".load $so" "$db" 2>&1 | normalize)
	expected=$(printf '%s\n' "$expected" | normalize)
	if [ "$got" == "$expected" ]; then
		echo "ok $n - $db: $(printf '%s' "$stmt" | head -n 1)"
	else
		fail=$((fail + 1))
		echo "not ok $n - $db: $(printf '%s' "$stmt" | head -n 1)"
		diff <(printf '%s\n' "$expected") <(printf '%s\n' "$got") | sed 's/^/# /'
	fi
}

in_block=0 db="" stmt="" expected="" dots="" first_out=1
while IFS= read -r line; do
	if [ $in_block -eq 0 ]; then
		if [[ $line =~ ^\`\`\`sqlite3\ ([A-Za-z0-9_.-]+\.db)$ ]]; then
			in_block=1 db=${BASH_REMATCH[1]} dots="" stmt="" expected=""
		fi
		continue
	fi
	if [ "$line" == '```' ]; then
		run_case "$db" "$stmt" "$expected" "$dots"
		in_block=0 stmt="" expected=""
		continue
	fi
	case "$line" in
	"sqlite> "*)
		run_case "$db" "$stmt" "$expected" "$dots"
		stmt=${line#sqlite> } expected="" first_out=1
		case "$stmt" in
		.load*) stmt="" ;;
		.*) dots="$dots"$'\n'"$stmt"; stmt="" ;;
		esac
		;;
	"   ...> "*)
		stmt="$stmt"$'\n'"${line#   ...> }"
		;;
	*)
		if [ $first_out -eq 1 ]; then expected=$line; first_out=0
		else expected="$expected"$'\n'"$line"; fi
		;;
	esac
done < "$readme"
echo "1..$n"
[ $n -gt 0 ] && [ $fail -eq 0 ]
