/*
 * test_plan.c -- steps and version-table operations (plan.c) against
 * Alembic 1.8.1.
 *
 * For each (version rows, target) pair: the upgrade, downgrade or stamp
 * steps in order, each step's from / to text, the INSERT / UPDATE /
 * DELETE statements on the version table, and the rows left afterwards,
 * all as Alembic's ScriptDirectory and HeadMaintainer produced them on
 * the same graph (graph_fixture.h).  The statements were also checked
 * against Alembic's offline (--sql start:end) output.  Errors: the
 * message, and that no step was produced.
 *
 * Then an out-of-memory sweep: building the sample map, planning
 * "upgrade heads" from an empty table and listing the history, with the
 * N-th allocation failing for every N until the run succeeds.
 */
#include "graph_fixture.h"

typedef struct plan_case {
	const fx_graph *g;
	const char *kind;       /* "upgrade", "downgrade", "stamp" */
	const char *current;    /* version rows, space-separated, table order */
	const char *target;
	const char *steps;      /* rendered steps (render_plan); NULL when an error */
	const char *end;        /* version rows afterwards, sorted */
	const char *message;
	const char *detail;
} plan_case;

typedef struct big_case {
	const char *kind;
	const char *current;
	const char *target;
	size_t nsteps;
	const char *checksum;   /* of the rendered steps; NULL when an error */
	const char *end;
	const char *message;
} big_case;

typedef struct big_history {
	const char *base;
	const char *head;
	size_t n;
	const char *checksum;   /* of the ids joined by spaces */
} big_history;

/*
 * Per case: the steps of ScriptDirectory._upgrade_revs(target, current) /
 * _downgrade_revs(target, current) / _stamp_revs(target, current), each
 * "<kind> <from_revisions_no_deps> -> <to_revisions_no_deps> [<revision>]:"
 * and the version-table statements HeadMaintainer.update_to_step(step)
 * issued (the INSERT / UPDATE / DELETE of Alembic's offline --sql output);
 * then the version rows afterwards (HeadMaintainer.heads, a set: sorted).
 * Errors: the CommandError text, and the start of the detail where a
 * ResolutionError is hidden behind it.
 */
