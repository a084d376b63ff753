/*
 * verify.c -- start-up verification and initialization (migrate_verify,
 * migrate_init): Galaxy's DatabaseStateVerifier, run inside the database.
 *
 * The unit of work is a branch the database holds: the labels of the
 * branches setting in its order, else every label declared on a base
 * revision in catalog order (Galaxy's gxy, then tsi), else (a catalog
 * without labels) the whole catalog.  For each, in that order:
 *
 *   empty database               initialize: upgrade <branch>@head
 *   head applied                 fine
 *   some revision applied        behind: upgrade when auto_migrate, else
 *                                an error naming the call to run
 *   no version rows, legacy      the legacy table (legacy_table) holds the
 *   table present                version legacy_versions names for the
 *                                branch: adopt (upgrade from base: the
 *                                branch's first revision continues that
 *                                legacy version) when auto_migrate, else
 *                                an error; another version: an error that
 *                                says which legacy version to reach first
 *   no version rows, no legacy   an error: stamp it, or adopt it
 *   version rows of other        the first branch: an error (Galaxy's gxy
 *   branches only                rule); a later one: none of its tables
 *                                exist -> initialize; some exist -> it is
 *                                taken to be as current as the branches
 *                                before it (stamped at its head when they
 *                                were at their heads, upgraded from base
 *                                when they were adopted from the legacy
 *                                table; else an error)
 *
 * Before any of it: an empty catalog, a held label the catalog lacks, a
 * branch with two heads (diverged) and a version row the catalog lacks
 * (the database is ahead of the code) are errors.
 *
 * "Empty" means: no table but the engine's own state tables, an empty
 * version table, SQLite's sqlite_* tables and Celery's kombu_* tables (as
 * Galaxy ignores them).  A branch's tables are the tables its revisions'
 * upgrade sections (for the running dialect) create with CREATE TABLE:
 * the scripts are the only description of a branch's schema the engine
 * has.  Tables are looked up in SQLite's main schema, in PostgreSQL's
 * current_schema() (where the version table lives).
 *
 * Invariants: everything runs in one unit (host->begin ... commit), so a
 * failure leaves the database exactly as it was, whatever was done for
 * the branches before; every decision is taken from what the database
 * holds at that moment, and errors say what to do next.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* One branch to verify. */
typedef struct unit {
	const char *label;     /* NULL: the whole catalog */
	int li;                /* its label index, -1 for the whole catalog */
	int *heads;            /* the catalog's heads of the branch */
	size_t nheads;
	bool was_current;      /* at its heads when verification started */
	bool fresh_init;       /* initialized in this call (no tables of it existed) */
	bool legacy;           /* adopted from the legacy table in this call */
} unit;

/* The database's tables, as verification sees them. */
typedef struct dbinfo {
	const char **tables;   /* user tables (not the engine's, not the version table) */
	size_t ntables;
	const char *legacy_table;
	bool has_legacy;
	const char *legacy_version;   /* its first row's version, NULL when none */
} dbinfo;

/* ---- small helpers ------------------------------------------------------- */

static bool
ci_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
	{
		char x = *a, y = *b;

		if (x >= 'A' && x <= 'Z')
			x = (char) (x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char) (y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return *a == *b;
}

/* s starts with prefix (lowercase), ignoring ASCII case. */
static bool
ci_prefix(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
	{
		char x = *s;

		if (x >= 'A' && x <= 'Z')
			x = (char) (x - 'A' + 'a');
		if (x != *prefix)
			return false;
	}
	return true;
}

static bool
in_list(const char *const *items, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (ci_equal(items[i], name))
			return true;
	return false;
}

/* First column of every row. */
typedef struct column {
	mg_ctx *ctx;
	const char **v;
	size_t n, cap;
	int rc;
} column;

static int
column_row(void *arg, int ncol, const char *const *vals)
{
	column *c = arg;
	char *copy;

	if (mg_grow(c->ctx, &c->v, &c->cap, c->n, sizeof(char *)) != MG_OK)
	{
		c->rc = MG_ENOMEM;
		return 1;
	}
	copy = ncol > 0 && vals[0] != NULL ? mg_strdup(c->ctx, vals[0]) : NULL;
	if (ncol > 0 && vals[0] != NULL && copy == NULL)
	{
		c->rc = MG_ENOMEM;
		return 1;
	}
	c->v[c->n++] = copy;
	return 0;
}

static int
query_column(column *c, mg_state *st, const char *sql, int nparams, const char *const *params)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->ctx = st->ctx;
	rc = mg_state_host_query(st, sql, nparams, params, column_row, c, NULL);
	if (c->rc != MG_OK)
		return mg_error_nomem(st->ctx);
	return rc;
}

