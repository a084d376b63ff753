/*
 * author.c -- writing new revision scripts: migrate_revision, migrate_merge.
 *
 * Alembic's `revision` and `merge` commands, producing the script format
 * of DESIGN.md instead of a Python module:
 *
 *   -- add column foo to table bar
 *   --
 *   -- Revision ID: 1f0a2b3c4d5e
 *   -- Revises: a2e418ad6a15
 *   -- Create Date: 2026-11-21 10:00:00.000000
 *   -- Branch Labels:
 *   -- Depends On:
 *   -- Tags:
 *
 *   -- migrate:upgrade
 *
 *   -- migrate:downgrade
 *
 * The parents (Revises) come from the head argument resolved against the
 * catalog as Alembic's generate_revision does: "head" by default (an
 * error when there are several heads: Alembic's words), a parent must be
 * a head unless splice is given, duplicates are refused.  Depends On
 * entries are kept as branch labels when they name one, else written as
 * full ids.  A new id is 12 random hex digits (/dev/urandom; if it cannot
 * be read, a hash of the host's clock and a counter), never one the
 * catalog has.
 *
 * Invariants: the text is parsed back and the graph with the new
 * revision is built before anything is returned or written, so what
 * comes out always loads (a message line that would read as a header key
 * or a section marker is refused).  With a directory, the file
 * <dir>/<rev>_<slug>.sql is created exclusively (never overwriting), then
 * added to the catalog (migrate_add); if adding fails the file is
 * removed.  The slug is Alembic's: the message's words, lowercased,
 * joined by "_", cut to 40 characters at a word boundary.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define SLUG_MAX 40

static bool
blank_text(const char *s)
{
	for (; s != NULL && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* ---- ids ----------------------------------------------------------------- */

/* 12 lowercase hex digits from /dev/urandom, else from the clock and a counter. */
static void
random_id(char out[13], const mg_host *host)
{
	static unsigned long counter;
	unsigned char bytes[6];
	size_t got = 0;
	FILE *f = fopen("/dev/urandom", "rb");

	if (f != NULL)
	{
		got = fread(bytes, 1, sizeof(bytes), f);
		fclose(f);
	}
	if (got == sizeof(bytes))
	{
		for (size_t i = 0; i < sizeof(bytes); i++)
			snprintf(out + 2 * i, 3, "%02x", bytes[i]);
	}
	else
	{
		char seed[128], now[64] = "";
		char sum[17];

		if (host->now != NULL)
			host->now(host->ud, now, sizeof(now));
		snprintf(seed, sizeof(seed), "%s %lu %ld %p", now, ++counter, (long) clock(), (void *) &counter);
		mg_checksum(seed, strlen(seed), sum);
		memcpy(out, sum, 12);
	}
	out[12] = '\0';
}

/* Alembic's verify_rev_id, then the engine's own id rule. */
static int
check_rev_id(mg_ctx *ctx, const mg_revmap *map, const char *id)
{
	static const char illegal[] = "+-:@";   /* sorted, as Alembic lists them */
	char found[8];
	size_t nf = 0;

	for (const char *c = illegal; *c; c++)
		if (strchr(id, *c) != NULL)
			found[nf++] = *c;
	if (nf > 0)
	{
		mg_buf b;
		char *list;

		mg_buf_init(&b, ctx);
		for (size_t i = 0; i < nf; i++)
			mg_buf_printf(&b, "%s%c", i ? ", " : "", found[i]);
		if (mg_buf_finish(&b, &list) != MG_OK)
			return MG_ENOMEM;
		mg_error_set(ctx, MG_EINPUT, MG_STATE_SYNTAX,
					 "Character(s) '%s' not allowed in revision identifier '%s'", list, id);
		mg_error_hint(ctx, "A revision id is 1 to 32 letters, digits or underscores: remove the others, or give NULL as rev_id for a new id.");
		return MG_EINPUT;
	}
	if (!mg_valid_rev_id(id))
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_SYNTAX, "invalid revision id \"%s\"", id);
		mg_error_detail(ctx, "A revision id is 1 to 32 letters, digits or underscores.");
		mg_error_hint(ctx, "Shorten it to 32 characters at most, or give NULL as rev_id for a new 12-hex-digit id.");
		return MG_EINPUT;
	}
	if (mg_revmap_find(map, id) >= 0)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_GRAPH, "revision %s is already in the catalog", id);
		mg_error_hint(ctx, "Give another rev_id, or NULL for a new one.");
		return MG_EINPUT;
	}
	return MG_OK;
}

