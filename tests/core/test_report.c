/*
 * test_report.c -- Alembic's text formats and the history walk
 * (report.c) against Alembic 1.8.1.
 *
 * For every revision of every fixture graph (graph_fixture.h): the
 * history line (with and without "(current)"), the `current` line, the
 * `heads` line and the `show` entry, each equal to the text Alembic's
 * Script produced for the same script; the history order of ranges
 * (ScriptDirectory.walk_revisions) and its range error; `current`'s
 * expansion of version rows (get_all_current); the "Running ..." text of
 * plan steps; and the fields of a history row.
 */
#include "graph_fixture.h"

typedef struct line_case {
	const fx_graph *g;
	const char *id;
	const char *history;          /* history line */
	const char *history_current;  /* history line with (current) */
	const char *current;          /* `current` line */
	const char *heads;            /* `heads` line */
} line_case;

typedef struct show_case {
	const fx_graph *g;
	const char *id;
	int full;                     /* compare all of it, else up to the Path line */
	const char *plain;
	const char *current;
} show_case;

typedef struct history_case {
	const fx_graph *g;
	const char *base;
	const char *head;
	const char *revs;             /* newest first; NULL when an error */
	const char *message;
} history_case;

typedef struct current_case {
	const fx_graph *g;
	const char *rows;
	const char *revs;
} current_case;

typedef struct step_case {
	const fx_graph *g;
	const char *kind;
	const char *current;
	const char *target;
	const char *logs;             /* one line per step, with the doc */
	const char *shorts;           /* one line per step, short form */
} step_case;

typedef struct row_case {
	const fx_graph *g;
	const char *id;
	const char *down;
	const char *labels;
	const char *deps;
	const char *message;
	int head;
	int branchpoint;
	int mergepoint;
} row_case;

/*
 * Per revision: Script.cmd_format(False, include_branches=True,
 * include_doc=True, include_parents=True) (the history line), the same
 * with _db_current_indicator set, cmd_format(False) (the current line)
 * and cmd_format(False, include_branches=True, tree_indicators=False)
 * (the heads line).  Branch labels are a Python set in Alembic: where a
 * revision has two, they are written in the engine's order (label
 * declaration order in the catalog).
 */