/* "a, b, c" (at most max names, then "and N more"). */
static char *
join_names(mg_ctx *ctx, const char *const *items, size_t n, size_t max)
{
	mg_buf b;
	char *out;

	mg_buf_init(&b, ctx);
	for (size_t i = 0; i < n && i < max; i++)
		mg_buf_printf(&b, "%s%s", i ? ", " : "", items[i]);
	if (n > max)
		mg_buf_printf(&b, " and %zu more", n - max);
	return mg_buf_finish(&b, &out) == MG_OK ? out : NULL;
}

static char *
join_revs(mg_ctx *ctx, const mg_revmap *map, const int *revs, size_t n)
{
	mg_buf b;
	char *out;

	mg_buf_init(&b, ctx);
	for (size_t i = 0; i < n; i++)
		mg_buf_printf(&b, "%s%s", i ? ", " : "", mg_revmap_rev(map, revs[i])->id);
	if (n == 0)
		mg_buf_puts(&b, "base");
	return mg_buf_finish(&b, &out) == MG_OK ? out : NULL;
}

/* The version rows in catalog order (table order differs between hosts; messages must not). */
static char *
rows_in_order(mg_ctx *ctx, const mg_session *s)
{
	const char **v = mg_alloc(ctx, (s->nrows + 1) * sizeof(char *));
	size_t n = 0;

	if (v == NULL)
		return NULL;
	for (size_t k = 0; k < mg_revmap_count(s->map); k++)
		for (size_t i = 0; i < s->nrows; i++)
			if (strcmp(s->rows[i], mg_revmap_rev(s->map, (int) k)->id) == 0)
				v[n++] = s->rows[i];
	for (size_t i = 0; i < s->nrows; i++)
		if (mg_revmap_find(s->map, s->rows[i]) < 0)
			v[n++] = s->rows[i];
	return join_names(ctx, v, n, 10);
}

/* ---- the database's tables ------------------------------------------------ */

/*
 * The user tables: every table but the engine's state tables, the
 * version table, sqlite_* and kombu_*; and the legacy table's version.
 */
static int
read_dbinfo(dbinfo *db, mg_session *s)
{
	mg_state *st = &s->st;
	mg_ctx *ctx = st->ctx;
	bool pg = st->dialect == MG_DIALECT_POSTGRESQL;
	const char *params[1] = {st->host->state_schema ? st->host->state_schema : ""};
	column c;
	char *legacy;
	int rc;

	memset(db, 0, sizeof(*db));
	if (pg)
		rc = query_column(&c, st,
						  "SELECT c.relname FROM pg_catalog.pg_class c "
						  "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
						  "WHERE n.nspname OPERATOR(pg_catalog.=) pg_catalog.current_schema() "
						  "AND c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p']::pg_catalog.\"char\"[]) "
						  "AND NOT (n.nspname OPERATOR(pg_catalog.=) $1 AND c.relname OPERATOR(pg_catalog.=) ANY "
						  "(ARRAY['migrate_catalog', 'migrate_log', 'migrate_settings', 'migrate_catalog_heads']::pg_catalog.name[])) "
						  "ORDER BY c.relname", 1, params);
	else
		rc = query_column(&c, st,
						  "SELECT name FROM \"main\".sqlite_master WHERE type = 'table' "
						  "AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name", 0, NULL);
	if (rc != MG_OK)
		return rc;
	db->tables = mg_alloc(ctx, (c.n + 1) * sizeof(char *));
	if (db->tables == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < c.n; i++)
	{
		const char *t = c.v[i];

		if (t == NULL || ci_equal(t, st->version_name) || ci_prefix(t, "kombu_"))
			continue;
		if (!pg && (ci_equal(t, "migrate_catalog") || ci_equal(t, "migrate_log") ||
					ci_equal(t, "migrate_settings") || ci_equal(t, "migrate_catalog_heads")))
			continue;
		db->tables[db->ntables++] = t;
	}
	if ((rc = mg_state_get_setting(&legacy, st, "legacy_table")) != MG_OK)
		return rc;
	db->legacy_table = legacy;
	db->has_legacy = in_list(db->tables, db->ntables, legacy);
	if (db->has_legacy)
	{
		/* SQLAlchemy Migrate's table: one row per repository, column version */
		char *table = mg_quote_ident(ctx, legacy);
		char *sql = table != NULL ? mg_printf(ctx, "SELECT CAST(version AS TEXT) FROM %s", table) : NULL;

		if ((rc = query_column(&c, st, sql, 0, NULL)) != MG_OK)
			return rc;
		db->legacy_version = c.n > 0 ? c.v[0] : NULL;
	}
	return MG_OK;
}

