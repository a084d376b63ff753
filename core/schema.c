/*
 * schema.c -- the user's schema as normalized rows, and the difference
 * of two such snapshots.
 *
 * migrate_schema(), the rehearsal's "what did this step change", the
 * stairway's "is the schema back where it was" and drift all compare
 * schemas, so they share one description: a row per object (kind, name,
 * parent, definition), read from the database's own catalog and sorted
 * by kind, name and definition, bytewise.  Two databases whose objects
 * are the same give the same rows whatever order the objects were
 * created in; docs/schema.md lists what each kind of row holds.
 *
 * The catalog queries are the core's (as the state tables' SQL is):
 * SQLite reads sqlite_schema and the pragma functions, PostgreSQL
 * pg_catalog with pg_get_*def, every object and operator qualified so
 * that no search_path can change what they mean.  Left out: the
 * engine's own tables (SQLite: the names that begin with "migrate_";
 * PostgreSQL: the extension's members), the version table, and the
 * database's internal objects.  Invariant: a snapshot is read inside
 * whatever unit the caller has open and changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The kinds, in the order their rows come. */
static const char *const kinds[] = {
	"table", "column", "primary key", "unique", "check", "foreign key", "exclusion",
	"index", "view", "materialized view", "trigger", "sequence", "type", "function",
	"procedure",
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static int
kind_rank(const char *kind)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (strcmp(kinds[i], kind) == 0)
			return (int) i;
	return (int) NKINDS;
}

/* ------------------------------------------------------------------ */
/* Building rows                                                        */
/* ------------------------------------------------------------------ */

typedef struct rows_acc {
	mg_ctx *ctx;
	mg_srow *rows;
	size_t n, cap;
	mg_sgroup *group;       /* the group of the rows added now */
} rows_acc;

static int
add_row(rows_acc *a, const char *kind, const char *name, const char *parent, const char *def)
{
	mg_srow *r;

	if (mg_grow(a->ctx, &a->rows, &a->cap, a->n, sizeof(mg_srow)) != MG_OK)
		return MG_ENOMEM;
	r = &a->rows[a->n];
	r->kind = kind;
	r->rank = kind_rank(kind);
	r->group = a->group;
	r->name = mg_strdup(a->ctx, name ? name : "");
	r->parent = mg_strdup(a->ctx, parent ? parent : "");
	r->def = mg_strdup(a->ctx, def ? def : "");
	if (r->name == NULL || r->parent == NULL || r->def == NULL)
		return MG_ENOMEM;
	a->n++;
	return MG_OK;
}

static int
row_cmp(const void *x, const void *y)
{
	const mg_srow *a = x, *b = y;
	int c;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	return strcmp(a->def, b->def);
}

/*
 * SQL text as a definition: runs of blanks outside quotes and comments
 * become one space, leading and trailing blanks and a final ';' go.
 * (SQLite already removes IF NOT EXISTS and TEMP from what it stores.)
 */
static char *
squeeze_sql(mg_ctx *ctx, const char *s)
{
	size_t len = strlen(s), o = 0;
	char *out = mg_alloc(ctx, len + 1);
	char quote = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++)
	{
		char c = s[i];

		if (quote)
		{
			out[o++] = c;
			if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '\'' || c == '"' || c == '`')
			quote = c;
		else if (c == '[')
			quote = ']';
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
		{
			if (o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
			continue;
		}
		out[o++] = c;
	}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == ';'))
		o--;
	out[o] = '\0';
	return out;
}

/* ASCII lower case of s (SQLite's declared types compare without case). */
static char *
lower_dup(mg_ctx *ctx, const char *s)
{
	char *out = mg_strdup(ctx, s);

	for (char *p = out; p != NULL && *p; p++)
		*p = (char) mg_fold_ascii((unsigned char) *p);
	return out;
}

/* ------------------------------------------------------------------ */
/* SQLite: what only the CREATE TABLE text says                         */
/* ------------------------------------------------------------------ */

/*
 * The CHECK constraints of a CREATE TABLE text, column and table ones,
 * as "CHECK (expr)": SQLite keeps them only in the text.  A scanner
 * over the text between the outer parentheses, quotes and comments
 * skipped.
 */
static int
sqlite_checks(rows_acc *a, const char *table, const char *sql)
{
	const char *p = strchr(sql, '(');
	int depth = 1;

	if (p == NULL)
		return MG_OK;
	for (p++; *p && depth > 0; p++)
	{
		char c = *p;

		if (c == '\'' || c == '"' || c == '`' || c == '[')
		{
			char close = c == '[' ? ']' : c;

			for (p++; *p && *p != close; p++)
				;
			if (!*p)
				break;
			continue;
		}
		if (c == '-' && p[1] == '-')
		{
			while (*p && *p != '\n')
				p++;
			if (!*p)
				break;
			continue;
		}
		if (c == '/' && p[1] == '*')
		{
			const char *e = strstr(p + 2, "*/");

			if (e == NULL)
				break;
			p = e + 1;
			continue;
		}
		if (c == '(')
			depth++;
		else if (c == ')')
			depth--;
		else if (depth == 1 && mg_fold_ascii((unsigned char) c) == 'c' &&
				 mg_ci_equal(p, 5, "check") && strlen(p) >= 5 &&
				 !(p[5] == '_' || (p[5] >= '0' && p[5] <= '9') ||
				   (mg_fold_ascii((unsigned char) p[5]) >= 'a' && mg_fold_ascii((unsigned char) p[5]) <= 'z')) &&
				 !(p[-1] == '_' || (p[-1] >= '0' && p[-1] <= '9') ||
				   (mg_fold_ascii((unsigned char) p[-1]) >= 'a' && mg_fold_ascii((unsigned char) p[-1]) <= 'z')))
		{
			const char *q = p + 5, *start;
			int d = 0;
			char *expr, *def;

			while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
				q++;
			if (*q != '(')
				continue;
			start = q + 1;
			for (; *q; q++)
			{
				if (*q == '\'' || *q == '"')
				{
					char close = *q;

					for (q++; *q && *q != close; q++)
						;
					if (!*q)
						break;
					continue;
				}
				if (*q == '(')
					d++;
				else if (*q == ')' && --d == 0)
					break;
			}
			if (!*q)
				break;
			if ((expr = mg_strndup(a->ctx, start, (size_t) (q - start))) == NULL ||
				(expr = squeeze_sql(a->ctx, expr)) == NULL ||
				(def = mg_printf(a->ctx, "CHECK (%s)", expr)) == NULL)
				return MG_ENOMEM;
			if (add_row(a, "check", table, table, def) != MG_OK)
				return MG_ENOMEM;
			p = q;
		}
	}
	return MG_OK;
}

/* Whether the n bytes at p are the word w, with no word character around them. */
static bool
word_at(const char *text, const char *p, const char *w)
{
	size_t n = strlen(w);
	int after, before = p > text ? (unsigned char) p[-1] : ' ';

	/* p may be the text's last bytes: nothing is read past its end */
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\0')
			return false;
	if (!mg_ci_equal(p, n, w))
		return false;
	after = (unsigned char) p[n];
	return
		!(after == '_' || (after >= '0' && after <= '9') || (mg_fold_ascii(after) >= 'a' && mg_fold_ascii(after) <= 'z')) &&
		!(before == '_' || (before >= '0' && before <= '9') || (mg_fold_ascii(before) >= 'a' && mg_fold_ascii(before) <= 'z'));
}

/*
 * A table's options, which SQLite keeps after the closing parenthesis
 * of its CREATE TABLE text: "WITHOUT ROWID", "STRICT", both, or "".
 * (Read from the text, not pragma_table_list, which lists every table
 * of the database at each call.)
 */
static const char *
table_options(const char *sql)
{
	const char *tail = strrchr(sql, ')');
	bool without = false, strict = false;

	for (const char *p = tail ? tail : sql + strlen(sql); *p; p++)
	{
		without = without || word_at(sql, p, "without");
		strict = strict || word_at(sql, p, "strict");
	}
	return without && strict ? "WITHOUT ROWID, STRICT" : without ? "WITHOUT ROWID" : strict ? "STRICT" : "";
}

/* ------------------------------------------------------------------ */
/* Groups                                                               */
/* ------------------------------------------------------------------ */

typedef struct groups_acc {
	mg_ctx *ctx;
	mg_sgroup **v;
	size_t n, cap;
} groups_acc;

static int
add_group(groups_acc *g, mg_sgroup *grp)
{
	if (mg_grow_uninit(g->ctx, &g->v, &g->cap, g->n, sizeof(mg_sgroup *)) != MG_OK)
		return MG_ENOMEM;
	g->v[g->n++] = grp;
	return MG_OK;
}

static int
group_cmp(const void *x, const void *y)
{
	return strcmp((*(mg_sgroup *const *) x)->key, (*(mg_sgroup *const *) y)->key);
}

/*
 * key against "<type> <name>" (SQLite's key of an object: a trigger may
 * share a table's name), or against name itself when type is NULL.
 */
static int
object_key_cmp(const char *key, const char *type, const char *name)
{
	const unsigned char *k = (const unsigned char *) key, *t = (const unsigned char *) type;

	if (type == NULL)
		return strcmp(key, name);

	for (; *t; k++, t++)
		if (*k != *t)
			return *k < *t ? -1 : 1;
	if (*k != ' ')
		return *k < ' ' ? -1 : 1;
	return strcmp((const char *) k + 1, name);
}