static const plan_case plan_cases[] = {
	{&fx_sample, "upgrade", "", "heads",
	  "upgrade  -> e7b6dcb09efd [e7b6dcb09efd]: INSERT e7b6dcb09efd\n"
	  "upgrade e7b6dcb09efd -> b182f655505f [b182f655505f]: UPDATE e7b6dcb09efd -> b182f655505f\n"
	  "upgrade b182f655505f -> 186d4835587b [186d4835587b]: UPDATE b182f655505f -> 186d4835587b\n"
	  "upgrade b182f655505f -> c39f1de47a04 [c39f1de47a04]: INSERT c39f1de47a04\n"
	  "upgrade  -> d4a650f47a3c [d4a650f47a3c]: INSERT d4a650f47a3c\n"
	  "upgrade d4a650f47a3c -> 3a2d6b1c9e0f [3a2d6b1c9e0f]: UPDATE d4a650f47a3c -> 3a2d6b1c9e0f\n"
	  "upgrade 3a2d6b1c9e0f -> 5555bbbb0001 [5555bbbb0001]: DELETE 3a2d6b1c9e0f; UPDATE c39f1de47a04 -> 5555bbbb0001\n"
	  "upgrade 5555bbbb0001 -> 5555bbbb0002 [5555bbbb0002]: UPDATE 5555bbbb0001 -> 5555bbbb0002\n"
	  "upgrade c39f1de47a04, 186d4835587b -> 9540a051226e [9540a051226e]: UPDATE 186d4835587b -> 9540a051226e\n"
	  "upgrade 9540a051226e -> 6a67bf27e6a6 [6a67bf27e6a6]: UPDATE 9540a051226e -> 6a67bf27e6a6\n"
	  "upgrade 6a67bf27e6a6 -> a2e418ad6a15 [a2e418ad6a15]: UPDATE 6a67bf27e6a6 -> a2e418ad6a15\n",
	 "5555bbbb0002 a2e418ad6a15", NULL, NULL},
	{&fx_sample, "upgrade", "", "gxy@head",
	  "upgrade  -> e7b6dcb09efd [e7b6dcb09efd]: INSERT e7b6dcb09efd\n"
	  "upgrade e7b6dcb09efd -> b182f655505f [b182f655505f]: UPDATE e7b6dcb09efd -> b182f655505f\n"
	  "upgrade b182f655505f -> 186d4835587b [186d4835587b]: UPDATE b182f655505f -> 186d4835587b\n"
	  "upgrade b182f655505f -> c39f1de47a04 [c39f1de47a04]: INSERT c39f1de47a04\n"
	  "upgrade c39f1de47a04, 186d4835587b -> 9540a051226e [9540a051226e]: DELETE c39f1de47a04; UPDATE 186d4835587b -> 9540a051226e\n"
	  "upgrade 9540a051226e -> 6a67bf27e6a6 [6a67bf27e6a6]: UPDATE 9540a051226e -> 6a67bf27e6a6\n"
	  "upgrade 6a67bf27e6a6 -> a2e418ad6a15 [a2e418ad6a15]: UPDATE 6a67bf27e6a6 -> a2e418ad6a15\n",
	 "a2e418ad6a15", NULL, NULL},
	{&fx_sample, "upgrade", "", "tsi@head",
	  "upgrade  -> e7b6dcb09efd [e7b6dcb09efd]: INSERT e7b6dcb09efd\n"
	  "upgrade e7b6dcb09efd -> b182f655505f [b182f655505f]: UPDATE e7b6dcb09efd -> b182f655505f\n"
	  "upgrade b182f655505f -> c39f1de47a04 [c39f1de47a04]: UPDATE b182f655505f -> c39f1de47a04\n"
	  "upgrade  -> d4a650f47a3c [d4a650f47a3c]: INSERT d4a650f47a3c\n"
	  "upgrade d4a650f47a3c -> 3a2d6b1c9e0f [3a2d6b1c9e0f]: UPDATE d4a650f47a3c -> 3a2d6b1c9e0f\n"
	  "upgrade 3a2d6b1c9e0f -> 5555bbbb0001 [5555bbbb0001]: DELETE 3a2d6b1c9e0f; UPDATE c39f1de47a04 -> 5555bbbb0001\n"
	  "upgrade 5555bbbb0001 -> 5555bbbb0002 [5555bbbb0002]: UPDATE 5555bbbb0001 -> 5555bbbb0002\n",
	 "5555bbbb0002", NULL, NULL},
	{&fx_sample, "upgrade", "", "9540a051226e",
	  "upgrade  -> e7b6dcb09efd [e7b6dcb09efd]: INSERT e7b6dcb09efd\n"
	  "upgrade e7b6dcb09efd -> b182f655505f [b182f655505f]: UPDATE e7b6dcb09efd -> b182f655505f\n"
	  "upgrade b182f655505f -> 186d4835587b [186d4835587b]: UPDATE b182f655505f -> 186d4835587b\n"
	  "upgrade b182f655505f -> c39f1de47a04 [c39f1de47a04]: INSERT c39f1de47a04\n"
	  "upgrade c39f1de47a04, 186d4835587b -> 9540a051226e [9540a051226e]: DELETE c39f1de47a04; UPDATE 186d4835587b -> 9540a051226e\n",
	 "9540a051226e", NULL, NULL},
	{&fx_sample, "upgrade", "", "5555bbbb0001",
	  "upgrade  -> e7b6dcb09efd [e7b6dcb09efd]: INSERT e7b6dcb09efd\n"
	  "upgrade e7b6dcb09efd -> b182f655505f [b182f655505f]: UPDATE e7b6dcb09efd -> b182f655505f\n"
	  "upgrade b182f655505f -> c39f1de47a04 [c39f1de47a04]: UPDATE b182f655505f -> c39f1de47a04\n"
	  "upgrade  -> d4a650f47a3c [d4a650f47a3c]: INSERT d4a650f47a3c\n"
	  "upgrade d4a650f47a3c -> 3a2d6b1c9e0f [3a2d6b1c9e0f]: UPDATE d4a650f47a3c -> 3a2d6b1c9e0f\n"
	  "upgrade 3a2d6b1c9e0f -> 5555bbbb0001 [5555bbbb0001]: DELETE 3a2d6b1c9e0f; UPDATE c39f1de47a04 -> 5555bbbb0001\n",
	 "5555bbbb0001", NULL, NULL},
	{&fx_sample, "upgrade", "e7b6dcb09efd", "heads",
	  "upgrade e7b6dcb09efd -> b182f655505f [b182f655505f]: UPDATE e7b6dcb09efd -> b182f655505f\n"
	  "upgrade b182f655505f -> 186d4835587b [186d4835587b]: UPDATE b182f655505f -> 186d4835587b\n"
	  "upgrade b182f655505f -> c39f1de47a04 [c39f1de47a04]: INSERT c39f1de47a04\n"
	  "upgrade  -> d4a650f47a3c [d4a650f47a3c]: INSERT d4a650f47a3c\n"
	  "upgrade d4a650f47a3c -> 3a2d6b1c9e0f [3a2d6b1c9e0f]: UPDATE d4a650f47a3c -> 3a2d6b1c9e0f\n"
	  "upgrade 3a2d6b1c9e0f -> 5555bbbb0001 [5555bbbb0001]: DELETE 3a2d6b1c9e0f; UPDATE c39f1de47a04 -> 5555bbbb0001\n"
	  "upgrade 5555bbbb0001 -> 5555bbbb0002 [5555bbbb0002]: UPDATE 5555bbbb0001 -> 5555bbbb0002\n"
	  "upgrade c39f1de47a04, 186d4835587b -> 9540a051226e [9540a051226e]: UPDATE 186d4835587b -> 9540a051226e\n"
	  "upgrade 9540a051226e -> 6a67bf27e6a6 [6a67bf27e6a6]: UPDATE 9540a051226e -> 6a67bf27e6a6\n"
	  "upgrade 6a67bf27e6a6 -> a2e418ad6a15 [a2e418ad6a15]: UPDATE 6a67bf27e6a6 -> a2e418ad6a15\n",
	 "5555bbbb0002 a2e418ad6a15", NULL, NULL},
	{&fx_sample, "upgrade", "186d4835587b", "gxy@head",
	  "upgrade b182f655505f -> c39f1de47a04 [c39f1de47a04]: INSERT c39f1de47a04\n"
	  "upgrade c39f1de47a04, 186d4835587b -> 9540a051226e [9540a051226e]: DELETE c39f1de47a04; UPDATE 186d4835587b -> 9540a051226e\n"
	  "upgrade 9540a051226e -> 6a67bf27e6a6 [6a67bf27e6a6]: UPDATE 9540a051226e -> 6a67bf27e6a6\n"
	  "upgrade 6a67bf27e6a6 -> a2e418ad6a15 [a2e418ad6a15]: UPDATE 6a67bf27e6a6 -> a2e418ad6a15\n",
	 "a2e418ad6a15", NULL, NULL},
	{&fx_sample, "upgrade", "c39f1de47a04 d4a650f47a3c", "tsi@head",
	  "upgrade d4a650f47a3c -> 3a2d6b1c9e0f [3a2d6b1c9e0f]: UPDATE d4a650f47a3c -> 3a2d6b1c9e0f\n"
	  "upgrade 3a2d6b1c9e0f -> 5555bbbb0001 [5555bbbb0001]: DELETE 3a2d6b1c9e0f; UPDATE c39f1de47a04 -> 5555bbbb0001\n"
	  "upgrade 5555bbbb0001 -> 5555bbbb0002 [5555bbbb0002]: UPDATE 5555bbbb0001 -> 5555bbbb0002\n",
	 "5555bbbb0002", NULL, NULL},
	{&fx_sample, "upgrade", "9540a051226e 3a2d6b1c9e0f", "heads",
	  "upgrade 3a2d6b1c9e0f -> 5555bbbb0001 [5555bbbb0001]: UPDATE 3a2d6b1c9e0f -> 5555bbbb0001\n"
	  "upgrade 5555bbbb0001 -> 5555bbbb0002 [5555bbbb0002]: UPDATE 5555bbbb0001 -> 5555bbbb0002\n"
	  "upgrade 9540a051226e -> 6a67bf27e6a6 [6a67bf27e6a6]: UPDATE 9540a051226e -> 6a67bf27e6a6\n"
	  "upgrade 6a67bf27e6a6 -> a2e418ad6a15 [a2e418ad6a15]: UPDATE 6a67bf27e6a6 -> a2e418ad6a15\n",
	 "5555bbbb0002 a2e418ad6a15", NULL, NULL},
	{&fx_sample, "upgrade", "5555bbbb0001", "gxy@head",
	  "upgrade b182f655505f -> 186d4835587b [186d4835587b]: INSERT 186d4835587b\n"
	  "upgrade c39f1de47a04, 186d4835587b -> 9540a051226e [9540a051226e]: UPDATE 186d4835587b -> 9540a051226e\n"
	  "upgrade 9540a051226e -> 6a67bf27e6a6 [6a67bf27e6a6]: UPDATE 9540a051226e -> 6a67bf27e6a6\n"
	  "upgrade 6a67bf27e6a6 -> a2e418ad6a15 [a2e418ad6a15]: UPDATE 6a67bf27e6a6 -> a2e418ad6a15\n",
	 "5555bbbb0001 a2e418ad6a15", NULL, NULL},
	{&fx_sample, "upgrade", "a2e418ad6a15", "+1", NULL, NULL,
	 "Relative revision +1 didn't produce 1 migrations",
	 NULL},
	{&fx_sample, "upgrade", "e7b6dcb09efd", "+1",
	  "upgrade e7b6dcb09efd -> b182f655505f [b182f655505f]: UPDATE e7b6dcb09efd -> b182f655505f\n",
	 "b182f655505f", NULL, NULL},
	{&fx_sample, "upgrade", "a2e418ad6a15 5555bbbb0002", "heads", "",
	 "5555bbbb0002 a2e418ad6a15", NULL, NULL},
	{&fx_sample, "upgrade", "a2e418ad6a15", "c39f1de47a04", "",
	 "a2e418ad6a15", NULL, NULL},
	{&fx_sample, "upgrade", "e7b6dcb09efd b182f655505f", "heads", NULL, NULL,
	 "Requested revision b182f655505f overlaps with other requested revisions e7b6dcb09efd",
	 NULL},
	{&fx_sample, "upgrade", "d4a650f47a3c", "gxy@+2",
	  "upgrade  -> e7b6dcb09efd [e7b6dcb09efd]: INSERT e7b6dcb09efd\n"
	  "upgrade e7b6dcb09efd -> b182f655505f [b182f655505f]: UPDATE e7b6dcb09efd -> b182f655505f\n",
	 "b182f655505f d4a650f47a3c", NULL, NULL},
	{&fx_sample, "upgrade", "3a2d6b1c9e0f", "tsi@+1",
	  "upgrade  -> e7b6dcb09efd [e7b6dcb09efd]: INSERT e7b6dcb09efd\n"
	  "upgrade e7b6dcb09efd -> b182f655505f [b182f655505f]: UPDATE e7b6dcb09efd -> b182f655505f\n"
	  "upgrade b182f655505f -> c39f1de47a04 [c39f1de47a04]: UPDATE b182f655505f -> c39f1de47a04\n"
	  "upgrade 3a2d6b1c9e0f -> 5555bbbb0001 [5555bbbb0001]: DELETE 3a2d6b1c9e0f; UPDATE c39f1de47a04 -> 5555bbbb0001\n",
	 "5555bbbb0001", NULL, NULL},
	{&fx_sample, "upgrade", "b182f655505f", "+1", NULL, NULL,
	 "Ambiguous walk",
	 NULL},
	{&fx_sample, "upgrade", "", "zzzz", NULL, NULL,
	 "Can't locate revision identified by 'zzzz'",
	 "No such revision or branch 'zzzz'"},
	{&fx_sample, "upgrade", "", "head", NULL, NULL,
	 "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
	 NULL},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "base",
	  "downgrade a2e418ad6a15 -> 6a67bf27e6a6 [a2e418ad6a15]: UPDATE a2e418ad6a15 -> 6a67bf27e6a6\n"
	  "downgrade 6a67bf27e6a6 -> 9540a051226e [6a67bf27e6a6]: UPDATE 6a67bf27e6a6 -> 9540a051226e\n"
	  "downgrade 9540a051226e -> c39f1de47a04, 186d4835587b [9540a051226e]: UPDATE 9540a051226e -> 186d4835587b\n"
	  "downgrade 5555bbbb0002 -> 5555bbbb0001 [5555bbbb0002]: UPDATE 5555bbbb0002 -> 5555bbbb0001\n"
	  "downgrade 5555bbbb0001 -> 3a2d6b1c9e0f [5555bbbb0001]: INSERT 3a2d6b1c9e0f; UPDATE 5555bbbb0001 -> c39f1de47a04\n"
	  "downgrade 3a2d6b1c9e0f -> d4a650f47a3c [3a2d6b1c9e0f]: UPDATE 3a2d6b1c9e0f -> d4a650f47a3c\n"
	  "downgrade d4a650f47a3c ->  [d4a650f47a3c]: DELETE d4a650f47a3c\n"
	  "downgrade c39f1de47a04 -> b182f655505f [c39f1de47a04]: DELETE c39f1de47a04\n"
	  "downgrade 186d4835587b -> b182f655505f [186d4835587b]: UPDATE 186d4835587b -> b182f655505f\n"
	  "downgrade b182f655505f -> e7b6dcb09efd [b182f655505f]: UPDATE b182f655505f -> e7b6dcb09efd\n"
	  "downgrade e7b6dcb09efd ->  [e7b6dcb09efd]: DELETE e7b6dcb09efd\n",
	 "", NULL, NULL},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "gxy@base",
	  "downgrade a2e418ad6a15 -> 6a67bf27e6a6 [a2e418ad6a15]: UPDATE a2e418ad6a15 -> 6a67bf27e6a6\n"
	  "downgrade 6a67bf27e6a6 -> 9540a051226e [6a67bf27e6a6]: UPDATE 6a67bf27e6a6 -> 9540a051226e\n"
	  "downgrade 9540a051226e -> c39f1de47a04, 186d4835587b [9540a051226e]: UPDATE 9540a051226e -> 186d4835587b\n"
	  "downgrade 5555bbbb0002 -> 5555bbbb0001 [5555bbbb0002]: UPDATE 5555bbbb0002 -> 5555bbbb0001\n"
	  "downgrade 5555bbbb0001 -> 3a2d6b1c9e0f [5555bbbb0001]: INSERT 3a2d6b1c9e0f; UPDATE 5555bbbb0001 -> c39f1de47a04\n"
	  "downgrade c39f1de47a04 -> b182f655505f [c39f1de47a04]: DELETE c39f1de47a04\n"
	  "downgrade 186d4835587b -> b182f655505f [186d4835587b]: UPDATE 186d4835587b -> b182f655505f\n"
	  "downgrade b182f655505f -> e7b6dcb09efd [b182f655505f]: UPDATE b182f655505f -> e7b6dcb09efd\n"
	  "downgrade e7b6dcb09efd ->  [e7b6dcb09efd]: DELETE e7b6dcb09efd\n",
	 "3a2d6b1c9e0f", NULL, NULL},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "tsi@base",
	  "downgrade 5555bbbb0002 -> 5555bbbb0001 [5555bbbb0002]: UPDATE 5555bbbb0002 -> 5555bbbb0001\n"
	  "downgrade 5555bbbb0001 -> 3a2d6b1c9e0f [5555bbbb0001]: UPDATE 5555bbbb0001 -> 3a2d6b1c9e0f\n"
	  "downgrade 3a2d6b1c9e0f -> d4a650f47a3c [3a2d6b1c9e0f]: UPDATE 3a2d6b1c9e0f -> d4a650f47a3c\n"
	  "downgrade d4a650f47a3c ->  [d4a650f47a3c]: DELETE d4a650f47a3c\n",
	 "a2e418ad6a15", NULL, NULL},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "9540a051226e",
	  "downgrade a2e418ad6a15 -> 6a67bf27e6a6 [a2e418ad6a15]: UPDATE a2e418ad6a15 -> 6a67bf27e6a6\n"
	  "downgrade 6a67bf27e6a6 -> 9540a051226e [6a67bf27e6a6]: UPDATE 6a67bf27e6a6 -> 9540a051226e\n",
	 "5555bbbb0002 9540a051226e", NULL, NULL},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "b182f655505f",
	  "downgrade a2e418ad6a15 -> 6a67bf27e6a6 [a2e418ad6a15]: UPDATE a2e418ad6a15 -> 6a67bf27e6a6\n"
	  "downgrade 6a67bf27e6a6 -> 9540a051226e [6a67bf27e6a6]: UPDATE 6a67bf27e6a6 -> 9540a051226e\n"
	  "downgrade 9540a051226e -> c39f1de47a04, 186d4835587b [9540a051226e]: UPDATE 9540a051226e -> 186d4835587b\n"
	  "downgrade 5555bbbb0002 -> 5555bbbb0001 [5555bbbb0002]: UPDATE 5555bbbb0002 -> 5555bbbb0001\n"
	  "downgrade 5555bbbb0001 -> 3a2d6b1c9e0f [5555bbbb0001]: INSERT 3a2d6b1c9e0f; UPDATE 5555bbbb0001 -> c39f1de47a04\n"
	  "downgrade c39f1de47a04 -> b182f655505f [c39f1de47a04]: DELETE c39f1de47a04\n"
	  "downgrade 186d4835587b -> b182f655505f [186d4835587b]: UPDATE 186d4835587b -> b182f655505f\n",
	 "3a2d6b1c9e0f b182f655505f", NULL, NULL},
	{&fx_sample, "downgrade", "9540a051226e", "b182f655505f",
	  "downgrade 9540a051226e -> c39f1de47a04, 186d4835587b [9540a051226e]: INSERT c39f1de47a04; UPDATE 9540a051226e -> 186d4835587b\n"
	  "downgrade c39f1de47a04 -> b182f655505f [c39f1de47a04]: DELETE c39f1de47a04\n"
	  "downgrade 186d4835587b -> b182f655505f [186d4835587b]: UPDATE 186d4835587b -> b182f655505f\n",
	 "b182f655505f", NULL, NULL},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "c39f1de47a04",
	  "downgrade a2e418ad6a15 -> 6a67bf27e6a6 [a2e418ad6a15]: UPDATE a2e418ad6a15 -> 6a67bf27e6a6\n"
	  "downgrade 6a67bf27e6a6 -> 9540a051226e [6a67bf27e6a6]: UPDATE 6a67bf27e6a6 -> 9540a051226e\n"
	  "downgrade 9540a051226e -> c39f1de47a04, 186d4835587b [9540a051226e]: UPDATE 9540a051226e -> 186d4835587b\n",
	 "186d4835587b 5555bbbb0002", NULL, NULL},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "-1",
	  "downgrade a2e418ad6a15 -> 6a67bf27e6a6 [a2e418ad6a15]: UPDATE a2e418ad6a15 -> 6a67bf27e6a6\n",
	 "5555bbbb0002 6a67bf27e6a6", NULL, NULL},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "tsi@-1",
	  "downgrade 5555bbbb0002 -> 5555bbbb0001 [5555bbbb0002]: UPDATE 5555bbbb0002 -> 5555bbbb0001\n",
	 "5555bbbb0001 a2e418ad6a15", NULL, NULL},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "gxy@-2",
	  "downgrade a2e418ad6a15 -> 6a67bf27e6a6 [a2e418ad6a15]: UPDATE a2e418ad6a15 -> 6a67bf27e6a6\n"
	  "downgrade 6a67bf27e6a6 -> 9540a051226e [6a67bf27e6a6]: UPDATE 6a67bf27e6a6 -> 9540a051226e\n",
	 "5555bbbb0002 9540a051226e", NULL, NULL},
	{&fx_sample, "downgrade", "e7b6dcb09efd", "b182f655505f", NULL, NULL,
	 "Destination b182f655505f is not a valid downgrade target from current head(s)",
	 NULL},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "gxy@b182", NULL, NULL,
	 "Not a valid downgrade target from current heads",
	 NULL},
	{&fx_sample, "downgrade", "5555bbbb0001", "c39f1de47a04", NULL, NULL,
	 "Destination c39f1de47a04 is not a valid downgrade target from current head(s)",
	 NULL},
	{&fx_sample, "downgrade", "5555bbbb0002 a2e418ad6a15", "3a2d6b1c9e0f",
	  "downgrade 5555bbbb0002 -> 5555bbbb0001 [5555bbbb0002]: UPDATE 5555bbbb0002 -> 5555bbbb0001\n"
	  "downgrade 5555bbbb0001 -> 3a2d6b1c9e0f [5555bbbb0001]: UPDATE 5555bbbb0001 -> 3a2d6b1c9e0f\n",
	 "3a2d6b1c9e0f a2e418ad6a15", NULL, NULL},
	{&fx_sample, "downgrade", "5555bbbb0002", "3a2d6b1c9e0f",
	  "downgrade 5555bbbb0002 -> 5555bbbb0001 [5555bbbb0002]: UPDATE 5555bbbb0002 -> 5555bbbb0001\n"
	  "downgrade 5555bbbb0001 -> 3a2d6b1c9e0f [5555bbbb0001]: INSERT 3a2d6b1c9e0f; UPDATE 5555bbbb0001 -> c39f1de47a04\n",
	 "3a2d6b1c9e0f c39f1de47a04", NULL, NULL},
	{&fx_sample, "downgrade", "5555bbbb0002", "base",
	  "downgrade 5555bbbb0002 -> 5555bbbb0001 [5555bbbb0002]: UPDATE 5555bbbb0002 -> 5555bbbb0001\n"
	  "downgrade 5555bbbb0001 -> 3a2d6b1c9e0f [5555bbbb0001]: INSERT 3a2d6b1c9e0f; UPDATE 5555bbbb0001 -> c39f1de47a04\n"
	  "downgrade 3a2d6b1c9e0f -> d4a650f47a3c [3a2d6b1c9e0f]: UPDATE 3a2d6b1c9e0f -> d4a650f47a3c\n"
	  "downgrade d4a650f47a3c ->  [d4a650f47a3c]: DELETE d4a650f47a3c\n"
	  "downgrade c39f1de47a04 -> b182f655505f [c39f1de47a04]: UPDATE c39f1de47a04 -> b182f655505f\n"
	  "downgrade b182f655505f -> e7b6dcb09efd [b182f655505f]: UPDATE b182f655505f -> e7b6dcb09efd\n"
	  "downgrade e7b6dcb09efd ->  [e7b6dcb09efd]: DELETE e7b6dcb09efd\n",
	 "", NULL, NULL},
	{&fx_sample, "downgrade", "9540a051226e", "-2", NULL, NULL,
	 "Ambiguous walk",
	 NULL},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "zzzz", NULL, NULL,
	 "Can't locate revision identified by 'zzzz'",
	 "No such revision or branch 'zzzz'"},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "a2e418ad6a15", "",
	 "5555bbbb0002 a2e418ad6a15", NULL, NULL},
	{&fx_sample, "downgrade", "5555bbbb0001", "gxy@-1", NULL, NULL,
	 "Not a valid downgrade target from current heads",
	 NULL},
	{&fx_sample, "stamp", "", "heads",
	  "stamp up  -> a2e418ad6a15 [-]: INSERT a2e418ad6a15\n"
	  "stamp up  -> 5555bbbb0002 [-]: INSERT 5555bbbb0002\n",
	 "5555bbbb0002 a2e418ad6a15", NULL, NULL},
	{&fx_sample, "stamp", "", "base", "",
	 "", NULL, NULL},
	{&fx_sample, "stamp", "a2e418ad6a15 5555bbbb0002", "base",
	  "stamp down a2e418ad6a15 ->  [-]: DELETE a2e418ad6a15\n"
	  "stamp down 5555bbbb0002 ->  [-]: DELETE 5555bbbb0002\n",
	 "", NULL, NULL},
	{&fx_sample, "stamp", "a2e418ad6a15 5555bbbb0002", "9540a051226e",
	  "stamp down a2e418ad6a15 -> 9540a051226e [-]: UPDATE a2e418ad6a15 -> 9540a051226e\n",
	 "5555bbbb0002 9540a051226e", NULL, NULL},
	{&fx_sample, "stamp", "", "9540a051226e",
	  "stamp up  -> 9540a051226e [-]: INSERT 9540a051226e\n",
	 "9540a051226e", NULL, NULL},
	{&fx_sample, "stamp", "c39f1de47a04 186d4835587b", "9540a051226e",
	  "stamp up c39f1de47a04, 186d4835587b -> 9540a051226e [-]: DELETE c39f1de47a04; UPDATE 186d4835587b -> 9540a051226e\n",
	 "9540a051226e", NULL, NULL},
	{&fx_sample, "stamp", "a2e418ad6a15 5555bbbb0002", "tsi@base",
	  "stamp down 5555bbbb0002 ->  [-]: DELETE 5555bbbb0002\n",
	 "a2e418ad6a15", NULL, NULL},
	{&fx_sample, "stamp", "a2e418ad6a15", "3a2d6b1c9e0f",
	  "stamp up  -> 3a2d6b1c9e0f [-]: INSERT 3a2d6b1c9e0f\n",
	 "3a2d6b1c9e0f a2e418ad6a15", NULL, NULL},
	{&fx_sample, "stamp", "a2e418ad6a15 5555bbbb0002", "head", NULL, NULL,
	 "Multiple heads are present; please specify a single target revision",
	 NULL},
	{&fx_sample, "stamp", "a2e418ad6a15 5555bbbb0002", "b182f655505f",
	  "stamp down a2e418ad6a15, 5555bbbb0002 -> b182f655505f [-]: DELETE a2e418ad6a15; UPDATE 5555bbbb0002 -> b182f655505f\n",
	 "b182f655505f", NULL, NULL},
	{&fx_sample, "stamp", "e7b6dcb09efd", "gxy@head",
	  "stamp up e7b6dcb09efd -> a2e418ad6a15 [-]: UPDATE e7b6dcb09efd -> a2e418ad6a15\n",
	 "a2e418ad6a15", NULL, NULL},
	{&fx_sample, "stamp", "d4a650f47a3c", "5555bbbb0001",
	  "stamp up d4a650f47a3c -> 5555bbbb0001 [-]: UPDATE d4a650f47a3c -> 5555bbbb0001\n",
	 "5555bbbb0001", NULL, NULL},
	{&fx_sample, "stamp", "a2e418ad6a15 5555bbbb0002", "heads", "",
	 "5555bbbb0002 a2e418ad6a15", NULL, NULL},
	{&fx_sample, "stamp", "9540a051226e", "gxy@base",
	  "stamp down 9540a051226e ->  [-]: DELETE 9540a051226e\n",
	 "", NULL, NULL},
	{&fx_sample, "stamp", "", "zzzz", NULL, NULL,
	 "Can't locate revision identified by 'zzzz'",
	 "No such revision or branch 'zzzz'"},
	{&fx_sample, "stamp", "5555bbbb0002", "c39f1de47a04",
	  "stamp down 5555bbbb0002 -> c39f1de47a04 [-]: UPDATE 5555bbbb0002 -> c39f1de47a04\n",
	 "c39f1de47a04", NULL, NULL},
	{&fx_sample, "stamp", "c39f1de47a04", "heads",
	  "stamp up c39f1de47a04 -> a2e418ad6a15 [-]: UPDATE c39f1de47a04 -> a2e418ad6a15\n"
	  "stamp up c39f1de47a04 -> 5555bbbb0002 [-]: INSERT 5555bbbb0002\n",
	 "5555bbbb0002 a2e418ad6a15", NULL, NULL},
	{&fx_sample, "stamp", "186d4835587b d4a650f47a3c", "heads",
	  "stamp up 186d4835587b, d4a650f47a3c -> a2e418ad6a15 [-]: DELETE 186d4835587b; UPDATE d4a650f47a3c -> a2e418ad6a15\n"
	  "stamp up 186d4835587b, d4a650f47a3c -> 5555bbbb0002 [-]: INSERT 5555bbbb0002\n",
	 "5555bbbb0002 a2e418ad6a15", NULL, NULL},
	{&fx_sample, "upgrade", "a2e418ad6a15 5555bbbb0002", "base", "",
	 "5555bbbb0002 a2e418ad6a15", NULL, NULL},
	{&fx_sample, "upgrade", "", "gxy@base", "",
	 "", NULL, NULL},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "gxy@head-2",
	  "downgrade a2e418ad6a15 -> 6a67bf27e6a6 [a2e418ad6a15]: UPDATE a2e418ad6a15 -> 6a67bf27e6a6\n"
	  "downgrade 6a67bf27e6a6 -> 9540a051226e [6a67bf27e6a6]: UPDATE 6a67bf27e6a6 -> 9540a051226e\n",
	 "5555bbbb0002 9540a051226e", NULL, NULL},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "tsi@base+1",
	  "downgrade 5555bbbb0002 -> 5555bbbb0001 [5555bbbb0002]: UPDATE 5555bbbb0002 -> 5555bbbb0001\n"
	  "downgrade 5555bbbb0001 -> 3a2d6b1c9e0f [5555bbbb0001]: UPDATE 5555bbbb0001 -> 3a2d6b1c9e0f\n"
	  "downgrade 3a2d6b1c9e0f -> d4a650f47a3c [3a2d6b1c9e0f]: UPDATE 3a2d6b1c9e0f -> d4a650f47a3c\n",
	 "a2e418ad6a15 d4a650f47a3c", NULL, NULL},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "heads", NULL, NULL,
	 "Multiple head revisions are present for given argument 'heads'; please specify a specific target revision, '<branchname>@heads' to narrow to a specific head, or 'heads' for all heads",
	 NULL},
	{&fx_sample, "downgrade", "a2e418ad6a15", "gxy@head", NULL, NULL,
	 "Multiple head revisions are present for given argument 'gxy@head'; please specify a specific target revision, '<branchname>@gxy@head' to narrow to a specific head, or 'heads' for all heads",
	 NULL},
	{&fx_sample, "stamp", "a2e418ad6a15 5555bbbb0002", "c39f1de47a04",
	  "stamp down a2e418ad6a15, 5555bbbb0002 -> c39f1de47a04 [-]: DELETE a2e418ad6a15; UPDATE 5555bbbb0002 -> c39f1de47a04\n",
	 "c39f1de47a04", NULL, NULL},
	{&fx_bases, "upgrade", "", "heads",
	  "upgrade  -> ccc1 [ccc1]: INSERT ccc1\n"
	  "upgrade ccc1 -> ccc3 [ccc3]: UPDATE ccc1 -> ccc3\n"
	  "upgrade ccc1 -> ccc2 [ccc2]: INSERT ccc2\n"
	  "upgrade  -> bbb1 [bbb1]: INSERT bbb1\n"
	  "upgrade bbb1 -> bbb2 [bbb2]: UPDATE bbb1 -> bbb2\n"
	  "upgrade  -> aaa1 [aaa1]: INSERT aaa1\n"
	  "upgrade aaa1 -> aaa2 [aaa2]: UPDATE aaa1 -> aaa2\n"
	  "upgrade aaa2 -> aaa3 [aaa3]: UPDATE aaa2 -> aaa3\n",
	 "aaa3 bbb2 ccc2 ccc3", NULL, NULL},
	{&fx_bases, "upgrade", "", "alpha@head",
	  "upgrade  -> aaa1 [aaa1]: INSERT aaa1\n"
	  "upgrade aaa1 -> aaa2 [aaa2]: UPDATE aaa1 -> aaa2\n"
	  "upgrade aaa2 -> aaa3 [aaa3]: UPDATE aaa2 -> aaa3\n",
	 "aaa3", NULL, NULL},
	{&fx_bases, "upgrade", "", "alpha2@head",
	  "upgrade  -> aaa1 [aaa1]: INSERT aaa1\n"
	  "upgrade aaa1 -> aaa2 [aaa2]: UPDATE aaa1 -> aaa2\n"
	  "upgrade aaa2 -> aaa3 [aaa3]: UPDATE aaa2 -> aaa3\n",
	 "aaa3", NULL, NULL},
	{&fx_bases, "upgrade", "", "bravo@+1",
	  "upgrade  -> bbb1 [bbb1]: INSERT bbb1\n",
	 "bbb1", NULL, NULL},
	{&fx_bases, "upgrade", "", "ccc1+1", NULL, NULL,
	 "Ambiguous walk",
	 NULL},
	{&fx_bases, "upgrade", "aaa1", "heads",
	  "upgrade  -> ccc1 [ccc1]: INSERT ccc1\n"
	  "upgrade ccc1 -> ccc3 [ccc3]: UPDATE ccc1 -> ccc3\n"
	  "upgrade ccc1 -> ccc2 [ccc2]: INSERT ccc2\n"
	  "upgrade  -> bbb1 [bbb1]: INSERT bbb1\n"
	  "upgrade bbb1 -> bbb2 [bbb2]: UPDATE bbb1 -> bbb2\n"
	  "upgrade aaa1 -> aaa2 [aaa2]: UPDATE aaa1 -> aaa2\n"
	  "upgrade aaa2 -> aaa3 [aaa3]: UPDATE aaa2 -> aaa3\n",
	 "aaa3 bbb2 ccc2 ccc3", NULL, NULL},
	{&fx_bases, "upgrade", "ccc2", "heads",
	  "upgrade ccc1 -> ccc3 [ccc3]: INSERT ccc3\n"
	  "upgrade  -> bbb1 [bbb1]: INSERT bbb1\n"
	  "upgrade bbb1 -> bbb2 [bbb2]: UPDATE bbb1 -> bbb2\n"
	  "upgrade  -> aaa1 [aaa1]: INSERT aaa1\n"
	  "upgrade aaa1 -> aaa2 [aaa2]: UPDATE aaa1 -> aaa2\n"
	  "upgrade aaa2 -> aaa3 [aaa3]: UPDATE aaa2 -> aaa3\n",
	 "aaa3 bbb2 ccc2 ccc3", NULL, NULL},
	{&fx_bases, "stamp", "", "heads",
	  "stamp up  -> aaa3 [-]: INSERT aaa3\n"
	  "stamp up  -> bbb2 [-]: INSERT bbb2\n"
	  "stamp up  -> ccc2 [-]: INSERT ccc2\n"
	  "stamp up  -> ccc3 [-]: INSERT ccc3\n",
	 "aaa3 bbb2 ccc2 ccc3", NULL, NULL},
	{&fx_bases, "stamp", "aaa3 bbb2 ccc2 ccc3", "base",
	  "stamp down aaa3 ->  [-]: DELETE aaa3\n"
	  "stamp down bbb2 ->  [-]: DELETE bbb2\n"
	  "stamp down ccc2 ->  [-]: DELETE ccc2\n"
	  "stamp down ccc3 ->  [-]: DELETE ccc3\n",
	 "", NULL, NULL},
	{&fx_bases, "stamp", "aaa3 bbb2 ccc2 ccc3", "ccc1",
	  "stamp down ccc2, ccc3 -> ccc1 [-]: DELETE ccc2; UPDATE ccc3 -> ccc1\n",
	 "aaa3 bbb2 ccc1", NULL, NULL},
	{&fx_bases, "stamp", "aaa1", "beta@head",
	  "stamp up  -> bbb2 [-]: INSERT bbb2\n",
	 "aaa1 bbb2", NULL, NULL},
	{&fx_bases, "downgrade", "aaa3 bbb2 ccc2 ccc3", "base",
	  "downgrade aaa3 -> aaa2 [aaa3]: UPDATE aaa3 -> aaa2\n"
	  "downgrade aaa2 -> aaa1 [aaa2]: UPDATE aaa2 -> aaa1\n"
	  "downgrade aaa1 ->  [aaa1]: DELETE aaa1\n"
	  "downgrade bbb2 -> bbb1 [bbb2]: UPDATE bbb2 -> bbb1\n"
	  "downgrade bbb1 ->  [bbb1]: DELETE bbb1\n"
	  "downgrade ccc2 -> ccc1 [ccc2]: DELETE ccc2\n"
	  "downgrade ccc3 -> ccc1 [ccc3]: UPDATE ccc3 -> ccc1\n"
	  "downgrade ccc1 ->  [ccc1]: DELETE ccc1\n",
	 "", NULL, NULL},
	{&fx_bases, "downgrade", "aaa3 bbb2 ccc2 ccc3", "ccc1",
	  "downgrade ccc2 -> ccc1 [ccc2]: DELETE ccc2\n"
	  "downgrade ccc3 -> ccc1 [ccc3]: UPDATE ccc3 -> ccc1\n",
	 "aaa3 bbb2 ccc1", NULL, NULL},
	{&fx_bases, "downgrade", "aaa3 bbb2 ccc2 ccc3", "alpha@base",
	  "downgrade aaa3 -> aaa2 [aaa3]: UPDATE aaa3 -> aaa2\n"
	  "downgrade aaa2 -> aaa1 [aaa2]: UPDATE aaa2 -> aaa1\n"
	  "downgrade aaa1 ->  [aaa1]: DELETE aaa1\n",
	 "bbb2 ccc2 ccc3", NULL, NULL},
	{&fx_bases, "downgrade", "aaa3 bbb2 ccc2 ccc3", "alpha@-1",
	  "downgrade aaa3 -> aaa2 [aaa3]: UPDATE aaa3 -> aaa2\n",
	 "aaa2 bbb2 ccc2 ccc3", NULL, NULL},
	{&fx_bases, "downgrade", "aaa3 bbb2", "bravo@base",
	  "downgrade bbb2 -> bbb1 [bbb2]: UPDATE bbb2 -> bbb1\n"
	  "downgrade bbb1 ->  [bbb1]: DELETE bbb1\n",
	 "aaa3", NULL, NULL},
	{&fx_bases, "downgrade", "aaa3 bbb2 ccc2 ccc3", "ccc3@ccc1",
	  "downgrade ccc3 -> ccc1 [ccc3]: DELETE ccc3\n",
	 "aaa3 bbb2 ccc2", NULL, NULL},
	{&fx_merges, "upgrade", "", "heads",
	  "upgrade  -> root [root]: INSERT root\n"
	  "upgrade root -> c001 [c001]: UPDATE root -> c001\n"
	  "upgrade root -> b001 [b001]: INSERT b001\n"
	  "upgrade root -> a001 [a001]: INSERT a001\n"
	  "upgrade a001 -> a002 [a002]: UPDATE a001 -> a002\n"
	  "upgrade a002, b001, c001 -> m001 [m001]: DELETE a002; DELETE b001; UPDATE c001 -> m001\n"
	  "upgrade m001 -> e001 [e001]: UPDATE m001 -> e001\n"
	  "upgrade m001 -> g001 [g001]: INSERT g001\n"
	  "upgrade m001 -> d001 [d001]: INSERT d001\n"
	  "upgrade d001, e001 -> m002 [m002]: DELETE d001; UPDATE e001 -> m002\n"
	  "upgrade m002, g001 -> m003 [m003]: DELETE m002; UPDATE g001 -> m003\n"
	  "upgrade m003 -> k002 [k002]: UPDATE m003 -> k002\n"
	  "upgrade m003 -> h002 [h002]: INSERT h002\n"
	  "upgrade m003 -> k001 [k001]: INSERT k001\n"
	  "upgrade k001, k002 -> m005 [m005]: DELETE k001; UPDATE k002 -> m005\n"
	  "upgrade m003 -> h001 [h001]: INSERT h001\n"
	  "upgrade h001, h002 -> m004 [m004]: DELETE h001; UPDATE h002 -> m004\n"
	  "upgrade m004, m005 -> top1 [top1]: DELETE m004; UPDATE m005 -> top1\n",
	 "top1", NULL, NULL},
	{&fx_merges, "upgrade", "a002 b001", "m001",
	  "upgrade root -> c001 [c001]: INSERT c001\n"
	  "upgrade a002, b001, c001 -> m001 [m001]: DELETE a002; DELETE b001; UPDATE c001 -> m001\n",
	 "m001", NULL, NULL},
	{&fx_merges, "upgrade", "a001", "m001",
	  "upgrade root -> c001 [c001]: INSERT c001\n"
	  "upgrade root -> b001 [b001]: INSERT b001\n"
	  "upgrade a001 -> a002 [a002]: UPDATE a001 -> a002\n"
	  "upgrade a002, b001, c001 -> m001 [m001]: DELETE a002; DELETE b001; UPDATE c001 -> m001\n",
	 "m001", NULL, NULL},
	{&fx_merges, "upgrade", "m004 k001", "heads",
	  "upgrade m003 -> k002 [k002]: INSERT k002\n"
	  "upgrade k001, k002 -> m005 [m005]: DELETE k001; UPDATE k002 -> m005\n"
	  "upgrade m004, m005 -> top1 [top1]: DELETE m004; UPDATE m005 -> top1\n",
	 "top1", NULL, NULL},
	{&fx_merges, "upgrade", "h001 k002", "heads",
	  "upgrade m003 -> k001 [k001]: INSERT k001\n"
	  "upgrade k001, k002 -> m005 [m005]: DELETE k001; UPDATE k002 -> m005\n"
	  "upgrade m003 -> h002 [h002]: INSERT h002\n"
	  "upgrade h001, h002 -> m004 [m004]: DELETE h001; UPDATE h002 -> m004\n"
	  "upgrade m004, m005 -> top1 [top1]: DELETE m004; UPDATE m005 -> top1\n",
	 "top1", NULL, NULL},
	{&fx_merges, "upgrade", "d001 g001", "m003",
	  "upgrade m001 -> e001 [e001]: INSERT e001\n"
	  "upgrade d001, e001 -> m002 [m002]: DELETE d001; UPDATE e001 -> m002\n"
	  "upgrade m002, g001 -> m003 [m003]: DELETE m002; UPDATE g001 -> m003\n",
	 "m003", NULL, NULL},
	{&fx_merges, "upgrade", "c001", "m001",
	  "upgrade root -> b001 [b001]: INSERT b001\n"
	  "upgrade root -> a001 [a001]: INSERT a001\n"
	  "upgrade a001 -> a002 [a002]: UPDATE a001 -> a002\n"
	  "upgrade a002, b001, c001 -> m001 [m001]: DELETE a002; DELETE b001; UPDATE c001 -> m001\n",
	 "m001", NULL, NULL},
	{&fx_merges, "upgrade", "a002 b001 c001", "heads",
	  "upgrade a002, b001, c001 -> m001 [m001]: DELETE a002; DELETE b001; UPDATE c001 -> m001\n"
	  "upgrade m001 -> e001 [e001]: UPDATE m001 -> e001\n"
	  "upgrade m001 -> g001 [g001]: INSERT g001\n"
	  "upgrade m001 -> d001 [d001]: INSERT d001\n"
	  "upgrade d001, e001 -> m002 [m002]: DELETE d001; UPDATE e001 -> m002\n"
	  "upgrade m002, g001 -> m003 [m003]: DELETE m002; UPDATE g001 -> m003\n"
	  "upgrade m003 -> k002 [k002]: UPDATE m003 -> k002\n"
	  "upgrade m003 -> h002 [h002]: INSERT h002\n"
	  "upgrade m003 -> k001 [k001]: INSERT k001\n"
	  "upgrade k001, k002 -> m005 [m005]: DELETE k001; UPDATE k002 -> m005\n"
	  "upgrade m003 -> h001 [h001]: INSERT h001\n"
	  "upgrade h001, h002 -> m004 [m004]: DELETE h001; UPDATE h002 -> m004\n"
	  "upgrade m004, m005 -> top1 [top1]: DELETE m004; UPDATE m005 -> top1\n",
	 "top1", NULL, NULL},
	{&fx_merges, "downgrade", "top1", "m003",
	  "downgrade top1 -> m004, m005 [top1]: INSERT m004; UPDATE top1 -> m005\n"
	  "downgrade m004 -> h001, h002 [m004]: INSERT h001; UPDATE m004 -> h002\n"
	  "downgrade h001 -> m003 [h001]: DELETE h001\n"
	  "downgrade m005 -> k001, k002 [m005]: INSERT k001; UPDATE m005 -> k002\n"
	  "downgrade k001 -> m003 [k001]: DELETE k001\n"
	  "downgrade h002 -> m003 [h002]: DELETE h002\n"
	  "downgrade k002 -> m003 [k002]: UPDATE k002 -> m003\n",
	 "m003", NULL, NULL},
	{&fx_merges, "downgrade", "top1", "base",
	  "downgrade top1 -> m004, m005 [top1]: INSERT m004; UPDATE top1 -> m005\n"
	  "downgrade m004 -> h001, h002 [m004]: INSERT h001; UPDATE m004 -> h002\n"
	  "downgrade h001 -> m003 [h001]: DELETE h001\n"
	  "downgrade m005 -> k001, k002 [m005]: INSERT k001; UPDATE m005 -> k002\n"
	  "downgrade k001 -> m003 [k001]: DELETE k001\n"
	  "downgrade h002 -> m003 [h002]: DELETE h002\n"
	  "downgrade k002 -> m003 [k002]: UPDATE k002 -> m003\n"
	  "downgrade m003 -> m002, g001 [m003]: INSERT m002; UPDATE m003 -> g001\n"
	  "downgrade m002 -> d001, e001 [m002]: INSERT d001; UPDATE m002 -> e001\n"
	  "downgrade d001 -> m001 [d001]: DELETE d001\n"
	  "downgrade g001 -> m001 [g001]: DELETE g001\n"
	  "downgrade e001 -> m001 [e001]: UPDATE e001 -> m001\n"
	  "downgrade m001 -> a002, b001, c001 [m001]: INSERT a002; INSERT b001; UPDATE m001 -> c001\n"
	  "downgrade a002 -> a001 [a002]: UPDATE a002 -> a001\n"
	  "downgrade a001 -> root [a001]: DELETE a001\n"
	  "downgrade b001 -> root [b001]: DELETE b001\n"
	  "downgrade c001 -> root [c001]: UPDATE c001 -> root\n"
	  "downgrade root ->  [root]: DELETE root\n",
	 "", NULL, NULL},
	{&fx_merges, "downgrade", "m001", "root",
	  "downgrade m001 -> a002, b001, c001 [m001]: INSERT a002; INSERT b001; UPDATE m001 -> c001\n"
	  "downgrade a002 -> a001 [a002]: UPDATE a002 -> a001\n"
	  "downgrade a001 -> root [a001]: DELETE a001\n"
	  "downgrade b001 -> root [b001]: DELETE b001\n"
	  "downgrade c001 -> root [c001]: UPDATE c001 -> root\n",
	 "root", NULL, NULL},
	{&fx_merges, "downgrade", "m002 g001", "m001",
	  "downgrade g001 -> m001 [g001]: DELETE g001\n"
	  "downgrade m002 -> d001, e001 [m002]: INSERT d001; UPDATE m002 -> e001\n"
	  "downgrade d001 -> m001 [d001]: DELETE d001\n"
	  "downgrade e001 -> m001 [e001]: UPDATE e001 -> m001\n",
	 "m001", NULL, NULL},
	{&fx_merges, "downgrade", "m004 m005", "h001",
	  "downgrade m004 -> h001, h002 [m004]: INSERT h001; UPDATE m004 -> h002\n",
	 "h001 h002 m005", NULL, NULL},
	{&fx_merges, "downgrade", "top1", "-1", NULL, NULL,
	 "Ambiguous walk",
	 NULL},
	{&fx_merges, "downgrade", "m003", "d001",
	  "downgrade m003 -> m002, g001 [m003]: INSERT m002; UPDATE m003 -> g001\n"
	  "downgrade m002 -> d001, e001 [m002]: INSERT d001; UPDATE m002 -> e001\n",
	 "d001 e001 g001", NULL, NULL},
	{&fx_merges, "downgrade", "m001", "a001",
	  "downgrade m001 -> a002, b001, c001 [m001]: INSERT a002; INSERT b001; UPDATE m001 -> c001\n"
	  "downgrade a002 -> a001 [a002]: UPDATE a002 -> a001\n",
	 "a001 b001 c001", NULL, NULL},
	{&fx_merges, "stamp", "top1", "m001",
	  "stamp down top1 -> m001 [-]: UPDATE top1 -> m001\n",
	 "m001", NULL, NULL},
	{&fx_merges, "stamp", "", "m003",
	  "stamp up  -> m003 [-]: INSERT m003\n",
	 "m003", NULL, NULL},
	{&fx_merges, "stamp", "h001 k001", "m003",
	  "stamp down h001, k001 -> m003 [-]: DELETE h001; UPDATE k001 -> m003\n",
	 "m003", NULL, NULL},
	{&fx_merges, "stamp", "m001", "top1",
	  "stamp up m001 -> top1 [-]: UPDATE m001 -> top1\n",
	 "top1", NULL, NULL},
	{&fx_merges, "stamp", "a002 b001 c001", "m001",
	  "stamp up a002, b001, c001 -> m001 [-]: DELETE a002; DELETE b001; UPDATE c001 -> m001\n",
	 "m001", NULL, NULL},
	{&fx_merges, "stamp", "a002 b001", "root",
	  "stamp down a002, b001 -> root [-]: DELETE a002; UPDATE b001 -> root\n",
	 "root", NULL, NULL},
	{&fx_deps, "upgrade", "", "heads",
	  "upgrade  -> s001 [s001]: INSERT s001\n"
	  "upgrade s001 -> s002 [s002]: UPDATE s001 -> s002\n"
	  "upgrade s002 -> s003 [s003]: UPDATE s002 -> s003\n"
	  "upgrade  -> t001 [t001]: INSERT t001\n"
	  "upgrade  -> u001 [u001]: UPDATE t001 -> u001\n"
	  "upgrade u001 -> u002 [u002]: UPDATE u001 -> u002\n"
	  "upgrade t001 -> t002 [t002]: INSERT t002\n"
	  "upgrade t002 -> t003 [t003]: DELETE t002; UPDATE s003 -> t003\n"
	  "upgrade t003 -> t004 [t004]: UPDATE t003 -> t004\n",
	 "t004 u002", NULL, NULL},
	{&fx_deps, "upgrade", "", "right@head",
	  "upgrade  -> s001 [s001]: INSERT s001\n"
	  "upgrade s001 -> s002 [s002]: UPDATE s001 -> s002\n"
	  "upgrade s002 -> s003 [s003]: UPDATE s002 -> s003\n"
	  "upgrade  -> t001 [t001]: INSERT t001\n"
	  "upgrade t001 -> t002 [t002]: UPDATE t001 -> t002\n"
	  "upgrade t002 -> t003 [t003]: DELETE t002; UPDATE s003 -> t003\n"
	  "upgrade t003 -> t004 [t004]: UPDATE t003 -> t004\n",
	 "t004", NULL, NULL},
	{&fx_deps, "upgrade", "", "third@head",
	  "upgrade  -> t001 [t001]: INSERT t001\n"
	  "upgrade  -> u001 [u001]: UPDATE t001 -> u001\n"
	  "upgrade u001 -> u002 [u002]: UPDATE u001 -> u002\n",
	 "u002", NULL, NULL},
	{&fx_deps, "upgrade", "s003", "heads",
	  "upgrade  -> t001 [t001]: INSERT t001\n"
	  "upgrade  -> u001 [u001]: UPDATE t001 -> u001\n"
	  "upgrade u001 -> u002 [u002]: UPDATE u001 -> u002\n"
	  "upgrade t001 -> t002 [t002]: INSERT t002\n"
	  "upgrade t002 -> t003 [t003]: DELETE t002; UPDATE s003 -> t003\n"
	  "upgrade t003 -> t004 [t004]: UPDATE t003 -> t004\n",
	 "t004 u002", NULL, NULL},
	{&fx_deps, "upgrade", "t002", "t004",
	  "upgrade s002 -> s003 [s003]: INSERT s003\n"
	  "upgrade t002 -> t003 [t003]: DELETE t002; UPDATE s003 -> t003\n"
	  "upgrade t003 -> t004 [t004]: UPDATE t003 -> t004\n",
	 "t004", NULL, NULL},
	{&fx_deps, "upgrade", "t002", "left@head",
	  "upgrade s002 -> s003 [s003]: INSERT s003\n",
	 "s003 t002", NULL, NULL},
	{&fx_deps, "upgrade", "s001 t001", "t003",
	  "upgrade s001 -> s002 [s002]: UPDATE s001 -> s002\n"
	  "upgrade s002 -> s003 [s003]: UPDATE s002 -> s003\n"
	  "upgrade t001 -> t002 [t002]: UPDATE t001 -> t002\n"
	  "upgrade t002 -> t003 [t003]: DELETE t002; UPDATE s003 -> t003\n",
	 "t003", NULL, NULL},
	{&fx_deps, "upgrade", "u001", "heads",
	  "upgrade  -> s001 [s001]: INSERT s001\n"
	  "upgrade s001 -> s002 [s002]: UPDATE s001 -> s002\n"
	  "upgrade u001 -> u002 [u002]: UPDATE u001 -> u002\n"
	  "upgrade s002 -> s003 [s003]: UPDATE s002 -> s003\n"
	  "upgrade t001 -> t002 [t002]: INSERT t002\n"
	  "upgrade t002 -> t003 [t003]: DELETE t002; UPDATE s003 -> t003\n"
	  "upgrade t003 -> t004 [t004]: UPDATE t003 -> t004\n",
	 "t004 u002", NULL, NULL},
	{&fx_deps, "downgrade", "t004 u002", "left@base",
	  "downgrade t004 -> t003 [t004]: UPDATE t004 -> t003\n"
	  "downgrade t003 -> t002 [t003]: INSERT t002; UPDATE t003 -> s003\n"
	  "downgrade t002 -> t001 [t002]: DELETE t002\n"
	  "downgrade s003 -> s002 [s003]: UPDATE s003 -> s002\n"
	  "downgrade s002 -> s001 [s002]: UPDATE s002 -> s001\n"
	  "downgrade s001 ->  [s001]: DELETE s001\n",
	 "u002", NULL, NULL},
	{&fx_deps, "downgrade", "t004 u002", "t001",
	  "downgrade t004 -> t003 [t004]: UPDATE t004 -> t003\n"
	  "downgrade t003 -> t002 [t003]: INSERT t002; UPDATE t003 -> s003\n"
	  "downgrade t002 -> t001 [t002]: DELETE t002\n",
	 "s003 u002", NULL, NULL},
	{&fx_deps, "downgrade", "t004 u002", "base",
	  "downgrade t004 -> t003 [t004]: UPDATE t004 -> t003\n"
	  "downgrade t003 -> t002 [t003]: INSERT t002; UPDATE t003 -> s003\n"
	  "downgrade t002 -> t001 [t002]: DELETE t002\n"
	  "downgrade u002 -> u001 [u002]: UPDATE u002 -> u001\n"
	  "downgrade u001 ->  [u001]: UPDATE u001 -> t001\n"
	  "downgrade t001 ->  [t001]: DELETE t001\n"
	  "downgrade s003 -> s002 [s003]: UPDATE s003 -> s002\n"
	  "downgrade s002 -> s001 [s002]: UPDATE s002 -> s001\n"
	  "downgrade s001 ->  [s001]: DELETE s001\n",
	 "", NULL, NULL},
	{&fx_deps, "downgrade", "t004 u002", "s002",
	  "downgrade t004 -> t003 [t004]: UPDATE t004 -> t003\n"
	  "downgrade t003 -> t002 [t003]: INSERT t002; UPDATE t003 -> s003\n"
	  "downgrade s003 -> s002 [s003]: DELETE s003\n",
	 "t002 u002", NULL, NULL},
	{&fx_deps, "downgrade", "t004 u002", "right@base",
	  "downgrade t004 -> t003 [t004]: UPDATE t004 -> t003\n"
	  "downgrade t003 -> t002 [t003]: INSERT t002; UPDATE t003 -> s003\n"
	  "downgrade t002 -> t001 [t002]: DELETE t002\n"
	  "downgrade u002 -> u001 [u002]: UPDATE u002 -> u001\n"
	  "downgrade u001 ->  [u001]: UPDATE u001 -> t001\n"
	  "downgrade t001 ->  [t001]: DELETE t001\n",
	 "s003", NULL, NULL},
	{&fx_deps, "downgrade", "t004", "s001",
	  "downgrade t004 -> t003 [t004]: UPDATE t004 -> t003\n"
	  "downgrade t003 -> t002 [t003]: INSERT t002; UPDATE t003 -> s003\n"
	  "downgrade t002 -> t001 [t002]: UPDATE t002 -> t001\n"
	  "downgrade s003 -> s002 [s003]: UPDATE s003 -> s002\n"
	  "downgrade s002 -> s001 [s002]: UPDATE s002 -> s001\n",
	 "s001 t001", NULL, NULL},
	{&fx_deps, "downgrade", "t003 u002", "third@base",
	  "downgrade u002 -> u001 [u002]: UPDATE u002 -> u001\n"
	  "downgrade u001 ->  [u001]: DELETE u001\n",
	 "t003", NULL, NULL},
	{&fx_deps, "stamp", "t004", "third@head",
	  "stamp up  -> u002 [-]: INSERT u002\n",
	 "t004 u002", NULL, NULL},
	{&fx_deps, "stamp", "", "right@head",
	  "stamp up  -> t004 [-]: INSERT t004\n",
	 "t004", NULL, NULL},
	{&fx_deps, "stamp", "t004 u002", "s002",
	  "stamp down t004 -> s002 [-]: UPDATE t004 -> s002\n",
	 "s002 u002", NULL, NULL},
	{&fx_deps, "stamp", "t004 u002", "left@base",
	  "stamp down t004 ->  [-]: DELETE t004\n",
	 "u002", NULL, NULL},
	{&fx_short, "upgrade", "", "r",
	  "upgrade  -> r1 [r1]: INSERT r1\n"
	  "upgrade r1 -> r2 [r2]: UPDATE r1 -> r2\n"
	  "upgrade r2 -> r10 [r10]: UPDATE r2 -> r10\n"
	  "upgrade r10 -> r100 [r100]: UPDATE r10 -> r100\n",
	 "r100", NULL, NULL},
	{&fx_short, "upgrade", "r1", "abc@head",
	  "upgrade r1 -> r2 [r2]: UPDATE r1 -> r2\n"
	  "upgrade r2 -> r10 [r10]: UPDATE r2 -> r10\n"
	  "upgrade r10 -> r100 [r100]: UPDATE r10 -> r100\n",
	 "r100", NULL, NULL},
	{&fx_chain, "upgrade", "", "+5",
	  "upgrade  -> c000 [c000]: INSERT c000\n"
	  "upgrade c000 -> c001 [c001]: UPDATE c000 -> c001\n"
	  "upgrade c001 -> c002 [c002]: UPDATE c001 -> c002\n"
	  "upgrade c002 -> c003 [c003]: UPDATE c002 -> c003\n"
	  "upgrade c003 -> c004 [c004]: UPDATE c003 -> c004\n",
	 "c004", NULL, NULL},
	{&fx_chain, "upgrade", "c003", "+3",
	  "upgrade c003 -> c004 [c004]: UPDATE c003 -> c004\n"
	  "upgrade c004 -> c005 [c005]: UPDATE c004 -> c005\n"
	  "upgrade c005 -> c006 [c006]: UPDATE c005 -> c006\n",
	 "c006", NULL, NULL},
	{&fx_chain, "upgrade", "c005", "+30", NULL, NULL,
	 "Relative revision +30 didn't produce 30 migrations",
	 NULL},
	{&fx_chain, "upgrade", "c026", "heads",
	  "upgrade c026 -> c027 [c027]: UPDATE c026 -> c027\n"
	  "upgrade c027 -> c028 [c028]: UPDATE c027 -> c028\n"
	  "upgrade c028 -> c029 [c029]: UPDATE c028 -> c029\n",
	 "c029", NULL, NULL},
	{&fx_chain, "upgrade", "c010", "line@+2",
	  "upgrade c010 -> c011 [c011]: UPDATE c010 -> c011\n"
	  "upgrade c011 -> c012 [c012]: UPDATE c011 -> c012\n",
	 "c012", NULL, NULL},
	{&fx_chain, "downgrade", "c029", "-3",
	  "downgrade c029 -> c028 [c029]: UPDATE c029 -> c028\n"
	  "downgrade c028 -> c027 [c028]: UPDATE c028 -> c027\n"
	  "downgrade c027 -> c026 [c027]: UPDATE c027 -> c026\n",
	 "c026", NULL, NULL},
	{&fx_chain, "downgrade", "c029", "c026",
	  "downgrade c029 -> c028 [c029]: UPDATE c029 -> c028\n"
	  "downgrade c028 -> c027 [c028]: UPDATE c028 -> c027\n"
	  "downgrade c027 -> c026 [c027]: UPDATE c027 -> c026\n",
	 "c026", NULL, NULL},
	{&fx_chain, "downgrade", "c002", "-3",
	  "downgrade c002 -> c001 [c002]: UPDATE c002 -> c001\n"
	  "downgrade c001 -> c000 [c001]: UPDATE c001 -> c000\n"
	  "downgrade c000 ->  [c000]: DELETE c000\n",
	 "", NULL, NULL},
	{&fx_chain, "downgrade", "c002", "-4", NULL, NULL,
	 "Relative revision -4 didn't produce 4 migrations",
	 NULL},
	{&fx_chain, "downgrade", "c005", "c010", NULL, NULL,
	 "Destination c010 is not a valid downgrade target from current head(s)",
	 NULL},
	{&fx_chain, "downgrade", "c005", "c005", "",
	 "c005", NULL, NULL},
	{&fx_chain, "stamp", "c029", "c010",
	  "stamp down c029 -> c010 [-]: UPDATE c029 -> c010\n",
	 "c010", NULL, NULL},
	{&fx_chain, "stamp", "c003", "c010",
	  "stamp up c003 -> c010 [-]: UPDATE c003 -> c010\n",
	 "c010", NULL, NULL},
	{&fx_chain, "stamp", "c003", "-1", NULL, NULL,
	 "Can't locate revision identified by '-1'",
	 "No such revision or branch '-1'; please ensure at least four characters are present for partial revision identifier matches"},
	/* release tags (DESIGN.md): Alembic's answer for the revision the tag names */
	{&fx_sample, "upgrade", "", "release_22.05",
	  "upgrade  -> e7b6dcb09efd [e7b6dcb09efd]: INSERT e7b6dcb09efd\n"
	  "upgrade e7b6dcb09efd -> b182f655505f [b182f655505f]: UPDATE e7b6dcb09efd -> b182f655505f\n"
	  "upgrade b182f655505f -> 186d4835587b [186d4835587b]: UPDATE b182f655505f -> 186d4835587b\n"
	  "upgrade b182f655505f -> c39f1de47a04 [c39f1de47a04]: INSERT c39f1de47a04\n"
	  "upgrade c39f1de47a04, 186d4835587b -> 9540a051226e [9540a051226e]: DELETE c39f1de47a04; UPDATE 186d4835587b -> 9540a051226e\n",
	 "9540a051226e", NULL, NULL},
	{&fx_sample, "upgrade", "", "22.05",
	  "upgrade  -> e7b6dcb09efd [e7b6dcb09efd]: INSERT e7b6dcb09efd\n"
	  "upgrade e7b6dcb09efd -> b182f655505f [b182f655505f]: UPDATE e7b6dcb09efd -> b182f655505f\n"
	  "upgrade b182f655505f -> 186d4835587b [186d4835587b]: UPDATE b182f655505f -> 186d4835587b\n"
	  "upgrade b182f655505f -> c39f1de47a04 [c39f1de47a04]: INSERT c39f1de47a04\n"
	  "upgrade c39f1de47a04, 186d4835587b -> 9540a051226e [9540a051226e]: DELETE c39f1de47a04; UPDATE 186d4835587b -> 9540a051226e\n",
	 "9540a051226e", NULL, NULL},
	{&fx_sample, "stamp", "", "22.05",
	  "stamp up  -> 9540a051226e [-]: INSERT 9540a051226e\n",
	 "9540a051226e", NULL, NULL},
	{&fx_sample, "downgrade", "a2e418ad6a15 5555bbbb0002", "release_22.05",
	  "downgrade a2e418ad6a15 -> 6a67bf27e6a6 [a2e418ad6a15]: UPDATE a2e418ad6a15 -> 6a67bf27e6a6\n"
	  "downgrade 6a67bf27e6a6 -> 9540a051226e [6a67bf27e6a6]: UPDATE 6a67bf27e6a6 -> 9540a051226e\n",
	 "5555bbbb0002 9540a051226e", NULL, NULL},
};