/* Skip blanks and SQL comments. */
static const char *
skip_space(const char *p, const char *end)
{
	for (;;)
	{
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v'))
			p++;
		if (p + 1 < end && p[0] == '-' && p[1] == '-')
		{
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		if (p + 1 < end && p[0] == '/' && p[1] == '*')
		{
			p += 2;
			while (p + 1 < end && !(p[0] == '*' && p[1] == '/'))
				p++;
			p = p + 1 < end ? p + 2 : end;
			continue;
		}
		return p;
	}
}

static bool
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '_' || c == '$' || (unsigned char) c >= 0x80;
}

/* If the next word is w (case-insensitive), step over it. */
static bool
take_word(const char **p, const char *end, const char *w)
{
	const char *q = skip_space(*p, end);
	size_t n = strlen(w), i;

	for (i = 0; i < n; i++)
	{
		char c;

		if (q + i >= end)
			return false;
		c = q[i];
		if (c >= 'A' && c <= 'Z')
			c = (char) (c - 'A' + 'a');
		if (c != w[i])
			return false;
	}
	if (q + n < end && word_char(q[n]))
		return false;
	*p = q + n;
	return true;
}

/* One identifier part: "quoted", `quoted`, [quoted] or a bare word. */
static const char *
take_ident(char **out, mg_ctx *ctx, const char *p, const char *end)
{
	mg_buf b;

	p = skip_space(p, end);
	mg_buf_init(&b, ctx);
	if (p < end && (*p == '"' || *p == '`' || *p == '['))
	{
		char close = *p == '[' ? ']' : *p;

		for (p++; p < end; p++)
		{
			if (*p == close)
			{
				if (close != ']' && p + 1 < end && p[1] == close)
				{
					mg_buf_putc(&b, close);
					p++;
					continue;
				}
				p++;
				break;
			}
			mg_buf_putc(&b, *p);
		}
	}
	else
		while (p < end && word_char(*p))
			mg_buf_putc(&b, *p++);
	if (mg_buf_finish(&b, out) != MG_OK)
		return NULL;
	return p;
}

/*
 * The table a statement creates: CREATE [GLOBAL|LOCAL] [TEMP|TEMPORARY|
 * UNLOGGED] TABLE [IF NOT EXISTS] [schema.]name.  *name NULL for any
 * other statement (and for temporary tables).
 */
static int
created_table(char **name, mg_ctx *ctx, const char *p, size_t len)
{
	const char *end = p + len;

	*name = NULL;
	if (!take_word(&p, end, "create"))
		return MG_OK;
	(void) (take_word(&p, end, "global") || take_word(&p, end, "local"));
	if (take_word(&p, end, "temp") || take_word(&p, end, "temporary"))
		return MG_OK;
	(void) take_word(&p, end, "unlogged");
	if (!take_word(&p, end, "table"))
		return MG_OK;
	if (take_word(&p, end, "if"))
	{
		if (!take_word(&p, end, "not") || !take_word(&p, end, "exists"))
			return MG_OK;
	}
	for (;;)
	{
		char *part;

		if ((p = take_ident(&part, ctx, p, end)) == NULL)
			return MG_ENOMEM;
		if (part[0] == '\0')
			return MG_OK;
		*name = part;
		p = skip_space(p, end);
		if (p >= end || *p != '.')
			return MG_OK;
		p++;
	}
}

/*
 * The tables of a branch (its revisions' CREATE TABLE statements) that
 * exist in the database, in creation order.
 */
static int
branch_tables(const char ***out, size_t *n, mg_session *s, const unit *u, const dbinfo *db)
{
	mg_ctx *ctx = s->st.ctx;
	size_t total = mg_revmap_count(s->map), cap = 0;
	uint8_t *want = mg_alloc(ctx, total + 1);
	int rc;

	*out = NULL;
	*n = 0;
	if (want == NULL)
		return MG_ENOMEM;
	for (size_t k = 0; k < total; k++)
		want[k] = u->li < 0 || mg_rev_has_label(mg_revmap_rev(s->map, (int) k), u->li) ?
			MG_BODY_UP : 0;
	if ((rc = mg_state_load_scripts(&s->st, s->map, want)) != MG_OK)
		return rc;
	for (size_t k = 0; k < total; k++)
	{
		const mg_script *sc = mg_revmap_rev(s->map, (int) k)->script;
		const char *body;
		mg_stmt *stmts;
		size_t nstmts;

		if (!want[k] || !mg_script_has_body(sc, true))
			continue;
		body = mg_script_body(sc, true, s->st.dialect);
		if (body == NULL)
			continue;
		if ((rc = mg_sql_split(&stmts, &nstmts, ctx, body, s->st.dialect)) != MG_OK)
			return rc;
		for (size_t i = 0; i < nstmts; i++)
		{
			char *name;

			if ((rc = created_table(&name, ctx, stmts[i].text, stmts[i].len)) != MG_OK)
				return rc;
			if (name == NULL || !in_list(db->tables, db->ntables, name) || in_list(*out, *n, name))
				continue;
			if (mg_grow(ctx, out, &cap, *n, sizeof(char *)) != MG_OK)
				return MG_ENOMEM;
			(*out)[(*n)++] = name;
		}
	}
	return MG_OK;
}