/* The group of key (type, name) in v (sorted by key), or NULL; type NULL: the key is name. */
static mg_sgroup *
find_object(mg_sgroup *const *v, size_t n, const char *type, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi)
	{
		size_t mid = lo + (hi - lo) / 2;
		int c = object_key_cmp(v[mid]->key, type, name);

		if (c == 0)
			return v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * The rows read now (a->rows, sorted) given to their groups: each group
 * gets its rows as one sorted slice of a new array, in one counting
 * pass, so a later snapshot that keeps the group shares them.
 */
static int
slice_groups(rows_acc *a, groups_acc *fresh)
{
	mg_srow *all;
	size_t at = 0;

	for (size_t i = 0; i < fresh->n; i++)
	{
		fresh->v[i]->rows = NULL;
		fresh->v[i]->nrows = 0;
	}
	if (a->n == 0)
		return MG_OK;
	if ((all = mg_realloc_uninit(a->ctx, NULL, 0, a->n * sizeof(mg_srow))) == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < a->n; i++)
	{
		if (a->rows[i].group == NULL)
			return mg_error_set(a->ctx, MG_EINPUT, MG_STATE_INTERNAL,
								"schema row %s has no catalog object", a->rows[i].name), MG_EINPUT;
		a->rows[i].group->nrows++;
	}
	for (size_t i = 0; i < fresh->n; i++)
	{
		fresh->v[i]->rows = all + at;
		at += fresh->v[i]->nrows;
		fresh->v[i]->nrows = 0;
	}
	/* in a->rows' order: each slice stays sorted */
	for (size_t i = 0; i < a->n; i++)
	{
		mg_sgroup *g = a->rows[i].group;

		if ((i & 4095) == 0 && mg_interrupt_check(a->ctx) != MG_OK)
			return MG_ECANCEL;

		((mg_srow *) g->rows)[g->nrows++] = a->rows[i];
	}
	return MG_OK;
}

/*
 * The snapshot built on prev: prev's groups that are kept, merged with
 * the groups read now (fresh, any order) and their rows (a->rows, any
 * order).  Without prev (a whole read) the rows read are the snapshot's
 * sorted rows too; with prev they are only the new groups', and the
 * snapshot's rows are made when asked for (mg_schema_rows).  Linear in
 * the number of groups; the rows cost what was read now.
 */
static int
merge_snapshot(mg_schema *out, rows_acc *a, const mg_schema *prev, groups_acc *fresh)
{
	mg_ctx *ctx = a->ctx;
	size_t gkeep = 0, i = 0, j = 0, k = 0;
	mg_sgroup **groups;
	int rc;

	if (a->n > 1)
		qsort(a->rows, a->n, sizeof(mg_srow), row_cmp);
	if (fresh->n > 1)
		qsort(fresh->v, fresh->n, sizeof(mg_sgroup *), group_cmp);
	if ((rc = slice_groups(a, fresh)) != MG_OK)
		return rc;
	out->grouped = true;
	if (prev == NULL)
	{
		out->rows = a->rows;
		out->n = a->n;
		out->cap = a->cap;
		out->groups = fresh->v;
		out->ngroups = fresh->n;
		out->gcap = fresh->cap;
		return MG_OK;
	}
	if (a->rows != NULL)
		mg_release(ctx, a->rows, a->cap * sizeof(mg_srow));
	for (size_t p = 0; p < prev->ngroups; p++)
		gkeep += prev->groups[p]->kept;
	if ((groups = mg_realloc_uninit(ctx, NULL, 0, (gkeep + fresh->n + 1) * sizeof(mg_sgroup *))) == NULL)
		return MG_ENOMEM;
	/* both sides sorted by key */
	while (i < prev->ngroups || j < fresh->n)
	{
		mg_sgroup *p = i < prev->ngroups ? prev->groups[i] : NULL;

		if ((k & 1023) == 0 && mg_interrupt_check(ctx) != MG_OK)
			return MG_ECANCEL;
		if (p != NULL && !p->kept)
		{
			i++;
			continue;
		}
		if (p != NULL && (j == fresh->n || strcmp(p->key, fresh->v[j]->key) <= 0))
		{
			groups[k++] = p;
			i++;
		}
		else
			groups[k++] = fresh->v[j++];
	}
	out->rows = NULL;
	out->n = 0;
	out->cap = 0;
	out->groups = groups;
	out->ngroups = k;
	out->gcap = gkeep + fresh->n + 1;
	if (fresh->v != NULL)
		mg_release(ctx, fresh->v, fresh->cap * sizeof(mg_sgroup *));
	return MG_OK;
}

int
mg_schema_rows(mg_schema *s, mg_ctx *ctx)
{
	size_t n = 0;

	if (s->rows != NULL || !s->grouped)
		return MG_OK;
	for (size_t i = 0; i < s->ngroups; i++)
	{
		if ((i & 1023) == 0 && mg_interrupt_check(ctx) != MG_OK)
			return MG_ECANCEL;
		n += s->groups[i]->nrows;
	}
	if (n == 0)
		return MG_OK;
	if ((s->rows = mg_realloc_uninit(ctx, NULL, 0, n * sizeof(mg_srow))) == NULL)
		return MG_ENOMEM;
	s->cap = n;
	for (size_t i = 0; i < s->ngroups; i++)
	{
		if (s->groups[i]->nrows)
			memcpy(s->rows + s->n, s->groups[i]->rows, s->groups[i]->nrows * sizeof(mg_srow));
		s->n += s->groups[i]->nrows;
	}
	if (s->n > 1)
		qsort(s->rows, s->n, sizeof(mg_srow), row_cmp);
	return MG_OK;
}

void
mg_schema_release(mg_ctx *ctx, mg_schema *s)
{
	if (s == NULL)
		return;
	if (s->rows != NULL && s->cap > 0)
		mg_release(ctx, s->rows, s->cap * sizeof(mg_srow));
	if (s->groups != NULL && s->gcap > 0)
		mg_release(ctx, s->groups, s->gcap * sizeof(mg_sgroup *));
	if (s->order != NULL && s->ocap > 0)
		mg_release(ctx, s->order, s->ocap * sizeof(mg_sgroup *));
	memset(s, 0, sizeof(*s));
	s->stamp = -1;
}

/* A copy of prev's groups (the groups themselves are shared): nothing changed. */
static int
copy_snapshot(mg_schema *out, mg_ctx *ctx, const mg_schema *prev)
{
	*out = *prev;
	out->rows = NULL;
	out->n = 0;
	out->cap = 0;
	out->groups = NULL;
	out->gcap = prev->ngroups + 1;
	if ((out->groups = mg_realloc_uninit(ctx, NULL, 0, out->gcap * sizeof(mg_sgroup *))) == NULL)
		return MG_ENOMEM;
	if (prev->ngroups)
		memcpy(out->groups, prev->groups, prev->ngroups * sizeof(mg_sgroup *));
	out->order = NULL;
	out->ocap = 0;
	if (prev->norder > 0)
	{
		out->ocap = prev->norder;
		if ((out->order = mg_realloc_uninit(ctx, NULL, 0, out->ocap * sizeof(mg_sgroup *))) == NULL)
			return MG_ENOMEM;
		memcpy(out->order, prev->order, prev->norder * sizeof(mg_sgroup *));
	}
	return MG_OK;
}

/* ------------------------------------------------------------------ */
/* SQLite: sqlite_schema and the pragma functions                       */
/* ------------------------------------------------------------------ */

/* The user's tables of main: not SQLite's, not the engine's, not the version table. */
#define SQLITE_USER_TABLE(col) \
	col " NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND " col " NOT LIKE 'migrate\\_%' ESCAPE '\\' " \
	"AND lower(" col ") <> lower($1)"

/*
 * Every object of sqlite_schema, one pass: type, name, tbl_name, sql.
 * Which of them are the user's is decided in C (user_object), as
 * SQLITE_USER_TABLE says it: the scan runs after every step.
 */
static const char *const sqlite_objects_sql =
	"SELECT type, name, tbl_name, sql, rowid FROM main.sqlite_master";
/*
 * The object at one rowid, and the objects after a rowid.  SQLite gives
 * a new sqlite_schema row the largest rowid plus one (a random one only
 * once the largest possible is taken: sqlite_max_rowid below), so an
 * object made since a snapshot comes after every row that is still
 * there; a B-tree seek finds it.
 */
static const char *const sqlite_object_at_sql =
	"SELECT type, name, tbl_name, sql, rowid FROM main.sqlite_master WHERE rowid = $1";
static const char *const sqlite_objects_after_sql =
	"SELECT type, name, tbl_name, sql, rowid FROM main.sqlite_master WHERE rowid > $1";
/* Rowids from here up are too near the largest for new rows to be known to come last. */
#define SQLITE_ROWID_NEAR_MAX 4611686018427387904LL

/* Whether name begins with prefix, ASCII case folded (LIKE 'prefix%'). */
static bool
ci_prefix(const char *name, const char *prefix)
{
	return mg_ci_equal(name, strlen(prefix), prefix);
}

/* SQLITE_USER_TABLE in C: not SQLite's, not the engine's, not the version table. */
static bool
user_table_name(const char *name, const char *version)
{
	return !ci_prefix(name, "sqlite_") && !ci_prefix(name, "migrate_") &&
		!mg_ci_equal(name, strlen(name), version);
}

/* Whether a row of sqlite_schema is one of the user's objects (the full read's filter). */
static bool
user_object(const char *type, const char *name, const char *tbl, const char *sql, const char *version)
{
	if (strcmp(type, "table") == 0)
		return user_table_name(name, version);
	return (strcmp(type, "index") == 0 || strcmp(type, "view") == 0 || strcmp(type, "trigger") == 0) &&
		sql != NULL && tbl != NULL && user_table_name(tbl, version) && !ci_prefix(name, "migrate_");
}

/*
 * What SQLite derives from the CREATE TABLE text of every table
 * (sqlite_master joined with the pragma functions), or of the one table
 * $2 (the pragma function alone, no scan).  Each pair has the same
 * columns, the table's name first.
 */
#define SQLITE_EVERY_TABLE \
	"FROM main.sqlite_master s, "
#define SQLITE_EVERY_WHERE \
	" WHERE s.type = 'table' AND s.sql NOT LIKE 'CREATE VIRTUAL%' AND " SQLITE_USER_TABLE("s.name")

static const char *const sqlite_columns_sql[2] = {
	"SELECT s.name, c.name, c.type, c.\"notnull\", c.dflt_value, c.hidden, c.pk "
	SQLITE_EVERY_TABLE "pragma_table_xinfo(s.name, 'main') c" SQLITE_EVERY_WHERE " ORDER BY s.name, c.pk, c.cid",
	"SELECT $2, c.name, c.type, c.\"notnull\", c.dflt_value, c.hidden, c.pk "
	"FROM pragma_table_xinfo($2, 'main') c ORDER BY c.pk, c.cid",
};

static const char *const sqlite_unique_sql[2] = {
	"SELECT s.name, il.name, ii.name "
	SQLITE_EVERY_TABLE "pragma_index_list(s.name, 'main') il, pragma_index_info(il.name, 'main') ii"
	SQLITE_EVERY_WHERE " AND il.origin = 'u' ORDER BY s.name, il.name, ii.seqno",
	"SELECT $2, il.name, ii.name FROM pragma_index_list($2, 'main') il, pragma_index_info(il.name, 'main') ii "
	"WHERE il.origin = 'u' ORDER BY il.name, ii.seqno",
};

static const char *const sqlite_fk_sql[2] = {
	"SELECT s.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete "
	SQLITE_EVERY_TABLE "pragma_foreign_key_list(s.name, 'main') f" SQLITE_EVERY_WHERE " ORDER BY s.name, f.id, f.seq",
	"SELECT $2, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete "
	"FROM pragma_foreign_key_list($2, 'main') f ORDER BY f.id, f.seq",
};

/* The schema's version: it moves with every change of sqlite_schema. */
static const char *const sqlite_stamp_sql =
	"SELECT schema_version, (SELECT max(rowid) FROM main.sqlite_master) FROM main.pragma_schema_version";

/* An object of sqlite_schema read now: its group, type and tbl_name. */
typedef struct sobject {
	mg_sgroup *g;
	const char *type, *tbl;
} sobject;

/* One pass over sqlite_schema: which objects are prev's, unchanged, and which are read now. */
typedef struct scan_acc {
	mg_ctx *ctx;
	const mg_schema *prev;
	const char *version;    /* the version table's name */
	sobject *v;             /* the objects read now, in sqlite_schema's order */
	size_t n, cap;
	groups_acc order;       /* every user object's group now, in sqlite_schema's order (a full pass) */
	size_t pos;             /* where in prev->order the next object is looked for first */
	bool some;              /* only some objects are read (the host named them): one may come twice */
	int rc;
} scan_acc;

/*
 * prev's group of the object (type, name), or NULL.  sqlite_schema's
 * order changes little from one snapshot to the next, so the group
 * after the last one found is tried first; a search of the sorted
 * groups otherwise (an object added, dropped or moved).
 */
static mg_sgroup *
prev_object(scan_acc *s, const char *type, const char *name)
{
	const mg_schema *prev = s->prev;
	mg_sgroup *g;

	for (size_t k = s->pos; k < prev->norder && k < s->pos + 2; k++)
		if (object_key_cmp(prev->order[k]->key, type, name) == 0)
		{
			s->pos = k + 1;
			return prev->order[k];
		}
	g = find_object(prev->groups, prev->ngroups, type, name);
	return g;
}

/* A name's hash as SQLite compares names (ASCII case folded): a group is matched without reading its strings. */
static unsigned
name_hash(const char *name)
{
	unsigned h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned) mg_fold_ascii((unsigned char) *name)) * 16777619u;
	return h;
}

