#!/bin/bash
# headcache.t -- the kept heads (migrate_catalog_heads) answer exactly as
# the graph does.
#
# The start-up check (migrate_upgrade on a database at its heads),
# migrate_heads() and migrate_current() read the kept heads instead of
# building the graph.  Each answer is compared with the same call on a
# copy whose kept heads were emptied (the graph's path).  Any change to
# the catalog -- migrate_add, or a hand edit -- must empty or rewrite
# them, and a write command that finds them empty fills them again.
. "$(dirname "$0")/lib.sh"

# kept DB: how many heads are kept (the row at pos -1 is the fingerprint)
kept() { sqlite3_run "$1" "SELECT count(*) FROM migrate_catalog_heads WHERE pos >= 0"; }

# answers DB: the answers the kept heads can give, as one text
answers() {
	sq "$1" "SELECT line, is_current, revision, down_revisions, branch_labels, depends_on, message, is_head, is_branchpoint, is_mergepoint FROM migrate_heads();" \
		"SELECT '--';" \
		"SELECT line, is_current, revision, down_revisions, branch_labels, depends_on, message, is_head, is_branchpoint, is_mergepoint FROM migrate_current();" \
		"SELECT '--';" \
		"SELECT migrate_current(1);"
	printf '%s\n%s' "$OUT" "$ERR"
}

# same_as_graph NAME DB: the answers of DB equal those of a copy without kept heads
same_as_graph() {
	local name=$1 db=$2 cold=$TMP/cold.db
	rm -f "$cold"
	cp "$db" "$cold"
	sqlite3_run "$cold" "DELETE FROM migrate_catalog_heads"
	local warm_answers cold_answers
	warm_answers=$(answers "$db")
	cold_answers=$(answers "$cold")
	is "$warm_answers" "$cold_answers" "$name: heads and current as the graph gives them"
	# the upgrade runs on copies: DB stays as it is
	cp "$db" "$TMP/warm.db"
	cp "$db" "$cold"
	sqlite3_run "$cold" "DELETE FROM migrate_catalog_heads"
	sq "$TMP/warm.db" "SELECT migrate_upgrade();"
	local warm_up="$OUT$ERR"
	sq "$cold" "SELECT migrate_upgrade();"
	is "$warm_up" "$OUT$ERR" "$name: migrate_upgrade() says the same"
}

# ------------------------------------------------------------ filled by migrate_load
db=$TMP/a.db
sq_ok "load the sample" "$db" "SELECT migrate_load('$MIGRATE_ROOT/migrations');"
is "$(kept "$db")" "2" "migrate_load keeps the two heads"
is "$(sqlite3_run "$db" "SELECT revision || ' ' || carried_labels FROM migrate_catalog_heads WHERE pos >= 0 ORDER BY pos")" \
	"a2e418ad6a15 gxy
5555bbbb0002 tsi" "each head with the labels it carries"
same_as_graph "empty version table" "$db"

# ------------------------------------------------------------ at the heads: the start-up check
sq_ok "upgrade to the heads" "$db" "SELECT migrate_upgrade();"
before=$(snapshot "$db")
sq "$db" "SELECT migrate_upgrade();"
is "$OUT" "nothing to do: the database is at a2e418ad6a15, 5555bbbb0002" "at the heads: nothing to do"
is "$(snapshot "$db")" "$before" "the check changes nothing (no log row)"
same_as_graph "at both heads" "$db"

# one branch behind: the kept heads cannot say "up to date"
sq_ok "gxy one step down" "$db" "SELECT migrate_downgrade('gxy@-1');"
same_as_graph "gxy one behind" "$db"
sq "$db" "SELECT migrate_upgrade();"
like "$OUT" "Running upgrade 6a67bf27e6a6 -> a2e418ad6a15" "one behind: the upgrade runs"

# ------------------------------------------------------------ held branches
g=$TMP/g.db
sq_ok "gxy-only database" "$g" "SELECT migrate_load('$MIGRATE_ROOT/migrations');" \
	"SELECT migrate_config('branches', 'gxy');" "SELECT migrate_upgrade();"