/* ---- branches -------------------------------------------------------------- */

static int
make_units(unit **out, size_t *n, mg_session *s)
{
	mg_ctx *ctx = s->st.ctx;
	const mg_revmap *map = s->map;
	size_t nl = mg_revmap_label_count(map);
	const int *h;
	size_t nh;

	*n = 0;
	*out = mg_alloc(ctx, (nl + s->nheld + 1) * sizeof(unit));
	if (*out == NULL)
		return MG_ENOMEM;
	if (s->nheld > 0)
		for (size_t i = 0; i < s->nheld; i++)
		{
			(*out)[*n].label = s->held[i];
			(*out)[(*n)++].li = mg_label_index(map, s->held[i]);
		}
	else
		for (size_t l = 0; l < nl; l++)
		{
			int decl = mg_revmap_find_label(map, mg_revmap_label_name(map, (int) l));

			if (decl >= 0 && mg_revmap_rev(map, decl)->ndown == 0)
			{
				(*out)[*n].label = mg_revmap_label_name(map, (int) l);
				(*out)[(*n)++].li = (int) l;
			}
		}
	if (*n == 0)
	{
		(*out)[0].label = NULL;
		(*out)[0].li = -1;
		*n = 1;
	}
	mg_revmap_heads(map, &h, &nh);
	for (size_t i = 0; i < *n; i++)
	{
		unit *u = &(*out)[i];

		u->heads = mg_alloc(ctx, (nh + 1) * sizeof(int));
		if (u->heads == NULL)
			return MG_ENOMEM;
		for (size_t k = 0; k < nh; k++)
			if (u->li < 0 || mg_rev_has_label(mg_revmap_rev(map, h[k]), u->li))
				u->heads[u->nheads++] = h[k];
	}
	return MG_OK;
}

static const char *
unit_name(const unit *u)
{
	return u->label ? u->label : "heads";
}

/* The upgrade / stamp target of a branch: <label>@head, or heads. */
static char *
unit_target(mg_ctx *ctx, const unit *u)
{
	return u->label ? mg_printf(ctx, "%s@head", u->label) : mg_strdup(ctx, "heads");
}

/* The database's revisions on a branch (Alembic's current, filtered). */
static int
unit_current(char **out, mg_session *s, const unit *u)
{
	mg_ctx *ctx = s->st.ctx;
	int *cur, *all;
	size_t nall, kept = 0;
	int rc;

	if ((rc = mg_resolve_rows(&cur, ctx, s->map, s->rows, s->nrows)) != MG_OK ||
		(rc = mg_report_all_current(&all, &nall, ctx, s->map, cur, s->nrows)) != MG_OK)
		return rc;
	for (size_t i = 0; i < nall; i++)
		if (u->li < 0 || mg_rev_has_label(mg_revmap_rev(s->map, all[i]), u->li))
			all[kept++] = all[i];
	*out = join_revs(ctx, s->map, all, kept);
	return *out != NULL ? MG_OK : MG_ENOMEM;
}

/* Run kind toward the branch's head; the report gets "  Running ..." lines. */
static int
unit_run(mg_buf *out, mg_session *s, const unit *u, mg_run_kind kind)
{
	char *target = unit_target(s->st.ctx, u), *lines;
	size_t n;
	int rc;

	if (target == NULL)
		return MG_ENOMEM;
	if ((rc = mg_session_run(&lines, &n, NULL, s, kind, target, false, 0)) != MG_OK)
		return rc;
	for (const char *p = lines; n > 0 && *p;)
	{
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t) (nl - p) : strlen(p);

		mg_buf_printf(out, "\n  %.*s", (int) len, p);
		p += len + (nl ? 1 : 0);
	}
	return MG_OK;
}

/* ---- errors -------------------------------------------------------------- */

static int
err_not_versioned(mg_ctx *ctx, const dbinfo *db, const char *who)
{
	char *list = join_names(ctx, db->tables, db->ntables, 5);

	if (list == NULL)
		return MG_ENOMEM;
	mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
				 "the database is not empty and not under version control");
	mg_error_detail(ctx, "It has %zu table%s (%s) and no version rows.", db->ntables,
					db->ntables == 1 ? "" : "s", list);
	mg_error_hint(ctx, "%sIf its schema matches a revision, record that with SELECT migrate_stamp('<revision>'); "
				  "if SQLAlchemy Migrate manages it, set legacy_table and legacy_versions and adopt it "
				  "with SELECT migrate_verify(true). Nothing was changed.", who);
	return MG_EINPUT;
}