/* g appended to the order of a full pass (a read of some objects keeps none). */
static int
add_order(scan_acc *s, mg_sgroup *g)
{
	return s->some ? MG_OK : add_group(&s->order, g);
}

static int
scan_row(void *arg, int ncol, const char *const *v)
{
	scan_acc *s = arg;
	const char *type = v[0], *name = v[1], *sql = v[3] ? v[3] : "";
	mg_sgroup *g;
	sobject *o;

	(void) ncol;
	if ((s->rc = mg_interrupt_check(s->ctx)) != MG_OK)
		return 1;
	if (type == NULL || name == NULL || !user_object(type, name, v[2], v[3], s->version))
		return 0;
	if (s->some)
		for (size_t k = 0; k < s->n; k++)
			if (object_key_cmp(s->v[k].g->key, type, name) == 0)
				return 0;
	if (s->prev != NULL && (g = prev_object(s, type, name)) != NULL &&
		g->src != NULL && strcmp(g->src, sql) == 0)
	{
		g->kept = true;
		if (add_order(s, g) != MG_OK)
		{
			s->rc = MG_ENOMEM;
			return 1;
		}
		return 0;
	}
	if (mg_grow_uninit(s->ctx, &s->v, &s->cap, s->n, sizeof(sobject)) != MG_OK ||
		(g = mg_alloc(s->ctx, sizeof(*g))) == NULL || add_order(s, g) != MG_OK)
	{
		s->rc = MG_ENOMEM;
		return 1;
	}
	o = &s->v[s->n];
	o->g = g;
	if ((g->key = mg_printf(s->ctx, "%s %s", type, name)) == NULL || (g->src = mg_strdup(s->ctx, sql)) == NULL ||
		(o->type = mg_strdup(s->ctx, type)) == NULL || (o->tbl = mg_strdup(s->ctx, v[2] ? v[2] : "")) == NULL)
	{
		s->rc = MG_ENOMEM;
		return 1;
	}
	g->tbl = o->tbl;
	g->rowid = v[4] != NULL ? atoll(v[4]) : 0;
	g->name_hash = name_hash(name);
	g->tbl_hash = name_hash(g->tbl);
	s->n++;
	return 0;
}

/* The group of table name among v (sorted), or NULL (a row of a table not read now). */
static mg_sgroup *
table_group(mg_sgroup *const *v, size_t n, const char *name)
{
	return name != NULL ? find_object(v, n, "table", name) : NULL;
}

/*
 * The rows SQLite derives from the CREATE TABLE text (columns, keys,
 * UNIQUE and FOREIGN KEY constraints) of the tables among tables
 * (sorted by key): of every table at once (one scan) when all, else of
 * each of them alone (no scan of sqlite_schema).
 */
static int
sqlite_table_rows(rows_acc *a, mg_state *st, mg_sgroup *const *tables, size_t ntables, bool all)
{
	const char *params[2] = {st->version_name, NULL};
	char ***r;
	size_t n;
	int rc;
	mg_buf b;
	size_t rounds = all ? 1 : ntables;

	mg_buf_init(&b, a->ctx);
	for (size_t t = 0; t < rounds; t++)
	{
		if (!all)
		{
			const char *key = tables[t]->key;

			if (strncmp(key, "table ", 6) != 0 || strncmp(tables[t]->src, "CREATE VIRTUAL", 14) == 0)
				continue;
			params[1] = key + 6;
		}
		/* columns, and each table's primary key (the columns with pk > 0, in key order) */
		if ((rc = mg_state_rows(&r, &n, st, sqlite_columns_sql[!all], 2, params, 7)) != MG_OK)
			return rc;
		for (size_t i = 0; i < n; i++)
		{
			const char *tname = r[i][0], *type = r[i][2] ? r[i][2] : "", *ltype;
			int hidden = r[i][5] ? atoi(r[i][5]) : 0;
			char *name, *def;

			if ((rc = mg_interrupt_check(a->ctx)) != MG_OK)
				return rc;
			if (hidden == 1 || (a->group = table_group(tables, ntables, tname)) == NULL)
				continue;   /* a virtual table's hidden column; a table not read now */
			name = mg_printf(a->ctx, "%s.%s", tname, r[i][1]);
			if ((ltype = *type ? lower_dup(a->ctx, type) : "") == NULL)
				return MG_ENOMEM;
			def = mg_printf(a->ctx, "%s%s%s%s%s", ltype,
							r[i][3] && strcmp(r[i][3], "1") == 0 ? " NOT NULL" : "",
							r[i][4] ? " DEFAULT " : "", r[i][4] ? r[i][4] : "",
							hidden == 2 ? " GENERATED VIRTUAL" : hidden == 3 ? " GENERATED STORED" : "");
			if (name == NULL || def == NULL)
				return MG_ENOMEM;
			if (*def == ' ')
				def++;
			if (add_row(a, "column", name, tname, def) != MG_OK)
				return MG_ENOMEM;
			/* rows come ordered by table, pk, cid: a table's key columns are consecutive */
			if (r[i][6] && strcmp(r[i][6], "0") != 0)
			{
				bool first = b.len == 0;

				mg_buf_printf(&b, "%s%s", first ? "PRIMARY KEY (" : ", ", r[i][1]);
				if (i + 1 == n || strcmp(r[i + 1][0], tname) != 0)
				{
					char *key;

					mg_buf_putc(&b, ')');
					if (mg_buf_finish(&b, &key) != MG_OK || add_row(a, "primary key", tname, tname, key) != MG_OK)
						return MG_ENOMEM;
					mg_buf_init(&b, a->ctx);
				}
			}
		}
		/* UNIQUE constraints: one per index of origin 'u', its columns in order */
		if ((rc = mg_state_rows(&r, &n, st, sqlite_unique_sql[!all], 2, params, 3)) != MG_OK)
			return rc;
		for (size_t i = 0; i < n; i++)
		{
			if ((a->group = table_group(tables, ntables, r[i][0])) == NULL)
				continue;
			mg_buf_printf(&b, "%s%s", b.len == 0 ? "UNIQUE (" : ", ", r[i][2] ? r[i][2] : "?");
			if (i + 1 == n || strcmp(r[i + 1][0], r[i][0]) != 0 || strcmp(r[i + 1][1], r[i][1]) != 0)
			{
				char *def;

				mg_buf_putc(&b, ')');
				if (mg_buf_finish(&b, &def) != MG_OK || add_row(a, "unique", r[i][0], r[i][0], def) != MG_OK)
					return MG_ENOMEM;
				mg_buf_init(&b, a->ctx);
			}
		}
		/* FOREIGN KEY constraints: the rows of one id, in seq order */
		if ((rc = mg_state_rows(&r, &n, st, sqlite_fk_sql[!all], 2, params, 7)) != MG_OK)
			return rc;
		for (size_t i = 0, start = 0; i < n; i++)
		{
			bool has_to = false;
			char *def;

			if (i + 1 < n && strcmp(r[i + 1][0], r[i][0]) == 0 && strcmp(r[i + 1][1], r[i][1]) == 0)
				continue;
			if ((a->group = table_group(tables, ntables, r[i][0])) == NULL)
			{
				start = i + 1;
				continue;
			}
			mg_buf_puts(&b, "FOREIGN KEY (");
			for (size_t k = start; k <= i; k++)
			{
				mg_buf_printf(&b, "%s%s", k > start ? ", " : "", r[k][3] ? r[k][3] : "");
				has_to = has_to || r[k][4] != NULL;
			}
			mg_buf_printf(&b, ") REFERENCES %s", r[i][2] ? r[i][2] : "");
			if (has_to)
			{
				mg_buf_puts(&b, " (");
				for (size_t k = start; k <= i; k++)
					mg_buf_printf(&b, "%s%s", k > start ? ", " : "", r[k][4] ? r[k][4] : "");
				mg_buf_putc(&b, ')');
			}
			if (r[i][5] && strcmp(r[i][5], "NO ACTION") != 0)
				mg_buf_printf(&b, " ON UPDATE %s", r[i][5]);
			if (r[i][6] && strcmp(r[i][6], "NO ACTION") != 0)
				mg_buf_printf(&b, " ON DELETE %s", r[i][6]);
			if (mg_buf_finish(&b, &def) != MG_OK || add_row(a, "foreign key", r[i][0], r[i][0], def) != MG_OK)
				return MG_ENOMEM;
			mg_buf_init(&b, a->ctx);
			start = i + 1;
		}
	}
	return MG_OK;
}

