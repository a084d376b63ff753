#!/bin/bash
# check_log.t -- migrate_check()'s "changed:" lines, read from the log in
# one pass: an applied revision is judged by the checksum of its newest
# upgrade row (by log id), whatever came before or after it; revisions
# not applied, downgrade and stamp rows, and rows of revisions the
# catalog lacks are not judged.
. "$(dirname "$0")/lib.sh"

db=$TMP/c.db
sq_ok "load and upgrade" "$db" "SELECT migrate_load('$ENV_DIR'); SELECT migrate_upgrade('heads');"
sq "$db" "SELECT migrate_check();"
like "$OUT" "^ok: the database is at the heads" "at the heads: ok"

orig=$(sqlite3_run "$db" "SELECT checksum FROM migrate_catalog WHERE revision = 'c39f1de47a04'")
like "$orig" "^[0-9a-f]{16}$" "the catalog's checksum of c39f1de47a04"

# The catalog's copy edited behind the engine's back (a hand-made row).
sqlite3_run "$db" "UPDATE migrate_catalog SET checksum = '00000000000000aa' WHERE revision = 'c39f1de47a04'"
sq "$db" "SELECT migrate_check();"
has "$OUT" "changed: revision c39f1de47a04 was applied with checksum $orig; its script now has 00000000000000aa" \
	"an applied revision whose script changed is named, with both checksums"
is "$(count "$OUT" "changed:")" 1 "only that revision is reported"

# A newer upgrade row with the catalog's checksum: the newest row decides.
sqlite3_run "$db" "INSERT INTO migrate_log (revision, direction, from_revisions, to_revisions, run_at, duration_ms, checksum)
	VALUES ('c39f1de47a04', 'upgrade', '', '', '2030-01-01 00:00:00.000000', 1, '00000000000000aa')"
sq "$db" "SELECT migrate_check();"
like "$OUT" "^ok: the database is at the heads" "the newest upgrade row decides, not the first"

# Newer downgrade and stamp rows, and a row of an unknown revision, change nothing.
sqlite3_run "$db" "INSERT INTO migrate_log (revision, direction, from_revisions, to_revisions, run_at, duration_ms, checksum)
	VALUES ('c39f1de47a04', 'downgrade', '', '', '2030-01-02 00:00:00.000000', 1, 'ffffffffffffffff'),
	       ('c39f1de47a04', 'stamp', '', '', '2030-01-02 00:00:00.000000', 1, 'eeeeeeeeeeeeeeee'),
	       ('zz0000000000', 'upgrade', '', '', '2030-01-02 00:00:00.000000', 1, 'dddddddddddddddd'),
	       (NULL, 'upgrade', '', '', '2030-01-02 00:00:00.000000', 1, 'dddddddddddddddd')"
sq "$db" "SELECT migrate_check();"
like "$OUT" "^ok: the database is at the heads" "downgrade, stamp and unknown rows are not judged"

# A newest upgrade row without a checksum: nothing to compare.
sqlite3_run "$db" "INSERT INTO migrate_log (revision, direction, from_revisions, to_revisions, run_at, duration_ms, checksum)
	VALUES ('186d4835587b', 'upgrade', '', '', '2030-01-03 00:00:00.000000', 1, NULL);
	UPDATE migrate_catalog SET checksum = '00000000000000bb' WHERE revision = '186d4835587b'"
sq "$db" "SELECT migrate_check();"
like "$OUT" "^ok: the database is at the heads" "a newest upgrade row without checksum is not judged"

# A revision that is not applied is not judged, whatever its log says.
sq_ok "downgrade tsi" "$db" "SELECT migrate_downgrade('tsi@base');"
sqlite3_run "$db" "UPDATE migrate_catalog SET checksum = '00000000000000cc' WHERE revision = 'd4a650f47a3c'"
sq "$db" "SELECT migrate_check();"
lacks "$OUT" "changed:" "a revision downgraded since is not judged"
has "$OUT" "behind: head 5555bbbb0002 is not applied" "and the check says what is behind"

# A base revision (no parent) is judged like any other.
sqlite3_run "$db" "UPDATE migrate_catalog SET checksum = '00000000000000dd' WHERE revision = 'e7b6dcb09efd'"
sq "$db" "SELECT migrate_check();"
has "$OUT" "changed: revision e7b6dcb09efd was applied with checksum" "a base revision is judged too"

done_testing