/* ---- the algorithm ------------------------------------------------------- */

/* legacy_versions' version for a label; NULL when the setting has none. */
static int
legacy_required(const char **out, mg_session *s, const char *label)
{
	const char **items;
	size_t n;
	char *setting;
	int rc;

	*out = NULL;
	if ((rc = mg_state_get_setting(&setting, &s->st, "legacy_versions")) != MG_OK ||
		(rc = mg_split_list(s->st.ctx, setting, &items, &n)) != MG_OK)
		return rc;
	for (size_t i = 0; i < n && label != NULL; i++)
	{
		const char *eq = strchr(items[i], '=');

		if (eq != NULL && (size_t) (eq - items[i]) == strlen(label) &&
			strncmp(items[i], label, strlen(label)) == 0)
			*out = eq + 1;
	}
	return MG_OK;
}

/* A branch with no version rows in a database that is not empty, with the legacy table. */
static int
verify_legacy(mg_buf *out, mg_session *s, unit *u, const dbinfo *db, bool auto_migrate)
{
	mg_ctx *ctx = s->st.ctx;
	const char *need;
	char *heads;
	int rc;

	if ((rc = legacy_required(&need, s, u->label)) != MG_OK)
		return rc;
	if ((heads = join_revs(ctx, s->map, u->heads, u->nheads)) == NULL)
		return MG_ENOMEM;
	if (need == NULL)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
					 "the database is under legacy version control (table \"%s\") but legacy_versions names no version for branch %s",
					 db->legacy_table, unit_name(u));
		mg_error_detail(ctx, "Adopting a legacy database needs the last legacy version that the branch's first revision continues.");
		mg_error_hint(ctx, "Set it, for example SELECT migrate_config('legacy_versions', 'gxy=180,tsi=17') for Galaxy, and verify again. Nothing was changed.");
		return MG_EINPUT;
	}
	if (db->legacy_version == NULL)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE, "the legacy table \"%s\" holds no version",
					 db->legacy_table);
		mg_error_detail(ctx, "Branch %s continues legacy version %s, but the table has no row.", unit_name(u), need);
		mg_error_hint(ctx, "Bring the database to legacy version %s with the legacy tool first, then verify again. Nothing was changed.", need);
		return MG_EINPUT;
	}
	if (strcmp(db->legacy_version, need) != 0)
	{
		char *e1, *e2;
		long have = strtol(db->legacy_version, &e1, 10), want = strtol(need, &e2, 10);
		bool numeric = *db->legacy_version && *e1 == '\0' && *need && *e2 == '\0';

		mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
					 "database is at legacy version %s but branch %s continues legacy version %s",
					 db->legacy_version, unit_name(u), need);
		mg_error_detail(ctx, "Table \"%s\" holds version %s; the first revision of branch %s applies on top of legacy version %s only.",
						db->legacy_table, db->legacy_version, unit_name(u), need);
		if (numeric && have > want)
			mg_error_hint(ctx, "Downgrade it to legacy version %s with the legacy tool first (SQLAlchemy Migrate: manage_db.sh downgrade --version=%s), then verify again. Nothing was changed.", need, need);
		else if (numeric)
			mg_error_hint(ctx, "Upgrade it to legacy version %s with the legacy tool first (SQLAlchemy Migrate: manage_db.sh upgrade --version=%s), then verify again. Nothing was changed.", need, need);
		else
			mg_error_hint(ctx, "Bring it to legacy version %s with the legacy tool first, then verify again. Nothing was changed.", need);
		return MG_EINPUT;
	}
	if (!auto_migrate)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
					 "database is at legacy version %s but the code expects %s", need, heads);
		mg_error_detail(ctx, "Table \"%s\" holds version %s, the legacy version branch %s continues: the database can be adopted.",
						db->legacy_table, need, unit_name(u));
		mg_error_hint(ctx, "Adopt it with SELECT migrate_verify(true), or run SELECT migrate_upgrade('%s'). Nothing was changed.",
					  u->label ? mg_printf(ctx, "%s@head", u->label) : "heads");
		return MG_EINPUT;
	}
	mg_buf_printf(out, "%s%s: legacy database (%s at version %s): adopted, upgraded to %s",
				  out->len ? "\n" : "", unit_name(u), db->legacy_table, need, heads);
	u->legacy = true;
	return unit_run(out, s, u, MG_RUN_UPGRADE);
}

/*
 * A later branch with no version rows of its own, in a database whose
 * version table holds other branches (Galaxy's rule for tsi).
 */