/* One line per step: "<kind> <from> -> <to> [<rev>]: <ops>". */
static const char *
render_plan(mg_ctx *ctx, const mg_revmap *map, const mg_plan *p)
{
	mg_buf b;
	char *s;

	mg_buf_init(&b, ctx);
	for (size_t i = 0; i < p->n; i++)
	{
		const mg_step *st = &p->steps[i];

		if (st->rev < 0)
			mg_buf_puts(&b, st->upgrade ? "stamp up" : "stamp down");
		else
			mg_buf_puts(&b, st->upgrade ? "upgrade" : "downgrade");
		mg_buf_printf(&b, " %s -> %s [%s]: ", st->from, st->to,
					  st->rev >= 0 ? mg_revmap_rev(map, st->rev)->id : "-");
		for (size_t k = 0; k < st->nops; k++)
		{
			const mg_vop *op = &st->ops[k];

			if (k)
				mg_buf_puts(&b, "; ");
			if (op->kind == MG_VOP_INSERT)
				mg_buf_printf(&b, "INSERT %s", op->to);
			else if (op->kind == MG_VOP_DELETE)
				mg_buf_printf(&b, "DELETE %s", op->from);
			else
				mg_buf_printf(&b, "UPDATE %s -> %s", op->from, op->to);
		}
		mg_buf_putc(&b, '\n');
	}
	return mg_buf_finish(&b, &s) == MG_OK ? s : "(out of memory)";
}

