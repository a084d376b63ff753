/*
 * test_resolve.c -- identifiers (resolve.c) against Alembic 1.8.1.
 *
 * mg_resolve is Alembic's get_revisions, mg_resolve_one its get_revision,
 * mg_resolve_upgrade_target / mg_resolve_downgrade_target its
 * _parse_upgrade_target / _parse_downgrade_target.  Every expected answer
 * below is what Alembic returned for the same identifier on the same
 * graph (graph_fixture.h); errors are compared on the message (Alembic's
 * CLI text: the CommandError that ScriptDirectory raises) and, where
 * Alembic hides a ResolutionError behind "Can't locate revision
 * identified by ...", on the start of the engine's detail, which must
 * be that hidden reason.  Release tags are the engine's addition
 * (DESIGN.md) and are tested on their own.
 */
#include "graph_fixture.h"

typedef struct resolve_case {
	const fx_graph *g;
	const char *ident;
	const char *revs;       /* space-separated ids; NULL when an error */
	const char *message;    /* the error's message */
	const char *detail;     /* start of the error's detail; NULL: not checked */
} resolve_case;

typedef struct target_case {
	const fx_graph *g;
	const char *current;    /* version rows, space-separated */
	const char *target;
	const char *branch;     /* downgrade: the branch label returned */
	const char *revs;       /* NULL when an error */
	const char *message;
	const char *detail;
} target_case;

/* ScriptDirectory.get_revisions(ident) (message: the CommandError text;
 * detail: the ResolutionError it wraps, without Alembic's trailing "...").
 * "base" in Alembic's answer (a walk below a base) is the empty list. */