/* ---- parents ------------------------------------------------------------- */

/* Resolve one head spec; several heads become Alembic's revision/merge message. */
/*
 * The hint when the parent named (spec: NULL, 'head', '<label>@head')
 * is several heads: the heads themselves, as a migrate_revision call on
 * the first and the migrate_merge call on all of them.
 */
static void
hint_several_heads(mg_ctx *ctx, const mg_revmap *map, const char *spec)
{
	const int *h;
	size_t nh, n = 0;
	int *heads;
	const char *at = spec != NULL ? strchr(spec, '@') : NULL;
	mg_buf ids;
	char *idtext, *label = NULL;
	int unique_label = -1, first_label = -1;
	size_t nunique = 0;

	mg_revmap_real_heads(map, &h, &nh);
	heads = mg_alloc(ctx, (nh + 1) * sizeof(int));
	if (heads == NULL)
		return;
	memcpy(heads, h, nh * sizeof(int));
	n = nh;
	if (at != NULL && (label = mg_strndup(ctx, spec, (size_t) (at - spec))) != NULL &&
		mg_resolve_filter_lineage(heads, &n, ctx, map, label, false) != MG_OK)
		return;
	if (n < 2)
		return;
	mg_buf_init(&ids, ctx);
	for (size_t i = 0; i < n; i++)
	{
		const mg_rev *r = mg_revmap_rev(map, heads[i]);

		mg_buf_printf(&ids, "%s%s", i ? "," : "", r->id);
		/* a label this head alone carries names it: '<label>@head' */
		for (size_t j = 0; j < r->nlabels && unique_label < 0; j++)
		{
			bool shared = false;

			for (size_t k = 0; k < n && !shared; k++)
				shared = k != i && mg_rev_has_label(mg_revmap_rev(map, heads[k]), r->labels[j]);
			if (!shared)
				unique_label = r->labels[j];
		}
		nunique += unique_label >= 0;
		if (i == 0)
			first_label = unique_label;
		unique_label = -1;
	}
	if (mg_buf_finish(&ids, &idtext) != MG_OK)
		return;
	if (nunique == n)
		mg_error_hint(ctx, "Base the revision on one branch's head, as in migrate_revision(message, '%s@head').",
					  mg_revmap_label_name(map, first_label));
	else if (first_label >= 0)
		mg_error_hint(ctx, "Base the revision on one head, as in migrate_revision(message, '%s@head'), or merge the heads first with SELECT migrate_merge('%s', 'merge heads').",
					  mg_revmap_label_name(map, first_label), idtext);
	else
		mg_error_hint(ctx, "Base the revision on one head, as in migrate_revision(message, '%s'), or merge the heads first with SELECT migrate_merge('%s', 'merge heads').",
					  mg_revmap_rev(map, heads[0])->id, idtext);
}

static int
resolve_parents(mg_target *t, mg_ctx *ctx, const mg_revmap *map, const char *spec)
{
	int rc = mg_resolve(t, ctx, map, spec);

	if (rc == MG_EINPUT && strncmp(mg_ctx_error(ctx)->message, "Multiple head revisions are present", 35) == 0)
	{
		mg_error *e = mg_ctx_error_mut(ctx);

		snprintf(e->message, sizeof(e->message), "%s",
				 "Multiple heads are present; please specify the head revision on which the new revision should be based, or perform a merge.");
		e->hint[0] = '\0';
		hint_several_heads(ctx, map, spec);
	}
	return rc;
}

