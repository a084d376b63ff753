#!/bin/bash
# graph.t -- migrate_graph(): DOT text that Graphviz parses, with exactly
# the sample environment's nodes and edges, its markers (labels, tags,
# heads, current, branch and merge points, dependencies), the bases at
# the top, collapsed chains, hostile strings, and its errors.
. "$(dirname "$0")/lib.sh"

LOAD="SELECT migrate_load('$ENV_DIR');"
have_dot=0
command -v dot >/dev/null 2>&1 && have_dot=1
# plain FILE: dot's own reading of the graph (-Tplain); RC and ERR as sq's
plain() {
	dot -Tplain "$1" >"$TMP/.plain" 2>"$TMP/.dot_err"
	RC=$?
	PLAIN=$(<"$TMP/.plain")
	ERR=$(<"$TMP/.dot_err")
}
# dot_ok NAME FILE: dot reads FILE without a warning
dot_ok() {
	if [ $have_dot -eq 0 ]; then
		skip "$1" "graphviz is not installed (make test installs it)"
		return
	fi
	plain "$2"
	if [ "$RC" -eq 0 ] && [ -z "$ERR" ]; then
		_tap_result 0 "$1"
	else
		_tap_result 1 "$1"
		diag "dot: exit $RC"
		diag "$ERR"
	fi
}

db=$TMP/g.db
sq_ok "load, upgrade gxy to the release_22.05 merge" "$db" "$LOAD" "SELECT migrate_upgrade('release_22.05');"
sq "$db" "SELECT migrate_graph();"
printf '%s\n' "$OUT" >"$TMP/g.dot"
graph=$OUT
like "$graph" $'^digraph migrate \\{\n' "a digraph"
sq "$db" "SELECT migrate_graph('dot');"
is "$OUT" "$graph" "the default format is 'dot'"
sq "$db" "SELECT migrate_graph(NULL);"
is "$OUT" "$graph" "NULL is the default"
sq "$db" "SELECT migrate_graph();"
is "$OUT" "$graph" "deterministic: the same text every time"
before=$(snapshot "$db")
dot_ok "dot parses it without a warning" "$TMP/g.dot"
if [ $have_dot -eq 1 ]; then
	is "$(printf '%s\n' "$PLAIN" | awk '$1 == "node" { gsub(/"/, "", $2); print $2 }' | sort)" \
		"$(printf '%s\n' 186d4835587b 3a2d6b1c9e0f 5555bbbb0001 5555bbbb0002 6a67bf27e6a6 9540a051226e \
			a2e418ad6a15 b182f655505f c39f1de47a04 d4a650f47a3c e7b6dcb09efd)" \
		"exactly the sample environment's eleven revisions as nodes"
	is "$(printf '%s\n' "$PLAIN" | awk '$1 == "edge" { gsub(/"/, ""); print $2 " -> " $3 }' | sort)" \
		"$(printf '%s\n' "186d4835587b -> 9540a051226e" "3a2d6b1c9e0f -> 5555bbbb0001" \
			"5555bbbb0001 -> 5555bbbb0002" "6a67bf27e6a6 -> a2e418ad6a15" "9540a051226e -> 6a67bf27e6a6" \
			"b182f655505f -> 186d4835587b" "b182f655505f -> c39f1de47a04" "c39f1de47a04 -> 5555bbbb0001" \
			"c39f1de47a04 -> 9540a051226e" "d4a650f47a3c -> 3a2d6b1c9e0f" "e7b6dcb09efd -> b182f655505f" | sort)" \
		"exactly its eleven edges: ten down revisions and one dependency, parent to child"
	top=$(printf '%s\n' "$PLAIN" | awk '$1 == "node" { gsub(/"/, "", $2); print $4, $2 }' | sort -rn |
		awk 'NR == 1 { y = $1 } $1 == y { print $2 }' | sort | tr '\n' ' ')
	is "$top" "d4a650f47a3c e7b6dcb09efd " "the two bases are at the top, side by side"
	bottom=$(printf '%s\n' "$PLAIN" | awk '$1 == "node" { gsub(/"/, "", $2); print $4, $2 }' | sort -n | head -n 1 | cut -d' ' -f2)
	is "$bottom" "a2e418ad6a15" "the gxy head at the bottom"
else
	for t in nodes edges top bottom; do skip "graph $t" "graphviz is not installed"; done
fi
is "$(snapshot "$db")" "$before" "drawing changes nothing"

# the markers, as DOT attributes and as words in the label
line() {	# line REV: the node statement of REV in the DOT text
	printf '%s\n' "$graph" | grep -F "	\"$1\" [label="
}
is "$(line e7b6dcb09efd)" '	"e7b6dcb09efd" [label="e7b6dcb09efd (gxy)\ncreate gxy base"];' \
	"a base: id, declared branch label, message"
is "$(line 9540a051226e)" '	"9540a051226e" [label="9540a051226e (current) (mergepoint)\nmerge job and dataset\ntags: release_22.05", penwidth=2, color="#3b6fb6", style="rounded,filled", fillcolor="#c6efce"];' \
	"the current merge point: filled, a thick blue border, its release tag"
is "$(line b182f655505f)" '	"b182f655505f" [label="b182f655505f (branchpoint)\nadd user table", penwidth=2, color="#d9822b"];' \
	"the branch point: a thick orange border"
is "$(line a2e418ad6a15)" '	"a2e418ad6a15" [label="a2e418ad6a15 (head)\nadd job queue index\ntags: release_23.0", peripheries=2];' \
	"a head: a double border"
is "$(line 5555bbbb0001)" '	"5555bbbb0001" [label="5555bbbb0001\ntsi needs gxy job table"];' \
	"a plain revision: a plain box (its label is inherited, not declared)"
