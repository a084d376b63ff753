#!/bin/bash
# manual.t -- the examples of the extension's manual (the header comment of
# sqlite_ext/migrate.c, section EXAMPLES) are run and their output compared.
#
# A line " *     sqlite> SQL" is run, from the repository root, on one
# database shared by all examples in order; the lines after it, up to a
# blank comment line, are its expected output.  Errors are compared as
# "Runtime error: <message>" plus their DETAIL/HINT/CONTEXT lines.
. "$(dirname "$0")/lib.sh"

src=$MIGRATE_ROOT/sqlite_ext/migrate.c
db=$TMP/manual.db

# The EXAMPLES section, without the comment's leading " *     ".
examples=$(sed -n '/^ \* EXAMPLES$/,/^ \* Errors read as in psql/p' "$src" |
	sed -E 's/^ \*( {5}|$)//')

normalize() {
	sed -E '1s/^(Runtime error near line [0-9]+|Error: stepping|Error: near line [0-9]+|Parse error near line [0-9]+): /Runtime error: /'
}

n_examples=0
run_example() {	# sql expected
	[ -n "$1" ] || return 0
	n_examples=$((n_examples + 1))
	got=$(cd "$MIGRATE_ROOT" &&
		printf '%s\n' "$1" |
		sqlite3_run -batch -cmd ".load '$MIGRATE_EXT' sqlite3_migrate_init" "$db" 2>&1 |
		normalize)
	is "$got" "$2" "manual: $1"
}

sql="" expected="" in_output=0
while IFS= read -r line; do
	case "$line" in
	"sqlite> "*)
		run_example "$sql" "$expected"
		sql=${line#sqlite> } expected="" in_output=1
		;;
	"")
		run_example "$sql" "$expected"
		sql="" expected="" in_output=0
		;;
	*)
		if [ "$in_output" -eq 1 ]; then
			expected=${expected:+$expected$'\n'}$line
		fi
		;;
	esac
done <<<"$examples"
run_example "$sql" "$expected"
ok "the manual has examples" [ "$n_examples" -ge 8 ]

done_testing