static const resolve_case resolve_cases[] = {
	{&fx_sample, "e7b6dcb09efd", "e7b6dcb09efd", NULL, NULL},
	{&fx_sample, "e7b6", "e7b6dcb09efd", NULL, NULL},
	{&fx_sample, "e7b", "e7b6dcb09efd", NULL, NULL},
	{&fx_sample, "e7", "e7b6dcb09efd", NULL, NULL},
	{&fx_sample, "9", "9540a051226e", NULL, NULL},
	{&fx_sample, "95", "9540a051226e", NULL, NULL},
	{&fx_sample, "5555", NULL, "Can't locate revision identified by '5555'", "Multiple revisions start with '5555': '5555bbbb0001', '5555bbbb0002'"},
	{&fx_sample, "5555bbbb", NULL, "Can't locate revision identified by '5555bbbb'", "Multiple revisions start with '5555bbbb': '5555bbbb0001', '5555bbbb0002'"},
	{&fx_sample, "5555bbbb0001", "5555bbbb0001", NULL, NULL},
	{&fx_sample, "d4", "d4a650f47a3c", NULL, NULL},
	{&fx_sample, "3a2d6b1c9e0f", "3a2d6b1c9e0f", NULL, NULL},
	{&fx_sample, "gxy", "e7b6dcb09efd", NULL, NULL},
	{&fx_sample, "tsi", "d4a650f47a3c", NULL, NULL},
	{&fx_sample, "head", NULL, "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads", NULL},
	{&fx_sample, "heads", "a2e418ad6a15 5555bbbb0002", NULL, NULL},
	{&fx_sample, "base", "", NULL, NULL},
	{&fx_sample, "gxy@head", "a2e418ad6a15", NULL, NULL},
	{&fx_sample, "tsi@head", "5555bbbb0002", NULL, NULL},
	{&fx_sample, "gxy@heads", "a2e418ad6a15", NULL, NULL},
	{&fx_sample, "tsi@heads", "5555bbbb0002", NULL, NULL},
	{&fx_sample, "gxy@base", "", NULL, NULL},
	{&fx_sample, "tsi@base", "", NULL, NULL},
	{&fx_sample, "gxy@b182", "b182f655505f", NULL, NULL},
	{&fx_sample, "gxy@b1", "b182f655505f", NULL, NULL},
	{&fx_sample, "tsi@b182", NULL, "Can't locate revision identified by 'b182'", "No such revision or branch 'b182'"},
	{&fx_sample, "gxy@5555", NULL, "Can't locate revision identified by '5555'", "No such revision or branch '5555'"},
	{&fx_sample, "tsi@5555", NULL, "Can't locate revision identified by '5555'", "Multiple revisions start with '5555': '5555bbbb0001', '5555bbbb0002'"},
	{&fx_sample, "c39f1de47a04@head", "a2e418ad6a15", NULL, NULL},
	{&fx_sample, "c39f1de47a04@heads", "a2e418ad6a15", NULL, NULL},
	{&fx_sample, "nope@head", NULL, "Can't locate revision identified by 'nope'", "No such revision or branch 'nope'"},
	{&fx_sample, "nope@e7b6", NULL, "Can't locate revision identified by 'nope'", "No such branch: 'nope'"},
	{&fx_sample, "zzzz", NULL, "Can't locate revision identified by 'zzzz'", "No such revision or branch 'zzzz'"},
	{&fx_sample, "xyz", NULL, "Can't locate revision identified by 'xyz'", "No such revision or branch 'xyz'; please ensure at least four characters are present for partial revision identifier matches"},
	{&fx_sample, "gxy@-1", "6a67bf27e6a6", NULL, NULL},
	{&fx_sample, "gxy@-2", "9540a051226e", NULL, NULL},
	{&fx_sample, "tsi@-1", "5555bbbb0001", NULL, NULL},
	{&fx_sample, "-1", "6a67bf27e6a6 5555bbbb0001", NULL, NULL},
	{&fx_sample, "gxy@gxy", "e7b6dcb09efd", NULL, NULL},
	{&fx_sample, "gxy@tsi", NULL, "Can't locate revision identified by 'tsi'", "Revision d4a650f47a3c is not a member of branch 'gxy'"},
	{&fx_sample, "tsi@c39f", NULL, "Can't locate revision identified by 'c39f'", "No such revision or branch 'c39f'"},
	{&fx_sample, "b182f655505f@head", "a2e418ad6a15", NULL, NULL},
	{&fx_sample, "5555bbbb0001@head", "5555bbbb0002", NULL, NULL},
	{&fx_sample, "d4a6@head", "5555bbbb0002", NULL, NULL},
	{&fx_bases, "aaa", NULL, "Can't locate revision identified by 'aaa'", "Multiple revisions start with 'aaa': 'aaa1', 'aaa2', 'aaa3'"},
	{&fx_bases, "aa", NULL, "Can't locate revision identified by 'aa'", "Multiple revisions start with 'aa': 'aaa1', 'aaa2', 'aaa3'"},
	{&fx_bases, "aaa1", "aaa1", NULL, NULL},
	{&fx_bases, "alpha", "aaa1", NULL, NULL},
	{&fx_bases, "alpha2", "aaa2", NULL, NULL},
	{&fx_bases, "alph", NULL, "Can't locate revision identified by 'alph'", NULL},
	{&fx_bases, "bet", "bbb1", NULL, NULL},
	{&fx_bases, "brav", "bbb1", NULL, NULL},
	{&fx_bases, "bravo", "bbb1", NULL, NULL},
	{&fx_bases, "beta@head", "bbb2", NULL, NULL},
	{&fx_bases, "bravo@head", "bbb2", NULL, NULL},
	{&fx_bases, "alpha@head", "aaa3", NULL, NULL},
	{&fx_bases, "alpha2@head", "aaa3", NULL, NULL},
	{&fx_bases, "alpha@base", "", NULL, NULL},
	{&fx_bases, "alpha2@base", "", NULL, NULL},
	{&fx_bases, "ccc1@head", NULL, "Multiple head revisions are present for given argument 'ccc1@head'; please specify a specific target revision, '<branchname>@ccc1@head' to narrow to a specific head, or 'heads' for all heads", NULL},
	{&fx_bases, "ccc1@heads", "ccc2 ccc3", NULL, NULL},
	{&fx_bases, "heads", "aaa3 bbb2 ccc2 ccc3", NULL, NULL},
	{&fx_bases, "head", NULL, "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads", NULL},
	{&fx_bases, "ccc", NULL, "Can't locate revision identified by 'ccc'", "Multiple revisions start with 'ccc': 'ccc1', 'ccc2', 'ccc3'"},
	{&fx_bases, "ccc2", "ccc2", NULL, NULL},
	{&fx_bases, "alpha@ccc2", NULL, "Can't locate revision identified by 'ccc2'", "Revision ccc2 is not a member of branch 'alpha'"},
	{&fx_bases, "alpha@-1", "aaa2", NULL, NULL},
	{&fx_bases, "alpha@-3", "", NULL, NULL},
	{&fx_bases, "bravo@heads", "bbb2", NULL, NULL},
	{&fx_bases, "alpha@aaa", NULL, "Can't locate revision identified by 'aaa'", "Multiple revisions start with 'aaa': 'aaa1', 'aaa2', 'aaa3'"},
	{&fx_bases, "-1", "aaa2 bbb1 ccc1 ccc1", NULL, NULL},
	{&fx_merges, "m00", NULL, "Can't locate revision identified by 'm00'", "Multiple revisions start with 'm00': 'm001', 'm002', 'm003'"},
	{&fx_merges, "m001", "m001", NULL, NULL},
	{&fx_merges, "top1", "top1", NULL, NULL},
	{&fx_merges, "trunk", "root", NULL, NULL},
	{&fx_merges, "trunk@head", "top1", NULL, NULL},
	{&fx_merges, "trunk@heads", "top1", NULL, NULL},
	{&fx_merges, "head", "top1", NULL, NULL},
	{&fx_merges, "trunk@base", "", NULL, NULL},
	{&fx_merges, "k", NULL, "Can't locate revision identified by 'k'", "Multiple revisions start with 'k': 'k001', 'k002'"},
	{&fx_merges, "h00", NULL, "Can't locate revision identified by 'h00'", "Multiple revisions start with 'h00': 'h001', 'h002'"},
	{&fx_merges, "trunk@m003", "m003", NULL, NULL},
	{&fx_merges, "-1", NULL, "Ambiguous walk", NULL},
	{&fx_merges, "-2", NULL, "Ambiguous walk", NULL},
	{&fx_deps, "left", "s001", NULL, NULL},
	{&fx_deps, "right", "t001", NULL, NULL},
	{&fx_deps, "third", "u001", NULL, NULL},
	{&fx_deps, "heads", "t004 u002", NULL, NULL},
	{&fx_deps, "head", NULL, "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads", NULL},
	{&fx_deps, "left@head", "s003", NULL, NULL},
	{&fx_deps, "right@head", "t004", NULL, NULL},
	{&fx_deps, "third@head", "u002", NULL, NULL},
	{&fx_deps, "left@heads", "s003", NULL, NULL},
	{&fx_deps, "right@heads", "t004", NULL, NULL},
	{&fx_deps, "third@heads", "u002", NULL, NULL},
	{&fx_deps, "s003@head", "s003", NULL, NULL},
	{&fx_deps, "t002@head", "t004", NULL, NULL},
	{&fx_deps, "right@s002", NULL, "Can't locate revision identified by 's002'", "Revision s002 is not a member of branch 'right'"},
	{&fx_deps, "right@-1", "t003", NULL, NULL},
	{&fx_deps, "left@-1", "", NULL, NULL},
	{&fx_deps, "third@-2", "", NULL, NULL},
	{&fx_deps, "-1", "t003 u001", NULL, NULL},
	{&fx_deps, "left@t002", NULL, "Can't locate revision identified by 't002'", "Revision t002 is not a member of branch 'left'"},
	{&fx_deps, "third@t001", NULL, "Can't locate revision identified by 't001'", "Revision t001 is not a member of branch 'third'"},
	{&fx_short, "r", "r100", NULL, NULL},
	{&fx_short, "r1", "r1", NULL, NULL},
	{&fx_short, "r10", "r10", NULL, NULL},
	{&fx_short, "r100", "r100", NULL, NULL},
	{&fx_short, "r2", "r2", NULL, NULL},
	{&fx_short, "ab", NULL, "Can't locate revision identified by 'ab'", "No such revision or branch 'ab'; please ensure at least four characters are present for partial revision identifier matches"},
	{&fx_short, "abc", "r1", NULL, NULL},
	{&fx_short, "abc@head", "r100", NULL, NULL},
	{&fx_short, "abc@r", "r100", NULL, NULL},
	{&fx_short, "r1@head", "r100", NULL, NULL},
	{&fx_short, "r3", NULL, "Can't locate revision identified by 'r3'", "No such revision or branch 'r3'; please ensure at least four characters are present for partial revision identifier matches"},
	{&fx_short, "lbl1", NULL, "Can't locate revision identified by 'lbl1'", "Multiple revisions start with 'lbl1': 'lbl1abc', 'lbl1_name'"},
	{&fx_short, "lbl1a", "lbl1abc", NULL, NULL},
	{&fx_short, "lbl1_", "lbl1abc", NULL, NULL},
	{&fx_short, "lbl1_name", "lbl1abc", NULL, NULL},
	{&fx_short, "lbl1abc@head", "lbl1abc", NULL, NULL},
	{&fx_chain, "c00", NULL, "Can't locate revision identified by 'c00'", "Multiple revisions start with 'c00': 'c000', 'c001', 'c002'"},
	{&fx_chain, "c01", NULL, "Can't locate revision identified by 'c01'", "Multiple revisions start with 'c01': 'c010', 'c011', 'c012'"},
	{&fx_chain, "c0", NULL, "Can't locate revision identified by 'c0'", "Multiple revisions start with 'c0': 'c000', 'c001', 'c002'"},
	{&fx_chain, "c005", "c005", NULL, NULL},
	{&fx_chain, "line", "c000", NULL, NULL},
	{&fx_chain, "line@head", "c029", NULL, NULL},
	{&fx_chain, "line@base", "", NULL, NULL},
	{&fx_chain, "line@-2", "c027", NULL, NULL},
	{&fx_chain, "line@-29", "c000", NULL, NULL},
	{&fx_chain, "line@-30", "", NULL, NULL},
	{&fx_chain, "-1", "c028", NULL, NULL},
	{&fx_chain, "-30", "", NULL, NULL},
	{&fx_chain, "head", "c029", NULL, NULL},
	{&fx_chain, "c02", NULL, "Can't locate revision identified by 'c02'", "Multiple revisions start with 'c02': 'c020', 'c021', 'c022'"},
	{&fx_chain, "line@c01", NULL, "Can't locate revision identified by 'c01'", "Multiple revisions start with 'c01': 'c010', 'c011', 'c012'"},
};