static int
add_parent(int **v, size_t *n, size_t *cap, mg_ctx *ctx, const mg_revmap *map, int rev)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == rev)
		{
			mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "Duplicate head revisions specified");
			mg_error_detail(ctx, "Revision %s is named more than once.", mg_revmap_rev(map, rev)->id);
			mg_error_hint(ctx, "Name each parent once.");
			return MG_EINPUT;
		}
	if (mg_grow(ctx, v, cap, *n, sizeof(int)) != MG_OK)
		return MG_ENOMEM;
	(*v)[(*n)++] = rev;
	return MG_OK;
}

/* ---- the text -------------------------------------------------------------- */

/* Alembic's slug: the message's \w+ words, "_"-joined, lowercased, cut at 40. */
static char *
make_slug(mg_ctx *ctx, const char *message)
{
	mg_buf b;
	char *slug;
	size_t chars = 0, cut = 0, last_sep = 0;
	bool in_word = false, sep_seen = false;

	mg_buf_init(&b, ctx);
	mg_buf_puts(&b, "");
	for (const unsigned char *p = (const unsigned char *) message; *p; p++)
	{
		bool w = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '_' || *p >= 0x80;

		if (!w)
		{
			in_word = false;
			continue;
		}
		if (!in_word && b.len > 0)
			mg_buf_putc(&b, '_');
		in_word = true;
		mg_buf_putc(&b, (char) mg_fold_ascii((unsigned char) *p));
	}
	if (mg_buf_finish(&b, &slug) != MG_OK)
		return NULL;
	/* longer than 40 characters: slug[:40].rsplit("_", 1)[0] + "_" */
	for (size_t i = 0; slug[i]; i++)
		if (((unsigned char) slug[i] & 0xC0) != 0x80)
			chars++;
	if (chars <= SLUG_MAX)
		return slug;
	chars = 0;
	for (size_t i = 0; slug[i]; i++)
	{
		if (((unsigned char) slug[i] & 0xC0) != 0x80)
		{
			if (chars == SLUG_MAX)
				break;
			chars++;
		}
		cut = i + 1;
		if (slug[i] == '_')
		{
			last_sep = i;
			sep_seen = true;
		}
	}
	/* cut sits after the 40th character (and its continuation bytes) */
	while (slug[cut] != '\0' && ((unsigned char) slug[cut] & 0xC0) == 0x80)
		cut++;
	if (sep_seen)
		cut = last_sep;
	return mg_printf(ctx, "%.*s_", (int) cut, slug);
}

/* The message, one "-- " line per line ("--" for an empty one). */
static void
put_message(mg_buf *b, const char *message)
{
	const char *p = message;

	while (*p == '\n' || *p == '\r')
		p++;
	while (*p)
	{
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t) (nl - p) : strlen(p);

		while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0)
			mg_buf_puts(b, "--\n");
		else
			mg_buf_printf(b, "-- %.*s\n", (int) len, p);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static void
put_key(mg_buf *b, const char *key, const char *value)
{
	if (value[0])
		mg_buf_printf(b, "-- %s: %s\n", key, value);
	else
		mg_buf_printf(b, "-- %s:\n", key);
}

static bool
same_list(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

/* The first non-empty line of the message, trimmed. */
static char *
first_line(mg_ctx *ctx, const char *message)
{
	const char *p = message;

	for (;;)
	{
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t) (nl - p) : strlen(p);
		const char *a = p;

		while (len > 0 && (*a == ' ' || *a == '\t'))
		{
			a++;
			len--;
		}
		while (len > 0 && (a[len - 1] == ' ' || a[len - 1] == '\t' || a[len - 1] == '\r'))
			len--;
		if (len > 0 || nl == NULL)
			return mg_strndup(ctx, a, len);
		p = nl + 1;
	}
}

/* ---- the command ----------------------------------------------------------- */