static void
test_plan(const plan_case *c)
{
	mg_ctx *ctx = fx_ctx();
	mg_revmap *map = fx_map(ctx, c->g);
	size_t ncur;
	const char **cur = fx_rows(ctx, c->current, &ncur);
	mg_plan p;
	char name[256];
	int rc;

	memset(&p, 0, sizeof(p));
	snprintf(name, sizeof(name), "%s: %s %s from [%s]", c->g->name, c->kind, c->target, c->current);
	if (strcmp(c->kind, "upgrade") == 0)
		rc = mg_plan_upgrade(&p, ctx, map, cur, ncur, c->target);
	else if (strcmp(c->kind, "downgrade") == 0)
		rc = mg_plan_downgrade(&p, ctx, map, cur, ncur, c->target);
	else
		rc = mg_plan_stamp(&p, ctx, map, cur, ncur, c->target);
	if (c->steps != NULL)
	{
		is_int(rc, MG_OK, "%s: succeeds", name);
		if (rc != MG_OK)
			printf("#   error: %s / %s\n", mg_ctx_error(ctx)->message, mg_ctx_error(ctx)->detail);
		is_str(render_plan(ctx, map, &p), c->steps, "%s: steps", name);
		is_str(fx_sorted(ctx, p.end, p.nend), c->end, "%s: rows afterwards", name);
		is_str(fx_sorted(ctx, p.start, p.nstart), fx_sorted(ctx, cur, ncur), "%s: rows before", name);
	}
	else
	{
		const mg_error *e = mg_ctx_error(ctx);

		is_int(rc, MG_EINPUT, "%s: fails", name);
		is_str(e->message, c->message, "%s: message", name);
		if (c->detail != NULL)
			fx_is_prefix(e->detail, c->detail, name, "");
		is_int(p.n, 0, "%s: no step produced", name);
	}
	mg_ctx_free(ctx);
}

