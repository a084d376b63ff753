#!/usr/bin/env bash
# readme.t -- every sqlite3 example in README.md, run and compared.
#
# README blocks fenced as ```sqlite3 are sessions: a line "sqlite> SQL"
# (continued by "   ...> " lines) is run with the extension loaded, and
# the lines after it, up to the next prompt, are its expected output.
# All blocks run in order against one database, from the repository
# root, so the README reads as one session.  Dot-commands other than
# .load stay in force for the rest of their block.  The sqlite3 shell
# words an error differently interactively and in batch; both are
# compared as "Runtime error: <message>".  A time the engine writes
# (drift's "applied on 2026-12-07 03:38:23 UTC") is compared as
# "<time> UTC", the checkout's directory (a relative path's base in an
# error) as "/home/dba/app".
set -u
root=${MIGRATE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
so=${MIGRATE_SO:-$root/sqlite_ext/migrate.so}
so=${so%.so}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/readme.db
cd "$root" || exit 1

normalize() {
	sed -E 's/^(Runtime error near line [0-9]+: |Error: stepping, |Error: near line [0-9]+: |Parse error: )/Runtime error: /;
		s/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC/<time> UTC/g' |
		# the directory a relative path was looked up from: the checkout's, "/home/dba/app" in the README
		awk -v root="\"$root\"" '{ i = index($0, root); if (i) $0 = substr($0, 1, i - 1) "\"/home/dba/app\"" substr($0, i + length(root)); print }'
}

n=0 fail=0
run_case() {
	local stmt=$1 expected=$2 dots=$3 got
	[ -z "$stmt" ] && return
	n=$((n + 1))
	got=$(printf '%s\n%s\n' "$dots" "$stmt" | sqlite3 -bail -cmd ".load $so" "$db" 2>&1 | normalize)
	if [ "$got" == "$expected" ]; then
		echo "ok $n - $(printf '%s' "$stmt" | head -n 1)"
	else
		fail=$((fail + 1))
		echo "not ok $n - $(printf '%s' "$stmt" | head -n 1)"
		diff <(printf '%s\n' "$expected") <(printf '%s\n' "$got") | sed 's/^/# /'
	fi
}

in_block=0 stmt="" expected="" dots="" first_out=1
while IFS= read -r line; do
	if [ $in_block -eq 0 ]; then
		[ "$line" == '```sqlite3' ] && { in_block=1; dots=""; stmt=""; expected=""; }
		continue
	fi
	if [ "$line" == '```' ]; then
		run_case "$stmt" "$expected" "$dots"
		in_block=0 stmt="" expected=""
		continue
	fi
	case "$line" in
	"sqlite> "*)
		run_case "$stmt" "$expected" "$dots"
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
done < README.md
echo "1..$n"
[ $fail -eq 0 ]