static const line_case line_cases[] = {
	{&fx_sample, "186d4835587b",
	 "b182f655505f -> 186d4835587b (gxy), add dataset table",
	 "b182f655505f -> 186d4835587b (gxy) (current), add dataset table",
	 "186d4835587b",
	 "186d4835587b (gxy)"},
	{&fx_sample, "6a67bf27e6a6",
	 "9540a051226e -> 6a67bf27e6a6 (gxy), add dataset metadata column",
	 "9540a051226e -> 6a67bf27e6a6 (gxy) (current), add dataset metadata column",
	 "6a67bf27e6a6",
	 "6a67bf27e6a6 (gxy)"},
	{&fx_sample, "9540a051226e",
	 "c39f1de47a04, 186d4835587b -> 9540a051226e (gxy) (mergepoint), merge job and dataset",
	 "c39f1de47a04, 186d4835587b -> 9540a051226e (gxy) (current) (mergepoint), merge job and dataset",
	 "9540a051226e (mergepoint)",
	 "9540a051226e (gxy)"},
	{&fx_sample, "a2e418ad6a15",
	 "6a67bf27e6a6 -> a2e418ad6a15 (gxy) (head), add job queue index",
	 "6a67bf27e6a6 -> a2e418ad6a15 (gxy) (head) (current), add job queue index",
	 "a2e418ad6a15 (head)",
	 "a2e418ad6a15 (gxy) (head)"},
	{&fx_sample, "b182f655505f",
	 "e7b6dcb09efd -> b182f655505f (gxy) (branchpoint), add user table",
	 "e7b6dcb09efd -> b182f655505f (gxy) (current) (branchpoint), add user table",
	 "b182f655505f (branchpoint)",
	 "b182f655505f (gxy)"},
	{&fx_sample, "c39f1de47a04",
	 "b182f655505f -> c39f1de47a04 (gxy), add job table",
	 "b182f655505f -> c39f1de47a04 (gxy) (current), add job table",
	 "c39f1de47a04",
	 "c39f1de47a04 (gxy)"},
	{&fx_sample, "e7b6dcb09efd",
	 "<base> -> e7b6dcb09efd (gxy), create gxy base",
	 "<base> -> e7b6dcb09efd (gxy) (current), create gxy base",
	 "e7b6dcb09efd",
	 "e7b6dcb09efd (gxy)"},
	{&fx_sample, "3a2d6b1c9e0f",
	 "d4a650f47a3c -> 3a2d6b1c9e0f (tsi), add tool shed table",
	 "d4a650f47a3c -> 3a2d6b1c9e0f (tsi) (current), add tool shed table",
	 "3a2d6b1c9e0f",
	 "3a2d6b1c9e0f (tsi)"},
	{&fx_sample, "5555bbbb0001",
	 "3a2d6b1c9e0f (c39f1de47a04) -> 5555bbbb0001 (tsi), tsi needs gxy job table",
	 "3a2d6b1c9e0f (c39f1de47a04) -> 5555bbbb0001 (tsi) (current), tsi needs gxy job table",
	 "5555bbbb0001",
	 "5555bbbb0001 (tsi)"},
	{&fx_sample, "5555bbbb0002",
	 "5555bbbb0001 -> 5555bbbb0002 (tsi) (head), add repository status",
	 "5555bbbb0001 -> 5555bbbb0002 (tsi) (head) (current), add repository status",
	 "5555bbbb0002 (head)",
	 "5555bbbb0002 (tsi) (head)"},
	{&fx_sample, "d4a650f47a3c",
	 "<base> -> d4a650f47a3c (tsi), create tsi base",
	 "<base> -> d4a650f47a3c (tsi) (current), create tsi base",
	 "d4a650f47a3c",
	 "d4a650f47a3c (tsi)"},
	{&fx_bases, "aaa1",
	 "<base> -> aaa1 (alpha, alpha2), alpha base",
	 "<base> -> aaa1 (alpha, alpha2) (current), alpha base",
	 "aaa1",
	 "aaa1 (alpha, alpha2)"},
	{&fx_bases, "aaa2",
	 "aaa1 -> aaa2 (alpha, alpha2), alpha two",
	 "aaa1 -> aaa2 (alpha, alpha2) (current), alpha two",
	 "aaa2",
	 "aaa2 (alpha, alpha2)"},
	{&fx_bases, "aaa3",
	 "aaa2 -> aaa3 (alpha, alpha2) (head), alpha three",
	 "aaa2 -> aaa3 (alpha, alpha2) (head) (current), alpha three",
	 "aaa3 (head)",
	 "aaa3 (alpha, alpha2) (head)"},
	{&fx_bases, "bbb1",
	 "<base> -> bbb1 (beta, bravo), beta base",
	 "<base> -> bbb1 (beta, bravo) (current), beta base",
	 "bbb1",
	 "bbb1 (beta, bravo)"},
	{&fx_bases, "bbb2",
	 "bbb1 -> bbb2 (beta, bravo) (head), beta two",
	 "bbb1 -> bbb2 (beta, bravo) (head) (current), beta two",
	 "bbb2 (head)",
	 "bbb2 (beta, bravo) (head)"},
	{&fx_bases, "ccc1",
	 "<base> -> ccc1 (branchpoint), unlabelled base",
	 "<base> -> ccc1 (current) (branchpoint), unlabelled base",
	 "ccc1 (branchpoint)",
	 "ccc1"},
	{&fx_bases, "ccc2",
	 "ccc1 -> ccc2 (head), left of ccc1",
	 "ccc1 -> ccc2 (head) (current), left of ccc1",
	 "ccc2 (head)",
	 "ccc2 (head)"},
	{&fx_bases, "ccc3",
	 "ccc1 -> ccc3 (head), right of ccc1",
	 "ccc1 -> ccc3 (head) (current), right of ccc1",
	 "ccc3 (head)",
	 "ccc3 (head)"},
	{&fx_merges, "root",
	 "<base> -> root (trunk) (branchpoint), root",
	 "<base> -> root (trunk) (current) (branchpoint), root",
	 "root (branchpoint)",
	 "root (trunk)"},
	{&fx_merges, "a001",
	 "root -> a001 (trunk), a one",
	 "root -> a001 (trunk) (current), a one",
	 "a001",
	 "a001 (trunk)"},
	{&fx_merges, "a002",
	 "a001 -> a002 (trunk), a two",
	 "a001 -> a002 (trunk) (current), a two",
	 "a002",
	 "a002 (trunk)"},
	{&fx_merges, "b001",
	 "root -> b001 (trunk), b one",
	 "root -> b001 (trunk) (current), b one",
	 "b001",
	 "b001 (trunk)"},
	{&fx_merges, "c001",
	 "root -> c001 (trunk), c one",
	 "root -> c001 (trunk) (current), c one",
	 "c001",
	 "c001 (trunk)"},
	{&fx_merges, "m001",
	 "a002, b001, c001 -> m001 (trunk) (branchpoint) (mergepoint), three-parent merge",
	 "a002, b001, c001 -> m001 (trunk) (current) (branchpoint) (mergepoint), three-parent merge",
	 "m001 (branchpoint) (mergepoint)",
	 "m001 (trunk)"},
	{&fx_merges, "d001",
	 "m001 -> d001 (trunk), d one",
	 "m001 -> d001 (trunk) (current), d one",
	 "d001",
	 "d001 (trunk)"},
	{&fx_merges, "e001",
	 "m001 -> e001 (trunk), e one",
	 "m001 -> e001 (trunk) (current), e one",
	 "e001",
	 "e001 (trunk)"},
	{&fx_merges, "g001",
	 "m001 -> g001 (trunk), g one",
	 "m001 -> g001 (trunk) (current), g one",
	 "g001",
	 "g001 (trunk)"},
	{&fx_merges, "m002",
	 "d001, e001 -> m002 (trunk) (mergepoint), merge d and e",
	 "d001, e001 -> m002 (trunk) (current) (mergepoint), merge d and e",
	 "m002 (mergepoint)",
	 "m002 (trunk)"},
	{&fx_merges, "m003",
	 "m002, g001 -> m003 (trunk) (branchpoint) (mergepoint), merge of a merge and g",
	 "m002, g001 -> m003 (trunk) (current) (branchpoint) (mergepoint), merge of a merge and g",
	 "m003 (branchpoint) (mergepoint)",
	 "m003 (trunk)"},
	{&fx_merges, "h001",
	 "m003 -> h001 (trunk), h one",
	 "m003 -> h001 (trunk) (current), h one",
	 "h001",
	 "h001 (trunk)"},
	{&fx_merges, "h002",
	 "m003 -> h002 (trunk), h two",
	 "m003 -> h002 (trunk) (current), h two",
	 "h002",
	 "h002 (trunk)"},
	{&fx_merges, "k001",
	 "m003 -> k001 (trunk), k one",
	 "m003 -> k001 (trunk) (current), k one",
	 "k001",
	 "k001 (trunk)"},
	{&fx_merges, "k002",
	 "m003 -> k002 (trunk), k two",
	 "m003 -> k002 (trunk) (current), k two",
	 "k002",
	 "k002 (trunk)"},
	{&fx_merges, "m004",
	 "h001, h002 -> m004 (trunk) (mergepoint), merge h",
	 "h001, h002 -> m004 (trunk) (current) (mergepoint), merge h",
	 "m004 (mergepoint)",
	 "m004 (trunk)"},
	{&fx_merges, "m005",
	 "k001, k002 -> m005 (trunk) (mergepoint), merge k",
	 "k001, k002 -> m005 (trunk) (current) (mergepoint), merge k",
	 "m005 (mergepoint)",
	 "m005 (trunk)"},
	{&fx_merges, "top1",
	 "m004, m005 -> top1 (trunk) (head) (mergepoint), merge of merges",
	 "m004, m005 -> top1 (trunk) (head) (current) (mergepoint), merge of merges",
	 "top1 (head) (mergepoint)",
	 "top1 (trunk) (head)"},
	{&fx_deps, "s001",
	 "<base> -> s001 (left), left base",
	 "<base> -> s001 (left) (current), left base",
	 "s001",
	 "s001 (left)"},
	{&fx_deps, "s002",
	 "s001 -> s002 (left), left two",
	 "s001 -> s002 (left) (current), left two",
	 "s002",
	 "s002 (left)"},
	{&fx_deps, "s003",
	 "s002 -> s003 (left) (effective head), left three",
	 "s002 -> s003 (left) (effective head) (current), left three",
	 "s003 (effective head)",
	 "s003 (left) (effective head)"},
	{&fx_deps, "t001",
	 "<base> -> t001 (right), right base",
	 "<base> -> t001 (right) (current), right base",
	 "t001",
	 "t001 (right)"},
	{&fx_deps, "t002",
	 "t001 (s002) -> t002 (right), right two needs left two",
	 "t001 (s002) -> t002 (right) (current), right two needs left two",
	 "t002",
	 "t002 (right)"},
	{&fx_deps, "t003",
	 "t002 (s003) -> t003 (right), right three needs left three",
	 "t002 (s003) -> t003 (right) (current), right three needs left three",
	 "t003",
	 "t003 (right)"},
	{&fx_deps, "t004",
	 "t003 (s002) -> t004 (right) (head), right four needs left two again",
	 "t003 (s002) -> t004 (right) (head) (current), right four needs left two again",
	 "t004 (head)",
	 "t004 (right) (head)"},
	{&fx_deps, "u001",
	 "<base> (right) -> u001 (third), third base needs right",
	 "<base> (right) -> u001 (third) (current), third base needs right",
	 "u001",
	 "u001 (third)"},
	{&fx_deps, "u002",
	 "u001 -> u002 (third) (head), third two",
	 "u001 -> u002 (third) (head) (current), third two",
	 "u002 (head)",
	 "u002 (third) (head)"},
	{&fx_short, "r1",
	 "<base> -> r1 (abc), short base",
	 "<base> -> r1 (abc) (current), short base",
	 "r1",
	 "r1 (abc)"},
	{&fx_short, "r2",
	 "r1 -> r2 (abc), short two",
	 "r1 -> r2 (abc) (current), short two",
	 "r2",
	 "r2 (abc)"},
	{&fx_short, "r10",
	 "r2 -> r10 (abc), short three",
	 "r2 -> r10 (abc) (current), short three",
	 "r10",
	 "r10 (abc)"},
	{&fx_short, "r100",
	 "r10 -> r100 (abc) (head), long four",
	 "r10 -> r100 (abc) (head) (current), long four",
	 "r100 (head)",
	 "r100 (abc) (head)"},
	{&fx_short, "lbl1abc",
	 "<base> -> lbl1abc (lbl1_name) (head), a label sharing its id's prefix",
	 "<base> -> lbl1abc (lbl1_name) (head) (current), a label sharing its id's prefix",
	 "lbl1abc (head)",
	 "lbl1abc (lbl1_name) (head)"},
	{&fx_chain, "c000",
	 "<base> -> c000 (line), step 0",
	 "<base> -> c000 (line) (current), step 0",
	 "c000",
	 "c000 (line)"},
	{&fx_chain, "c001",
	 "c000 -> c001 (line), step 1",
	 "c000 -> c001 (line) (current), step 1",
	 "c001",
	 "c001 (line)"},
	{&fx_chain, "c002",
	 "c001 -> c002 (line), step 2",
	 "c001 -> c002 (line) (current), step 2",
	 "c002",
	 "c002 (line)"},
	{&fx_chain, "c003",
	 "c002 -> c003 (line), step 3",
	 "c002 -> c003 (line) (current), step 3",
	 "c003",
	 "c003 (line)"},
	{&fx_chain, "c004",
	 "c003 -> c004 (line), step 4",
	 "c003 -> c004 (line) (current), step 4",
	 "c004",
	 "c004 (line)"},
	{&fx_chain, "c005",
	 "c004 -> c005 (line), step 5",
	 "c004 -> c005 (line) (current), step 5",
	 "c005",
	 "c005 (line)"},
	{&fx_chain, "c006",
	 "c005 -> c006 (line), step 6",
	 "c005 -> c006 (line) (current), step 6",
	 "c006",
	 "c006 (line)"},
	{&fx_chain, "c007",
	 "c006 -> c007 (line), step 7",
	 "c006 -> c007 (line) (current), step 7",
	 "c007",
	 "c007 (line)"},
	{&fx_chain, "c008",
	 "c007 -> c008 (line), step 8",
	 "c007 -> c008 (line) (current), step 8",
	 "c008",
	 "c008 (line)"},
	{&fx_chain, "c009",
	 "c008 -> c009 (line), step 9",
	 "c008 -> c009 (line) (current), step 9",
	 "c009",
	 "c009 (line)"},
	{&fx_chain, "c010",
	 "c009 -> c010 (line), step 10",
	 "c009 -> c010 (line) (current), step 10",
	 "c010",
	 "c010 (line)"},
	{&fx_chain, "c011",
	 "c010 -> c011 (line), step 11",
	 "c010 -> c011 (line) (current), step 11",
	 "c011",
	 "c011 (line)"},
	{&fx_chain, "c012",
	 "c011 -> c012 (line), step 12",
	 "c011 -> c012 (line) (current), step 12",
	 "c012",
	 "c012 (line)"},
	{&fx_chain, "c013",
	 "c012 -> c013 (line), step 13",
	 "c012 -> c013 (line) (current), step 13",
	 "c013",
	 "c013 (line)"},
	{&fx_chain, "c014",
	 "c013 -> c014 (line), step 14",
	 "c013 -> c014 (line) (current), step 14",
	 "c014",
	 "c014 (line)"},
	{&fx_chain, "c015",
	 "c014 -> c015 (line), step 15",
	 "c014 -> c015 (line) (current), step 15",
	 "c015",
	 "c015 (line)"},
	{&fx_chain, "c016",
	 "c015 -> c016 (line), step 16",
	 "c015 -> c016 (line) (current), step 16",
	 "c016",
	 "c016 (line)"},
	{&fx_chain, "c017",
	 "c016 -> c017 (line), step 17",
	 "c016 -> c017 (line) (current), step 17",
	 "c017",
	 "c017 (line)"},
	{&fx_chain, "c018",
	 "c017 -> c018 (line), step 18",
	 "c017 -> c018 (line) (current), step 18",
	 "c018",
	 "c018 (line)"},
	{&fx_chain, "c019",
	 "c018 -> c019 (line), step 19",
	 "c018 -> c019 (line) (current), step 19",
	 "c019",
	 "c019 (line)"},
	{&fx_chain, "c020",
	 "c019 -> c020 (line), step 20",
	 "c019 -> c020 (line) (current), step 20",
	 "c020",
	 "c020 (line)"},
	{&fx_chain, "c021",
	 "c020 -> c021 (line), step 21",
	 "c020 -> c021 (line) (current), step 21",
	 "c021",
	 "c021 (line)"},
	{&fx_chain, "c022",
	 "c021 -> c022 (line), step 22",
	 "c021 -> c022 (line) (current), step 22",
	 "c022",
	 "c022 (line)"},
	{&fx_chain, "c023",
	 "c022 -> c023 (line), step 23",
	 "c022 -> c023 (line) (current), step 23",
	 "c023",
	 "c023 (line)"},
	{&fx_chain, "c024",
	 "c023 -> c024 (line), step 24",
	 "c023 -> c024 (line) (current), step 24",
	 "c024",
	 "c024 (line)"},
	{&fx_chain, "c025",
	 "c024 -> c025 (line), step 25",
	 "c024 -> c025 (line) (current), step 25",
	 "c025",
	 "c025 (line)"},
	{&fx_chain, "c026",
	 "c025 -> c026 (line), step 26",
	 "c025 -> c026 (line) (current), step 26",
	 "c026",
	 "c026 (line)"},
	{&fx_chain, "c027",
	 "c026 -> c027 (line), step 27",
	 "c026 -> c027 (line) (current), step 27",
	 "c027",
	 "c027 (line)"},
	{&fx_chain, "c028",
	 "c027 -> c028 (line), step 28",
	 "c027 -> c028 (line) (current), step 28",
	 "c028",
	 "c028 (line)"},
	{&fx_chain, "c029",
	 "c028 -> c029 (line) (head), step 29",
	 "c028 -> c029 (line) (head) (current), step 29",
	 "c029 (head)",
	 "c029 (line) (head)"},
};

