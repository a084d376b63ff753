#!/bin/bash
# sql_names.t -- every name the engine puts into SQL is quoted by one
# function (mg_quote_ident in the core; %w in the SQLite host's
# sqlite3_mprintf; quote_identifier in the PostgreSQL host), never pasted
# between quotes by hand: the sources of the core and both hosts hold no
# SQL text with a quoted %s conversion ("%s", '%s', [%s], `%s`) outside
# error messages, and no sqlite3_mprintf SQL with %s (issue 18, finding
# 3: legacy_table went into SQL as FROM "%s").
. "$(dirname "$0")/lib.sh"

plan 3

cd "$MIGRATE_ROOT" || exit 1
sources=(core/*.c core/*.h sqlite_ext/*.c pg_ext/*.c)
sql='(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|FROM|INTO|JOIN|TABLE|PRAGMA|VALUES)'
messages='mg_error_(set|detail|hint|context)|errmsg|errdetail|errhint|errcontext|elog|ereport|snprintf\(e->message'

pasted=$(grep -nE "$sql" "${sources[@]}" |
	grep -E "\\\\\"%[-0-9.*]*s\\\\\"|'%[-0-9.*]*s'|\\[%[-0-9.*]*s\\]|\`%[-0-9.*]*s\`" |
	grep -vE "$messages")
is "$pasted" "" "no SQL text pastes a name between quotes"

mprintf=$(grep -nE "sqlite3_mprintf\(\"[^\"]*$sql[^\"]*%s" sqlite_ext/*.c)
is "$mprintf" "" "the SQLite host's SQL uses %w or %q, never %s"

# the check finds what it is for
probe=$(printf '%s\n' 'char *sql = mg_printf(ctx, "SELECT CAST(version AS TEXT) FROM \"%s\"", legacy);' |
	grep -E "$sql" | grep -E "\\\\\"%[-0-9.*]*s\\\\\"" | grep -vE "$messages")
ok "the check catches the pattern that let legacy_table through" [ -n "$probe" ]

done_testing