/* Rows the catalog does not know: the database is ahead of the scripts. */
static void
test_unknown_rows(void)
{
	mg_ctx *ctx = fx_ctx();
	mg_revmap *map = fx_map(ctx, &fx_sample);
	const char *rows[] = {"ffffffffffff"};
	mg_plan p;

	memset(&p, 0, sizeof(p));
	is_int(mg_plan_upgrade(&p, ctx, map, rows, 1, "heads"), MG_EINPUT, "upgrade from an unknown row fails");
	is_str(mg_ctx_error(ctx)->message, "Can't locate revision identified by 'ffffffffffff'",
		   "unknown row: message");
	is_int(p.n, 0, "unknown row: no step");
	is_int(mg_plan_downgrade(&p, ctx, map, rows, 1, "base"), MG_EINPUT, "downgrade from an unknown row fails");
	is_int(mg_plan_stamp(&p, ctx, map, rows, 1, "heads"), MG_EINPUT, "stamp from an unknown row fails");
	mg_ctx_free(ctx);
}

/*
 * One run of the sweep: build the sample map, plan "upgrade heads" from
 * nothing, list the history.  Returns the first failing code.
 */
static int
sweep_run(mg_ctx **pctx, size_t *nsteps, size_t *nhist)
{
	mg_revmap *map;
	mg_plan p;
	int *revs;
	int rc;

	*pctx = NULL;
	if ((rc = mg_ctx_new(pctx, tap_realloc, NULL)) != MG_OK)
		return rc;
	if ((rc = fx_build(&map, *pctx, &fx_sample)) != MG_OK ||
		(rc = mg_plan_upgrade(&p, *pctx, map, NULL, 0, "heads")) != MG_OK ||
		(rc = mg_report_history(&revs, nhist, *pctx, map, NULL, NULL)) != MG_OK)
		return rc;
	*nsteps = p.n;
	return MG_OK;
}