/* schema_version now (-1 when the host does not say), and sqlite_schema's largest rowid. */
static long long
sqlite_stamp(mg_state *st, long long *max_rowid)
{
	char ***r;
	size_t n;

	*max_rowid = SQLITE_ROWID_NEAR_MAX;
	if (mg_state_rows(&r, &n, st, sqlite_stamp_sql, 0, NULL, 2) != MG_OK)
	{
		mg_error_clear(st->ctx);
		return -1;
	}
	if (n == 1)
		*max_rowid = r[0][1] != NULL ? atoll(r[0][1]) : 0;
	return n == 1 && r[0][0] != NULL ? atoll(r[0][0]) : -1;
}

/*
 * The snapshot of a SQLite database, built on prev when given: when
 * schema_version has not moved, prev's rows; otherwise one pass over
 * sqlite_schema finds the objects whose text changed, and only theirs
 * are read again.
 */
static int
sqlite_read(mg_schema *out, rows_acc *a, mg_state *st, const mg_schema *prev, bool watch)
{
	const mg_host *h = st->host;
	scan_acc s = {0};
	groups_acc fresh = {0};
	long long stamp;
	size_t ntables = 0;
	char **names = NULL;
	size_t nnames = 0;
	unsigned what = MG_CHANGED_ALL;
	long long max_rowid;
	bool watched;
	int rc;

	/* a first snapshot starts the host's watch only when later ones will be built on it */
	watched = (prev != NULL || watch) && MG_HOST_HAS(h, schema_changes);
	if (watched && (rc = h->schema_changes(h->ud, a->ctx, &names, &nnames, &what)) != MG_OK)
		return rc;
	stamp = sqlite_stamp(st, &max_rowid);
	/*
	 * schema_version moves with every change SQLite makes, not when
	 * sqlite_schema is written by hand (writable_schema): a watch that
	 * says "everything" is believed over it.
	 */
	if (prev != NULL && stamp >= 0 && prev->stamp == stamp && !(watched && (what & MG_CHANGED_ALL)))
		return copy_snapshot(out, a->ctx, prev);
	s.ctx = a->ctx;
	s.order.ctx = a->ctx;
	s.prev = prev;
	s.version = st->version_name;
	fresh.ctx = a->ctx;
	if (prev != NULL && watched && !(what & MG_CHANGED_ALL) && nnames > 0 && max_rowid < SQLITE_ROWID_NEAR_MAX)
	{
		/*
		 * The host named what was made or dropped: those objects, and
		 * the indexes and triggers of the tables named, are read again
		 * at their rowids; what was made since is after the last kept
		 * object's rowid.  The rest is kept without a look.
		 */
		long long after = 0;
		size_t *len = mg_alloc(a->ctx, (nnames + 1) * sizeof(size_t));
		unsigned *hash = mg_alloc(a->ctx, (nnames + 1) * sizeof(unsigned));

		if (len == NULL || hash == NULL)
			return MG_ENOMEM;
		for (size_t k = 0; k < nnames; k++)
		{
			len[k] = strlen(names[k]);
			hash[k] = name_hash(names[k]);
		}
		s.some = true;
		for (size_t i = 0; i < prev->ngroups; i++)
		{
			mg_sgroup *g = prev->groups[i];

			if ((i & 1023) == 0 && (rc = mg_interrupt_check(a->ctx)) != MG_OK)
				return rc;
			g->kept = true;
			/* the hashes first: the strings only when one matches (a group's key is "<type> <name>") */
			for (size_t k = 0; k < nnames && g->kept; k++)
				if ((g->name_hash == hash[k] && mg_ci_equal(names[k], len[k], strchr(g->key, ' ') + 1)) ||
					(g->tbl != NULL && g->tbl_hash == hash[k] && mg_ci_equal(names[k], len[k], g->tbl)))
					g->kept = false;
			if (g->kept && g->rowid > after)
				after = g->rowid;
		}
		for (size_t i = 0; i <= prev->ngroups; i++)
		{
			char at[24];
			const char *params[1] = {at};

			if (i < prev->ngroups && prev->groups[i]->kept)
				continue;
			snprintf(at, sizeof(at), "%lld", i < prev->ngroups ? prev->groups[i]->rowid : after);
			rc = mg_state_host_query(st, i < prev->ngroups ? sqlite_object_at_sql : sqlite_objects_after_sql,
									 1, params, scan_row, &s, NULL);
			if (s.rc != MG_OK)
				return s.rc == MG_ENOMEM ? mg_error_nomem(a->ctx) : s.rc;
			if (rc != MG_OK)
				return rc;
		}
	}
	else
	{
		for (size_t i = 0; prev != NULL && i < prev->ngroups; i++)
			prev->groups[i]->kept = false;
		rc = mg_state_host_query(st, sqlite_objects_sql, 0, NULL, scan_row, &s, NULL);
		if (s.rc != MG_OK)
			return s.rc == MG_ENOMEM ? mg_error_nomem(a->ctx) : s.rc;
		if (rc != MG_OK)
			return rc;
	}
	/* the rows of each object read now */
	for (size_t i = 0; i < s.n; i++)
	{
		mg_sgroup *g = s.v[i].g;
		const char *type = s.v[i].type, *name = strchr(g->key, ' ') + 1, *sql = g->src;
		char *def;

		if ((rc = mg_interrupt_check(a->ctx)) != MG_OK)
			return rc;
		if (add_group(&fresh, g) != MG_OK)
			return MG_ENOMEM;
		a->group = g;
		if (strcmp(type, "table") == 0)
		{
			bool virt = strncmp(sql, "CREATE VIRTUAL", 14) == 0;

			def = virt ? squeeze_sql(a->ctx, sql) : (char *) table_options(sql);
			if (def == NULL || add_row(a, "table", name, "", def) != MG_OK)
				return MG_ENOMEM;
			if (!virt && (rc = sqlite_checks(a, name, sql)) != MG_OK)
				return rc;
			ntables++;
			continue;
		}
		if ((def = squeeze_sql(a->ctx, sql)) == NULL ||
			add_row(a, strcmp(type, "index") == 0 ? "index" : strcmp(type, "view") == 0 ? "view" : "trigger",
					name, strcmp(type, "view") == 0 ? "" : s.v[i].tbl, def) != MG_OK)
			return MG_ENOMEM;
	}
	if (ntables > 0)
	{
		mg_sgroup **tables = mg_alloc(a->ctx, (s.n + 1) * sizeof(mg_sgroup *));
		size_t nt = 0;

		if (tables == NULL)
			return MG_ENOMEM;
		for (size_t i = 0; i < s.n; i++)
			if (strcmp(s.v[i].type, "table") == 0)
				tables[nt++] = s.v[i].g;
		if (nt > 1)
			qsort(tables, nt, sizeof(mg_sgroup *), group_cmp);
		/* a few tables one by one; many (a first read) in one scan */
		if ((rc = sqlite_table_rows(a, st, tables, nt, prev == NULL || nt > 8)) != MG_OK)
			return rc;
		mg_release(a->ctx, tables, (s.n + 1) * sizeof(mg_sgroup *));
	}
	mg_release(a->ctx, s.v, s.cap * sizeof(sobject));
	if ((rc = merge_snapshot(out, a, prev, &fresh)) != MG_OK)
		return rc;
	out->stamp = stamp;
	/* a read of some objects keeps no order: the next full pass searches the groups */
	out->order = s.order.v;
	out->norder = s.order.n;
	out->ocap = s.order.cap;
	return MG_OK;
}

/* ------------------------------------------------------------------ */
/* PostgreSQL                                                           */
/* ------------------------------------------------------------------ */

#define EQ " OPERATOR(pg_catalog.=) "
#define NE " OPERATOR(pg_catalog.<>) "
#define CAT " OPERATOR(pg_catalog.||) "
#define REGCLASS(name) "'pg_catalog." name "'::pg_catalog.regclass"

