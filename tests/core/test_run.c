/*
 * test_run.c -- the checks a plan passes before anything runs
 * (run.c: mg_run_check), on hand-made scripts and a one-step plan:
 * a step whose body was loaded for the other direction only is an
 * internal error naming the direction, not a "no section" message; an
 * absent section and a non-transactional step on PostgreSQL keep their
 * own messages; a script that holds its section passes.
 */
#include <string.h>

#include "../../core/internal.h"
#include "tap.h"
#include "graph_fixture.h"

int
main(void)
{
	mg_ctx *ctx = fx_ctx();
	mg_script_source src;
	mg_script s;
	mg_revmap *map = NULL;
	mg_vop ins = {MG_VOP_INSERT, NULL, "aaaa"};
	mg_step up = {0, true, "", "aaaa", &ins, 1};
	mg_plan plan = {&up, 1, NULL, 0, NULL, 0};

	memset(&s, 0, sizeof(s));
	memset(&src, 0, sizeof(src));
	s.id = "aaaa";
	s.message = "";
	s.filename = "v/aaaa.sql";
	s.transactional = true;
	s.src = &src;
	src.downgrade[MG_DIALECT_ANY] = "DROP TABLE a;";
	if (mg_revmap_new(&map, ctx) != MG_OK || mg_revmap_add(map, &s) != MG_OK || mg_revmap_build(map) != MG_OK)
	{
		printf("Bail out! cannot build the map\n");
		return 1;
	}

	/* loaded for a downgrade only, asked to upgrade */
	s.body_dirs = MG_BODY_DOWN;
	is_int(mg_run_check(ctx, map, &plan, MG_DIALECT_SQLITE), MG_EINPUT, "other direction only: MG_EINPUT");
	is_str(mg_ctx_error(ctx)->message, "revision \"aaaa\" was loaded without its upgrade body",
		   "other direction only: the direction is named");
	is_str(mg_ctx_error(ctx)->sqlstate, MG_STATE_INTERNAL, "other direction only: an internal error");
	ok(src.downgrade[MG_DIALECT_ANY] != NULL && src.upgrade[MG_DIALECT_ANY] == NULL && s.body_dirs == MG_BODY_DOWN,
	   "other direction only: the script is left as it was");
	mg_error_clear(ctx);

	/* both directions held, no upgrade section: the user's message */
	s.body_dirs = MG_BODY_BOTH;
	is_int(mg_run_check(ctx, map, &plan, MG_DIALECT_SQLITE), MG_EINPUT, "no upgrade section: MG_EINPUT");
	is_str(mg_ctx_error(ctx)->message, "revision aaaa has no upgrade section for sqlite",
		   "no upgrade section: its message");
	is_str(mg_ctx_error(ctx)->sqlstate, MG_STATE_PREREQUISITE, "no upgrade section: a prerequisite error");
	mg_error_clear(ctx);

	/* the section present: the plan may run; not on PostgreSQL when not transactional */
	src.upgrade[MG_DIALECT_ANY] = "CREATE TABLE a (x int);";
	s.body_dirs = MG_BODY_UP;
	is_int(mg_run_check(ctx, map, &plan, MG_DIALECT_SQLITE), MG_OK, "upgrade held: MG_OK");
	s.transactional = false;
	is_int(mg_run_check(ctx, map, &plan, MG_DIALECT_POSTGRESQL), MG_EINPUT,
		   "not transactional on postgresql: MG_EINPUT");
	is_str(mg_ctx_error(ctx)->message, "revision aaaa cannot run inside a transaction",
		   "not transactional on postgresql: its message");
	mg_ctx_free(ctx);
	ok(tap_live == 0, "every block returned to the allocator");
	return done_testing();
}