static int
verify_unversioned(mg_buf *out, mg_session *s, unit *units, size_t ui, const dbinfo *db,
				   bool auto_migrate)
{
	mg_ctx *ctx = s->st.ctx;
	unit *u = &units[ui];
	const char **tables;
	size_t ntables;
	bool legacy_ref = false, current_ref = true;
	char *heads, *list, *others;
	const char **names;
	size_t nnames = 0;
	int rc;

	if ((heads = join_revs(ctx, s->map, u->heads, u->nheads)) == NULL)
		return MG_ENOMEM;
	if (ui == 0)
	{
		char *rows = rows_in_order(ctx, s);

		if (rows == NULL)
			return MG_ENOMEM;
		mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
					 "the version table holds no revision of branch %s", unit_name(u));
		mg_error_detail(ctx, "It holds %s, of other branches; the state of branch %s cannot be guessed.",
						rows, unit_name(u));
		mg_error_hint(ctx, "If this database does not hold %s, set the branches it holds with SELECT migrate_config('branches', '<label>,...'); "
					  "else record the revision its schema matches with SELECT migrate_stamp('%s@<revision>'). Nothing was changed.",
					  unit_name(u), unit_name(u));
		return MG_EINPUT;
	}
	if ((rc = branch_tables(&tables, &ntables, s, u, db)) != MG_OK)
		return rc;
	if (ntables == 0)
	{
		/* a new install of this branch, next to the others */
		mg_buf_printf(out, "%s%s: none of its tables exist: initialized to %s",
					  out->len ? "\n" : "", unit_name(u), heads);
		u->fresh_init = true;
		return unit_run(out, s, u, MG_RUN_UPGRADE);
	}
	names = mg_alloc(ctx, (ui + 1) * sizeof(char *));
	if (names == NULL || (list = join_names(ctx, tables, ntables, 5)) == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < ui; i++)
	{
		legacy_ref = legacy_ref || units[i].legacy;
		current_ref = current_ref && (units[i].was_current || units[i].fresh_init);
		names[nnames++] = unit_name(&units[i]);
	}
	if ((others = join_names(ctx, names, nnames, nnames)) == NULL)
		return MG_ENOMEM;
	if (legacy_ref && auto_migrate)
	{
		/* the other branches were adopted from the legacy table: so is this one */
		mg_buf_printf(out, "%s%s: not under version control, but its tables exist (%s): taken to be at the legacy state its first revision continues, as %s was: upgraded to %s",
					  out->len ? "\n" : "", unit_name(u), list, others, heads);
		u->legacy = true;
		return unit_run(out, s, u, MG_RUN_UPGRADE);
	}
	if (current_ref && !legacy_ref)
	{
		if (!auto_migrate)
		{
			mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
						 "branch %s is not under version control but some of its tables exist", unit_name(u));
			mg_error_detail(ctx, "The database holds %s at its head and tables of %s (%s), so %s is taken to be as current: at %s.",
							others, unit_name(u), list, unit_name(u), heads);
			mg_error_hint(ctx, "Call SELECT migrate_verify(true) to stamp it there, or record the revision its tables match with SELECT migrate_stamp('%s@<revision>'). Nothing was changed.",
						  unit_name(u));
			return MG_EINPUT;
		}
		mg_buf_printf(out, "%s%s: not under version control, but its tables exist (%s): stamped at its head %s, as current as %s",
					  out->len ? "\n" : "", unit_name(u), list, heads, others);
		return unit_run(out, s, u, MG_RUN_STAMP);
	}
	mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
				 "branch %s is not under version control but some of its tables exist", unit_name(u));
	mg_error_detail(ctx, "Its tables (%s) exist, and %s %s not at %s head%s when verification started, so the state of %s cannot be guessed.",
					list, others, nnames == 1 ? "was" : "were", nnames == 1 ? "its" : "their",
					nnames == 1 ? "" : "s", unit_name(u));
	mg_error_hint(ctx, "Record the revision its tables match with SELECT migrate_stamp('%s@<revision>'), then verify again. Nothing was changed.",
				  unit_name(u));
	return MG_EINPUT;
}