/* A schema of the user's: not PostgreSQL's own (pg_*, information_schema). */
#define PG_USER_SCHEMA(nsp) \
	nsp " OPERATOR(pg_catalog.!~) '^(pg_|information_schema$)'"
/* Not a member of an extension (ours, or any other). */
#define PG_NOT_EXTENSION(catalog, oid) \
	"NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid" EQ \
	"'pg_catalog." catalog "'::pg_catalog.regclass AND d.objid" EQ oid " AND d.deptype" EQ "'e')"
/* A name qualified by its schema unless that is public. */
#define PG_QNAME(nsp, name) \
	"CASE WHEN " nsp EQ "'public' THEN " name "::pg_catalog.text ELSE " nsp "::pg_catalog.text" CAT \
	"'.'" CAT name "::pg_catalog.text END"

/* The user's relations among those of FROM_CLAUSE (which binds c), as rel's rows. */
#define PG_REL(from_clause) \
	"SELECT c.oid, c.relkind, c.relpersistence, " PG_QNAME("n.nspname", "c.relname") " AS qname " \
	from_clause " JOIN pg_catalog.pg_namespace n ON n.oid" EQ "c.relnamespace " \
	"WHERE " PG_USER_SCHEMA("n.nspname") " AND NOT (c.relname" EQ "$1::pg_catalog.name AND c.relkind" EQ "'r') " \
	"AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,f,v,m,i,I,S}'::pg_catalog.\"char\"[]) " \
	"AND " PG_NOT_EXTENSION("pg_class", "c.oid")

/*
 * Every row a relation gives (its table row, columns, constraints, the
 * indexes no constraint owns, view, triggers, sequence), from the
 * relations in rel; the fifth column is the row's group: the
 * relation's oid ("r<oid>"), an index's that of its table.
 */
#define PG_GROUP(oid) "'r'" CAT oid "::pg_catalog.text"
#define PG_REL_ROWS \
	/* tables */ \
	"SELECT 'table', r.qname, '', pg_catalog.concat_ws(' ', " \
	"CASE WHEN r.relpersistence" EQ "'u' THEN 'UNLOGGED' END, " \
	"CASE WHEN r.relkind" EQ "'f' THEN 'FOREIGN' END, " \
	"CASE WHEN r.relkind" EQ "'p' THEN 'PARTITION BY '" CAT "pg_catalog.pg_get_partkeydef(r.oid) END), " PG_GROUP("r.oid") " " \
	"FROM rel r WHERE r.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,f}'::pg_catalog.\"char\"[]) " \
	/* columns */ \
	"UNION ALL SELECT 'column', r.qname" CAT "'.'" CAT "a.attname::pg_catalog.text, r.qname, pg_catalog.concat(" \
	"pg_catalog.format_type(a.atttypid, a.atttypmod), " \
	"CASE WHEN a.attnotnull THEN ' NOT NULL' END, " \
	"CASE WHEN a.attgenerated" EQ "'s' THEN ' GENERATED ALWAYS AS ('" CAT "pg_catalog.pg_get_expr(ad.adbin, ad.adrelid)" CAT "') STORED' " \
	"WHEN ad.adbin IS NOT NULL THEN ' DEFAULT '" CAT "pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END, " \
	"CASE a.attidentity WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY' WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' END), " \
	PG_GROUP("r.oid") " " \
	"FROM rel r JOIN pg_catalog.pg_attribute a ON a.attrelid" EQ "r.oid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped " \
	"LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid" EQ "a.attrelid AND ad.adnum" EQ "a.attnum " \
	"WHERE r.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,f}'::pg_catalog.\"char\"[]) " \
	/* constraints */ \
	"UNION ALL SELECT CASE k.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'c' THEN 'check' " \
	"WHEN 'f' THEN 'foreign key' WHEN 'x' THEN 'exclusion' ELSE 'check' END, " \
	"r.qname" CAT "'.'" CAT "k.conname::pg_catalog.text, r.qname, pg_catalog.pg_get_constraintdef(k.oid, true), " \
	PG_GROUP("r.oid") " " \
	"FROM rel r JOIN pg_catalog.pg_constraint k ON k.conrelid" EQ "r.oid " \
	/* indexes that no constraint owns */ \
	"UNION ALL SELECT 'index', i.qname, r.qname, pg_catalog.pg_get_indexdef(x.indexrelid), " PG_GROUP("r.oid") " " \
	"FROM pg_catalog.pg_index x JOIN rel i ON i.oid" EQ "x.indexrelid JOIN rel r ON r.oid" EQ "x.indrelid " \
	"WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid" EQ "x.indrelid AND k.conindid" EQ "x.indexrelid " \
	"AND k.contype OPERATOR(pg_catalog.=) ANY ('{p,u,x}'::pg_catalog.\"char\"[])) " \
	/* views */ \
	"UNION ALL SELECT CASE r.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END, r.qname, '', " \
	"pg_catalog.pg_get_viewdef(r.oid, true), " PG_GROUP("r.oid") " " \
	"FROM rel r WHERE r.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog.\"char\"[]) " \
	/* triggers */ \
	"UNION ALL SELECT 'trigger', r.qname" CAT "'.'" CAT "t.tgname::pg_catalog.text, r.qname, pg_catalog.pg_get_triggerdef(t.oid, true), " \
	PG_GROUP("r.oid") " " \
	"FROM rel r JOIN pg_catalog.pg_trigger t ON t.tgrelid" EQ "r.oid AND NOT t.tgisinternal " \
	/* sequences */ \
	"UNION ALL SELECT 'sequence', r.qname, '', pg_catalog.concat(pg_catalog.format_type(s.seqtypid, NULL), " \
	"' START ', s.seqstart, ' INCREMENT ', s.seqincrement, ' MINVALUE ', s.seqmin, ' MAXVALUE ', s.seqmax, " \
	"' CACHE ', s.seqcache, CASE WHEN s.seqcycle THEN ' CYCLE' END), " PG_GROUP("r.oid") " " \
	"FROM rel r JOIN pg_catalog.pg_sequence s ON s.seqrelid" EQ "r.oid "

/* Every relation of the user's: kind, name, parent, definition, group. */
static const char *const pg_relations_sql =
	"WITH rel AS MATERIALIZED (" PG_REL("FROM pg_catalog.pg_class c") ") " PG_REL_ROWS;

/*
 * The relations to read again after a change.  $1: the relations the
 * host saw change (oids); $2: the types and functions whose name
 * changed or that went away; $3: every sequence.  They are those
 * relations, the tables of those that are indexes, and whatever names
 * any of them, their row types, or those types and functions in its
 * text (pg_depend): a foreign key's table, a view, a default, a
 * trigger, a column of that type.  Index scans only (= ANY), so the
 * cost follows the change, not the catalog's size.
 */
#define PG_CLASSID(catalog) "dep.classid" EQ REGCLASS(catalog)
static const char *const pg_changed_sql =
	"WITH dep AS MATERIALIZED (SELECT d.classid, d.objid FROM pg_catalog.pg_depend d "
	"WHERE d.refclassid" EQ REGCLASS("pg_class") " AND d.refobjid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) "
	"UNION ALL SELECT d.classid, d.objid FROM pg_catalog.pg_depend d "
	"WHERE d.refclassid OPERATOR(pg_catalog.=) ANY (ARRAY[" REGCLASS("pg_type") ", " REGCLASS("pg_proc") "]::pg_catalog.oid[]) "
	"AND d.refobjid OPERATOR(pg_catalog.=) ANY ($2::pg_catalog.oid[] OPERATOR(pg_catalog.||) ARRAY(SELECT c.reltype "
	"FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])))), "
	"raw AS MATERIALIZED (SELECT pg_catalog.unnest($1::pg_catalog.oid[]) AS oid "
	"UNION ALL SELECT dep.objid FROM dep WHERE " PG_CLASSID("pg_class") " "
	"UNION ALL SELECT k.conrelid FROM dep JOIN pg_catalog.pg_constraint k ON k.oid" EQ "dep.objid WHERE " PG_CLASSID("pg_constraint") " "
	"UNION ALL SELECT w.ev_class FROM dep JOIN pg_catalog.pg_rewrite w ON w.oid" EQ "dep.objid WHERE " PG_CLASSID("pg_rewrite") " "
	"UNION ALL SELECT ad.adrelid FROM dep JOIN pg_catalog.pg_attrdef ad ON ad.oid" EQ "dep.objid WHERE " PG_CLASSID("pg_attrdef") " "
	"UNION ALL SELECT tg.tgrelid FROM dep JOIN pg_catalog.pg_trigger tg ON tg.oid" EQ "dep.objid WHERE " PG_CLASSID("pg_trigger") " "
	"UNION ALL SELECT s.seqrelid FROM pg_catalog.pg_sequence s WHERE $3::pg_catalog.bool) "
	"SELECT raw.oid::pg_catalog.text FROM raw UNION "
	"SELECT x.indrelid::pg_catalog.text FROM pg_catalog.pg_index x "
	"WHERE x.indexrelid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT raw.oid FROM raw))";

/* The rows of the relations $2 (oids) and of their indexes, as pg_relations_sql's. */
static const char *const pg_relations_some_sql =
	"WITH rel AS MATERIALIZED (" PG_REL("FROM pg_catalog.pg_class c") " AND (c.oid OPERATOR(pg_catalog.=) ANY ($2::pg_catalog.oid[]) "
	"OR c.oid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT x.indexrelid FROM pg_catalog.pg_index x "
	"WHERE x.indrelid OPERATOR(pg_catalog.=) ANY ($2::pg_catalog.oid[]))))) " PG_REL_ROWS;

/*
 * The user's types that are not a relation's row type or an array:
 * group, qualified name, and for an enum its definition (the row).
 */