static void
test_oom_sweep(void)
{
	long fail_at;
	int all = 1, runs = 0;
	size_t nsteps = 0, nhist = 0;

	for (fail_at = 1; fail_at < 100000; fail_at++)
	{
		mg_ctx *ctx;
		int rc;

		tap_calls = 0;
		tap_fail_at = fail_at;
		rc = sweep_run(&ctx, &nsteps, &nhist);
		runs++;
		if (rc == MG_OK || tap_calls < fail_at)
		{
			/* success, or a failure that no injected allocation failure caused */
			ok(rc == MG_OK, "sample: the run without an injected failure succeeds (%s)",
			   ctx != NULL ? mg_ctx_error(ctx)->message : "");
			mg_ctx_free(ctx);
			break;
		}
		if (rc != MG_ENOMEM ||
			(ctx != NULL && strcmp(mg_ctx_error(ctx)->message, "out of memory") != 0) ||
			(ctx != NULL && strcmp(mg_ctx_error(ctx)->sqlstate, MG_STATE_NOMEM) != 0))
		{
			printf("# allocation %ld: rc %d, message \"%s\"\n", fail_at, rc,
				   ctx != NULL ? mg_ctx_error(ctx)->message : "(no context)");
			all = 0;
		}
		mg_ctx_free(ctx);
		if (tap_live != 0)
		{
			printf("# allocation %ld: %ld blocks leaked\n", fail_at, tap_live);
			all = 0;
			tap_live = 0;
		}
	}
	tap_fail_at = 0;
	ok(all && runs > 1, "out of memory at each of %d allocations: MG_ENOMEM, \"out of memory\", nothing leaked",
	   runs - 1);
	is_int(nsteps, 11, "the run that succeeds plans 11 steps");
	is_int(nhist, 11, "the run that succeeds lists 11 revisions");
	is_int(tap_live, 0, "nothing left allocated");
}