/*
 * Script.log_entry (alembic show), plain and with _db_current_indicator.
 * The sample's scripts carry the docstring Alembic's script.py.mako
 * writes (message, Revision ID, Revises, Create Date), so the whole entry
 * is compared; other graphs up to the Path line.  Path: Alembic prints
 * the .py file's path, the engine the script's file name.
 */
static const show_case show_cases[] = {
	{&fx_sample, "186d4835587b", 1,
	 "Rev: 186d4835587b\nParent: b182f655505f\nBranch names: gxy\nPath: versions_gxy/186d4835587b_add_dataset_table.sql\n\n    add dataset table\n    \n    Revision ID: 186d4835587b\n    Revises: b182f655505f\n    Create Date: 2022-02-01 09:00:00.000000\n",
	 "Rev: 186d4835587b (current)\nParent: b182f655505f\nBranch names: gxy\nPath: versions_gxy/186d4835587b_add_dataset_table.sql\n\n    add dataset table\n    \n    Revision ID: 186d4835587b\n    Revises: b182f655505f\n    Create Date: 2022-02-01 09:00:00.000000\n"},
	{&fx_sample, "6a67bf27e6a6", 1,
	 "Rev: 6a67bf27e6a6\nParent: 9540a051226e\nBranch names: gxy\nPath: versions_gxy/6a67bf27e6a6_add_dataset_metadata_column.sql\n\n    add dataset metadata column\n    \n    Revision ID: 6a67bf27e6a6\n    Revises: 9540a051226e\n    Create Date: 2022-09-12 09:00:00.000000\n",
	 "Rev: 6a67bf27e6a6 (current)\nParent: 9540a051226e\nBranch names: gxy\nPath: versions_gxy/6a67bf27e6a6_add_dataset_metadata_column.sql\n\n    add dataset metadata column\n    \n    Revision ID: 6a67bf27e6a6\n    Revises: 9540a051226e\n    Create Date: 2022-09-12 09:00:00.000000\n"},
	{&fx_sample, "9540a051226e", 1,
	 "Rev: 9540a051226e (mergepoint)\nMerges: c39f1de47a04, 186d4835587b\nBranch names: gxy\nPath: versions_gxy/9540a051226e_merge_job_and_dataset.sql\n\n    merge job and dataset\n    \n    Revision ID: 9540a051226e\n    Revises: c39f1de47a04, 186d4835587b\n    Create Date: 2022-05-02 09:00:00.000000\n",
	 "Rev: 9540a051226e (mergepoint) (current)\nMerges: c39f1de47a04, 186d4835587b\nBranch names: gxy\nPath: versions_gxy/9540a051226e_merge_job_and_dataset.sql\n\n    merge job and dataset\n    \n    Revision ID: 9540a051226e\n    Revises: c39f1de47a04, 186d4835587b\n    Create Date: 2022-05-02 09:00:00.000000\n"},
	{&fx_sample, "a2e418ad6a15", 1,
	 "Rev: a2e418ad6a15 (head)\nParent: 6a67bf27e6a6\nBranch names: gxy\nPath: versions_gxy/a2e418ad6a15_add_job_queue_index.sql\n\n    add job queue index\n    \n    Revision ID: a2e418ad6a15\n    Revises: 6a67bf27e6a6\n    Create Date: 2023-01-09 09:00:00.000000\n",
	 "Rev: a2e418ad6a15 (head) (current)\nParent: 6a67bf27e6a6\nBranch names: gxy\nPath: versions_gxy/a2e418ad6a15_add_job_queue_index.sql\n\n    add job queue index\n    \n    Revision ID: a2e418ad6a15\n    Revises: 6a67bf27e6a6\n    Create Date: 2023-01-09 09:00:00.000000\n"},
	{&fx_sample, "b182f655505f", 1,
	 "Rev: b182f655505f (branchpoint)\nParent: e7b6dcb09efd\nBranches into: 186d4835587b, c39f1de47a04\nBranch names: gxy\nPath: versions_gxy/b182f655505f_add_user_table.sql\n\n    add user table\n    \n    Revision ID: b182f655505f\n    Revises: e7b6dcb09efd\n    Create Date: 2022-01-17 09:00:00.000000\n",
	 "Rev: b182f655505f (branchpoint) (current)\nParent: e7b6dcb09efd\nBranches into: 186d4835587b, c39f1de47a04\nBranch names: gxy\nPath: versions_gxy/b182f655505f_add_user_table.sql\n\n    add user table\n    \n    Revision ID: b182f655505f\n    Revises: e7b6dcb09efd\n    Create Date: 2022-01-17 09:00:00.000000\n"},
	{&fx_sample, "c39f1de47a04", 1,
	 "Rev: c39f1de47a04\nParent: b182f655505f\nBranch names: gxy\nPath: versions_gxy/c39f1de47a04_add_job_table.sql\n\n    add job table\n    \n    Revision ID: c39f1de47a04\n    Revises: b182f655505f\n    Create Date: 2022-02-03 09:00:00.000000\n",
	 "Rev: c39f1de47a04 (current)\nParent: b182f655505f\nBranch names: gxy\nPath: versions_gxy/c39f1de47a04_add_job_table.sql\n\n    add job table\n    \n    Revision ID: c39f1de47a04\n    Revises: b182f655505f\n    Create Date: 2022-02-03 09:00:00.000000\n"},
	{&fx_sample, "e7b6dcb09efd", 1,
	 "Rev: e7b6dcb09efd\nParent: <base>\nBranch names: gxy\nPath: versions_gxy/e7b6dcb09efd_create_gxy_base.sql\n\n    create gxy base\n    \n    Revision ID: e7b6dcb09efd\n    Revises: \n    Create Date: 2022-01-10 09:00:00.000000\n",
	 "Rev: e7b6dcb09efd (current)\nParent: <base>\nBranch names: gxy\nPath: versions_gxy/e7b6dcb09efd_create_gxy_base.sql\n\n    create gxy base\n    \n    Revision ID: e7b6dcb09efd\n    Revises: \n    Create Date: 2022-01-10 09:00:00.000000\n"},
	{&fx_sample, "3a2d6b1c9e0f", 1,
	 "Rev: 3a2d6b1c9e0f\nParent: d4a650f47a3c\nBranch names: tsi\nPath: versions_tsi/3a2d6b1c9e0f_add_tool_shed_table.sql\n\n    add tool shed table\n    \n    Revision ID: 3a2d6b1c9e0f\n    Revises: d4a650f47a3c\n    Create Date: 2022-01-24 10:00:00.000000\n",
	 "Rev: 3a2d6b1c9e0f (current)\nParent: d4a650f47a3c\nBranch names: tsi\nPath: versions_tsi/3a2d6b1c9e0f_add_tool_shed_table.sql\n\n    add tool shed table\n    \n    Revision ID: 3a2d6b1c9e0f\n    Revises: d4a650f47a3c\n    Create Date: 2022-01-24 10:00:00.000000\n"},
	{&fx_sample, "5555bbbb0001", 1,
	 "Rev: 5555bbbb0001\nParent: 3a2d6b1c9e0f\nAlso depends on: c39f1de47a04\nBranch names: tsi\nPath: versions_tsi/5555bbbb0001_tsi_needs_gxy_job_table.sql\n\n    tsi needs gxy job table\n    \n    Revision ID: 5555bbbb0001\n    Revises: 3a2d6b1c9e0f\n    Create Date: 2022-03-07 10:00:00.000000\n",
	 "Rev: 5555bbbb0001 (current)\nParent: 3a2d6b1c9e0f\nAlso depends on: c39f1de47a04\nBranch names: tsi\nPath: versions_tsi/5555bbbb0001_tsi_needs_gxy_job_table.sql\n\n    tsi needs gxy job table\n    \n    Revision ID: 5555bbbb0001\n    Revises: 3a2d6b1c9e0f\n    Create Date: 2022-03-07 10:00:00.000000\n"},
	{&fx_sample, "5555bbbb0002", 1,
	 "Rev: 5555bbbb0002 (head)\nParent: 5555bbbb0001\nBranch names: tsi\nPath: versions_tsi/5555bbbb0002_add_repository_status.sql\n\n    add repository status\n    \n    Revision ID: 5555bbbb0002\n    Revises: 5555bbbb0001\n    Create Date: 2022-11-14 10:00:00.000000\n",
	 "Rev: 5555bbbb0002 (head) (current)\nParent: 5555bbbb0001\nBranch names: tsi\nPath: versions_tsi/5555bbbb0002_add_repository_status.sql\n\n    add repository status\n    \n    Revision ID: 5555bbbb0002\n    Revises: 5555bbbb0001\n    Create Date: 2022-11-14 10:00:00.000000\n"},
	{&fx_sample, "d4a650f47a3c", 1,
	 "Rev: d4a650f47a3c\nParent: <base>\nBranch names: tsi\nPath: versions_tsi/d4a650f47a3c_create_tsi_base.sql\n\n    create tsi base\n    \n    Revision ID: d4a650f47a3c\n    Revises: \n    Create Date: 2022-01-10 10:00:00.000000\n",
	 "Rev: d4a650f47a3c (current)\nParent: <base>\nBranch names: tsi\nPath: versions_tsi/d4a650f47a3c_create_tsi_base.sql\n\n    create tsi base\n    \n    Revision ID: d4a650f47a3c\n    Revises: \n    Create Date: 2022-01-10 10:00:00.000000\n"},
	{&fx_bases, "aaa1", 0,
	 "Rev: aaa1\nParent: <base>\nBranch names: alpha, alpha2\nPath: 00_aaa1.sql\n",
	 "Rev: aaa1 (current)\nParent: <base>\nBranch names: alpha, alpha2\nPath: 00_aaa1.sql\n"},
	{&fx_bases, "aaa2", 0,
	 "Rev: aaa2\nParent: aaa1\nBranch names: alpha, alpha2\nPath: 01_aaa2.sql\n",
	 "Rev: aaa2 (current)\nParent: aaa1\nBranch names: alpha, alpha2\nPath: 01_aaa2.sql\n"},
	{&fx_bases, "aaa3", 0,
	 "Rev: aaa3 (head)\nParent: aaa2\nBranch names: alpha, alpha2\nPath: 02_aaa3.sql\n",
	 "Rev: aaa3 (head) (current)\nParent: aaa2\nBranch names: alpha, alpha2\nPath: 02_aaa3.sql\n"},
	{&fx_bases, "bbb1", 0,
	 "Rev: bbb1\nParent: <base>\nBranch names: beta, bravo\nPath: 03_bbb1.sql\n",
	 "Rev: bbb1 (current)\nParent: <base>\nBranch names: beta, bravo\nPath: 03_bbb1.sql\n"},
	{&fx_bases, "bbb2", 0,
	 "Rev: bbb2 (head)\nParent: bbb1\nBranch names: beta, bravo\nPath: 04_bbb2.sql\n",
	 "Rev: bbb2 (head) (current)\nParent: bbb1\nBranch names: beta, bravo\nPath: 04_bbb2.sql\n"},
	{&fx_bases, "ccc1", 0,
	 "Rev: ccc1 (branchpoint)\nParent: <base>\nBranches into: ccc2, ccc3\nPath: 05_ccc1.sql\n",
	 "Rev: ccc1 (branchpoint) (current)\nParent: <base>\nBranches into: ccc2, ccc3\nPath: 05_ccc1.sql\n"},
	{&fx_bases, "ccc2", 0,
	 "Rev: ccc2 (head)\nParent: ccc1\nPath: 06_ccc2.sql\n",
	 "Rev: ccc2 (head) (current)\nParent: ccc1\nPath: 06_ccc2.sql\n"},
	{&fx_bases, "ccc3", 0,
	 "Rev: ccc3 (head)\nParent: ccc1\nPath: 07_ccc3.sql\n",
	 "Rev: ccc3 (head) (current)\nParent: ccc1\nPath: 07_ccc3.sql\n"},
	{&fx_merges, "root", 0,
	 "Rev: root (branchpoint)\nParent: <base>\nBranches into: a001, b001, c001\nBranch names: trunk\nPath: 00_root.sql\n",
	 "Rev: root (branchpoint) (current)\nParent: <base>\nBranches into: a001, b001, c001\nBranch names: trunk\nPath: 00_root.sql\n"},
	{&fx_merges, "a001", 0,
	 "Rev: a001\nParent: root\nBranch names: trunk\nPath: 01_a001.sql\n",
	 "Rev: a001 (current)\nParent: root\nBranch names: trunk\nPath: 01_a001.sql\n"},
	{&fx_merges, "a002", 0,
	 "Rev: a002\nParent: a001\nBranch names: trunk\nPath: 02_a002.sql\n",
	 "Rev: a002 (current)\nParent: a001\nBranch names: trunk\nPath: 02_a002.sql\n"},
	{&fx_merges, "b001", 0,
	 "Rev: b001\nParent: root\nBranch names: trunk\nPath: 03_b001.sql\n",
	 "Rev: b001 (current)\nParent: root\nBranch names: trunk\nPath: 03_b001.sql\n"},
	{&fx_merges, "c001", 0,
	 "Rev: c001\nParent: root\nBranch names: trunk\nPath: 04_c001.sql\n",
	 "Rev: c001 (current)\nParent: root\nBranch names: trunk\nPath: 04_c001.sql\n"},
	{&fx_merges, "m001", 0,
	 "Rev: m001 (branchpoint) (mergepoint)\nMerges: a002, b001, c001\nBranches into: d001, e001, g001\nBranch names: trunk\nPath: 05_m001.sql\n",
	 "Rev: m001 (branchpoint) (mergepoint) (current)\nMerges: a002, b001, c001\nBranches into: d001, e001, g001\nBranch names: trunk\nPath: 05_m001.sql\n"},
	{&fx_merges, "d001", 0,
	 "Rev: d001\nParent: m001\nBranch names: trunk\nPath: 06_d001.sql\n",
	 "Rev: d001 (current)\nParent: m001\nBranch names: trunk\nPath: 06_d001.sql\n"},
	{&fx_merges, "e001", 0,
	 "Rev: e001\nParent: m001\nBranch names: trunk\nPath: 07_e001.sql\n",
	 "Rev: e001 (current)\nParent: m001\nBranch names: trunk\nPath: 07_e001.sql\n"},
	{&fx_merges, "g001", 0,
	 "Rev: g001\nParent: m001\nBranch names: trunk\nPath: 08_g001.sql\n",
	 "Rev: g001 (current)\nParent: m001\nBranch names: trunk\nPath: 08_g001.sql\n"},
	{&fx_merges, "m002", 0,
	 "Rev: m002 (mergepoint)\nMerges: d001, e001\nBranch names: trunk\nPath: 09_m002.sql\n",
	 "Rev: m002 (mergepoint) (current)\nMerges: d001, e001\nBranch names: trunk\nPath: 09_m002.sql\n"},
	{&fx_merges, "m003", 0,
	 "Rev: m003 (branchpoint) (mergepoint)\nMerges: m002, g001\nBranches into: h001, h002, k001, k002\nBranch names: trunk\nPath: 10_m003.sql\n",
	 "Rev: m003 (branchpoint) (mergepoint) (current)\nMerges: m002, g001\nBranches into: h001, h002, k001, k002\nBranch names: trunk\nPath: 10_m003.sql\n"},
	{&fx_merges, "h001", 0,
	 "Rev: h001\nParent: m003\nBranch names: trunk\nPath: 11_h001.sql\n",
	 "Rev: h001 (current)\nParent: m003\nBranch names: trunk\nPath: 11_h001.sql\n"},
	{&fx_merges, "h002", 0,
	 "Rev: h002\nParent: m003\nBranch names: trunk\nPath: 12_h002.sql\n",
	 "Rev: h002 (current)\nParent: m003\nBranch names: trunk\nPath: 12_h002.sql\n"},
	{&fx_merges, "k001", 0,
	 "Rev: k001\nParent: m003\nBranch names: trunk\nPath: 13_k001.sql\n",
	 "Rev: k001 (current)\nParent: m003\nBranch names: trunk\nPath: 13_k001.sql\n"},
	{&fx_merges, "k002", 0,
	 "Rev: k002\nParent: m003\nBranch names: trunk\nPath: 14_k002.sql\n",
	 "Rev: k002 (current)\nParent: m003\nBranch names: trunk\nPath: 14_k002.sql\n"},
	{&fx_merges, "m004", 0,
	 "Rev: m004 (mergepoint)\nMerges: h001, h002\nBranch names: trunk\nPath: 15_m004.sql\n",
	 "Rev: m004 (mergepoint) (current)\nMerges: h001, h002\nBranch names: trunk\nPath: 15_m004.sql\n"},
	{&fx_merges, "m005", 0,
	 "Rev: m005 (mergepoint)\nMerges: k001, k002\nBranch names: trunk\nPath: 16_m005.sql\n",
	 "Rev: m005 (mergepoint) (current)\nMerges: k001, k002\nBranch names: trunk\nPath: 16_m005.sql\n"},
	{&fx_merges, "top1", 0,
	 "Rev: top1 (head) (mergepoint)\nMerges: m004, m005\nBranch names: trunk\nPath: 17_top1.sql\n",
	 "Rev: top1 (head) (mergepoint) (current)\nMerges: m004, m005\nBranch names: trunk\nPath: 17_top1.sql\n"},
	{&fx_deps, "s001", 0,
	 "Rev: s001\nParent: <base>\nBranch names: left\nPath: 00_s001.sql\n",
	 "Rev: s001 (current)\nParent: <base>\nBranch names: left\nPath: 00_s001.sql\n"},
	{&fx_deps, "s002", 0,
	 "Rev: s002\nParent: s001\nBranch names: left\nPath: 01_s002.sql\n",
	 "Rev: s002 (current)\nParent: s001\nBranch names: left\nPath: 01_s002.sql\n"},
	{&fx_deps, "s003", 0,
	 "Rev: s003 (head)\nParent: s002\nBranch names: left\nPath: 02_s003.sql\n",
	 "Rev: s003 (head) (current)\nParent: s002\nBranch names: left\nPath: 02_s003.sql\n"},
	{&fx_deps, "t001", 0,
	 "Rev: t001\nParent: <base>\nBranch names: right\nPath: 03_t001.sql\n",
	 "Rev: t001 (current)\nParent: <base>\nBranch names: right\nPath: 03_t001.sql\n"},
	{&fx_deps, "t002", 0,
	 "Rev: t002\nParent: t001\nAlso depends on: s002\nBranch names: right\nPath: 04_t002.sql\n",
	 "Rev: t002 (current)\nParent: t001\nAlso depends on: s002\nBranch names: right\nPath: 04_t002.sql\n"},
	{&fx_deps, "t003", 0,
	 "Rev: t003\nParent: t002\nAlso depends on: s003\nBranch names: right\nPath: 05_t003.sql\n",
	 "Rev: t003 (current)\nParent: t002\nAlso depends on: s003\nBranch names: right\nPath: 05_t003.sql\n"},
	{&fx_deps, "t004", 0,
	 "Rev: t004 (head)\nParent: t003\nAlso depends on: s002\nBranch names: right\nPath: 06_t004.sql\n",
	 "Rev: t004 (head) (current)\nParent: t003\nAlso depends on: s002\nBranch names: right\nPath: 06_t004.sql\n"},
	{&fx_deps, "u001", 0,
	 "Rev: u001\nParent: <base>\nAlso depends on: right\nBranch names: third\nPath: 07_u001.sql\n",
	 "Rev: u001 (current)\nParent: <base>\nAlso depends on: right\nBranch names: third\nPath: 07_u001.sql\n"},
	{&fx_deps, "u002", 0,
	 "Rev: u002 (head)\nParent: u001\nBranch names: third\nPath: 08_u002.sql\n",
	 "Rev: u002 (head) (current)\nParent: u001\nBranch names: third\nPath: 08_u002.sql\n"},
	{&fx_short, "r1", 0,
	 "Rev: r1\nParent: <base>\nBranch names: abc\nPath: 00_r1.sql\n",
	 "Rev: r1 (current)\nParent: <base>\nBranch names: abc\nPath: 00_r1.sql\n"},
	{&fx_short, "r2", 0,
	 "Rev: r2\nParent: r1\nBranch names: abc\nPath: 01_r2.sql\n",
	 "Rev: r2 (current)\nParent: r1\nBranch names: abc\nPath: 01_r2.sql\n"},
	{&fx_short, "r10", 0,
	 "Rev: r10\nParent: r2\nBranch names: abc\nPath: 02_r10.sql\n",
	 "Rev: r10 (current)\nParent: r2\nBranch names: abc\nPath: 02_r10.sql\n"},
	{&fx_short, "r100", 0,
	 "Rev: r100 (head)\nParent: r10\nBranch names: abc\nPath: 03_r100.sql\n",
	 "Rev: r100 (head) (current)\nParent: r10\nBranch names: abc\nPath: 03_r100.sql\n"},
	{&fx_short, "lbl1abc", 0,
	 "Rev: lbl1abc (head)\nParent: <base>\nBranch names: lbl1_name\nPath: 04_lbl1abc.sql\n",
	 "Rev: lbl1abc (head) (current)\nParent: <base>\nBranch names: lbl1_name\nPath: 04_lbl1abc.sql\n"},
	{&fx_chain, "c000", 0,
	 "Rev: c000\nParent: <base>\nBranch names: line\nPath: 00_c000.sql\n",
	 "Rev: c000 (current)\nParent: <base>\nBranch names: line\nPath: 00_c000.sql\n"},
	{&fx_chain, "c001", 0,
	 "Rev: c001\nParent: c000\nBranch names: line\nPath: 01_c001.sql\n",
	 "Rev: c001 (current)\nParent: c000\nBranch names: line\nPath: 01_c001.sql\n"},
	{&fx_chain, "c002", 0,
	 "Rev: c002\nParent: c001\nBranch names: line\nPath: 02_c002.sql\n",
	 "Rev: c002 (current)\nParent: c001\nBranch names: line\nPath: 02_c002.sql\n"},
	{&fx_chain, "c003", 0,
	 "Rev: c003\nParent: c002\nBranch names: line\nPath: 03_c003.sql\n",
	 "Rev: c003 (current)\nParent: c002\nBranch names: line\nPath: 03_c003.sql\n"},
	{&fx_chain, "c004", 0,
	 "Rev: c004\nParent: c003\nBranch names: line\nPath: 04_c004.sql\n",
	 "Rev: c004 (current)\nParent: c003\nBranch names: line\nPath: 04_c004.sql\n"},
	{&fx_chain, "c005", 0,
	 "Rev: c005\nParent: c004\nBranch names: line\nPath: 05_c005.sql\n",
	 "Rev: c005 (current)\nParent: c004\nBranch names: line\nPath: 05_c005.sql\n"},
	{&fx_chain, "c006", 0,
	 "Rev: c006\nParent: c005\nBranch names: line\nPath: 06_c006.sql\n",
	 "Rev: c006 (current)\nParent: c005\nBranch names: line\nPath: 06_c006.sql\n"},
	{&fx_chain, "c007", 0,
	 "Rev: c007\nParent: c006\nBranch names: line\nPath: 07_c007.sql\n",
	 "Rev: c007 (current)\nParent: c006\nBranch names: line\nPath: 07_c007.sql\n"},
	{&fx_chain, "c008", 0,
	 "Rev: c008\nParent: c007\nBranch names: line\nPath: 08_c008.sql\n",
	 "Rev: c008 (current)\nParent: c007\nBranch names: line\nPath: 08_c008.sql\n"},
	{&fx_chain, "c009", 0,
	 "Rev: c009\nParent: c008\nBranch names: line\nPath: 09_c009.sql\n",
	 "Rev: c009 (current)\nParent: c008\nBranch names: line\nPath: 09_c009.sql\n"},
	{&fx_chain, "c010", 0,
	 "Rev: c010\nParent: c009\nBranch names: line\nPath: 10_c010.sql\n",
	 "Rev: c010 (current)\nParent: c009\nBranch names: line\nPath: 10_c010.sql\n"},
	{&fx_chain, "c011", 0,
	 "Rev: c011\nParent: c010\nBranch names: line\nPath: 11_c011.sql\n",
	 "Rev: c011 (current)\nParent: c010\nBranch names: line\nPath: 11_c011.sql\n"},
	{&fx_chain, "c012", 0,
	 "Rev: c012\nParent: c011\nBranch names: line\nPath: 12_c012.sql\n",
	 "Rev: c012 (current)\nParent: c011\nBranch names: line\nPath: 12_c012.sql\n"},
	{&fx_chain, "c013", 0,
	 "Rev: c013\nParent: c012\nBranch names: line\nPath: 13_c013.sql\n",
	 "Rev: c013 (current)\nParent: c012\nBranch names: line\nPath: 13_c013.sql\n"},
	{&fx_chain, "c014", 0,
	 "Rev: c014\nParent: c013\nBranch names: line\nPath: 14_c014.sql\n",
	 "Rev: c014 (current)\nParent: c013\nBranch names: line\nPath: 14_c014.sql\n"},
	{&fx_chain, "c015", 0,
	 "Rev: c015\nParent: c014\nBranch names: line\nPath: 15_c015.sql\n",
	 "Rev: c015 (current)\nParent: c014\nBranch names: line\nPath: 15_c015.sql\n"},
	{&fx_chain, "c016", 0,
	 "Rev: c016\nParent: c015\nBranch names: line\nPath: 16_c016.sql\n",
	 "Rev: c016 (current)\nParent: c015\nBranch names: line\nPath: 16_c016.sql\n"},
	{&fx_chain, "c017", 0,
	 "Rev: c017\nParent: c016\nBranch names: line\nPath: 17_c017.sql\n",
	 "Rev: c017 (current)\nParent: c016\nBranch names: line\nPath: 17_c017.sql\n"},
	{&fx_chain, "c018", 0,
	 "Rev: c018\nParent: c017\nBranch names: line\nPath: 18_c018.sql\n",
	 "Rev: c018 (current)\nParent: c017\nBranch names: line\nPath: 18_c018.sql\n"},
	{&fx_chain, "c019", 0,
	 "Rev: c019\nParent: c018\nBranch names: line\nPath: 19_c019.sql\n",
	 "Rev: c019 (current)\nParent: c018\nBranch names: line\nPath: 19_c019.sql\n"},
	{&fx_chain, "c020", 0,
	 "Rev: c020\nParent: c019\nBranch names: line\nPath: 20_c020.sql\n",
	 "Rev: c020 (current)\nParent: c019\nBranch names: line\nPath: 20_c020.sql\n"},
	{&fx_chain, "c021", 0,
	 "Rev: c021\nParent: c020\nBranch names: line\nPath: 21_c021.sql\n",
	 "Rev: c021 (current)\nParent: c020\nBranch names: line\nPath: 21_c021.sql\n"},
	{&fx_chain, "c022", 0,
	 "Rev: c022\nParent: c021\nBranch names: line\nPath: 22_c022.sql\n",
	 "Rev: c022 (current)\nParent: c021\nBranch names: line\nPath: 22_c022.sql\n"},
	{&fx_chain, "c023", 0,
	 "Rev: c023\nParent: c022\nBranch names: line\nPath: 23_c023.sql\n",
	 "Rev: c023 (current)\nParent: c022\nBranch names: line\nPath: 23_c023.sql\n"},
	{&fx_chain, "c024", 0,
	 "Rev: c024\nParent: c023\nBranch names: line\nPath: 24_c024.sql\n",
	 "Rev: c024 (current)\nParent: c023\nBranch names: line\nPath: 24_c024.sql\n"},
	{&fx_chain, "c025", 0,
	 "Rev: c025\nParent: c024\nBranch names: line\nPath: 25_c025.sql\n",
	 "Rev: c025 (current)\nParent: c024\nBranch names: line\nPath: 25_c025.sql\n"},
	{&fx_chain, "c026", 0,
	 "Rev: c026\nParent: c025\nBranch names: line\nPath: 26_c026.sql\n",
	 "Rev: c026 (current)\nParent: c025\nBranch names: line\nPath: 26_c026.sql\n"},
	{&fx_chain, "c027", 0,
	 "Rev: c027\nParent: c026\nBranch names: line\nPath: 27_c027.sql\n",
	 "Rev: c027 (current)\nParent: c026\nBranch names: line\nPath: 27_c027.sql\n"},
	{&fx_chain, "c028", 0,
	 "Rev: c028\nParent: c027\nBranch names: line\nPath: 28_c028.sql\n",
	 "Rev: c028 (current)\nParent: c027\nBranch names: line\nPath: 28_c028.sql\n"},
	{&fx_chain, "c029", 0,
	 "Rev: c029 (head)\nParent: c028\nBranch names: line\nPath: 29_c029.sql\n",
	 "Rev: c029 (head) (current)\nParent: c028\nBranch names: line\nPath: 29_c029.sql\n"},
};