/* Create path exclusively and write text; on failure nothing is left behind. */
static int
write_file(mg_ctx *ctx, const char *path, const char *text)
{
	FILE *f = fopen(path, "wx");
	size_t len = strlen(text);
	int err;

	if (f == NULL)
	{
		err = errno;
		mg_error_set(ctx, MG_EINPUT, MG_STATE_FILE, "could not create file \"%s\": %s", path, strerror(err));
		if (err == EEXIST)
			mg_error_hint(ctx, "An existing file is never overwritten: give another rev_id (or NULL for a new one), or move the file away. Nothing was changed.");
		else if (err == ENOENT || err == ENOTDIR)
			mg_error_hint(ctx, "Create the directory first, or give one that exists. Nothing was changed.");
		else
			mg_error_hint(ctx, "Make the directory writable by the operating-system user of the process that runs the SQL, or give another one. Nothing was changed.");
		return MG_EINPUT;
	}
	if (fwrite(text, 1, len, f) != len)
	{
		err = errno;
		fclose(f);
		remove(path);
		mg_error_set(ctx, MG_EINPUT, MG_STATE_FILE, "could not write file \"%s\": %s", path, strerror(err));
		return MG_EINPUT;
	}
	if (fclose(f) != 0)
	{
		err = errno;
		remove(path);
		mg_error_set(ctx, MG_EINPUT, MG_STATE_FILE, "could not write file \"%s\": %s", path, strerror(err));
		return MG_EINPUT;
	}
	return MG_OK;
}