static int
verify_unit(mg_buf *out, mg_session *s, unit *units, size_t ui, const dbinfo *db,
			bool fresh, bool auto_migrate)
{
	mg_ctx *ctx = s->st.ctx;
	unit *u = &units[ui];
	int *cur;
	uint8_t *have;
	bool any = false, all = true;
	char *heads;
	int rc;

	if ((heads = join_revs(ctx, s->map, u->heads, u->nheads)) == NULL)
		return MG_ENOMEM;
	if (fresh)
	{
		mg_buf_printf(out, "%s%s: empty database: initialized to %s", out->len ? "\n" : "",
					  unit_name(u), heads);
		u->fresh_init = true;
		return unit_run(out, s, u, MG_RUN_UPGRADE);
	}
	if ((rc = mg_resolve_rows(&cur, ctx, s->map, s->rows, s->nrows)) != MG_OK)
		return rc;
	if ((rc = mg_revmap_ancestors(&have, s->map, cur, s->nrows, true)) != MG_OK)
		return rc;
	for (size_t i = 0; i < u->nheads; i++)
		all = all && have[u->heads[i]];
	for (size_t k = 0; k < mg_revmap_count(s->map) && !any; k++)
		any = have[k] && (u->li < 0 || mg_rev_has_label(mg_revmap_rev(s->map, (int) k), u->li));
	if (all && u->nheads > 0)
	{
		mg_buf_printf(out, "%s%s: at head %s", out->len ? "\n" : "", unit_name(u), heads);
		return MG_OK;
	}
	if (any)
	{
		char *at, *target = unit_target(ctx, u);

		if (target == NULL || (rc = unit_current(&at, s, u)) != MG_OK)
			return target == NULL ? MG_ENOMEM : rc;
		if (!auto_migrate)
		{
			mg_plan plan;
			int *todo;
			char *list;

			if ((rc = mg_plan_upgrade(&plan, ctx, s->map, s->rows, s->nrows, target)) != MG_OK)
				return rc;
			todo = mg_alloc(ctx, (plan.n + 1) * sizeof(int));
			if (todo == NULL)
				return MG_ENOMEM;
			for (size_t i = 0; i < plan.n; i++)
				todo[i] = plan.steps[i].rev;
			if ((list = join_revs(ctx, s->map, todo, plan.n)) == NULL)
				return MG_ENOMEM;
			mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
						 "database is at revision %s but the code expects %s", at, heads);
			mg_error_detail(ctx, "Branch %s is behind by %zu revision%s: %s.", unit_name(u), plan.n,
							plan.n == 1 ? "" : "s", list);
			mg_error_hint(ctx, "Run SELECT migrate_upgrade('%s'), or call SELECT migrate_verify(true) to upgrade at verification. Nothing was changed.",
						  target);
			return MG_EINPUT;
		}
		mg_buf_printf(out, "%s%s: upgraded from %s to %s", out->len ? "\n" : "", unit_name(u), at, heads);
		return unit_run(out, s, u, MG_RUN_UPGRADE);
	}
	if (s->nrows == 0)
	{
		if (db->has_legacy)
			return verify_legacy(out, s, u, db, auto_migrate);
		return err_not_versioned(ctx, db, "");
	}
	return verify_unversioned(out, s, units, ui, db, auto_migrate);
}

/*
 * Diverged heads (what: "branch gxy", or an unlabelled lineage): the
 * head the database should be at is ambiguous; the hint is the exact
 * migrate_merge call.
 */
static int
err_diverged(mg_ctx *ctx, const mg_revmap *map, const int *heads, size_t n, const char *what,
			 const char *merge_message)
{
	char *list = join_revs(ctx, map, heads, n), *call;

	call = list ? mg_printf(ctx, "%s", list) : NULL;
	if (call == NULL)
		return MG_ENOMEM;
	for (char *p = call; *p; p++)
		if (*p == ' ')
			memmove(p, p + 1, strlen(p));
	mg_error_set(ctx, MG_EINPUT, MG_STATE_CARDINALITY,
				 "%s has diverged: the code has %zu heads on it, %s", what, n, list);
	mg_error_detail(ctx, "The head the database should be at is ambiguous until the heads are merged.");
	mg_error_hint(ctx, "Merge them with SELECT migrate_merge('%s', '%s'), load the merge revision, and verify again. Nothing was changed.",
				  call, merge_message);
	return MG_EINPUT;
}