/* ScriptDirectory.walk_revisions(base or "base", head or "heads"), as `alembic history -r base:head`. */
static const history_case history_cases[] = {
	{&fx_sample, NULL, NULL, "a2e418ad6a15 6a67bf27e6a6 9540a051226e 5555bbbb0002 5555bbbb0001 3a2d6b1c9e0f d4a650f47a3c c39f1de47a04 186d4835587b b182f655505f e7b6dcb09efd", NULL},
	{&fx_sample, "base", "heads", "a2e418ad6a15 6a67bf27e6a6 9540a051226e 5555bbbb0002 5555bbbb0001 3a2d6b1c9e0f d4a650f47a3c c39f1de47a04 186d4835587b b182f655505f e7b6dcb09efd", NULL},
	{&fx_sample, "b182f655505f", "9540a051226e", "9540a051226e c39f1de47a04 186d4835587b b182f655505f", NULL},
	{&fx_sample, "9540", "c39f", NULL,
	 "Requested range 9540:c39f does not refer to ancestor/descendant revisions along the same branch"},
	{&fx_sample, "gxy@base", "gxy@head", "a2e418ad6a15 6a67bf27e6a6 9540a051226e c39f1de47a04 186d4835587b b182f655505f e7b6dcb09efd", NULL},
	{&fx_sample, "d4a650f47a3c", "heads", "5555bbbb0002 5555bbbb0001 3a2d6b1c9e0f d4a650f47a3c", NULL},
	{&fx_sample, "c39f1de47a04", "heads", "a2e418ad6a15 6a67bf27e6a6 9540a051226e c39f1de47a04", NULL},
	{&fx_sample, "3a2d", "a2e4", NULL,
	 "Requested range 3a2d:a2e4 does not refer to ancestor/descendant revisions along the same branch"},
	{&fx_sample, NULL, "tsi@head", "5555bbbb0002 5555bbbb0001 3a2d6b1c9e0f d4a650f47a3c c39f1de47a04 b182f655505f e7b6dcb09efd", NULL},
	{&fx_sample, "b182", NULL, "a2e418ad6a15 6a67bf27e6a6 9540a051226e c39f1de47a04 186d4835587b b182f655505f", NULL},
	{&fx_sample, "tsi@base", "tsi@head", "5555bbbb0002 5555bbbb0001 3a2d6b1c9e0f d4a650f47a3c c39f1de47a04 b182f655505f e7b6dcb09efd", NULL},
	{&fx_sample, NULL, "9540", "9540a051226e c39f1de47a04 186d4835587b b182f655505f e7b6dcb09efd", NULL},
	{&fx_sample, "base", "base", "", NULL},
	{&fx_sample, "a2e418ad6a15", "a2e418ad6a15", "a2e418ad6a15", NULL},
	{&fx_sample, "heads", "base", NULL,
	 "Requested range heads:base does not refer to ancestor/descendant revisions along the same branch"},
	{&fx_sample, "gxy@head", NULL, "a2e418ad6a15", NULL},
	{&fx_sample, "c39f1de47a04", NULL, "a2e418ad6a15 6a67bf27e6a6 9540a051226e c39f1de47a04", NULL},
	{&fx_sample, NULL, "tsi@-1", NULL,
	 "Relative revision -1 didn't produce 1 migrations"},
	{&fx_sample, "gxy@base", "heads", "a2e418ad6a15 6a67bf27e6a6 9540a051226e c39f1de47a04 186d4835587b b182f655505f e7b6dcb09efd", NULL},
	{&fx_sample, "tsi@base", NULL, "5555bbbb0002 5555bbbb0001 3a2d6b1c9e0f d4a650f47a3c c39f1de47a04 b182f655505f e7b6dcb09efd", NULL},
	{&fx_sample, "e7b6dcb09efd@c39f1de47a04", "heads", "a2e418ad6a15 6a67bf27e6a6 9540a051226e c39f1de47a04", NULL},
	{&fx_sample, "gxy@b182", "heads", "a2e418ad6a15 6a67bf27e6a6 9540a051226e c39f1de47a04 186d4835587b b182f655505f", NULL},
	{&fx_bases, NULL, NULL, "aaa3 aaa2 aaa1 bbb2 bbb1 ccc2 ccc3 ccc1", NULL},
	{&fx_bases, "aaa1", "aaa3", "aaa3 aaa2 aaa1", NULL},
	{&fx_bases, "alpha@base", "alpha@head", "aaa3 aaa2 aaa1", NULL},
	{&fx_bases, "ccc1", "heads", "ccc2 ccc3 ccc1", NULL},
	{&fx_bases, "bbb1", "aaa3", NULL,
	 "Requested range bbb1:aaa3 does not refer to ancestor/descendant revisions along the same branch"},
	{&fx_bases, "alpha2@base", "heads", "aaa3 aaa2 aaa1", NULL},
	{&fx_bases, "alpha@aaa2", NULL, "aaa3 aaa2", NULL},
	{&fx_merges, NULL, NULL, "top1 m004 h001 m005 k001 h002 k002 m003 m002 d001 g001 e001 m001 a002 a001 b001 c001 root", NULL},
	{&fx_merges, "m001", "m003", "m003 m002 d001 g001 e001 m001", NULL},
	{&fx_merges, "m003", "top1", "top1 m004 h001 m005 k001 h002 k002 m003", NULL},
	{&fx_merges, "a001", "m001", "m001 a002 a001", NULL},
	{&fx_merges, "h001", "k001", NULL,
	 "Requested range h001:k001 does not refer to ancestor/descendant revisions along the same branch"},
	{&fx_merges, "m004", "top1", "top1 m004", NULL},
	{&fx_deps, NULL, NULL, "t004 t003 t002 u002 u001 t001 s003 s002 s001", NULL},
	{&fx_deps, "t001", "heads", "t004 t003 t002 t001", NULL},
	{&fx_deps, "left@base", "left@head", "s003 s002 s001", NULL},
	{&fx_deps, "s001", "u002", NULL,
	 "Requested range s001:u002 does not refer to ancestor/descendant revisions along the same branch"},
	{&fx_short, "r1", "r", "r100 r10 r2 r1", NULL},
	{&fx_chain, "c005", "c008", "c008 c007 c006 c005", NULL},
	{&fx_chain, "c008", "c005", NULL,
	 "Requested range c008:c005 does not refer to ancestor/descendant revisions along the same branch"},
	{&fx_chain, NULL, "c003", "c003 c002 c001 c000", NULL},
	{&fx_chain, "c027", NULL, "c029 c028 c027", NULL},
	{&fx_chain, "c027", "heads", "c029 c028 c027", NULL},
	{&fx_chain, "line@base", "line@head", "c029 c028 c027 c026 c025 c024 c023 c022 c021 c020 c019 c018 c017 c016 c015 c014 c013 c012 c011 c010 c009 c008 c007 c006 c005 c004 c003 c002 c001 c000", NULL},
	{&fx_chain, "-2", NULL, "c029 c028 c027", NULL},
	{&fx_chain, "c025", "c025+10", "c029 c028 c027 c026 c025", NULL},
	{&fx_chain, "c005", "c005+2", "c007 c006 c005", NULL},
	{&fx_chain, "c010", "-1", NULL,
	 "Relative revision -1 didn't produce 1 migrations"},
};

