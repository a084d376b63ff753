/*
 * args.c -- the checks every command makes of its identifier arguments
 * before it reads anything.
 *
 * An empty or blank identifier (a target, a revision, either end of a
 * range) is an error, never taken as base or heads: a deploy script whose
 * variable is unset passes '' and must fail loudly, not "succeed" by
 * doing nothing or everything.  NULL is not checked here: the hosts turn
 * a NULL optional argument into the default (the command sees NULL) and a
 * NULL required one into an error naming the argument.
 *
 * The one exception is Alembic's history range, "[start]:[end]", whose
 * ends may be left out (migrate_history('9540:')): an end that is absent
 * is open there, but one that is blank (' :heads') is still an error.
 */
#include <string.h>

#include "internal.h"

bool
mg_args_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\f' && *s != '\v')
			return false;
	return true;
}

/*
 * The error for an empty identifier; where says which one ("argument
 * \"target\""), arg names the argument (NULL: a range's end), item is
 * true for one empty item of a list.  The hint fits the argument: what a
 * target may be; that an optional argument is left out with NULL; that
 * a list's empty item is an extra comma.
 */
static int
empty_error(mg_ctx *ctx, const char *func, const char *where, const char *value,
			const char *arg, bool item)
{
	mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "%s: %s is empty", func, where);
	if (*value)
		mg_error_detail(ctx, "The identifier \"%s\" is blank. An empty or blank identifier names no revision: it is never taken as base or heads.",
						value);
	else
		mg_error_detail(ctx, "An empty or blank identifier names no revision: it is never taken as base or heads.");
	if (item)
		mg_error_hint(ctx, "Remove the extra comma, so that every item of \"%s\" names something. Nothing was changed.", arg);
	else if (arg != NULL && strcmp(arg, "rev_id") == 0)
		mg_error_hint(ctx, "Give an id of 1 to 32 letters, digits or underscores, or NULL for a new one. Nothing was changed.");
	else if (arg != NULL && strcmp(arg, "head") == 0)
		mg_error_hint(ctx, "Give the revision to build on, such as 'gxy@head', or NULL for the head of a catalog that has one. Nothing was changed.");
	else if (arg != NULL && strcmp(arg, "branch_label") == 0)
		mg_error_hint(ctx, "Give a branch label, or NULL for none. Nothing was changed.");
	else if (arg != NULL && strcmp(arg, "depends_on") == 0)
		mg_error_hint(ctx, "Give the revisions or labels it depends on, or NULL for none. Nothing was changed.");
	else if (arg != NULL && strcmp(arg, "revisions") == 0)
		mg_error_hint(ctx, "Name the heads to merge, comma-separated (SELECT line FROM migrate_heads() lists them). Nothing was changed.");
	else
		mg_error_hint(ctx, "Give a revision id, a branch target such as 'gxy@head', 'heads' or 'base' (a deploy script passes '' when its variable is unset). Nothing was changed.");
	return MG_EINPUT;
}

int
mg_args_check_ident(mg_ctx *ctx, const char *func, const char *arg, const char *value)
{
	const char *where;

	if (value == NULL || !mg_args_blank(value))
		return MG_OK;
	where = mg_printf(ctx, "argument \"%s\"", arg);
	if (where == NULL)
		return MG_ENOMEM;
	return empty_error(ctx, func, where, value, arg, false);
}

int
mg_args_check_list(mg_ctx *ctx, const char *func, const char *arg, const char *value)
{
	const char *p, *item;

	if (value == NULL)
		return MG_OK;
	if (mg_args_blank(value))
		return mg_args_check_ident(ctx, func, arg, value);
	/* every comma-separated item: "a,,b" and "a," have an empty one */
	for (item = p = value;; p++)
		if (*p == ',' || *p == '\0')
		{
			size_t n = (size_t) (p - item);
			char *one = mg_strndup(ctx, item, n);

			if (one == NULL)
				return MG_ENOMEM;
			if (mg_args_blank(one))
			{
				const char *where = mg_printf(ctx, "an item of argument \"%s\" ('%s')", arg, value);

				if (where == NULL)
					return MG_ENOMEM;
				return empty_error(ctx, func, where, one, arg, true);
			}
			if (*p == '\0')
				break;
			item = p + 1;
		}
	return MG_OK;
}

int
mg_args_check_range(mg_ctx *ctx, const char *func, const char *range, bool open_ends)
{
	const char *colon;
	const char *where;
	char *start;

	if (range == NULL)
		return MG_OK;
	colon = strchr(range, ':');
	if (colon == NULL || mg_args_blank(range))
		return mg_args_check_ident(ctx, func, "range", range);
	start = mg_strndup(ctx, range, (size_t) (colon - range));
	if (start == NULL)
		return MG_ENOMEM;
	if (mg_args_blank(start) && !(open_ends && *start == '\0'))
	{
		where = mg_printf(ctx, "the start of range '%s'", range);
		return where == NULL ? MG_ENOMEM : empty_error(ctx, func, where, start, NULL, false);
	}
	if (mg_args_blank(colon + 1) && !(open_ends && colon[1] == '\0'))
	{
		where = mg_printf(ctx, "the end of range '%s'", range);
		return where == NULL ? MG_ENOMEM : empty_error(ctx, func, where, colon + 1, NULL, false);
	}
	return MG_OK;
}