/* ScriptDirectory.get_revision(ident); "" is None (base). */
static const resolve_case resolve_one_cases[] = {
	{&fx_sample, "heads", NULL, "Multiple head revisions are present for given argument 'heads'; please specify a specific target revision, '<branchname>@heads' to narrow to a specific head, or 'heads' for all heads", NULL},
	{&fx_sample, "head", NULL, "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads", NULL},
	{&fx_sample, "gxy@head", "a2e418ad6a15", NULL, NULL},
	{&fx_sample, "tsi@heads", "5555bbbb0002", NULL, NULL},
	{&fx_sample, "base", "", NULL, NULL},
	{&fx_sample, "gxy", "e7b6dcb09efd", NULL, NULL},
	{&fx_sample, "gxy@base", "", NULL, NULL},
	{&fx_sample, "5555", NULL, "Can't locate revision identified by '5555'", "Multiple revisions start with '5555': '5555bbbb0001', '5555bbbb0002'"},
	{&fx_sample, "c39f", "c39f1de47a04", NULL, NULL},
	{&fx_sample, "nope@head", NULL, "Can't locate revision identified by 'nope'", "No such revision or branch 'nope'"},
	{&fx_sample, "tsi@5555bbbb0002", "5555bbbb0002", NULL, NULL},
	{&fx_sample, "gxy@heads", "a2e418ad6a15", NULL, NULL},
	{&fx_bases, "ccc1@heads", NULL, "Multiple head revisions are present for given argument 'ccc1@heads'; please specify a specific target revision, '<branchname>@ccc1@heads' to narrow to a specific head, or 'heads' for all heads", NULL},
	{&fx_bases, "alpha2", "aaa2", NULL, NULL},
};