/* ScriptDirectory.get_all_current(rows) (alembic current), in catalog order. */
static const current_case current_cases[] = {
	{&fx_sample, "a2e418ad6a15 5555bbbb0002", "a2e418ad6a15 5555bbbb0002"},
	{&fx_sample, "5555bbbb0002", "c39f1de47a04 5555bbbb0002"},
	{&fx_sample, "5555bbbb0001 186d4835587b", "186d4835587b c39f1de47a04 5555bbbb0001"},
	{&fx_sample, "e7b6dcb09efd d4a650f47a3c", "e7b6dcb09efd d4a650f47a3c"},
	{&fx_sample, "9540a051226e", "9540a051226e"},
	{&fx_merges, "m004 k001", "k001 m004"},
	{&fx_merges, "a002 b001", "a002 b001"},
	{&fx_deps, "t004", "s003 t004"},
	{&fx_deps, "t003 u002", "s003 t003 u002"},
	{&fx_deps, "u002", "t001 u002"},
};

/* str(step) (the "Running ..." log text) and step.short_log for each step of a plan. */
static const step_case step_cases[] = {
	{&fx_sample, "upgrade", "", "heads",
	 "upgrade  -> e7b6dcb09efd, create gxy base\n"
	 "upgrade e7b6dcb09efd -> b182f655505f, add user table\n"
	 "upgrade b182f655505f -> 186d4835587b, add dataset table\n"
	 "upgrade b182f655505f -> c39f1de47a04, add job table\n"
	 "upgrade  -> d4a650f47a3c, create tsi base\n"
	 "upgrade d4a650f47a3c -> 3a2d6b1c9e0f, add tool shed table\n"
	 "upgrade 3a2d6b1c9e0f -> 5555bbbb0001, tsi needs gxy job table\n"
	 "upgrade 5555bbbb0001 -> 5555bbbb0002, add repository status\n"
	 "upgrade c39f1de47a04, 186d4835587b -> 9540a051226e, merge job and dataset\n"
	 "upgrade 9540a051226e -> 6a67bf27e6a6, add dataset metadata column\n"
	 "upgrade 6a67bf27e6a6 -> a2e418ad6a15, add job queue index\n",
	 "upgrade  -> e7b6dcb09efd\n"
	 "upgrade e7b6dcb09efd -> b182f655505f\n"
	 "upgrade b182f655505f -> 186d4835587b\n"
	 "upgrade b182f655505f -> c39f1de47a04\n"
	 "upgrade  -> d4a650f47a3c\n"
	 "upgrade d4a650f47a3c -> 3a2d6b1c9e0f\n"
	 "upgrade 3a2d6b1c9e0f -> 5555bbbb0001\n"
	 "upgrade 5555bbbb0001 -> 5555bbbb0002\n"
	 "upgrade c39f1de47a04, 186d4835587b -> 9540a051226e\n"
	 "upgrade 9540a051226e -> 6a67bf27e6a6\n"
	 "upgrade 6a67bf27e6a6 -> a2e418ad6a15\n"},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "base",
	 "downgrade a2e418ad6a15 -> 6a67bf27e6a6, add job queue index\n"
	 "downgrade 6a67bf27e6a6 -> 9540a051226e, add dataset metadata column\n"
	 "downgrade 9540a051226e -> c39f1de47a04, 186d4835587b, merge job and dataset\n"
	 "downgrade 5555bbbb0002 -> 5555bbbb0001, add repository status\n"
	 "downgrade 5555bbbb0001 -> 3a2d6b1c9e0f, tsi needs gxy job table\n"
	 "downgrade 3a2d6b1c9e0f -> d4a650f47a3c, add tool shed table\n"
	 "downgrade d4a650f47a3c -> , create tsi base\n"
	 "downgrade c39f1de47a04 -> b182f655505f, add job table\n"
	 "downgrade 186d4835587b -> b182f655505f, add dataset table\n"
	 "downgrade b182f655505f -> e7b6dcb09efd, add user table\n"
	 "downgrade e7b6dcb09efd -> , create gxy base\n",
	 "downgrade a2e418ad6a15 -> 6a67bf27e6a6\n"
	 "downgrade 6a67bf27e6a6 -> 9540a051226e\n"
	 "downgrade 9540a051226e -> c39f1de47a04, 186d4835587b\n"
	 "downgrade 5555bbbb0002 -> 5555bbbb0001\n"
	 "downgrade 5555bbbb0001 -> 3a2d6b1c9e0f\n"
	 "downgrade 3a2d6b1c9e0f -> d4a650f47a3c\n"
	 "downgrade d4a650f47a3c -> \n"
	 "downgrade c39f1de47a04 -> b182f655505f\n"
	 "downgrade 186d4835587b -> b182f655505f\n"
	 "downgrade b182f655505f -> e7b6dcb09efd\n"
	 "downgrade e7b6dcb09efd -> \n"},
	{&fx_sample, "stamp", "a2e418ad6a15 5555bbbb0002", "9540a051226e",
	 "stamp_revision a2e418ad6a15 -> 9540a051226e\n",
	 "stamp_revision a2e418ad6a15 -> 9540a051226e\n"},
	{&fx_sample, "stamp", "", "heads",
	 "stamp_revision  -> a2e418ad6a15\n"
	 "stamp_revision  -> 5555bbbb0002\n",
	 "stamp_revision  -> a2e418ad6a15\n"
	 "stamp_revision  -> 5555bbbb0002\n"},
	{&fx_sample, "stamp", "a2e418ad6a15 5555bbbb0002", "base",
	 "stamp_revision a2e418ad6a15 -> \n"
	 "stamp_revision 5555bbbb0002 -> \n",
	 "stamp_revision a2e418ad6a15 -> \n"
	 "stamp_revision 5555bbbb0002 -> \n"},
	{&fx_merges, "downgrade", "top1", "m003",
	 "downgrade top1 -> m004, m005, merge of merges\n"
	 "downgrade m004 -> h001, h002, merge h\n"
	 "downgrade h001 -> m003, h one\n"
	 "downgrade m005 -> k001, k002, merge k\n"
	 "downgrade k001 -> m003, k one\n"
	 "downgrade h002 -> m003, h two\n"
	 "downgrade k002 -> m003, k two\n",
	 "downgrade top1 -> m004, m005\n"
	 "downgrade m004 -> h001, h002\n"
	 "downgrade h001 -> m003\n"
	 "downgrade m005 -> k001, k002\n"
	 "downgrade k001 -> m003\n"
	 "downgrade h002 -> m003\n"
	 "downgrade k002 -> m003\n"},
};