static const char *const pg_types_sql =
	"SELECT 't'" CAT "t.oid::pg_catalog.text, " PG_QNAME("n.nspname", "t.typname") ", "
	"CASE WHEN t.typtype" EQ "'e' THEN "
	"'ENUM ('" CAT "(SELECT pg_catalog.string_agg(pg_catalog.quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) "
	"FROM pg_catalog.pg_enum e WHERE e.enumtypid" EQ "t.oid)" CAT "')' END "
	"FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid" EQ "t.typnamespace "
	"WHERE t.typrelid" EQ "0 AND (t.typelem" EQ "0 OR t.typtype" NE "'b') AND " PG_USER_SCHEMA("n.nspname")
	" AND " PG_NOT_EXTENSION("pg_type", "t.oid");

/* The user's functions and procedures: group, kind, name with arguments, definition. */
static const char *const pg_functions_sql =
	"SELECT 'p'" CAT "p.oid::pg_catalog.text, CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, "
	PG_QNAME("n.nspname", "p.proname") CAT "'('" CAT "pg_catalog.pg_get_function_identity_arguments(p.oid)" CAT "')', "
	"pg_catalog.pg_get_functiondef(p.oid) "
	"FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid" EQ "p.pronamespace "
	"WHERE p.prokind OPERATOR(pg_catalog.=) ANY ('{f,p}'::pg_catalog.\"char\"[]) AND " PG_USER_SCHEMA("n.nspname")
	" AND " PG_NOT_EXTENSION("pg_proc", "p.oid");

/* Groups by key while a snapshot is read (open addressing; the arena holds it). */
typedef struct group_map {
	mg_ctx *ctx;
	mg_sgroup **slot;
	size_t cap, n;          /* cap: a power of two */
	groups_acc *list;       /* every group the map made, in order */
} group_map;

static size_t
key_hash(const char *s)
{
	size_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char) *s) * 1099511628211u;
	return h;
}

/*
 * The map's group of key; when there is none, a new one (src NULL) with
 * create, else NULL.  NULL also when out of memory (error set).
 */
static mg_sgroup *
map_lookup(group_map *m, const char *key, bool create)
{
	size_t i;
	mg_sgroup *g;

	if (m->n * 2 >= m->cap)
	{
		size_t cap = m->cap ? m->cap * 2 : 64;
		mg_sgroup **slot = mg_alloc(m->ctx, cap * sizeof(mg_sgroup *));

		if (slot == NULL)
			return NULL;
		for (size_t k = 0; k < m->cap; k++)
			if (m->slot[k] != NULL)
			{
				for (i = key_hash(m->slot[k]->key) & (cap - 1); slot[i] != NULL; i = (i + 1) & (cap - 1))
					;
				slot[i] = m->slot[k];
			}
		if (m->slot != NULL)
			mg_release(m->ctx, m->slot, m->cap * sizeof(mg_sgroup *));
		m->slot = slot;
		m->cap = cap;
	}
	for (i = key_hash(key) & (m->cap - 1); m->slot[i] != NULL; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->slot[i]->key, key) == 0)
			return m->slot[i];
	if (!create)
		return NULL;
	if ((g = mg_alloc(m->ctx, sizeof(*g))) == NULL || (g->key = mg_strdup(m->ctx, key)) == NULL ||
		add_group(m->list, g) != MG_OK)
		return NULL;
	m->slot[i] = g;
	m->n++;
	return g;
}

static mg_sgroup *
map_group(group_map *m, const char *key)
{
	return map_lookup(m, key, true);
}

/* prev's group of key, or NULL. */
static mg_sgroup *
find_group(const mg_schema *prev, const char *key)
{
	return find_object(prev->groups, prev->ngroups, NULL, key);
}

/* The kind's static name (rows keep no copy of it). */
static const char *
static_kind(const char *kind)
{
	for (size_t k = 0; k < NKINDS; k++)
		if (strcmp(kinds[k], kind) == 0)
			return kinds[k];
	return kind;
}

/*
 * Rows of one of the relation queries: kind, name, parent, definition,
 * group; a row whose kind is NULL names a group read again (marks prev's
 * as not kept).
 */
static int
pg_relation_rows(rows_acc *a, group_map *m, const mg_schema *prev, char ***r, size_t n)
{
	int rc;

	for (size_t i = 0; i < n; i++)
	{
		if ((rc = mg_interrupt_check(a->ctx)) != MG_OK)
			return rc;
		if (r[i][4] == NULL)
			continue;
		if (r[i][0] == NULL)
		{
			mg_sgroup *old = prev != NULL ? find_group(prev, r[i][4]) : NULL;

			if (old != NULL)
				old->kept = false;
			continue;
		}
		if ((a->group = map_group(m, r[i][4])) == NULL ||
			add_row(a, static_kind(r[i][0]), r[i][1], r[i][2], r[i][3]) != MG_OK)
			return MG_ENOMEM;
	}
	return MG_OK;
}

/*
 * Types (what is 't') or functions ('p'): their groups and rows, read
 * whole (by the host's reader when host, else by the query).  With
 * prev, prev's groups of that kind are read again, and *changed
 * receives the oids of those renamed or gone, as "{oid,...}" items
 * appended to changed.
 */
