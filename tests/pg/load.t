#!/bin/bash
# load.t -- migrate_load reads server files: text the server may not store
# (not UTF-8) is refused before PostgreSQL sees it, with PostgreSQL's words
# plus the file, the line and the byte offset, and nothing is added.
. "$(dirname "$0")/lib.sh"

plan 4

envd=$TMP/env
write_rev "$envd" r1 "" "CREATE TABLE t1 (a int);" "DROP TABLE t1;"
write_rev "$envd" r2 r1 "-- caf$(printf '\xe9') in Latin-1
CREATE TABLE t2 (a int);" "DROP TABLE t2;"

fresh_db load_bytes
pq load_bytes "SELECT migrate_load('$envd');"
ok "a script that is not valid UTF-8 is refused" [ "$RC" -ne 0 ]
is "$(errmsg)" 'invalid byte sequence for encoding "UTF8": 0xe9 0x20 0x69 in revision script "r2_rev.sql" at line 7, byte offset 78' "with PostgreSQL's message, the file, the line and the byte offset"
is "$(val load_bytes "SELECT count(*) FROM migrate.migrate_catalog")" "0" "and nothing is added, r1 neither"

write_rev "$envd" r2 r1 "-- café in UTF-8
CREATE TABLE t2 (a int);" "DROP TABLE t2;"
pq load_bytes "SELECT migrate_load('$envd');"
is "$OUT" "2 revisions: 2 added, 0 replaced, 0 unchanged" "in UTF-8 it loads"

done_testing