/* mg_report_row fields from the Script: _versioned_down_revisions, branch_labels,
 * dependencies, doc, is_head, is_branch_point, is_merge_point. */
static const row_case row_cases[] = {
	{&fx_sample, "186d4835587b", "b182f655505f", "gxy", "", "add dataset table", 0, 0, 0},
	{&fx_sample, "6a67bf27e6a6", "9540a051226e", "gxy", "", "add dataset metadata column", 0, 0, 0},
	{&fx_sample, "9540a051226e", "c39f1de47a04, 186d4835587b", "gxy", "", "merge job and dataset", 0, 0, 1},
	{&fx_sample, "a2e418ad6a15", "6a67bf27e6a6", "gxy", "", "add job queue index", 1, 0, 0},
	{&fx_sample, "b182f655505f", "e7b6dcb09efd", "gxy", "", "add user table", 0, 1, 0},
	{&fx_sample, "c39f1de47a04", "b182f655505f", "gxy", "", "add job table", 0, 0, 0},
	{&fx_sample, "e7b6dcb09efd", "", "gxy", "", "create gxy base", 0, 0, 0},
	{&fx_sample, "3a2d6b1c9e0f", "d4a650f47a3c", "tsi", "", "add tool shed table", 0, 0, 0},
	{&fx_sample, "5555bbbb0001", "3a2d6b1c9e0f", "tsi", "c39f1de47a04", "tsi needs gxy job table", 0, 0, 0},
	{&fx_sample, "5555bbbb0002", "5555bbbb0001", "tsi", "", "add repository status", 1, 0, 0},
	{&fx_sample, "d4a650f47a3c", "", "tsi", "", "create tsi base", 0, 0, 0},
	{&fx_deps, "s001", "", "left", "", "left base", 0, 0, 0},
	{&fx_deps, "s002", "s001", "left", "", "left two", 0, 0, 0},
	{&fx_deps, "s003", "s002", "left", "", "left three", 1, 0, 0},
	{&fx_deps, "t001", "", "right", "", "right base", 0, 0, 0},
	{&fx_deps, "t002", "t001", "right", "s002", "right two needs left two", 0, 0, 0},
	{&fx_deps, "t003", "t002", "right", "s003", "right three needs left three", 0, 0, 0},
	{&fx_deps, "t004", "t003", "right", "s002", "right four needs left two again", 1, 0, 0},
	{&fx_deps, "u001", "", "third", "right", "third base needs right", 0, 0, 0},
	{&fx_deps, "u002", "u001", "third", "", "third two", 1, 0, 0},
	{&fx_merges, "root", "", "trunk", "", "root", 0, 1, 0},
	{&fx_merges, "a001", "root", "trunk", "", "a one", 0, 0, 0},
	{&fx_merges, "a002", "a001", "trunk", "", "a two", 0, 0, 0},
	{&fx_merges, "b001", "root", "trunk", "", "b one", 0, 0, 0},
	{&fx_merges, "c001", "root", "trunk", "", "c one", 0, 0, 0},
	{&fx_merges, "m001", "a002, b001, c001", "trunk", "", "three-parent merge", 0, 1, 1},
	{&fx_merges, "d001", "m001", "trunk", "", "d one", 0, 0, 0},
	{&fx_merges, "e001", "m001", "trunk", "", "e one", 0, 0, 0},
	{&fx_merges, "g001", "m001", "trunk", "", "g one", 0, 0, 0},
	{&fx_merges, "m002", "d001, e001", "trunk", "", "merge d and e", 0, 0, 1},
	{&fx_merges, "m003", "m002, g001", "trunk", "", "merge of a merge and g", 0, 1, 1},
	{&fx_merges, "h001", "m003", "trunk", "", "h one", 0, 0, 0},
	{&fx_merges, "h002", "m003", "trunk", "", "h two", 0, 0, 0},
	{&fx_merges, "k001", "m003", "trunk", "", "k one", 0, 0, 0},
	{&fx_merges, "k002", "m003", "trunk", "", "k two", 0, 0, 0},
	{&fx_merges, "m004", "h001, h002", "trunk", "", "merge h", 0, 0, 1},
	{&fx_merges, "m005", "k001, k002", "trunk", "", "merge k", 0, 0, 1},
	{&fx_merges, "top1", "m004, m005", "trunk", "", "merge of merges", 1, 0, 1},
};