static int
author(char **out, mg_ctx *ctx, const mg_host *host, const mg_revision_args *a, bool merge)
{
	const char *fn = merge ? "migrate_merge" : "migrate_revision";
	mg_session s;
	int *par = NULL;
	size_t npar = 0, parcap = 0;
	const char **parents, **labels = NULL, **deps = NULL, **dep_items = NULL;
	size_t nlabels = 0, ndeps = 0, ndep_items = 0;
	char rev[33], date[64] = "", *msg1, *text, *path;
	mg_script *parsed;
	mg_revmap *check;
	mg_buf b;
	int rc;

	*out = NULL;
	if (a->message == NULL || blank_text(a->message))
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "%s: a message is required", fn);
		mg_error_detail(ctx, "The message is the script's first line, its history text and its file name.");
		mg_error_hint(ctx, "Give a short description, as in %s(%s'add column foo to table bar').",
					  fn, merge ? "'<rev>,<rev>', " : "");
		return MG_EINPUT;
	}
	if ((merge ? (rc = mg_args_check_list(ctx, fn, "revisions", a->head))
		 : (rc = mg_args_check_ident(ctx, fn, "head", a->head))) != MG_OK ||
		(rc = mg_args_check_ident(ctx, fn, "rev_id", a->rev_id)) != MG_OK ||
		(rc = mg_args_check_list(ctx, fn, "branch_label", a->branch_label)) != MG_OK ||
		(rc = mg_args_check_list(ctx, fn, "depends_on", a->depends_on)) != MG_OK)
		return rc;
	if (merge && a->head == NULL)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "migrate_merge: the revisions to merge are required");
		mg_error_hint(ctx, "Name the heads, as in migrate_merge('<rev>,<rev>', message), or 'gxy@heads' for every head of a branch.");
		return MG_EINPUT;
	}
	if ((rc = mg_session_open(&s, ctx, host, false)) != MG_OK)
		return rc;

	/* parents */
	{
		const char **specs;
		size_t nspecs;

		if (merge)
		{
			if ((rc = mg_split_list(ctx, a->head, &specs, &nspecs)) != MG_OK)
				return rc;
		}
		else
		{
			specs = mg_alloc(ctx, sizeof(char *));
			if (specs == NULL)
				return MG_ENOMEM;
			specs[0] = a->head != NULL ? a->head : "head";
			nspecs = 1;
		}
		for (size_t i = 0; i < nspecs; i++)
		{
			mg_target t;
			const char *spec;

			if ((rc = mg_session_release_target(&spec, &s, specs[i])) != MG_OK ||
				(rc = resolve_parents(&t, ctx, s.map, spec)) != MG_OK)
				return rc;
			for (size_t k = 0; k < t.n; k++)
				if ((rc = add_parent(&par, &npar, &parcap, ctx, s.map, t.revs[k])) != MG_OK)
					return rc;
		}
	}
	if (merge && npar < 2)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "migrate_merge: a merge needs at least two revisions");
		mg_error_detail(ctx, "'%s' names %zu revision%s.", a->head, npar, npar == 1 ? "" : "s");
		mg_error_hint(ctx, "Name two heads or more, as in migrate_merge('<rev>,<rev>', message); migrate_revision makes a revision with one parent.");
		return MG_EINPUT;
	}
	if (!a->splice)
		for (size_t i = 0; i < npar; i++)
			if (!mg_rev_is_head(mg_revmap_rev(s.map, par[i])))
			{
				mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
							 "Revision %s is not a head revision; please specify splice to create a new branch from this revision",
							 mg_revmap_rev(s.map, par[i])->id);
				if (merge)
					mg_error_hint(ctx, "Merge heads only: SELECT line FROM migrate_heads() lists them.");
				else
					mg_error_hint(ctx, "Pass true as splice (migrate_revision's sixth argument) to start a new branch from it, or base the revision on a head: SELECT line FROM migrate_heads() lists them.");
				return MG_EINPUT;
			}
	parents = mg_alloc(ctx, (npar + 1) * sizeof(char *));
	if (parents == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < npar; i++)
		parents[i] = mg_revmap_rev(s.map, par[i])->id;

	/* id */
	if (a->rev_id != NULL)
	{
		if ((rc = check_rev_id(ctx, s.map, a->rev_id)) != MG_OK)
			return rc;
		snprintf(rev, sizeof(rev), "%s", a->rev_id);
	}
	else
	{
		int tries = 0;

		do
			random_id(rev, host);
		while (mg_revmap_find(s.map, rev) >= 0 && ++tries < 64);
	}

	/* labels and dependencies */
	if ((rc = mg_split_list(ctx, a->branch_label, &labels, &nlabels)) != MG_OK ||
		(rc = mg_split_list(ctx, a->depends_on, &dep_items, &ndep_items)) != MG_OK)
		return rc;
	for (size_t i = 0; i < nlabels; i++)
		for (const char *p = labels[i]; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			{
				mg_error_set(ctx, MG_EINPUT, MG_STATE_SYNTAX, "invalid branch label \"%s\"", labels[i]);
				mg_error_detail(ctx, "A branch label is letters, digits and underscores (it is written before '@' in identifiers).");
				return MG_EINPUT;
			}
	deps = mg_alloc(ctx, (ndep_items + 1) * sizeof(char *));
	if (deps == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < ndep_items; i++)
	{
		int r;

		if ((rc = mg_resolve_one(&r, ctx, s.map, dep_items[i])) != MG_OK)
			return rc;
		if (r < 0)
		{
			mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "Can't locate revision identified by '%s'", dep_items[i]);
			mg_error_detail(ctx, "A dependency names a revision or a branch label, not '%s'.", dep_items[i]);
			return MG_EINPUT;
		}
		/* Alembic keeps a branch label as written, and writes full ids otherwise */
		deps[ndeps++] = mg_revmap_find_label(s.map, dep_items[i]) == r ? dep_items[i]
			: mg_revmap_rev(s.map, r)->id;
	}

	/* the text */
	if (host->now != NULL)
		host->now(host->ud, date, sizeof(date));
	mg_buf_init(&b, ctx);
	{
		mg_buf j;
		char *revises, *lab, *dep;

		mg_buf_init(&j, ctx);
		mg_buf_join(&j, parents, npar, ", ");
		if (mg_buf_finish(&j, &revises) != MG_OK)
			return MG_ENOMEM;
		mg_buf_init(&j, ctx);
		mg_buf_join(&j, labels, nlabels, ", ");
		if (mg_buf_finish(&j, &lab) != MG_OK)
			return MG_ENOMEM;
		mg_buf_init(&j, ctx);
		mg_buf_join(&j, deps, ndeps, ", ");
		if (mg_buf_finish(&j, &dep) != MG_OK)
			return MG_ENOMEM;
		put_message(&b, a->message);
		mg_buf_puts(&b, "--\n");
		put_key(&b, "Revision ID", rev);
		put_key(&b, "Revises", revises);
		put_key(&b, "Create Date", date);
		put_key(&b, "Branch Labels", lab);
		put_key(&b, "Depends On", dep);
		put_key(&b, "Tags", "");
		mg_buf_puts(&b, "\n-- migrate:upgrade\n\n-- migrate:downgrade\n");
	}
	if ((rc = mg_buf_finish(&b, &text)) != MG_OK)
		return rc;

	/* parse it back: what comes out must load as what was asked */
	if ((msg1 = first_line(ctx, a->message)) == NULL)
		return MG_ENOMEM;
	{
		char *slug = make_slug(ctx, a->message);
		size_t dl = a->dir ? strlen(a->dir) : 0;

		while (dl > 1 && a->dir[dl - 1] == '/')
			dl--;
		if (slug == NULL ||
			(path = a->dir ? mg_printf(ctx, "%.*s/%s_%s.sql", (int) dl, a->dir, rev, slug)
			 : mg_printf(ctx, "%s_%s.sql", rev, slug)) == NULL)
			return MG_ENOMEM;
	}
	rc = mg_script_parse(&parsed, ctx, text, strlen(text), path);
	if (rc == MG_ENOMEM)
		return rc;
	if (rc != MG_OK || strcmp(parsed->id, rev) != 0 || strcmp(parsed->message, msg1) != 0 ||
		strcmp(mg_script_create_date(parsed), date) != 0 || !parsed->transactional || parsed->ntags != 0 ||
		!same_list(parsed->down, parsed->ndown, parents, npar) ||
		!same_list(parsed->labels, parsed->nlabels, labels, nlabels) ||
		!same_list(parsed->deps, parsed->ndeps, deps, ndeps) ||
		mg_script_body(parsed, true, MG_DIALECT_ANY) == NULL ||
		mg_script_body(parsed, false, MG_DIALECT_ANY) == NULL)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_SYNTAX, "%s: the message cannot be written into a script header", fn);
		mg_error_detail(ctx, "One of its lines would be read as a header key (Revision ID:, Revises:, Tags:, ...) or a section marker (migrate:...).");
		mg_error_hint(ctx, "Reword that line of the message.");
		return MG_EINPUT;
	}

	/* the graph with the new revision: duplicate labels, cycles, unknown names */
	if ((rc = mg_revmap_new(&check, ctx)) != MG_OK)
		return rc;
	for (size_t k = 0; k < mg_revmap_count(s.map); k++)
		if ((rc = mg_revmap_add(check, mg_revmap_rev(s.map, (int) k)->script)) != MG_OK)
			return rc;
	if ((rc = mg_revmap_add(check, parsed)) != MG_OK || (rc = mg_revmap_build(check)) != MG_OK)
		return rc;

	if (a->dir == NULL)
	{
		/* a SQL value, not a file: without the final newline */
		*out = mg_strndup(ctx, text, strlen(text) - 1);
		return *out != NULL ? MG_OK : MG_ENOMEM;
	}
	{
		const char *texts[1], *names[1];
		char *report;

		if ((rc = write_file(ctx, path, text)) != MG_OK)
			return rc;
		texts[0] = text;
		names[0] = path;
		if ((rc = mg_cmd_add(&report, ctx, host, 1, texts, names)) != MG_OK)
		{
			remove(path);
			return rc;
		}
		*out = path;
		return MG_OK;
	}
}

/*
 * migrate_revision: the text of a new revision script, or with
 * args->dir the path of the file written and added to the catalog.
 * Errors: no message; Alembic's several-heads, not-a-head and duplicate
 * errors; an invalid or taken rev_id; unknown depends_on; graph errors
 * (a branch label already used); a file that cannot be created.
 */
int
mg_cmd_revision(char **out, mg_ctx *ctx, const mg_host *host, const mg_revision_args *args)
{
	return author(out, ctx, host, args, false);
}

/* migrate_merge: as mg_cmd_revision, the parents being the revisions to merge (two or more heads). */
int
mg_cmd_merge(char **out, mg_ctx *ctx, const mg_host *host, const mg_revision_args *args)
{
	return author(out, ctx, host, args, true);
}