static int
pg_named_rows(rows_acc *a, group_map *m, mg_state *st, const mg_schema *prev, char what, mg_buf *changed,
			  bool host)
{
	const char *sql = what == 't' ? pg_types_sql : pg_functions_sql;
	int ncol = what == 't' ? 3 : 4;
	char ***r;
	size_t n;
	int rc;

	rc = host ? mg_state_catalog_rows(&r, &n, st, what == 't' ? MG_CATALOG_TYPES : MG_CATALOG_FUNCTIONS,
									  sql, 0, NULL, ncol)
		: mg_state_rows(&r, &n, st, sql, 0, NULL, ncol);
	if (rc != MG_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
	{
		const char *key = r[i][0], *name = what == 't' ? r[i][1] : r[i][2];
		mg_sgroup *g;

		if ((rc = mg_interrupt_check(a->ctx)) != MG_OK)
			return rc;
		if (key == NULL || name == NULL)
			continue;
		if ((g = map_group(m, key)) == NULL || (g->src == NULL && (g->src = mg_strdup(a->ctx, name)) == NULL))
			return MG_ENOMEM;
		a->group = g;
		if (what == 't' && r[i][2] != NULL && add_row(a, "type", name, "", r[i][2]) != MG_OK)
			return MG_ENOMEM;
		if (what == 'p' && add_row(a, static_kind(r[i][1]), name, "", r[i][3]) != MG_OK)
			return MG_ENOMEM;
	}
	for (size_t i = 0; prev != NULL && i < prev->ngroups; i++)
	{
		mg_sgroup *old = prev->groups[i], *now;

		if (old->key[0] != what)
			continue;
		old->kept = false;
		now = map_lookup(m, old->key, false);
		if (now == NULL && mg_ctx_error(a->ctx)->code == MG_ENOMEM)
			return MG_ENOMEM;
		if (now == NULL || now->src == NULL || strcmp(now->src, old->src != NULL ? old->src : "") != 0)
			mg_buf_printf(changed, "%s%s", changed->len > 1 ? "," : "", old->key + 1);
	}
	return MG_OK;
}

/* "{a,b,...}" of the host's oids (decimal texts, checked) into b. */
static void
oid_array(mg_buf *b, char **oids, size_t n)
{
	mg_buf_putc(b, '{');
	for (size_t i = 0; i < n; i++)
	{
		const char *p = oids[i];

		if (p == NULL || *p == '\0' || strspn(p, "0123456789") != strlen(p))
			continue;
		mg_buf_printf(b, "%s%s", b->len > 1 ? "," : "", p);
	}
	mg_buf_putc(b, '}');
}

/*
 * The snapshot of a PostgreSQL database.  Built on prev when the host
 * says what changed since (schema_changes): the relations it names, and
 * everything that names them, are read again; types and functions
 * whole when any of them changed, with the users of those renamed or
 * gone; nothing when nothing changed.  A whole read otherwise.
 */
static int
pg_read(mg_schema *out, rows_acc *a, mg_state *st, const mg_schema *prev, bool watch)
{
	const mg_host *h = st->host;
	mg_ctx *ctx = a->ctx;
	groups_acc fresh = {0};
	group_map m = {0};
	char **rels = NULL;
	size_t nrels = 0;
	unsigned what = MG_CHANGED_ALL;
	char **changed = NULL;
	size_t nchanged = 0;
	char ***r;
	size_t n;
	int rc;

	fresh.ctx = ctx;
	m.ctx = ctx;
	m.list = &fresh;
	/* a first snapshot starts the host's watch only when later ones will be built on it */
	if ((prev != NULL || watch) && MG_HOST_HAS(h, schema_changes) &&
		(rc = h->schema_changes(h->ud, ctx, &rels, &nrels, &what)) != MG_OK)
		return rc;
	if (prev == NULL || (what & MG_CHANGED_ALL))
	{
		const char *params[1] = {st->version_name};
		/*
		 * The snapshots of one rehearsal come from one reader (the host's,
		 * when it has one), so they compare like with like; a snapshot of
		 * its own (migrate_schema) is the query's, which the tests hold
		 * the host's against.
		 */
		bool host = prev != NULL || watch;
		mg_buf none;

		mg_buf_init(&none, ctx);
		if (host)
			rc = mg_state_catalog_rows(&r, &n, st, MG_CATALOG_REL_ROWS, pg_relations_sql, 1, params, 5);
		else
			rc = mg_state_rows(&r, &n, st, pg_relations_sql, 1, params, 5);
		if (rc != MG_OK ||
			(rc = pg_relation_rows(a, &m, NULL, r, n)) != MG_OK ||
			(rc = pg_named_rows(a, &m, st, NULL, 't', &none, host)) != MG_OK ||
			(rc = pg_named_rows(a, &m, st, NULL, 'p', &none, host)) != MG_OK ||
			(rc = merge_snapshot(out, a, NULL, &fresh)) != MG_OK)
			return rc;
		out->changed_all = true;
		return MG_OK;
	}
	for (size_t i = 0; i < prev->ngroups; i++)
		prev->groups[i]->kept = true;
	{
		mg_buf ch, ty;
		char *chs, *tys;

		mg_buf_init(&ch, ctx);
		mg_buf_init(&ty, ctx);
		oid_array(&ch, rels, nrels);
		mg_buf_putc(&ty, '{');
		if ((what & MG_CHANGED_TYPES) && (rc = pg_named_rows(a, &m, st, prev, 't', &ty, true)) != MG_OK)
			return rc;
		if ((what & MG_CHANGED_FUNCTIONS) && (rc = pg_named_rows(a, &m, st, prev, 'p', &ty, true)) != MG_OK)
			return rc;
		mg_buf_putc(&ty, '}');
		if (mg_buf_finish(&ch, &chs) != MG_OK || mg_buf_finish(&ty, &tys) != MG_OK)
			return MG_ENOMEM;
		if (strcmp(chs, "{}") != 0 || strcmp(tys, "{}") != 0 || (what & MG_CHANGED_SEQUENCES))
		{
			const char *params[3] = {chs, tys, (what & MG_CHANGED_SEQUENCES) ? "true" : "false"};
			mg_buf grp;
			char *grps;

			/* the groups read again: prev's are not kept (a relation gone has no rows now) */
			if ((rc = mg_state_catalog_rows(&r, &n, st, MG_CATALOG_REL_USERS, pg_changed_sql, 3, params, 1)) != MG_OK)
				return rc;
			mg_buf_init(&grp, ctx);
			mg_buf_putc(&grp, '{');
			if ((changed = mg_alloc(ctx, (n + 1) * sizeof(char *))) == NULL)
				return MG_ENOMEM;
			for (size_t i = 0; i < n; i++)
			{
				char key[24];
				mg_sgroup *old;

				if (r[i][0] == NULL || strspn(r[i][0], "0123456789") != strlen(r[i][0]) || strlen(r[i][0]) > 12)
					continue;
				snprintf(key, sizeof(key), "r%s", r[i][0]);
				if ((old = find_group(prev, key)) != NULL)
					old->kept = false;
				mg_buf_printf(&grp, "%s%s", grp.len > 1 ? "," : "", r[i][0]);
				changed[nchanged++] = r[i][0];
			}
			mg_buf_putc(&grp, '}');
			if (mg_buf_finish(&grp, &grps) != MG_OK)
				return MG_ENOMEM;
			if (n > 0)
			{
				const char *p2[2] = {st->version_name, grps};

				if ((rc = mg_state_catalog_rows(&r, &n, st, MG_CATALOG_REL_ROWS, pg_relations_some_sql, 2, p2, 5)) != MG_OK ||
					(rc = pg_relation_rows(a, &m, prev, r, n)) != MG_OK)
					return rc;
			}
		}
	}
	if ((rc = merge_snapshot(out, a, prev, &fresh)) != MG_OK)
		return rc;
	out->changed = changed;
	out->nchanged = nchanged;
	return MG_OK;
}

/* A snapshot, built on prev when given; watch: later ones will be built on this one. */
static int
schema_read(mg_schema *out, mg_state *st, const mg_schema *prev, bool watch)
{
	rows_acc a = {0};

	a.ctx = st->ctx;
	memset(out, 0, sizeof(*out));
	out->stamp = -1;
	if (st->dialect == MG_DIALECT_POSTGRESQL)
		return pg_read(out, &a, st, prev, watch);
	return sqlite_read(out, &a, st, prev, watch);
}

int
mg_schema_read(mg_schema *out, mg_state *st)
{
	return schema_read(out, st, NULL, false);
}

int
mg_schema_read_first(mg_schema *out, mg_state *st)
{
	return schema_read(out, st, NULL, true);
}

int
mg_schema_reread(mg_schema *out, mg_state *st, const mg_schema *prev)
{
	return schema_read(out, st, prev, false);
}

/* ------------------------------------------------------------------ */
/* Differences                                                          */
/* ------------------------------------------------------------------ */

/* Compare by kind and name only. */
static int
key_cmp(const mg_srow *a, const mg_srow *b)
{
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	/* a row a later snapshot kept shares its strings */
	return a->name == b->name ? 0 : strcmp(a->name, b->name);
}

typedef struct change_acc {
	mg_ctx *ctx;
	mg_schema_change *v;
	size_t n, cap;
} change_acc;

static int
add_change(change_acc *c, mg_change_op op, const mg_srow *before, const mg_srow *after)
{
	if (mg_grow(c->ctx, &c->v, &c->cap, c->n, sizeof(mg_schema_change)) != MG_OK)
		return MG_ENOMEM;
	c->v[c->n].op = op;
	c->v[c->n].before = before;
	c->v[c->n].after = after;
	c->n++;
	return MG_OK;
}

static int
name_cmp(const void *key, const void *elem)
{
	return strcmp((const char *) key, (*(const mg_schema_change *const *) elem)->after != NULL
				  ? (*(const mg_schema_change *const *) elem)->after->name
				  : (*(const mg_schema_change *const *) elem)->before->name);
}

/*
 * A table added or dropped carries its own rows (columns, constraints,
 * indexes, triggers) with it: they are left out of the changes, so the
 * table is one line.  The tables' changes come first, in name order.
 */
static int
fold_tables(mg_schema_change **out, size_t *n, change_acc *c)
{
	const mg_schema_change **tables;
	size_t nt = 0, k = 0;

	tables = mg_alloc(c->ctx, (c->n + 1) * sizeof(*tables));
	if (tables == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < c->n; i++)
	{
		const mg_srow *r = c->v[i].after != NULL ? c->v[i].after : c->v[i].before;

		if (r->rank == 0 && c->v[i].op != MG_CHANGE_CHANGED)
			tables[nt++] = &c->v[i];
	}
	for (size_t i = 0; i < c->n; i++)
	{
		const mg_srow *r = c->v[i].after != NULL ? c->v[i].after : c->v[i].before;
		const mg_schema_change *const *t = NULL;

		if (nt > 0 && r->rank > 0 && *r->parent)
			t = bsearch(r->parent, tables, nt, sizeof(*tables), name_cmp);
		if (t != NULL && (*t)->op == c->v[i].op)
			continue;
		c->v[k++] = c->v[i];
	}
	*out = c->v;
	*n = k;
	return MG_OK;
}

/*
 * The differences between two row lists, each sorted (row_cmp), into c:
 * rows matched by kind and name, a name held by several rows matched by
 * definition.
 */
static int
diff_rows(change_acc *c, const mg_srow *const *a, size_t na, const mg_srow *const *b, size_t nb)
{
	size_t i = 0, j = 0;

	while (i < na || j < nb)
	{
		int cmp;
		size_t gi, gj;

		if (mg_interrupt_check(c->ctx) != MG_OK)
			return MG_ECANCEL;
		if (i == na)
			cmp = 1;
		else if (j == nb)
			cmp = -1;
		else
			cmp = key_cmp(a[i], b[j]);
		if (cmp < 0)
		{
			if (add_change(c, MG_CHANGE_DROPPED, a[i++], NULL) != MG_OK)
				return MG_ENOMEM;
			continue;
		}
		if (cmp > 0)
		{
			if (add_change(c, MG_CHANGE_ADDED, NULL, b[j++]) != MG_OK)
				return MG_ENOMEM;
			continue;
		}
		/* the rows of one kind and name on each side, sorted by definition */
		for (gi = i; gi < na && key_cmp(a[gi], a[i]) == 0; gi++)
			;
		for (gj = j; gj < nb && key_cmp(b[gj], b[j]) == 0; gj++)
			;
		if (gi - i == 1 && gj - j == 1)
		{
			if ((a[i]->def != b[j]->def && strcmp(a[i]->def, b[j]->def) != 0) ||
				(a[i]->parent != b[j]->parent && strcmp(a[i]->parent, b[j]->parent) != 0))
				if (add_change(c, MG_CHANGE_CHANGED, a[i], b[j]) != MG_OK)
					return MG_ENOMEM;
			i = gi;
			j = gj;
			continue;
		}
		while (i < gi || j < gj)
		{
			int d = i == gi ? 1 : j == gj ? -1 : strcmp(a[i]->def, b[j]->def);

			if (d == 0)
			{
				i++;
				j++;
			}
			else if (d < 0)
			{
				if (add_change(c, MG_CHANGE_DROPPED, a[i++], NULL) != MG_OK)
					return MG_ENOMEM;
			}
			else if (add_change(c, MG_CHANGE_ADDED, NULL, b[j++]) != MG_OK)
				return MG_ENOMEM;
		}
	}
	return MG_OK;
}

typedef struct rowp_acc {
	mg_ctx *ctx;
	const mg_srow **v;
	size_t n, cap;
} rowp_acc;

/* g's rows appended to r. */
static int
add_group_rows(rowp_acc *r, const mg_sgroup *g)
{
	for (size_t k = 0; k < g->nrows; k++)
	{
		if (mg_grow_uninit(r->ctx, &r->v, &r->cap, r->n, sizeof(*r->v)) != MG_OK)
			return MG_ENOMEM;
		r->v[r->n++] = &g->rows[k];
	}
	return MG_OK;
}

static int
rowp_cmp(const void *x, const void *y)
{
	return row_cmp(*(const mg_srow *const *) x, *(const mg_srow *const *) y);
}

/*
 * The rows of the groups one snapshot has and the other does not (a
 * group kept by a later snapshot is the same group on both sides, and
 * its rows are the same rows), each side sorted.  Walks both group lists
 * by key: linear in the number of groups, and the rows cost what
 * changed.
 */
static int
changed_rows(rowp_acc *ra, rowp_acc *rb, const mg_schema *a, const mg_schema *b)
{
	size_t i = 0, j = 0;

	while (i < a->ngroups || j < b->ngroups)
	{
		int c;

		if (((i + j) & 1023) == 0 && mg_interrupt_check(ra->ctx) != MG_OK)
			return MG_ECANCEL;
		if (i < a->ngroups && j < b->ngroups && a->groups[i] == b->groups[j])
		{
			i++;
			j++;
			continue;
		}
		c = i == a->ngroups ? 1 : j == b->ngroups ? -1 : strcmp(a->groups[i]->key, b->groups[j]->key);
		if (c <= 0 && add_group_rows(ra, a->groups[i++]) != MG_OK)
			return MG_ENOMEM;
		if (c >= 0 && add_group_rows(rb, b->groups[j++]) != MG_OK)
			return MG_ENOMEM;
	}
	if (ra->n > 1)
		qsort(ra->v, ra->n, sizeof(*ra->v), rowp_cmp);
	if (rb->n > 1)
		qsort(rb->v, rb->n, sizeof(*rb->v), rowp_cmp);
	return MG_OK;
}

/* Every row of s, in order. */
static int
all_rows(rowp_acc *r, mg_schema *s)
{
	int rc;

	if ((rc = mg_schema_rows(s, r->ctx)) != MG_OK)
		return rc;
	if ((r->v = mg_realloc_uninit(r->ctx, NULL, 0, (s->n + 1) * sizeof(*r->v))) == NULL)
		return MG_ENOMEM;
	r->cap = s->n + 1;
	for (size_t i = 0; i < s->n; i++)
		r->v[r->n++] = &s->rows[i];
	return MG_OK;
}

/*
 * Two snapshots read from databases compare group by group: only the
 * rows of groups that are not shared are compared (a name that is in a
 * shared group and in a changed one is compared as if it were in the
 * changed one alone).  Otherwise (a decoded snapshot: drift) every row.
 */
int
mg_schema_diff(mg_schema_change **out, size_t *n, mg_ctx *ctx, const mg_schema *a,
			   const mg_schema *b)
{
	change_acc c = {0};
	rowp_acc ra = {0}, rb = {0};
	int rc;

	c.ctx = ra.ctx = rb.ctx = ctx;
	/* the sorted rows all_rows makes are a cache of the snapshot's groups: a and b keep their meaning */
	if (a->grouped && b->grouped)
		rc = changed_rows(&ra, &rb, a, b);
	else if ((rc = all_rows(&ra, (mg_schema *) a)) == MG_OK)
		rc = all_rows(&rb, (mg_schema *) b);
	if (rc != MG_OK || (rc = diff_rows(&c, ra.v, ra.n, rb.v, rb.n)) != MG_OK)
		return rc;
	if (ra.v != NULL)
		mg_release(ctx, ra.v, ra.cap * sizeof(*ra.v));
	if (rb.v != NULL)
		mg_release(ctx, rb.v, rb.cap * sizeof(*rb.v));
	return fold_tables(out, n, &c);
}

char *
mg_schema_change_object(mg_ctx *ctx, const mg_schema_change *c)
{
	const mg_srow *r = c->after != NULL ? c->after : c->before;

	return mg_printf(ctx, "%s %s", r->kind, r->name);
}

/* A column's definition cut into type, nullability and the rest (default, generated). */
static void
column_parts(const char *def, char *type, char *null, char *rest, size_t cap)
{
	const char *nn = strstr(def, " NOT NULL");
	const char *df = strstr(def, " DEFAULT ");
	const char *gen = strstr(def, " GENERATED ");
	const char *end = def + strlen(def);
	const char *tail = end;

	if (df != NULL && df < tail)
		tail = df;
	if (gen != NULL && gen < tail)
		tail = gen;
	if (nn != NULL && nn < tail)
		end = nn;
	else
		end = tail;
	if (strncmp(def, "NOT NULL", 8) == 0 || strncmp(def, "DEFAULT ", 8) == 0)
		end = def;
	snprintf(type, cap, "%.*s", (int) (end - def), def);
	snprintf(null, cap, "%s", nn != NULL ? "NOT NULL" : "nullable");
	snprintf(rest, cap, "%s", *tail == ' ' ? tail + 1 : tail);
}

char *
mg_schema_change_what(mg_ctx *ctx, const mg_schema_change *c, const char *after_what)
{
	const char *was = after_what != NULL ? after_what : "";
	const char *sp = after_what != NULL ? " " : "";
	mg_buf b;
	char *out;

	mg_buf_init(&b, ctx);
	if (c->before == NULL || c->after == NULL)
		return mg_strdup(ctx, "");
	if (strcmp(c->after->kind, "column") == 0)
	{
		char t1[512], n1[16], r1[512], t2[512], n2[16], r2[512];
		bool first = true;

		column_parts(c->before->def, t1, n1, r1, sizeof(t1));
		column_parts(c->after->def, t2, n2, r2, sizeof(t2));
		if (strcmp(t1, t2) != 0)
		{
			mg_buf_printf(&b, "type %s%s%s, was %s", t2, sp, was, t1);
			first = false;
		}
		if (strcmp(n1, n2) != 0)
		{
			mg_buf_printf(&b, "%s%s%s%s, was %s", first ? "" : "; ", n2, sp, was, n1);
			first = false;
		}
		if (strcmp(r1, r2) != 0)
		{
			mg_buf_printf(&b, "%s%s%s%s, was %s", first ? "" : "; ", *r2 ? r2 : "no default", sp, was,
						  *r1 ? r1 : "no default");
			first = false;
		}
		if (!first)
			return mg_buf_finish(&b, &out) == MG_OK ? out : NULL;
	}
	if (strcmp(c->before->def, c->after->def) != 0)
		mg_buf_printf(&b, "%s%s%s, was %s", *c->after->def ? c->after->def : "(none)", sp, was,
					  *c->before->def ? c->before->def : "(none)");
	else
		mg_buf_printf(&b, "on %s%s%s, was on %s", c->after->parent, sp, was, c->before->parent);
	return mg_buf_finish(&b, &out) == MG_OK ? out : NULL;
}

char *
mg_schema_change_lines(mg_ctx *ctx, const mg_schema_change *c, size_t n)
{
	mg_buf b;
	char *out;

	mg_buf_init(&b, ctx);
	for (size_t i = 0; i < n; i++)
	{
		const mg_srow *r = c[i].after != NULL ? c[i].after : c[i].before;

		if (i)
			mg_buf_putc(&b, '\n');
		if (c[i].op == MG_CHANGE_CHANGED)
		{
			char *what = mg_schema_change_what(ctx, &c[i], NULL);

			if (what == NULL)
				return NULL;
			mg_buf_printf(&b, "changed %s %s: %s", r->kind, r->name, what);
		}
		else
			mg_buf_printf(&b, "%s %s %s%s%s", c[i].op == MG_CHANGE_ADDED ? "added" : "dropped", r->kind,
						  r->name, *r->def && c[i].op == MG_CHANGE_ADDED ? ": " : "",
						  c[i].op == MG_CHANGE_ADDED ? r->def : "");
	}
	return mg_buf_finish(&b, &out) == MG_OK ? out : NULL;
}

/* ------------------------------------------------------------------ */
/* Encoding (what drift keeps)                                          */
/* ------------------------------------------------------------------ */

static void
put_escaped(mg_buf *b, const char *s)
{
	for (; *s; s++)
	{
		if (*s == '\\')
			mg_buf_puts(b, "\\\\");
		else if (*s == '\t')
			mg_buf_puts(b, "\\t");
		else if (*s == '\n')
			mg_buf_puts(b, "\\n");
		else if (*s == '\r')
			mg_buf_puts(b, "\\r");
		else
			mg_buf_putc(b, *s);
	}
}

int
mg_schema_encode(char **out, mg_ctx *ctx, const mg_schema *s)
{
	mg_buf b;

	mg_buf_init(&b, ctx);
	for (size_t i = 0; i < s->n; i++)
	{
		put_escaped(&b, s->rows[i].kind);
		mg_buf_putc(&b, '\t');
		put_escaped(&b, s->rows[i].name);
		mg_buf_putc(&b, '\t');
		put_escaped(&b, s->rows[i].parent);
		mg_buf_putc(&b, '\t');
		put_escaped(&b, s->rows[i].def);
		mg_buf_putc(&b, '\n');
	}
	return mg_buf_finish(&b, out);
}

/* One field of an encoded row, unescaped in place; *p moves past its separator. */
static char *
next_field(char **p)
{
	char *start = *p, *w = *p, *r = *p;

	while (*r && *r != '\t' && *r != '\n')
	{
		if (*r == '\\' && r[1])
		{
			r++;
			*w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r == 'r' ? '\r' : *r;
			r++;
			continue;
		}
		*w++ = *r++;
	}
	*p = *r ? r + 1 : r;
	*w = '\0';
	return start;
}

int
mg_schema_decode(mg_schema *out, mg_ctx *ctx, const char *text)
{
	rows_acc a = {0};
	char *copy = mg_strdup(ctx, text), *p = copy;

	a.ctx = ctx;
	if (copy == NULL)
		return MG_ENOMEM;
	while (*p)
	{
		char *kind = next_field(&p), *name = next_field(&p), *parent = next_field(&p),
			*def = next_field(&p);
		mg_srow *r;

		if (mg_grow(ctx, &a.rows, &a.cap, a.n, sizeof(mg_srow)) != MG_OK)
			return MG_ENOMEM;
		r = &a.rows[a.n++];
		r->kind = kind;
		r->rank = kind_rank(kind);
		r->group = NULL;
		r->name = name;
		r->parent = parent;
		r->def = def;
		for (size_t k = 0; k < NKINDS; k++)
			if (strcmp(kinds[k], kind) == 0)
				r->kind = kinds[k];
	}
	if (a.n > 1)
		qsort(a.rows, a.n, sizeof(mg_srow), row_cmp);
	memset(out, 0, sizeof(*out));
	out->rows = a.rows;
	out->n = a.n;
	out->cap = a.cap;
	out->stamp = -1;
	return MG_OK;
}