static void
test_lines(void)
{
	for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++)
	{
		const line_case *c = &line_cases[i];
		mg_ctx *ctx = fx_ctx();
		mg_revmap *map = fx_map(ctx, c->g);
		int r = mg_revmap_find(map, c->id);

		is_str(mg_report_history_line(ctx, map, r, false), c->history, "%s: history line of %s",
			   c->g->name, c->id);
		is_str(mg_report_history_line(ctx, map, r, true), c->history_current,
			   "%s: history line of %s, current", c->g->name, c->id);
		is_str(mg_report_current_line(ctx, map, r), c->current, "%s: current line of %s",
			   c->g->name, c->id);
		is_str(mg_report_heads_line(ctx, map, r), c->heads, "%s: heads line of %s", c->g->name, c->id);
		mg_ctx_free(ctx);
	}
}

static void
test_show(void)
{
	for (size_t i = 0; i < sizeof(show_cases) / sizeof(show_cases[0]); i++)
	{
		const show_case *c = &show_cases[i];
		mg_ctx *ctx = fx_ctx();
		mg_revmap *map = fx_map(ctx, c->g);
		int r = mg_revmap_find(map, c->id);
		char *plain = mg_report_show(ctx, map, r, false);
		char *cur = mg_report_show(ctx, map, r, true);

		if (!c->full)
		{
			/* cut after the Path line */
			char *p = plain ? strstr(plain, "Path: ") : NULL;
			char *q = cur ? strstr(cur, "Path: ") : NULL;

			if (p && strchr(p, '\n'))
				strchr(p, '\n')[1] = '\0';
			if (q && strchr(q, '\n'))
				strchr(q, '\n')[1] = '\0';
		}
		is_str(plain, c->plain, "%s: show %s", c->g->name, c->id);
		is_str(cur, c->current, "%s: show %s, current", c->g->name, c->id);
		mg_ctx_free(ctx);
	}
}