/*
 * A larger graph for a finer sweep (the arena allocates in chunks, so the
 * sample graph needs only a few allocations): NBIG revisions in two
 * labelled chains that merge every tenth revision, the second chain
 * depending on the first.
 */
#define NBIG 400
static char big_text[NBIG][256];
static fx_file big_files[NBIG];
static fx_graph big_graph = {"big", big_files, NBIG};

static void
make_big(void)
{
	for (int i = 0; i < NBIG; i++)
	{
		char id[16], down[64] = "", label[16] = "", dep[16] = "";
		int k = i / 2;

		snprintf(id, sizeof(id), "%c%04d", i % 2 ? 'b' : 'a', k);
		if (k > 0 && k % 10 == 0 && i % 2 == 0)
			snprintf(down, sizeof(down), "a%04d, b%04d", k - 1, k - 1);
		else if (k > 0)
			snprintf(down, sizeof(down), "%c%04d", i % 2 ? 'b' : 'a', k - 1);
		if (k == 0)
			snprintf(label, sizeof(label), "%s", i % 2 ? "bee" : "ay");
		if (i % 2 == 1 && k % 7 == 3)
			snprintf(dep, sizeof(dep), "a%04d", k);
		snprintf(big_text[i], sizeof(big_text[i]), REV("%s", "%s", "%s", "%s", "", "big %d"),
				 i, id, down, label, dep);
		big_files[i].name = "";
		big_files[i].text = big_text[i];
	}
}