sq "$g" "SELECT migrate_upgrade();"
is "$OUT" "nothing to do: the database is at a2e418ad6a15" "held gxy at its head: nothing to do"
same_as_graph "held gxy" "$g"
sq_ok "hold a label no revision carries" "$g" "SELECT migrate_config('branches', 'gxy,nope');"
sq "$g" "SELECT migrate_upgrade();"
ok "unknown held label: still an error" [ "$RC" -ne 0 ]
has "$ERR" "setting \"branches\" names branch 'nope'" "the graph's error, not a kept-heads answer"

# ------------------------------------------------------------ changes to the catalog
envd=$TMP/env
write_rev "$envd" c1 a2e418ad6a15 "CREATE TABLE c1 (a);" "DROP TABLE c1;"
sq_ok "add a revision on gxy" "$db" "SELECT migrate_add(readfile('$envd/c1_rev.sql'));"
is "$(sqlite3_run "$db" "SELECT group_concat(revision, ' ') FROM (SELECT revision FROM migrate_catalog_heads WHERE pos >= 0 ORDER BY pos)")" \
	"5555bbbb0002 c1" "migrate_add rewrites the kept heads"
sq "$db" "SELECT migrate_upgrade();"
like "$OUT" "Running upgrade a2e418ad6a15 -> c1" "the new head is upgraded to"
same_as_graph "after migrate_add" "$db"

sqlite3_run "$db" "UPDATE migrate_catalog SET message = message || '!' WHERE revision = 'c1'"
is "$(kept "$db")" "0" "a hand UPDATE of the catalog empties the kept heads"
sqlite3_run "$db" "DELETE FROM migrate_catalog WHERE revision = 'c1'"
sq "$db" "SELECT line FROM migrate_heads();"
is "$OUT" "a2e418ad6a15 (gxy) (head)
5555bbbb0002 (tsi) (head)" "after a hand DELETE, heads come from the graph"
sq "$db" "SELECT line FROM migrate_current();"
is "$OUT" "c39f1de47a04
5555bbbb0002 (head)
c1 (unknown: not in the catalog)" "current from the graph: tsi's dependency on gxy, and the unknown row"
ok "read-only calls do not fill the kept heads" [ "$(kept "$db")" = 0 ]
sq_ok "back to a2e418ad6a15 by stamp" "$db" "SELECT migrate_stamp('a2e418ad6a15', 1);" "SELECT migrate_stamp('5555bbbb0002');"
is "$(kept "$db")" "2" "a write command that built the graph fills them again"
same_as_graph "after the repair" "$db"
sqlite3_run "$db" "INSERT INTO migrate_catalog (revision, down_revisions, checksum, script, added_at) VALUES ('zz', '5555bbbb0002', 'x', '', '')"
is "$(kept "$db")" "0" "a hand INSERT empties them"

# ------------------------------------------------------------ a database from before the kept heads
o=$TMP/old.db
sq_ok "load and upgrade" "$o" "SELECT migrate_load('$MIGRATE_ROOT/migrations');" "SELECT migrate_upgrade();"
sqlite3_run "$o" "DROP TABLE migrate_catalog_heads; DROP TRIGGER migrate_catalog_INSERT; DROP TRIGGER migrate_catalog_UPDATE; DROP TRIGGER migrate_catalog_DELETE"
sq "$o" "SELECT line FROM migrate_heads();"
is "$OUT" "a2e418ad6a15 (gxy) (head)
5555bbbb0002 (tsi) (head)" "without the table, reads build the graph"
ok "a read creates nothing" [ -z "$(sqlite3_run "$o" "SELECT name FROM sqlite_master WHERE name = 'migrate_catalog_heads'")" ]
sq "$o" "SELECT migrate_upgrade();"
is "$OUT" "nothing to do: the database is at a2e418ad6a15, 5555bbbb0002" "upgrade works"
is "$(kept "$o")" "2" "and the write command adds the table and fills it"
is "$(sqlite3_run "$o" "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")" "3" "with its triggers"

done_testing