/*
 * RevisionMap._parse_upgrade_target(current, target, True) inside
 * ScriptDirectory._catch_revision_errors(ancestor=..., end=target), as
 * ScriptDirectory._upgrade_revs wraps it.
 */
static const target_case up_cases[] = {
	{&fx_sample, "", "heads", NULL, "a2e418ad6a15 5555bbbb0002", NULL, NULL},
	{&fx_sample, "", "gxy@head", NULL, "a2e418ad6a15", NULL, NULL},
	{&fx_sample, "", "+1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_sample, "", "gxy@+1", NULL, "e7b6dcb09efd", NULL, NULL},
	{&fx_sample, "", "gxy@+3", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_sample, "", "gxy@+2", NULL, "b182f655505f", NULL, NULL},
	{&fx_sample, "", "tsi@+2", NULL, "3a2d6b1c9e0f", NULL, NULL},
	{&fx_sample, "e7b6dcb09efd", "+1", NULL, "b182f655505f", NULL, NULL},
	{&fx_sample, "b182f655505f", "+1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "+1", NULL, NULL, "Ambiguous upgrade from multiple current revisions", NULL},
	{&fx_sample, "a2e418ad6a15", "+1", NULL, NULL, "Relative revision +1 didn't produce 1 migrations", NULL},
	{&fx_sample, "c39f1de47a04", "gxy@+1", NULL, "9540a051226e", NULL, NULL},
	{&fx_sample, "3a2d6b1c9e0f", "gxy@+1", NULL, "e7b6dcb09efd", NULL, NULL},
	{&fx_sample, "5555bbbb0001", "gxy@+1", NULL, "9540a051226e", NULL, NULL},
	{&fx_sample, "5555bbbb0001", "tsi@+1", NULL, "5555bbbb0002", NULL, NULL},
	{&fx_sample, "", "-1", NULL, NULL, "Relative revision -1 didn't produce 1 migrations", NULL},
	{&fx_sample, "", "e7b6+1", NULL, "b182f655505f", NULL, NULL},
	{&fx_sample, "", "e7b6+2", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_sample, "", "gxy@b182+1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_sample, "", "9540-1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_sample, "", "a2e4-2", NULL, "9540a051226e", NULL, NULL},
	{&fx_sample, "", "a2e4-4", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_sample, "", "5555bbbb0002-3", NULL, "d4a650f47a3c", NULL, NULL},
	{&fx_sample, "", "tsi@head-1", NULL, "5555bbbb0001", NULL, NULL},
	{&fx_sample, "", "tsi@head-2", NULL, "3a2d6b1c9e0f", NULL, NULL},
	{&fx_sample, "", "gxy@head-2", NULL, "9540a051226e", NULL, NULL},
	{&fx_sample, "", "gxy@head-3", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_sample, "", "base+1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_sample, "", "tsi@base+1", NULL, "d4a650f47a3c", NULL, NULL},
	{&fx_sample, "", "gxy@base+2", NULL, "b182f655505f", NULL, NULL},
	{&fx_sample, "", "heads-1", NULL, NULL, "Multiple head revisions are present for given argument 'heads-1'; please specify a specific target revision, '<branchname>@heads-1' to narrow to a specific head, or 'heads' for all heads", NULL},
	{&fx_sample, "", "gxy@-1", NULL, NULL, "Relative revision -1 didn't produce 1 migrations", NULL},
	{&fx_sample, "", "zzzz+1", NULL, NULL, "Can't locate revision identified by 'zzzz'", "No such revision or branch 'zzzz'"},
	{&fx_sample, "", "5555+1", NULL, NULL, "Can't locate revision identified by '5555'", "Multiple revisions start with '5555': '5555bbbb0001', '5555bbbb0002'"},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "gxy@+1", NULL, NULL, "Relative revision +1 didn't produce 1 migrations", NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "tsi@+1", NULL, NULL, "Relative revision +1 didn't produce 1 migrations", NULL},
	{&fx_sample, "e7b6dcb09efd d4a650f47a3c", "tsi@+1", NULL, "3a2d6b1c9e0f", NULL, NULL},
	{&fx_sample, "e7b6dcb09efd d4a650f47a3c", "+1", NULL, NULL, "Ambiguous upgrade from multiple current revisions", NULL},
	{&fx_sample, "", "e7b6", NULL, "e7b6dcb09efd", NULL, NULL},
	{&fx_sample, "", "head", NULL, NULL, "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads", NULL},
	{&fx_sample, "", "gxy@heads", NULL, "a2e418ad6a15", NULL, NULL},
	{&fx_bases, "", "heads", NULL, "aaa3 bbb2 ccc2 ccc3", NULL, NULL},
	{&fx_bases, "", "alpha@head", NULL, "aaa3", NULL, NULL},
	{&fx_bases, "", "alpha2@head", NULL, "aaa3", NULL, NULL},
	{&fx_bases, "", "bravo@+1", NULL, "bbb1", NULL, NULL},
	{&fx_bases, "", "ccc1+1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_bases, "", "base+1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_bases, "", "+1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_bases, "", "alpha@base+2", NULL, "aaa2", NULL, NULL},
	{&fx_bases, "aaa1 bbb1", "alpha@+1", NULL, "aaa2", NULL, NULL},
	{&fx_bases, "aaa1 bbb1", "beta@+1", NULL, "bbb2", NULL, NULL},
	{&fx_bases, "aaa1 bbb1", "+1", NULL, NULL, "Ambiguous upgrade from multiple current revisions", NULL},
	{&fx_bases, "ccc1", "+1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_merges, "m001", "+1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_merges, "a001", "+2", NULL, "m001", NULL, NULL},
	{&fx_merges, "", "+3", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_merges, "m003", "+1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_merges, "top1", "-1", NULL, NULL, "Relative revision -1 didn't produce 1 migrations", NULL},
	{&fx_merges, "", "top1-1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_merges, "", "m002-1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_merges, "h001", "+1", NULL, "m004", NULL, NULL},
	{&fx_merges, "a002 b001", "+1", NULL, NULL, "Ambiguous upgrade from multiple current revisions", NULL},
	{&fx_deps, "", "right@+2", NULL, "t002", NULL, NULL},
	{&fx_deps, "s003", "right@+1", NULL, "t001", NULL, NULL},
	{&fx_deps, "t002", "left@+1", NULL, "s003", NULL, NULL},
	{&fx_deps, "t002", "third@+1", NULL, "u001", NULL, NULL},
	{&fx_deps, "t004 u002", "left@+1", NULL, NULL, "Relative revision +1 didn't produce 1 migrations", NULL},
	{&fx_short, "", "r1+2", NULL, "r10", NULL, NULL},
	{&fx_short, "", "abc@+3", NULL, "r10", NULL, NULL},
	{&fx_short, "r1", "+1", NULL, "r2", NULL, NULL},
	{&fx_chain, "", "+5", NULL, "c004", NULL, NULL},
	{&fx_chain, "c003", "+3", NULL, "c006", NULL, NULL},
	{&fx_chain, "", "line@+2", NULL, "c001", NULL, NULL},
	{&fx_chain, "c010", "line@+2", NULL, "c012", NULL, NULL},
	{&fx_chain, "", "c005+10", NULL, "c015", NULL, NULL},
	{&fx_chain, "", "line@head-3", NULL, "c026", NULL, NULL},
	{&fx_chain, "", "base+1", NULL, "c000", NULL, NULL},
	{&fx_chain, "c005", "+30", NULL, NULL, "Relative revision +30 didn't produce 30 migrations", NULL},
	{&fx_chain, "c005", "+24", NULL, "c029", NULL, NULL},
	{&fx_chain, "c005", "line@+25", NULL, NULL, "Relative revision +25 didn't produce 25 migrations", NULL},
	{&fx_chain, "", "c029-29", NULL, "c000", NULL, NULL},
	{&fx_chain, "", "c029-30", NULL, "", NULL, NULL},
	{&fx_chain, "", "line@c010+2", NULL, "c012", NULL, NULL},
	{&fx_chain, "", "line@c010-2", NULL, "c008", NULL, NULL},
	{&fx_chain, "", "head-2", NULL, "c027", NULL, NULL},
	{&fx_chain, "", "c00+1", NULL, NULL, "Can't locate revision identified by 'c00'", "Multiple revisions start with 'c00': 'c000', 'c001', 'c002'"},
};

/*
 * RevisionMap._parse_downgrade_target(current, target, True) inside
 * _catch_revision_errors as ScriptDirectory._downgrade_revs wraps it:
 * (branch_label, revision); "" for None / "base".
 */
static const target_case down_cases[] = {
	{&fx_sample, "a2e418ad6a15", "-1", "a2e418ad6a15", "6a67bf27e6a6", NULL, NULL},
	{&fx_sample, "a2e418ad6a15", "-3", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "-1", "a2e418ad6a15", "6a67bf27e6a6", NULL, NULL},
	{&fx_sample, "5555bbbb0002 a2e418ad6a15", "-1", "5555bbbb0002", "5555bbbb0001", NULL, NULL},
	{&fx_sample, "", "-1", NULL, NULL, "Relative revision -1 didn't produce 1 migrations", NULL},
	{&fx_sample, "a2e418ad6a15", "+1", NULL, NULL, "Relative revision +1 didn't produce 1 migrations", NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "tsi@-1", "tsi", "5555bbbb0001", NULL, NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "gxy@-2", "gxy", "9540a051226e", NULL, NULL},
	{&fx_sample, "5555bbbb0002", "gxy@-1", "gxy", "b182f655505f", NULL, NULL},
	{&fx_sample, "d4a650f47a3c", "-1", "d4a650f47a3c", "", NULL, NULL},
	{&fx_sample, "d4a650f47a3c", "-2", NULL, NULL, "Relative revision -2 didn't produce 2 migrations", NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "gxy@base", "gxy", "", NULL, NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "tsi@d4a6", "tsi", "d4a650f47a3c", NULL, NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "e7b6+1", NULL, "b182f655505f", NULL, NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "gxy@e7b6+1", "gxy", "b182f655505f", NULL, NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "5555bbbb0002-10", NULL, NULL, "Walked too far", NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "d4a6+10", NULL, NULL, "Walked too far", NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "zzzz", NULL, NULL, "Can't locate revision identified by 'zzzz'", "No such revision or branch 'zzzz'"},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "heads", NULL, NULL, "Multiple head revisions are present for given argument 'heads'; please specify a specific target revision, '<branchname>@heads' to narrow to a specific head, or 'heads' for all heads", NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "5555", NULL, NULL, "Can't locate revision identified by '5555'", "Multiple revisions start with '5555': '5555bbbb0001', '5555bbbb0002'"},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "base", NULL, "", NULL, NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "9540", NULL, "9540a051226e", NULL, NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "gxy@9540", "gxy", "9540a051226e", NULL, NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "tsi@head-2", "tsi", "3a2d6b1c9e0f", NULL, NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "gxy@+1", NULL, NULL, "Relative revision +1 didn't produce 1 migrations", NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "b182+1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "base+1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "tsi@base+1", "tsi", "d4a650f47a3c", NULL, NULL},
	{&fx_bases, "aaa3 bbb2", "alpha@-1", "alpha", "aaa2", NULL, NULL},
	{&fx_bases, "aaa3 bbb2", "beta@-1", "beta", "bbb1", NULL, NULL},
	{&fx_bases, "aaa3 bbb2", "-2", "aaa3", "aaa1", NULL, NULL},
	{&fx_bases, "aaa3 bbb2", "alpha@-3", "alpha", "", NULL, NULL},
	{&fx_bases, "aaa3 bbb2", "bravo@-2", "bravo", "", NULL, NULL},
	{&fx_bases, "aaa3", "alpha@-4", NULL, NULL, "Relative revision -4 didn't produce 4 migrations", NULL},
	{&fx_merges, "top1", "-1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_merges, "m002 g001", "-1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_merges, "m002 g001", "-2", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_merges, "top1", "trunk@-1", NULL, NULL, "Ambiguous walk", NULL},
	{&fx_deps, "t004 u002", "left@-1", "left", "s002", NULL, NULL},
	{&fx_deps, "t004", "left@-1", "left", "s002", NULL, NULL},
	{&fx_deps, "t004 u002", "right@-1", "right", "t003", NULL, NULL},
	{&fx_deps, "t004 u002", "-1", "t004", "t003", NULL, NULL},
	{&fx_chain, "c029", "-3", "c029", "c026", NULL, NULL},
	{&fx_chain, "c002", "-3", "c002", "", NULL, NULL},
	{&fx_chain, "c002", "-4", NULL, NULL, "Relative revision -4 didn't produce 4 migrations", NULL},
	{&fx_chain, "c029", "line@-2", "line", "c027", NULL, NULL},
	{&fx_chain, "", "c025+10", NULL, NULL, "Walked too far", NULL},
	{&fx_chain, "", "base+30", NULL, "c029", NULL, NULL},
	{&fx_chain, "", "base+31", NULL, NULL, "Walked too far", NULL},
	{&fx_chain, "c029", "line@+2", NULL, NULL, "Relative revision +2 didn't produce 2 migrations", NULL},
	{&fx_chain, "c029", "c010-10", NULL, "c000", NULL, NULL},
	{&fx_chain, "c029", "c010-11", NULL, "", NULL, NULL},
	{&fx_chain, "c029", "c010-12", NULL, NULL, "Walked too far", NULL},
	{&fx_chain, "c029", "line@head-3", "line", "c026", NULL, NULL},
	{&fx_chain, "c029", "line@base+3", "line", "c002", NULL, NULL},
	{&fx_chain, "c029", "line@c010", "line", "c010", NULL, NULL},
};

/* Check an error outcome: code, message, detail start, nothing returned. */
static void
check_error(mg_ctx *ctx, int rc, size_t n, const char *what, const char *ident,
			const char *message, const char *detail)
{
	const mg_error *e = mg_ctx_error(ctx);

	ok(rc == MG_EINPUT, "%s %s: fails with MG_EINPUT (rc %d)", what, ident, rc);
	is_str(e->message, message, "%s %s: message", what, ident);
	if (detail != NULL)
		fx_is_prefix(e->detail, detail, what, ident);
	is_int(n, 0, "%s %s: nothing resolved", what, ident);
}

static void
test_resolve(const resolve_case *c)
{
	mg_ctx *ctx = fx_ctx();
	mg_revmap *map = fx_map(ctx, c->g);
	mg_target t;
	int rc = mg_resolve(&t, ctx, map, c->ident);

	if (c->revs != NULL)
	{
		is_int(rc, MG_OK, "%s: resolve %s succeeds", c->g->name, c->ident);
		if (rc != MG_OK)
			printf("#   error: %s / %s\n", mg_ctx_error(ctx)->message, mg_ctx_error(ctx)->detail);
		is_str(fx_ids(ctx, map, t.revs, t.n), c->revs, "%s: resolve %s", c->g->name, c->ident);
	}
	else
		check_error(ctx, rc, t.n, "resolve", c->ident, c->message, c->detail);
	mg_ctx_free(ctx);
}

static void
test_resolve_one(const resolve_case *c)
{
	mg_ctx *ctx = fx_ctx();
	mg_revmap *map = fx_map(ctx, c->g);
	int r = -5;
	int rc = mg_resolve_one(&r, ctx, map, c->ident);

	if (c->revs != NULL)
	{
		is_int(rc, MG_OK, "%s: resolve_one %s succeeds", c->g->name, c->ident);
		is_str(r >= 0 ? mg_revmap_rev(map, r)->id : r == -1 ? "" : "(bad index)", c->revs,
			   "%s: resolve_one %s", c->g->name, c->ident);
	}
	else
	{
		check_error(ctx, rc, 0, "resolve_one", c->ident, c->message, c->detail);
		ok(r < 0, "resolve_one %s: no revision returned", c->ident);
	}
	mg_ctx_free(ctx);
}

static void
test_target(const target_case *c, bool upgrade)
{
	mg_ctx *ctx = fx_ctx();
	mg_revmap *map = fx_map(ctx, c->g);
	const char *what = upgrade ? "upgrade target" : "downgrade target";
	char name[256];
	size_t ncur;
	int *cur = fx_revs(ctx, map, c->current, &ncur);
	mg_target t;
	int rc;

	snprintf(name, sizeof(name), "%s from [%s]:", c->target, c->current);
	rc = upgrade ? mg_resolve_upgrade_target(&t, ctx, map, cur, ncur, c->target)
		: mg_resolve_downgrade_target(&t, ctx, map, cur, ncur, c->target);
	if (c->revs != NULL)
	{
		is_int(rc, MG_OK, "%s: %s %s succeeds", c->g->name, what, name);
		if (rc != MG_OK)
			printf("#   error: %s / %s\n", mg_ctx_error(ctx)->message, mg_ctx_error(ctx)->detail);
		is_str(fx_ids(ctx, map, t.revs, t.n), c->revs, "%s: %s %s", c->g->name, what, name);
		if (!upgrade)
			is_str(t.branch, c->branch, "%s: %s %s branch label", c->g->name, what, name);
	}
	else
		check_error(ctx, rc, t.n, what, name, c->message, c->detail);
	mg_ctx_free(ctx);
}

/* Release tags: DESIGN.md's addition to Alembic's identifiers. */
static void
test_tags(void)
{
	mg_ctx *ctx = fx_ctx();
	mg_revmap *map = fx_map(ctx, &fx_sample);
	mg_target t;
	int r;

	ok(mg_resolve(&t, ctx, map, "release_22.05") == MG_OK, "tag release_22.05 resolves");
	is_str(fx_ids(ctx, map, t.revs, t.n), "9540a051226e", "tag release_22.05 is the merge");
	ok(mg_resolve(&t, ctx, map, "22.05") == MG_OK, "tag 22.05 resolves");
	is_str(fx_ids(ctx, map, t.revs, t.n), "9540a051226e", "tag 22.05 is the merge");
	ok(mg_resolve_one(&r, ctx, map, "23.0") == MG_OK && r == mg_revmap_find(map, "a2e418ad6a15"),
	   "get_revision 23.0 is a2e4");
	ok(mg_resolve(&t, ctx, map, "gxy@22.05") == MG_OK, "gxy@22.05 resolves");
	is_str(fx_ids(ctx, map, t.revs, t.n), "9540a051226e", "gxy@22.05 is the merge");
	ok(mg_resolve(&t, ctx, map, "tsi@22.05") == MG_EINPUT, "tsi@22.05 is not on tsi");
	is_str(mg_ctx_error(ctx)->message, "Can't locate revision identified by '22.05'",
		   "tsi@22.05: message");
	fx_is_prefix(mg_ctx_error(ctx)->detail, "Revision 9540a051226e is not a member of branch 'tsi'",
				 "resolve", "tsi@22.05");
	/* Alembic's relative pattern takes \w+ before the sign: "22.05+1" is no walk */
	is_int(mg_resolve_upgrade_target(&t, ctx, map, NULL, 0, "22.05+1"), MG_EINPUT,
		   "22.05+1 is not a relative identifier");
	is_str(mg_ctx_error(ctx)->message, "Can't locate revision identified by '22.05+1'",
		   "22.05+1: message");
	ok(mg_resolve(&t, ctx, map, "22.0") == MG_EINPUT, "22.0 is neither a tag nor a prefix");
	is_str(mg_ctx_error(ctx)->message, "Can't locate revision identified by '22.0'", "22.0: message");
	mg_ctx_free(ctx);
}

/* mg_resolve_rows: version rows the catalog lacks (a database ahead of the scripts). */
static void
test_rows(void)
{
	mg_ctx *ctx = fx_ctx();
	mg_revmap *map = fx_map(ctx, &fx_sample);
	const char *rows[] = {"a2e418ad6a15", "5555bbbb0002"};
	const char *bad[] = {"a2e418ad6a15", "ffffffffffff"};
	const char *prefix[] = {"a2e4"};
	int *out;

	ok(mg_resolve_rows(&out, ctx, map, rows, 2) == MG_OK, "rows resolve");
	is_str(fx_ids(ctx, map, out, 2), "a2e418ad6a15 5555bbbb0002", "rows keep table order");
	is_int(mg_resolve_rows(&out, ctx, map, bad, 2), MG_EINPUT, "an unknown row is an error");
	is_str(mg_ctx_error(ctx)->message, "Can't locate revision identified by 'ffffffffffff'",
		   "unknown row: Alembic's message");
	ok(strstr(mg_ctx_error(ctx)->detail, "ahead") != NULL, "unknown row: detail says the database is ahead");
	is_int(mg_resolve_rows(&out, ctx, map, prefix, 1), MG_EINPUT, "a row is never a prefix");
	mg_ctx_free(ctx);
}

/* mg_resolve_filter_lineage: Alembic's filter_for_lineage. */
static void
test_filter(void)
{
	mg_ctx *ctx = fx_ctx();
	mg_revmap *map = fx_map(ctx, &fx_sample);
	size_t n;
	int *v = fx_revs(ctx, map, "a2e418ad6a15 5555bbbb0002 c39f1de47a04", &n);

	/* RevisionMap.filter_for_lineage(("a2e4...", "5555...02", "c39f..."), "gxy") */
	ok(mg_resolve_filter_lineage(v, &n, ctx, map, "gxy", false) == MG_OK, "filter by gxy");
	is_str(fx_ids(ctx, map, v, n), "a2e418ad6a15 c39f1de47a04", "filter by gxy keeps gxy revisions");
	v = fx_revs(ctx, map, "a2e418ad6a15 5555bbbb0002", &n);
	/* filter_for_lineage(..., "c39f1de47a04", include_dependencies=True) */
	ok(mg_resolve_filter_lineage(v, &n, ctx, map, "c39f1de47a04", true) == MG_OK, "filter by c39f with deps");
	is_str(fx_ids(ctx, map, v, n), "a2e418ad6a15 5555bbbb0002", "with dependencies both share c39f's lineage");
	v = fx_revs(ctx, map, "a2e418ad6a15 5555bbbb0002", &n);
	ok(mg_resolve_filter_lineage(v, &n, ctx, map, "c39f1de47a04", false) == MG_OK, "filter by c39f");
	is_str(fx_ids(ctx, map, v, n), "a2e418ad6a15", "without dependencies only a2e4");
	is_int(mg_resolve_filter_lineage(v, &n, ctx, map, "nope", false), MG_EINPUT, "filter by an unknown name fails");
	mg_ctx_free(ctx);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(resolve_cases) / sizeof(resolve_cases[0]); i++)
		test_resolve(&resolve_cases[i]);
	for (size_t i = 0; i < sizeof(resolve_one_cases) / sizeof(resolve_one_cases[0]); i++)
		test_resolve_one(&resolve_one_cases[i]);
	for (size_t i = 0; i < sizeof(up_cases) / sizeof(up_cases[0]); i++)
		test_target(&up_cases[i], true);
	for (size_t i = 0; i < sizeof(down_cases) / sizeof(down_cases[0]); i++)
		test_target(&down_cases[i], false);
	test_tags();
	test_rows();
	test_filter();
	return done_testing();
}