/*
 * The larger graph (make_big; the same scripts were given to Alembic):
 * the step count, the FNV-1a checksum (mg_checksum) of the steps rendered
 * as render_plan does, from ScriptDirectory._upgrade_revs /
 * _downgrade_revs / _stamp_revs and HeadMaintainer, and the rows after.
 */
static const big_case big_cases[] = {
	{"upgrade", "a0151 b0151", "heads", 96, "13136c7a9fd2c937", "b0199", NULL},
	{"downgrade", "a0151 b0151", "ay@base", 301, "74db8fcc6b420b12", "b0002", NULL},
	{"stamp", "a0151 b0151", "b0199", 1, "4f68cca62a72e2cb", "b0199", NULL},
	{"upgrade", "", "heads", 400, "3a50f1395a29753c", "b0199", NULL},
	{"downgrade", "a0199 b0199", "base", 400, "4ca3454b3bc49b34", "", NULL},
	{"downgrade", "a0199 b0199", "a0100", 198, "98e4f1e7677239a9", "a0100 b0100", NULL},
	{"upgrade", "a0100", "bee@head", 0, NULL, NULL,
	 "Multiple head revisions are present for given argument 'bee@head'; please specify a specific target revision, '<branchname>@bee@head' to narrow to a specific head, or 'heads' for all heads"},
	{"upgrade", "", "ay@+25", 45, "658d3fb44f2e9169", "a0024", NULL},
};

/* ScriptDirectory.walk_revisions(base, head) on the larger graph: count and checksum of the ids joined by spaces. */
static const big_history big_histories[] = {
	{"b0100", "b0199", 190, "04198e21b4f91daa"},
	{NULL, NULL, 400, "2fcac07836443e61"},
	{"a0100", "a0199", 100, "2fd9583f48f04f95"},
};

static void
test_big(void)
{
	mg_ctx *ctx = fx_ctx();
	mg_revmap *map;

	make_big();
	map = fx_map(ctx, &big_graph);
	for (size_t i = 0; i < sizeof(big_cases) / sizeof(big_cases[0]); i++)
	{
		const big_case *c = &big_cases[i];
		size_t ncur;
		const char **cur = fx_rows(ctx, c->current, &ncur);
		mg_plan p;
		int rc;

		memset(&p, 0, sizeof(p));
		if (strcmp(c->kind, "upgrade") == 0)
			rc = mg_plan_upgrade(&p, ctx, map, cur, ncur, c->target);
		else if (strcmp(c->kind, "downgrade") == 0)
			rc = mg_plan_downgrade(&p, ctx, map, cur, ncur, c->target);
		else
			rc = mg_plan_stamp(&p, ctx, map, cur, ncur, c->target);
		if (c->checksum != NULL)
		{
			const char *text = render_plan(ctx, map, &p);
			char sum[17];

			mg_checksum(text, strlen(text), sum);
			is_int(rc, MG_OK, "big: %s %s from [%s]: succeeds", c->kind, c->target, c->current);
			is_int(p.n, c->nsteps, "big: %s %s from [%s]: step count", c->kind, c->target, c->current);
			is_str(sum, c->checksum, "big: %s %s from [%s]: steps and statements", c->kind, c->target, c->current);
			is_str(fx_sorted(ctx, p.end, p.nend), c->end, "big: %s %s from [%s]: rows afterwards",
				   c->kind, c->target, c->current);
		}
		else
		{
			is_int(rc, MG_EINPUT, "big: %s %s from [%s]: fails", c->kind, c->target, c->current);
			is_str(mg_ctx_error(ctx)->message, c->message, "big: %s %s: message", c->kind, c->target);
		}
	}
	for (size_t i = 0; i < sizeof(big_histories) / sizeof(big_histories[0]); i++)
	{
		const big_history *h = &big_histories[i];
		int *revs;
		size_t n = 0;
		int rc = mg_report_history(&revs, &n, ctx, map, h->base, h->head);
		const char *ids = fx_ids(ctx, map, revs, n);
		char sum[17];

		mg_checksum(ids, strlen(ids), sum);
		is_int(rc, MG_OK, "big: history %s:%s succeeds", h->base ? h->base : "", h->head ? h->head : "");
		is_int(n, h->n, "big: history %s:%s count", h->base ? h->base : "", h->head ? h->head : "");
		is_str(sum, h->checksum, "big: history %s:%s order", h->base ? h->base : "", h->head ? h->head : "");
	}
	mg_ctx_free(ctx);
}

/* The same sweep on the larger graph, with all three plan kinds and history lines. */
static void
test_oom_sweep_big(void)
{
	long fail_at;
	int all = 1, runs = 0;
	size_t nsteps = 0;

	make_big();
	for (fail_at = 1; fail_at < 100000; fail_at++)
	{
		mg_ctx *ctx = NULL;
		mg_revmap *map;
		mg_plan p;
		int *revs;
		size_t nrevs;
		const char *rows[] = {"a0151", "b0151"};
		int rc;

		tap_calls = 0;
		tap_fail_at = fail_at;
		rc = mg_ctx_new(&ctx, tap_realloc, NULL);
		if (rc == MG_OK)
			rc = fx_build(&map, ctx, &big_graph);
		if (rc == MG_OK)
			rc = mg_plan_upgrade(&p, ctx, map, rows, 2, "heads");
		if (rc == MG_OK)
		{
			nsteps = p.n;
			rc = mg_plan_downgrade(&p, ctx, map, rows, 2, "ay@base");
		}
		if (rc == MG_OK)
			rc = mg_plan_stamp(&p, ctx, map, rows, 2, "b0199");
		if (rc == MG_OK)
			rc = mg_report_history(&revs, &nrevs, ctx, map, "b0100", "b0199");
		for (size_t i = 0; rc == MG_OK && i < nrevs; i++)
			if (mg_report_history_line(ctx, map, revs[i], false) == NULL)
				rc = mg_ctx_error(ctx)->code;
		runs++;
		if (rc == MG_OK || tap_calls < fail_at)
		{
			/* success, or a failure that no injected allocation failure caused */
			ok(rc == MG_OK, "big graph: the run without an injected failure succeeds (%s)",
			   ctx != NULL ? mg_ctx_error(ctx)->message : "");
			mg_ctx_free(ctx);
			break;
		}
		if (rc != MG_ENOMEM ||
			(ctx != NULL && strcmp(mg_ctx_error(ctx)->message, "out of memory") != 0))
		{
			printf("# allocation %ld: rc %d, message \"%s\"\n", fail_at, rc,
				   ctx != NULL ? mg_ctx_error(ctx)->message : "(no context)");
			all = 0;
		}
		mg_ctx_free(ctx);
		if (tap_live != 0)
		{
			printf("# allocation %ld: %ld blocks leaked\n", fail_at, tap_live);
			all = 0;
			tap_live = 0;
		}
	}
	tap_fail_at = 0;
	ok(all && runs > 20, "big graph: out of memory at each of %d allocations: MG_ENOMEM, \"out of memory\", nothing leaked",
	   runs - 1);
	ok(nsteps > 0, "big graph: the run that succeeds plans %zu steps", nsteps);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(plan_cases) / sizeof(plan_cases[0]); i++)
		test_plan(&plan_cases[i]);
	test_unknown_rows();
	test_oom_sweep();
	test_big();
	test_oom_sweep_big();
	return done_testing();
}