static void
test_history(void)
{
	for (size_t i = 0; i < sizeof(history_cases) / sizeof(history_cases[0]); i++)
	{
		const history_case *c = &history_cases[i];
		mg_ctx *ctx = fx_ctx();
		mg_revmap *map = fx_map(ctx, c->g);
		int *revs = NULL;
		size_t n = 0;
		int rc = mg_report_history(&revs, &n, ctx, map, c->base, c->head);
		const char *b = c->base ? c->base : "", *h = c->head ? c->head : "";

		if (c->revs != NULL)
		{
			is_int(rc, MG_OK, "%s: history %s:%s succeeds", c->g->name, b, h);
			if (rc != MG_OK)
				printf("#   error: %s / %s\n", mg_ctx_error(ctx)->message, mg_ctx_error(ctx)->detail);
			is_str(fx_ids(ctx, map, revs, n), c->revs, "%s: history %s:%s", c->g->name, b, h);
		}
		else
		{
			is_int(rc, MG_EINPUT, "%s: history %s:%s fails", c->g->name, b, h);
			is_str(mg_ctx_error(ctx)->message, c->message, "%s: history %s:%s message", c->g->name, b, h);
			is_int(n, 0, "%s: history %s:%s lists nothing", c->g->name, b, h);
		}
		mg_ctx_free(ctx);
	}
}

static void
test_all_current(void)
{
	for (size_t i = 0; i < sizeof(current_cases) / sizeof(current_cases[0]); i++)
	{
		const current_case *c = &current_cases[i];
		mg_ctx *ctx = fx_ctx();
		mg_revmap *map = fx_map(ctx, c->g);
		size_t ncur, n = 0;
		int *cur = fx_revs(ctx, map, c->rows, &ncur);
		int *revs = NULL;

		is_int(mg_report_all_current(&revs, &n, ctx, map, cur, ncur), MG_OK,
			   "%s: current of [%s] succeeds", c->g->name, c->rows);
		is_str(fx_ids(ctx, map, revs, n), c->revs, "%s: current of [%s]", c->g->name, c->rows);
		mg_ctx_free(ctx);
	}
}

static void
test_steps(void)
{
	for (size_t i = 0; i < sizeof(step_cases) / sizeof(step_cases[0]); i++)
	{
		const step_case *c = &step_cases[i];
		mg_ctx *ctx = fx_ctx();
		mg_revmap *map = fx_map(ctx, c->g);
		size_t ncur;
		const char **cur = fx_rows(ctx, c->current, &ncur);
		mg_plan p;
		mg_buf logs, shorts;
		char *l, *s;
		int rc;

		memset(&p, 0, sizeof(p));
		if (strcmp(c->kind, "upgrade") == 0)
			rc = mg_plan_upgrade(&p, ctx, map, cur, ncur, c->target);
		else if (strcmp(c->kind, "downgrade") == 0)
			rc = mg_plan_downgrade(&p, ctx, map, cur, ncur, c->target);
		else
			rc = mg_plan_stamp(&p, ctx, map, cur, ncur, c->target);
		is_int(rc, MG_OK, "%s: %s %s plans", c->g->name, c->kind, c->target);
		mg_buf_init(&logs, ctx);
		mg_buf_init(&shorts, ctx);
		for (size_t k = 0; k < p.n; k++)
		{
			mg_buf_printf(&logs, "%s\n", mg_report_step(ctx, map, &p.steps[k], true));
			mg_buf_printf(&shorts, "%s\n", mg_report_step(ctx, map, &p.steps[k], false));
		}
		mg_buf_finish(&logs, &l);
		mg_buf_finish(&shorts, &s);
		is_str(l, c->logs, "%s: %s %s from [%s]: step texts", c->g->name, c->kind, c->target, c->current);
		is_str(s, c->shorts, "%s: %s %s from [%s]: short step texts", c->g->name, c->kind, c->target,
			   c->current);
		mg_ctx_free(ctx);
	}
}

static void
test_rows(void)
{
	for (size_t i = 0; i < sizeof(row_cases) / sizeof(row_cases[0]); i++)
	{
		const row_case *c = &row_cases[i];
		mg_ctx *ctx = fx_ctx();
		mg_revmap *map = fx_map(ctx, c->g);
		int r = mg_revmap_find(map, c->id);
		mg_history_row row;

		is_int(mg_report_row(&row, ctx, map, r, i % 2 == 0), MG_OK, "%s: row of %s", c->g->name, c->id);
		is_str(row.revision, c->id, "%s: row %s revision", c->g->name, c->id);
		is_str(row.down_revisions, c->down, "%s: row %s down revisions", c->g->name, c->id);
		is_str(row.branch_labels, c->labels, "%s: row %s branch labels", c->g->name, c->id);
		is_str(row.depends_on, c->deps, "%s: row %s depends on", c->g->name, c->id);
		is_str(row.message, c->message, "%s: row %s message", c->g->name, c->id);
		is_int(row.is_head, c->head, "%s: row %s is_head", c->g->name, c->id);
		is_int(row.is_current, i % 2 == 0, "%s: row %s is_current", c->g->name, c->id);
		is_int(row.is_branchpoint, c->branchpoint, "%s: row %s is_branchpoint", c->g->name, c->id);
		is_int(row.is_mergepoint, c->mergepoint, "%s: row %s is_mergepoint", c->g->name, c->id);
		is_str(row.line, mg_report_history_line(ctx, map, r, i % 2 == 0), "%s: row %s line",
			   c->g->name, c->id);
		mg_ctx_free(ctx);
	}
}

int
main(void)
{
	test_lines();
	test_show();
	test_history();
	test_all_current();
	test_steps();
	test_rows();
	is_int(tap_live, 0, "every context freed");
	return done_testing();
}