has "$graph" '	"c39f1de47a04" -> "5555bbbb0001" [style=dashed, label="depends on"];' "a dependency: a dashed edge"
has "$graph" '	{ rank=min; "e7b6dcb09efd"; "d4a650f47a3c"; }' "the bases pinned to the first rank"
is "$(printf '%s\n' "$graph" | grep -c -- ' -> ')" 11 "eleven edge statements"
is "$(printf '%s\n' "$graph" | grep -n -- '\[label=' | cut -d: -f1 | tr '\n' ' ')" "5 6 7 8 9 10 11 12 13 14 15 " \
	"nodes come first, in catalog order"
is "$(printf '%s\n' "$graph" | grep -F '[label=' | sed -E 's/^\t"([^"]+)".*/\1/' | tr '\n' ' ')" \
	"186d4835587b 6a67bf27e6a6 9540a051226e a2e418ad6a15 b182f655505f c39f1de47a04 e7b6dcb09efd 3a2d6b1c9e0f 5555bbbb0001 5555bbbb0002 d4a650f47a3c " \
	"catalog order"

# ------------------------------------------------------------ collapsed chains
sq "$db" "SELECT migrate_graph('dot-collapsed');"
printf '%s\n' "$OUT" >"$TMP/c.dot"
collapsed=$OUT
dot_ok "the collapsed graph parses" "$TMP/c.dot"
is "$(printf '%s\n' "$collapsed" | grep -F '[label=' | grep -vF ' -> ' | sed -E 's/^\t"([^"]+)".*/\1/' | tr '\n' ' ')" \
	"9540a051226e a2e418ad6a15 b182f655505f c39f1de47a04 e7b6dcb09efd 5555bbbb0001 5555bbbb0002 d4a650f47a3c " \
	"collapsed: the plain revisions 186d, 6a67 and 3a2d are hidden; the dependency's ends stay"
has "$collapsed" '	"b182f655505f" -> "9540a051226e" [label="1 revision", style=bold];' "a hidden revision becomes a counted edge"
has "$collapsed" '	"d4a650f47a3c" -> "5555bbbb0001" [label="1 revision", style=bold];' "on the other branch too"
has "$collapsed" '	"c39f1de47a04" -> "9540a051226e";' "edges between kept revisions stay plain"

chain=$TMP/chain
prev=""
for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
	extra=""
	[ "$i" = 06 ] && extra="-- Tags: release_1.0"
	write_rev "$chain" "c$i" "$prev" "SELECT 1;" "SELECT 1;" "$extra"
	prev="c$i"
done
cdb=$TMP/chain.db
sq_ok "a chain of twelve with a tag in the middle" "$cdb" "SELECT migrate_load('$chain');" "SELECT migrate_upgrade('c03');"
sq "$cdb" "SELECT migrate_graph('dot-collapsed');"
printf '%s\n' "$OUT" >"$TMP/chain.dot"
dot_ok "it parses" "$TMP/chain.dot"
is "$(printf '%s\n' "$OUT" | grep -- ' -> ')" '	"c01" -> "c03" [label="1 revision", style=bold];
	"c03" -> "c06" [label="2 revisions", style=bold];
	"c06" -> "c12" [label="5 revisions", style=bold];' \
	"base, current, tagged and head revisions stay; each run between them is one edge with its count"
sq "$cdb" "SELECT count(*) FROM (SELECT 1) WHERE migrate_graph() LIKE '%\"c02\" -> \"c03\"%';"
is "$OUT" 1 "uncollapsed, every revision is there"

# ------------------------------------------------------------ hostile strings, unknown rows, errors
hdb=$TMP/h.db
hostile=$TMP/hostile
write_rev "$hostile" h1 "" "SELECT 1;" "SELECT 1;"
sed -i '1s/.*/-- a "quoted" \\ back\\slash } ]; digraph x {/' "$hostile/h1_rev.sql"
sq_ok "a message with quotes, backslashes and DOT syntax" "$hdb" "SELECT migrate_load('$hostile');" \
	"SELECT migrate_upgrade();" "INSERT INTO alembic_version VALUES ('zz\"9');"
sq "$hdb" "SELECT migrate_graph();"
printf '%s\n' "$OUT" >"$TMP/h.dot"
has "$OUT" '"h1 (head) (current)\na \"quoted\" \\ back\\slash } ]; digraph x {"' "quotes and backslashes are escaped"
has "$OUT" '	"zz\"9" [label="zz\"9 (current)\nunknown: not in the catalog", style="rounded,dashed"];' \
	"a version row the catalog lacks: a dashed node, its name escaped"
dot_ok "dot parses it" "$TMP/h.dot"
if [ $have_dot -eq 1 ]; then
	is "$(printf '%s\n' "$PLAIN" | awk '$1 == "node"' | wc -l)" 2 "still exactly two nodes"
else
	skip "two nodes" "graphviz is not installed"
fi
sq "$db" "SELECT migrate_graph('png');"
ok "an unknown format fails" [ "$RC" -ne 0 ]
is "$ERR" 'Runtime error near line 1: unknown graph format "png"
DETAIL:  The formats are "dot" (every revision) and "dot-collapsed" (each chain of plain revisions drawn as one edge with their number).
HINT:  Call migrate_graph() or migrate_graph('"'"'dot-collapsed'"'"').' "naming the format and the known ones"
edb=$TMP/e.db
sq "$edb" "SELECT migrate_graph();"
is "$OUT" 'digraph migrate {
	graph [rankdir=TB, fontname="Helvetica"];
	node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];
	edge [fontname="Helvetica", fontsize=9];
}' "an empty catalog: an empty graph"

done_testing