static int
verify_in_unit(char **report, mg_session *s, bool auto_migrate, bool init)
{
	mg_ctx *ctx = s->st.ctx;
	unit *units;
	size_t nunits;
	dbinfo db;
	bool fresh;
	mg_buf out;
	int rc;

	if (mg_revmap_count(s->map) == 0)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
					 "the catalog is empty: there is nothing to %s the database against",
					 init ? "initialize" : "verify");
		mg_error_hint(ctx, "Load the revision scripts first: SELECT migrate_load('<directory>'), or migrate_add(script).");
		return MG_EINPUT;
	}
	if ((rc = mg_session_check_held(s)) != MG_OK || (rc = make_units(&units, &nunits, s)) != MG_OK)
		return rc;
	for (size_t i = 0; i < nunits; i++)
		if (units[i].label != NULL && units[i].nheads > 1)
		{
			char *what = mg_printf(ctx, "branch %s", units[i].label);
			char *msg = mg_printf(ctx, "merge %s heads", units[i].label);

			if (what == NULL || msg == NULL)
				return MG_ENOMEM;
			return err_diverged(ctx, s->map, units[i].heads, units[i].nheads, what, msg);
		}
	if (units[0].label == NULL)
	{
		/* a catalog without labels: several heads of one lineage have diverged too */
		mg_head_group *groups;
		size_t ngroups;
		char *what;

		if ((rc = mg_session_unlabelled_heads(&groups, &ngroups, s)) != MG_OK)
			return rc;
		if (ngroups > 0)
		{
			what = mg_printf(ctx, "the lineage of base %s (no branch label)",
							 mg_revmap_rev(s->map, groups[0].base)->id);
			if (what == NULL)
				return MG_ENOMEM;
			return err_diverged(ctx, s->map, groups[0].revs, groups[0].n, what, "merge heads");
		}
	}
	for (size_t i = 0; i < s->nrows; i++)
		if (mg_revmap_find(s->map, s->rows[i]) < 0)
		{
			mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
						 "database is at revision %s, which the code does not have", s->rows[i]);
			mg_error_detail(ctx, "The version table holds %s, which is not in the catalog: the database is ahead of the loaded revision scripts (newer code migrated it).",
							s->rows[i]);
			mg_error_hint(ctx, "Run the newer code, or load the scripts that have %s (migrate_load) and downgrade to the revisions this code expects. Nothing was changed.",
						  s->rows[i]);
			return MG_EINPUT;
		}
	if ((rc = read_dbinfo(&db, s)) != MG_OK)
		return rc;
	fresh = db.ntables == 0 && s->nrows == 0;
	if (init && !fresh)
	{
		if (s->nrows > 0)
		{
			char *rows = rows_in_order(ctx, s);

			if (rows == NULL)
				return MG_ENOMEM;
			mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE, "the database is already under version control");
			mg_error_detail(ctx, "Its version table holds %s.", rows);
			mg_error_hint(ctx, "migrate_init() initializes empty databases only: check this one with SELECT migrate_verify(), or bring it to its heads with SELECT migrate_upgrade(). Nothing was changed.");
			return MG_EINPUT;
		}
		if (db.has_legacy)
		{
			char *list = join_names(ctx, db.tables, db.ntables, 5);

			if (list == NULL)
				return MG_ENOMEM;
			mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
						 "the database is not empty: it is under legacy version control (table \"%s\")",
						 db.legacy_table);
			mg_error_detail(ctx, "It has %zu table%s (%s).", db.ntables, db.ntables == 1 ? "" : "s", list);
			mg_error_hint(ctx, "migrate_init() initializes empty databases only. Adopt this one with SELECT migrate_verify(true); "
						  "legacy_versions names the legacy version each branch continues (Galaxy: gxy=180,tsi=17). Nothing was changed.");
			return MG_EINPUT;
		}
		return err_not_versioned(ctx, &db, "migrate_init() initializes empty databases only. ");
	}
	if (!fresh && s->nrows > 0)
	{
		int *cur;
		uint8_t *have;

		if ((rc = mg_resolve_rows(&cur, ctx, s->map, s->rows, s->nrows)) != MG_OK)
			return rc;
		if ((rc = mg_revmap_ancestors(&have, s->map, cur, s->nrows, true)) != MG_OK)
			return rc;
		for (size_t i = 0; i < nunits; i++)
		{
			units[i].was_current = units[i].nheads > 0;
			for (size_t k = 0; k < units[i].nheads; k++)
				units[i].was_current = units[i].was_current && have[units[i].heads[k]];
		}
	}
	mg_buf_init(&out, ctx);
	for (size_t i = 0; i < nunits; i++)
		if ((rc = verify_unit(&out, s, units, i, &db, fresh, auto_migrate)) != MG_OK)
			return rc;
	return mg_buf_finish(&out, report);
}

static int
verify(char **report, mg_ctx *ctx, const mg_host *host, bool auto_migrate, bool init)
{
	mg_session s;
	int rc;

	*report = NULL;
	rc = mg_session_open(&s, ctx, host, true);
	if (rc == MG_OK)
		rc = verify_in_unit(report, &s, auto_migrate, init);
	if (rc != MG_OK)
		*report = NULL;
	return mg_session_close(&s, rc);
}

/*
 * migrate_init(): every held branch of an empty database upgraded to its
 * head.  Errors: an empty catalog, a held label the catalog lacks,
 * diverged heads, a database that is not empty (what to do is in the
 * hint), and whatever a revision's SQL raises.
 */
int
mg_cmd_init(char **report, mg_ctx *ctx, const mg_host *host)
{
	return verify(report, ctx, host, true, true);
}

/*
 * migrate_verify([auto_migrate]): the start-up verification (see the
 * top of this file).  *report: one "<branch>: ..." line per branch, with
 * the "Running ..." lines of what ran, indented.
 */
int
mg_cmd_verify(char **report, mg_ctx *ctx, const mg_host *host, int auto_migrate)
{
	return verify(report, ctx, host, auto_migrate != 0, false);
}
