/*
 * catalog.c -- the engine's state inside the database, reached only
 * through the host's callbacks.
 *
 * Tables (in host->state_schema, written "schema"."table"):
 *
 *   migrate_catalog   one row per known revision, in insertion order
 *                     (seq, assigned by the database): its metadata, its
 *                     checksum and its full script text;
 *   migrate_log       one row per step run (upgrade, downgrade, stamp);
 *   migrate_settings  key/value pairs, known keys only.
 *
 * and Alembic's version table (unqualified, as Alembic creates it), whose
 * rows are the database's current heads.
 *
 * Invariants: list columns (down_revisions, branch_labels, depends_on,
 * tags) are stored comma-separated without blanks; every statement goes
 * through host->query with $n text parameters, so no value is ever
 * spliced into SQL; identifiers are double-quoted with embedded quotes
 * doubled; the version table's name is always a validated identifier.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ------------------------------------------------------------------ */
/* Queries and rows                                                    */
/* ------------------------------------------------------------------ */

/*
 * Rows collected from a query: each row an array of ncol strings (NULL
 * for SQL NULL).  With each set, nothing is copied: each() sees every
 * row while the host's values are valid (only during the call) and
 * turns it into what the caller keeps.
 */
typedef struct collect {
	mg_ctx *ctx;
	char ***rows;
	size_t n;
	size_t cap;
	int ncol;
	int rc;                     /* MG_ENOMEM once a copy failed; each()'s error */
	bool done;                  /* each() needs no more rows: the query stops, no error */
	/* per row: MG_OK, or an error code with the context's error set */
	int (*each)(struct collect *c, int ncol, const char *const *vals);
	void *arg;                  /* each()'s state */
	mg_error *saved;            /* each()'s error, kept while the host stops */
} collect;

static int
collect_row(void *arg, int ncol, const char *const *vals)
{
	collect *c = arg;
	char **row;

	/* a catalog read is as long as the catalog: the host may stop it */
	if ((c->rc = mg_interrupt_check(c->ctx)) != MG_OK)
	{
		*c->saved = *mg_ctx_error(c->ctx);
		return 1;
	}
	if (c->each != NULL)
	{
		c->rc = c->each(c, ncol, vals);
		if (c->rc == MG_OK)
			return c->done ? 1 : 0;
		*c->saved = *mg_ctx_error(c->ctx);
		return 1;
	}
	if (mg_grow(c->ctx, &c->rows, &c->cap, c->n, sizeof(char **)) != MG_OK)
		goto nomem;
	row = mg_alloc(c->ctx, sizeof(char *) * (size_t) (c->ncol > 0 ? c->ncol : 1));
	if (row == NULL)
		goto nomem;
	for (int i = 0; i < c->ncol; i++)
	{
		if (i < ncol && vals[i] != NULL)
		{
			row[i] = mg_strdup(c->ctx, vals[i]);
			if (row[i] == NULL)
				goto nomem;
		}
	}
	c->rows[c->n++] = row;
	return 0;

nomem:
	c->rc = MG_ENOMEM;
	return 1;
}

/*
 * Run one statement through the host, or (which non-zero) the host's
 * catalog_rows read which with the statement's parameters.  With c
 * non-NULL the rows are collected (c->ncol columns each) or handed to
 * c->each.  A copy that ran out of memory wins over whatever the host
 * reported after being stopped; so does each()'s error, restored as
 * each() set it.
 */
static int
query_or_read(mg_state *st, int which, const char *sql, int nparams, const char *const *params,
			  collect *c, long *changes)
{
	const mg_host *h = st->host;
	mg_error saved;
	int rc;

	if (which == 0 && sql == NULL)
		return MG_ENOMEM;
	if (c != NULL)
	{
		c->ctx = st->ctx;
		c->rc = MG_OK;
		c->saved = &saved;
	}
	if (which != 0)
	{
		rc = h->catalog_rows(h->ud, st->ctx, which, nparams, params, collect_row, c);
		if (rc != MG_OK && mg_ctx_error(st->ctx)->code == MG_OK)
			mg_error_set(st->ctx, rc, MG_STATE_INTERNAL, "catalog read failed");
	}
	else
		rc = mg_state_host_query(st, sql, nparams, params,
								 c != NULL ? collect_row : NULL, c, changes);
	if (c != NULL && c->rc != MG_OK)
	{
		if (c->rc == MG_ENOMEM)
			return mg_error_nomem(st->ctx);
		*mg_ctx_error_mut(st->ctx) = saved;
		return c->rc;
	}
	return rc;
}

/* One statement through the host (query_or_read). */
static int
query(mg_state *st, const char *sql, int nparams, const char *const *params,
	  collect *c, long *changes)
{
	return query_or_read(st, 0, sql, nparams, params, c, changes);
}

/*
 * One statement through the host, for every module that writes state
 * SQL: NULL sql (a failed mg_printf) is MG_ENOMEM, and a host that
 * failed without saying why gets "database query failed".
 */
int
mg_state_host_query(mg_state *st, const char *sql, int nparams, const char *const *params,
					mg_row_fn row, void *arg, long *changes)
{
	int rc;

	if (sql == NULL)
		return MG_ENOMEM;
	rc = st->host->query(st->host->ud, st->ctx, sql, nparams, params, row, arg, changes);
	if (rc != MG_OK && mg_ctx_error(st->ctx)->code == MG_OK)
		mg_error_set(st->ctx, rc, MG_STATE_INTERNAL, "database query failed");
	return rc;
}

int
mg_state_rows(char ****rows, size_t *n, mg_state *st, const char *sql, int nparams,
			  const char *const *params, int ncol)
{
	collect c = {0};
	int rc;

	c.ncol = ncol;
	rc = query(st, sql, nparams, params, &c, NULL);
	*rows = c.rows;
	*n = rc == MG_OK ? c.n : 0;
	return rc;
}

/*
 * The rows of one of the core's catalog reads: from the host's
 * catalog_rows when it has the slot (no query to run), else from sql.
 * Collected as mg_state_rows collects them.
 */
int
mg_state_catalog_rows(char ****rows, size_t *n, mg_state *st, int which, const char *sql,
					  int nparams, const char *const *params, int ncol)
{
	collect c = {0};
	int rc;

	if (!MG_HOST_HAS(st->host, catalog_rows))
		return mg_state_rows(rows, n, st, sql, nparams, params, ncol);
	c.ncol = ncol;
	rc = query_or_read(st, which, sql, nparams, params, &c, NULL);
	*rows = c.rows;
	*n = rc == MG_OK ? c.n : 0;
	return rc;
}

/* "name" with embedded quotes doubled; NULL when out of memory. */
static char *
quote_ident(mg_ctx *ctx, const char *name)
{
	mg_buf b;
	char *out;

	mg_buf_init(&b, ctx);
	mg_buf_putc(&b, '"');
	for (const char *p = name; *p; p++)
	{
		if (*p == '"')
			mg_buf_putc(&b, '"');
		mg_buf_putc(&b, *p);
	}
	mg_buf_putc(&b, '"');
	if (mg_buf_finish(&b, &out) != MG_OK)
		return NULL;
	return out;
}

/* "schema"."table", or "table" when the host names no schema. */
static char *
qualified(mg_ctx *ctx, const char *schema, const char *table)
{
	char *s, *t;

	t = quote_ident(ctx, table);
	if (t == NULL)
		return NULL;
	if (schema == NULL || schema[0] == '\0')
		return t;
	s = quote_ident(ctx, schema);
	if (s == NULL)
		return NULL;
	return mg_printf(ctx, "%s.%s", s, t);
}

/* Items joined by "," (the catalog's list format); NULL when out of memory. */
static char *
join_list(mg_ctx *ctx, const char *const *items, size_t n)
{
	mg_buf b;
	char *out;

	/* most lists of a catalog row have no item or one: no buffer for them */
	if (n <= 1)
		return mg_strdup(ctx, n ? items[0] : "");
	mg_buf_init(&b, ctx);
	mg_buf_join(&b, items, n, ",");
	if (mg_buf_finish(&b, &out) != MG_OK)
		return NULL;
	return out;
}

/* A comma-separated text in the catalog's list format. */
static char *
normalize_list(mg_ctx *ctx, const char *s)
{
	const char **items;
	size_t n;

	/* without a comma or a blank to trim, s is already in list format */
	if (strpbrk(s, ", \t\r") == NULL)
		return mg_strdup(ctx, s);
	if (mg_split_list(ctx, s, &items, &n) != MG_OK)
		return NULL;
	return join_list(ctx, items, n);
}

static void
host_now(mg_state *st, char *buf, size_t cap)
{
	buf[0] = '\0';
	if (st->host->now != NULL)
		st->host->now(st->host->ud, buf, cap);
}

/* ------------------------------------------------------------------ */
/* Settings                                                            */
/* ------------------------------------------------------------------ */

static const struct setting {
	const char *key;
	const char *def;
} settings[] = {
	{"version_table", "alembic_version"},
	{"branches", ""},
	{"legacy_table", "migrate_version"},
	{"legacy_versions", ""},
	{"base_release", ""},
	/* limits.c: a run's lock and step limits (hosts with mg_host.limits) */
	{"lock_timeout", MG_DEFAULT_LOCK_TIMEOUT},
	{"lock_retries", MG_DEFAULT_LOCK_RETRIES},
	{"statement_timeout", "0"},
	/* PostgreSQL: the loopback connection of "Transactional: false" steps */
	{"online_conninfo", ""},
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

static const struct setting *
find_setting(mg_ctx *ctx, const char *key)
{
	for (size_t i = 0; i < NSETTINGS; i++)
	{
		if (strcmp(settings[i].key, key) == 0)
			return &settings[i];
	}
	mg_error_set(ctx, MG_EINPUT, MG_STATE_UNDEFINED, "unrecognized setting \"%s\"", key);
	mg_error_detail(ctx, "Known settings are: version_table, branches, legacy_table, legacy_versions, base_release, lock_timeout, lock_retries, statement_timeout, online_conninfo.");
	return NULL;
}

/* [A-Za-z_][A-Za-z0-9_]{0,62} */
static bool
valid_table_name(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
	{
		char c = s[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			  (n > 0 && c >= '0' && c <= '9')))
			return false;
	}
	return n >= 1 && n <= 63;
}

/* The engine's own tables, which no setting may name (compared without case). */
static const char *const STATE_TABLES[] = {
	"migrate_catalog", "migrate_log", "migrate_settings", "migrate_catalog_heads",
};

/* Does name (a valid table name) name one of the engine's tables or SQLite's own? */
static bool
engine_table_name(const char *name)
{
	for (size_t i = 0; i < sizeof(STATE_TABLES) / sizeof(STATE_TABLES[0]); i++)
		if (mg_ci_equal(name, strlen(name), STATE_TABLES[i]))
			return true;
	return strlen(name) >= 7 && mg_ci_equal(name, 7, "sqlite_");
}

static int
bad_value(mg_ctx *ctx, const char *key, const char *value, const char *why)
{
	mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
				 "invalid value \"%s\" for setting \"%s\"", value, key);
	mg_error_detail(ctx, "%s", why);
	return MG_EINPUT;
}

/*
 * Check a setting's value and put it in its stored form (lists without
 * blanks).  Returns MG_OK, MG_EINPUT or MG_ENOMEM.
 */
static int
normalize_setting(char **out, mg_ctx *ctx, const char *key, const char *value)
{
	const char **items;
	size_t n;

	*out = NULL;
	if (strcmp(key, "version_table") == 0 || strcmp(key, "legacy_table") == 0)
	{
		if (!valid_table_name(value))
			return bad_value(ctx, key, value,
							 "A table name is 1 to 63 letters, digits or underscores, not starting with a digit.");
		if (engine_table_name(value))
			return bad_value(ctx, key, value, "It names one of the engine's own tables (or SQLite's).");
		*out = mg_strdup(ctx, value);
		return *out != NULL ? MG_OK : MG_ENOMEM;
	}
	if (mg_limits_is_setting(key))
		return mg_limits_normalize(out, ctx, key, value);
	if (strcmp(key, "online_conninfo") == 0)
	{
		/* libpq's keyword=value pairs; the server checks them when it connects */
		for (const char *p = value; *p; p++)
			if ((unsigned char) *p < ' ')
				return bad_value(ctx, key, value,
								 "A connection string is keyword=value pairs on one line, as in \"host=/var/run/postgresql port=5432\".");
		*out = mg_strdup(ctx, value);
		return *out != NULL ? MG_OK : MG_ENOMEM;
	}
	if (mg_split_list(ctx, value, &items, &n) != MG_OK)
		return MG_ENOMEM;
	if (strcmp(key, "base_release") == 0)
	{
		/* one release name, as a Tags entry spells it: 22.01 or release_22.01 */
		if (n > 1)
			return bad_value(ctx, key, value, "It names one release, as in \"22.01\".");
		for (const char *p = n ? items[0] : ""; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				  (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'))
				return bad_value(ctx, key, value,
								 "A release name is letters, digits, '_' and '.', as in \"22.01\" or \"release_22.01\".");
	}
	if (strcmp(key, "legacy_versions") == 0)
	{
		for (size_t i = 0; i < n; i++)
		{
			const char *eq = strchr(items[i], '=');
			const char *a, *b;
			char *item;

			/* items come trimmed: blanks can only sit around '=' */
			if (eq == NULL || strchr(eq + 1, '=') != NULL)
				return bad_value(ctx, key, value,
								 "Each item is branch=version, as in \"gxy=180,tsi=17\".");
			a = eq;
			while (a > items[i] && (a[-1] == ' ' || a[-1] == '\t'))
				a--;
			b = eq + 1;
			while (*b == ' ' || *b == '\t')
				b++;
			if (a == items[i] || *b == '\0')
				return bad_value(ctx, key, value,
								 "Each item is branch=version, as in \"gxy=180,tsi=17\".");
			item = mg_printf(ctx, "%.*s=%s", (int) (a - items[i]), items[i], b);
			if (item == NULL)
				return MG_ENOMEM;
			items[i] = item;
		}
	}
	*out = join_list(ctx, items, n);
	return *out != NULL ? MG_OK : MG_ENOMEM;
}

/* Point st at the version table named name (a validated identifier). */
static int
set_version_names(mg_state *st, const char *name)
{
	st->version_name = mg_strdup(st->ctx, name);
	if (st->version_name == NULL)
		return MG_ENOMEM;
	/*
	 * SQLite: in "main", by name: a temp table of that name (the
	 * session's, or made by a revision body) would otherwise take the
	 * run's version writes.  PostgreSQL: resolve_version_table fixes the
	 * schema when the table is first needed.
	 */
	st->version_table = st->dialect == MG_DIALECT_SQLITE
		? qualified(st->ctx, st->host->state_schema, name) : quote_ident(st->ctx, name);
	if (st->version_table == NULL)
		return MG_ENOMEM;
	st->vt_resolved = false;
	st->vt_foreign = false;
	/* the statements on the old table are formatted again when next needed */
	memset(st->sql_vop, 0, sizeof(st->sql_vop));
	return MG_OK;
}

/* The byte length of a text column, so a value cut short by a NUL byte shows. */
static const char *
byte_length(const mg_state *st)
{
	return st->dialect == MG_DIALECT_POSTGRESQL ? "pg_catalog.octet_length(%s)" : "length(CAST(%s AS BLOB))";
}

/*
 * MG_EINPUT unless the value read (v, and len, its length in bytes as
 * the database counts it) is whole: a NUL byte would cut it short here,
 * and the engine would use another value than the one stored.
 */
static int
setting_whole(mg_state *st, const char *key, const char *v, const char *len)
{
	if (v == NULL || len == NULL || strtol(len, NULL, 10) == (long) strlen(v))
		return MG_OK;
	mg_error_set(st->ctx, MG_EINPUT, MG_STATE_BAD_TARGET, "invalid value stored for setting \"%s\"", key);
	mg_error_detail(st->ctx, "The settings table holds a value with a NUL byte after \"%.200s\". "
					"The engine never writes such a value: the database was edited by hand or made to attack whoever runs the engine.", v);
	mg_error_hint(st->ctx, "Delete the row (DELETE FROM migrate_settings WHERE key = '%s') to use the default, "
				  "or store the value again with migrate_config; then rerun.", key);
	return MG_EINPUT;
}

/*
 * Read a setting: its stored value or its default.  *out lives in the
 * arena.  Errors: MG_EINPUT (MG_STATE_UNDEFINED) for an unknown key,
 * MG_EHOST, MG_ENOMEM.
 */
int
mg_state_get_setting(char **out, mg_state *st, const char *key)
{
	const struct setting *set;
	const char *params[1] = {key};
	collect c = {0};
	char *sql, *len;
	int rc;

	*out = NULL;
	set = find_setting(st->ctx, key);
	if (set == NULL)
		return MG_EINPUT;
	if (st->missing)
		return (*out = mg_strdup(st->ctx, set->def)) != NULL ? MG_OK : MG_ENOMEM;
	if ((len = mg_printf(st->ctx, byte_length(st), "value")) == NULL)
		return MG_ENOMEM;
	sql = mg_printf(st->ctx, "SELECT value, %s FROM %s WHERE key %s $1", len, st->t_settings, st->eq);
	c.ncol = 2;
	rc = query(st, sql, 1, params, &c, NULL);
	if (rc != MG_OK)
		return rc;
	if (c.n > 0 && (rc = setting_whole(st, key, c.rows[0][0], c.rows[0][1])) != MG_OK)
		return rc;
	if (c.n > 0 && c.rows[0][0] != NULL)
		*out = c.rows[0][0];
	else
	{
		*out = mg_strdup(st->ctx, set->def);
		if (*out == NULL)
			return MG_ENOMEM;
	}
	/*
	 * A table name goes into SQL: it is checked here, where it is read,
	 * as when it was written; the settings table is the database's, and
	 * whoever could write it may have put anything there.
	 */
	if ((strcmp(key, "version_table") == 0 || strcmp(key, "legacy_table") == 0) &&
		(!valid_table_name(*out) || engine_table_name(*out)))
	{
		mg_error_set(st->ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
					 "invalid value stored for setting \"%s\"", key);
		mg_error_detail(st->ctx, "The settings table holds \"%.200s\", which is not a table name the engine accepts "
						"(1 to 63 letters, digits or underscores, not starting with a digit, and none of the engine's own tables). "
						"The engine never writes such a value: the database was edited by hand or made to attack whoever runs the engine.",
						*out);
		mg_error_hint(st->ctx, "Delete the row (DELETE FROM migrate_settings WHERE key = '%s') to use the default, "
					  "or store a valid table name; then rerun.", key);
		*out = NULL;
		return MG_EINPUT;
	}
	return MG_OK;
}

/*
 * Read several settings in one query: out[i] is keys[i]'s stored value
 * or its default, in the arena.  Errors as mg_state_get_setting's.
 */
int
mg_state_get_settings(char **out, mg_state *st, const char *const *keys, size_t n)
{
	collect c = {0};
	char *sql, *list, *len;
	mg_buf b;
	int rc;

	mg_buf_init(&b, st->ctx);
	for (size_t i = 0; i < n; i++)
	{
		const struct setting *set = find_setting(st->ctx, keys[i]);

		if (set == NULL)
			return MG_EINPUT;
		out[i] = (char *) set->def;
		/* the keys are the table's own: plain words, no quoting needed */
		mg_buf_printf(&b, "%s'%s'", i ? ", " : "", set->key);
	}
	if (st->missing || n == 0)
		return MG_OK;
	if ((rc = mg_buf_finish(&b, &list)) != MG_OK)
		return rc;
	if ((len = mg_printf(st->ctx, byte_length(st), "value")) == NULL)
		return MG_ENOMEM;
	sql = mg_printf(st->ctx, "SELECT key, value, %s FROM %s WHERE key IN (%s)", len, st->t_settings, list);
	c.ncol = 3;
	if ((rc = query(st, sql, 0, NULL, &c, NULL)) != MG_OK)
		return rc;
	for (size_t r = 0; r < c.n; r++)
		for (size_t i = 0; i < n; i++)
			if (c.rows[r][0] != NULL && c.rows[r][1] != NULL && strcmp(c.rows[r][0], keys[i]) == 0)
			{
				if ((rc = setting_whole(st, keys[i], c.rows[r][1], c.rows[r][2])) != MG_OK)
					return rc;
				out[i] = c.rows[r][1];
			}
	return MG_OK;
}

/*
 * Write a setting (insert or overwrite).  Lists are stored without
 * blanks.  Setting version_table also repoints st.  Errors: MG_EINPUT
 * (MG_STATE_UNDEFINED: unknown key; MG_STATE_BAD_TARGET: invalid
 * value), MG_EHOST, MG_ENOMEM.
 */
int
mg_state_set_setting(mg_state *st, const char *key, const char *value)
{
	const char *params[2];
	char *norm, *sql;
	int rc;

	if (find_setting(st->ctx, key) == NULL)
		return MG_EINPUT;
	rc = normalize_setting(&norm, st->ctx, key, value);
	if (rc != MG_OK)
		return rc;
	sql = mg_printf(st->ctx,
					"INSERT INTO %s (key, value) VALUES ($1, $2) "
					"ON CONFLICT (key) DO UPDATE SET value = excluded.value",
					st->t_settings);
	params[0] = key;
	params[1] = norm;
	rc = query(st, sql, 2, params, NULL, NULL);
	if (rc != MG_OK)
		return rc;
	if (strcmp(key, "version_table") == 0)
		return set_version_names(st, norm);
	return MG_OK;
}

/* ------------------------------------------------------------------ */
/* Opening                                                             */
/* ------------------------------------------------------------------ */

/*
 * The log's (revision, id) index: the newest row of a revision is one
 * seek (migrate_status, migrate_check), however long the log.  A
 * database made before the index existed gets it from its next write
 * command (mg_state_create).
 */
static int
create_log_index(mg_state *st)
{
	char *index, *table;

	if (st->dialect == MG_DIALECT_POSTGRESQL)
	{
		/* PostgreSQL names an index without its schema: it lives in its table's */
		index = quote_ident(st->ctx, "migrate_log_revision");
		table = st->t_log;
	}
	else
	{
		index = qualified(st->ctx, st->host->state_schema, "migrate_log_revision");
		table = quote_ident(st->ctx, "migrate_log");
	}
	if (index == NULL || table == NULL)
		return MG_ENOMEM;
	return query(st, mg_printf(st->ctx, "CREATE INDEX IF NOT EXISTS %s ON %s (revision, id)",
							   index, table), 0, NULL, NULL, NULL);
}

static int
create_state_tables(mg_state *st)
{
	bool pg = st->dialect == MG_DIALECT_POSTGRESQL;
	const char *serial = pg ? "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
		: "INTEGER PRIMARY KEY";
	const char *real = pg ? "DOUBLE PRECISION" : "REAL";
	char *sql;
	int rc;

	sql = mg_printf(st->ctx,
					"CREATE TABLE IF NOT EXISTS %s ("
					"seq %s, "
					"revision TEXT NOT NULL UNIQUE, "
					"down_revisions TEXT NOT NULL DEFAULT '', "
					"branch_labels TEXT NOT NULL DEFAULT '', "
					"depends_on TEXT NOT NULL DEFAULT '', "
					"tags TEXT NOT NULL DEFAULT '', "
					"message TEXT NOT NULL DEFAULT '', "
					"filename TEXT NOT NULL DEFAULT '', "
					"transactional INTEGER NOT NULL DEFAULT 1, "
					"checksum TEXT NOT NULL, "
					"script TEXT NOT NULL, "
					"added_at TEXT NOT NULL, "
					"source_dir TEXT NOT NULL DEFAULT '', "
					"source_missing INTEGER NOT NULL DEFAULT 0)",
					st->t_catalog, serial);
	rc = query(st, sql, 0, NULL, NULL, NULL);
	if (rc != MG_OK)
		return rc;
	sql = mg_printf(st->ctx,
					"CREATE TABLE IF NOT EXISTS %s ("
					"id %s, "
					"revision TEXT, "
					"direction TEXT NOT NULL, "
					"from_revisions TEXT NOT NULL, "
					"to_revisions TEXT NOT NULL, "
					"run_at TEXT NOT NULL, "
					"duration_ms %s NOT NULL, "
					"checksum TEXT, "
					"applied_by TEXT)",
					st->t_log, serial, real);
	rc = query(st, sql, 0, NULL, NULL, NULL);
	if (rc != MG_OK)
		return rc;
	if ((rc = create_log_index(st)) != MG_OK)
		return rc;
	sql = mg_printf(st->ctx,
					"CREATE TABLE IF NOT EXISTS %s ("
					"key TEXT PRIMARY KEY, "
					"value TEXT NOT NULL)",
					st->t_settings);
	rc = query(st, sql, 0, NULL, NULL, NULL);
	if (rc != MG_OK)
		return rc;
	return mg_headcache_create(st);
}

/*
 * Does table name exist in the state schema (SQLite)?  pragma_table_info
 * looks the name up in the schema's hash table; a query on sqlite_master
 * would read the definition of every table and index of the database.
 */
static int
sqlite_table_exists(bool *exists, mg_state *st, const char *schema, const char *name)
{
	const char *params[2] = {name, schema != NULL && schema[0] ? schema : "main"};
	collect c = {0};
	int rc;

	c.ncol = 1;
	rc = query(st, "SELECT 1 FROM pragma_table_info($1, $2) LIMIT 1", 2, params, &c, NULL);
	*exists = rc == MG_OK && c.n > 0;
	return rc;
}

/* The engine's own tables, lowercase, as an SQL list (SQLite's names are case-insensitive). */
#define ENGINE_TABLES \
	"'migrate_catalog', 'migrate_log', 'migrate_settings', 'migrate_catalog_heads', 'migrate_schema_fingerprint'"

/*
 * Do the state tables exist?  (Only asked where the core creates them:
 * SQLite.)  A database made before the heads table existed has the
 * others: it reads as it is, and the next write command adds the table.
 */
static int
state_tables_exist(bool *exists, mg_state *st)
{
	const char *schema = st->host->state_schema;
	const char *params[1] = {schema != NULL && schema[0] ? schema : "main"};
	char *sch = quote_ident(st->ctx, params[0]);
	int rc;
	collect c = {0};

	if (sch == NULL)
		return MG_ENOMEM;
	/* a view in place of an engine table would run its author's SQL on every read */
	c.ncol = 1;
	rc = query(st, mg_printf(st->ctx, "SELECT name FROM %s.sqlite_schema WHERE type = 'view' "
							 "AND lower(name) IN (" ENGINE_TABLES ")",
							 sch), 0, NULL, &c, NULL);
	if (rc != MG_OK)
		return rc;
	if (c.n > 0)
	{
		mg_error_set(st->ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
					 "\"%s\" is not a table", c.rows[0][0] ? c.rows[0][0] : "");
		mg_error_detail(st->ctx, "The database has a view in place of one of the engine's tables; reading it would run "
						"the SQL of whoever made the file.");
		mg_error_hint(st->ctx, "Drop the view (the engine makes its tables again), or open the database this file was "
					  "copied from; nothing was changed.");
		return MG_EINPUT;
	}
	memset(&c, 0, sizeof(c));
	rc = sqlite_table_exists(exists, st, schema, "migrate_settings");
	if (rc != MG_OK || !*exists)
		return rc;
	/* the later additions, in one query: each is a hash lookup */
	c.ncol = 2;
	rc = query(st,
			   "SELECT (SELECT count(*) FROM pragma_table_info('migrate_catalog_heads', $1)), "
			   "(SELECT count(*) FROM pragma_index_info('migrate_log_revision', $1))",
			   1, params, &c, NULL);
	if (rc != MG_OK)
		return rc;
	st->no_heads_table = c.n == 0 || c.rows[0][0] == NULL || strcmp(c.rows[0][0], "0") == 0;
	st->no_log_index = c.n == 0 || c.rows[0][1] == NULL || strcmp(c.rows[0][1], "0") == 0;
	return MG_OK;
}

int
mg_state_create(mg_state *st)
{
	int rc;

	if (!st->missing && !st->no_heads_table && !st->no_log_index)
		return MG_OK;
	if (!st->missing && !st->no_heads_table)
		rc = create_log_index(st);
	else
		rc = create_state_tables(st);
	if (rc == MG_OK)
		st->missing = st->no_heads_table = st->no_log_index = false;
	return rc;
}

/*
 * Prepare state access: fill st, create the state tables when
 * host->creates_state, read the version_table setting.  st lives as long
 * as ctx.  Errors: MG_EINPUT (unsupported dialect), MG_EHOST, MG_ENOMEM.
 */
int
mg_state_open(mg_state *st, mg_ctx *ctx, const mg_host *host)
{
	char *name;
	int rc;

	memset(st, 0, sizeof(*st));
	st->ctx = ctx;
	st->host = host;
	st->dialect = mg_dialect_from_name(host->dialect != NULL ? host->dialect : "");
	/*
	 * PostgreSQL looks operators up through search_path, and a role that
	 * owns a schema early in the caller's path could define its own "=";
	 * every internal comparison names pg_catalog's.
	 */
	st->eq = st->dialect == MG_DIALECT_POSTGRESQL ? "OPERATOR(pg_catalog.=)" : "=";
	if (st->dialect != MG_DIALECT_SQLITE && st->dialect != MG_DIALECT_POSTGRESQL)
	{
		mg_error_set(ctx, MG_EINPUT, MG_STATE_INTERNAL, "unsupported dialect \"%s\"",
					 host->dialect != NULL ? host->dialect : "");
		mg_error_detail(ctx, "The host must be \"sqlite\" or \"postgresql\".");
		return MG_EINPUT;
	}
	st->t_catalog = qualified(ctx, host->state_schema, "migrate_catalog");
	st->t_log = qualified(ctx, host->state_schema, "migrate_log");
	st->t_settings = qualified(ctx, host->state_schema, "migrate_settings");
	st->t_heads = qualified(ctx, host->state_schema, "migrate_catalog_heads");
	if (st->t_catalog == NULL || st->t_log == NULL || st->t_settings == NULL ||
		st->t_heads == NULL)
		return MG_ENOMEM;
	if (host->creates_state)
	{
		bool exists;

		rc = state_tables_exist(&exists, st);
		if (rc != MG_OK)
			return rc;
		st->missing = !exists;
	}
	rc = mg_state_get_setting(&name, st, "version_table");
	if (rc != MG_OK)
		return rc;
	return set_version_names(st, name);
}

/* ------------------------------------------------------------------ */
/* The catalog                                                          */
/* ------------------------------------------------------------------ */

enum { C_REV, C_DOWN, C_LABELS, C_DEPS, C_TAGS, C_MSG, C_FILE, C_TXN, C_SUM, C_NCOL };

/*
 * The items of a catalog list column, cut as mg_split_list cuts them
 * (blanks trimmed, empty items dropped): the next one after *p as
 * [*a, *b), or false at the end.
 */
static bool
list_next(const char **p, const char **a, const char **b)
{
	while (*p != NULL && **p)
	{
		const char *end = strchr(*p, ',');

		*a = *p;
		*b = end ? end : *p + strlen(*p);
		*p = end ? end + 1 : NULL;
		while (*a < *b && (**a == ' ' || **a == '\t'))
			(*a)++;
		while (*b > *a && ((*b)[-1] == ' ' || (*b)[-1] == '\t' || (*b)[-1] == '\r'))
			(*b)--;
		if (*b > *a)
			return true;
	}
	return false;
}

/*
 * One metadata-only script from a catalog row, as one block: the
 * script, then its list arrays, then its strings.  vals are the host's
 * (valid only during the row callback); NULL columns read as "".
 */
static int
script_from_row(mg_script **out, mg_ctx *ctx, int ncol, const char *const *vals)
{
	static const int lists[4] = {C_DOWN, C_LABELS, C_DEPS, C_TAGS};
	static const int texts[3] = {C_REV, C_MSG, C_FILE};
	const char *v[C_NCOL];
	size_t nitems[4] = {0, 0, 0, 0};
	size_t size = sizeof(mg_script);
	const char **arr[4];
	const char *str[3];
	const char **slot;
	mg_script *s;
	char *pool;

	*out = NULL;
	for (int i = 0; i < C_NCOL; i++)
		v[i] = i < ncol && vals[i] != NULL ? vals[i] : "";
	for (int k = 0; k < 4; k++)
	{
		const char *p = v[lists[k]], *a, *b;

		while (list_next(&p, &a, &b))
		{
			nitems[k]++;
			size += sizeof(char *) + (size_t) (b - a) + 1;
		}
	}
	for (int k = 0; k < 3; k++)
		size += strlen(v[texts[k]]) + 1;
	s = mg_alloc(ctx, size);
	if (s == NULL)
		return MG_ENOMEM;
	/* sizeof(mg_script) is a multiple of its alignment, which a pointer's divides */
	slot = (const char **) (s + 1);
	for (int k = 0; k < 4; k++)
	{
		arr[k] = nitems[k] > 0 ? slot : NULL;
		slot += nitems[k];
	}
	pool = (char *) slot;
	for (int k = 0; k < 3; k++)
	{
		size_t n = strlen(v[texts[k]]) + 1;

		memcpy(pool, v[texts[k]], n);
		str[k] = pool;
		pool += n;
	}
	for (int k = 0; k < 4; k++)
	{
		const char *p = v[lists[k]], *a, *b;
		size_t i = 0;

		while (list_next(&p, &a, &b))
		{
			memcpy(pool, a, (size_t) (b - a));
			pool[b - a] = '\0';
			arr[k][i++] = pool;
			pool += b - a + 1;
		}
	}
	s->id = str[0];
	s->down = arr[0];
	s->ndown = nitems[0];
	s->labels = arr[1];
	s->nlabels = nitems[1];
	s->deps = arr[2];
	s->ndeps = nitems[2];
	s->tags = arr[3];
	s->ntags = nitems[3];
	s->message = str[1];
	s->transactional = strcmp(v[C_TXN], "0") != 0;
	s->filename = str[2];
	{
		/* at most 16 hex digits; a longer value is cut, as a bounded copy */
		size_t n = 0;

		while (n < sizeof(s->checksum) - 1 && v[C_SUM][n] != '\0')
			n++;
		memcpy(s->checksum, v[C_SUM], n);
		s->checksum[n] = '\0';
	}
	s->body_dirs = 0;
	*out = s;
	return MG_OK;
}

/* load_map's row callback: the row's script, added to the map (c->arg). */
static int
map_row(collect *c, int ncol, const char *const *vals)
{
	mg_script *s;
	int rc = script_from_row(&s, c->ctx, ncol, vals);

	if (rc != MG_OK)
		return rc;
	return mg_revmap_add(c->arg, s);
}

/*
 * Load the catalog's metadata, in catalog order, into a built revision
 * map whose scripts have no bodies (body_dirs 0; use
 * mg_state_load_script for a body).  Errors: MG_EHOST, MG_ENOMEM, and
 * the graph errors of mg_revmap_build.
 */
int
mg_state_load_map(mg_revmap **out, mg_state *st)
{
	collect c = {0};
	mg_revmap *map;
	char *sql;
	int rc;

	*out = NULL;
	if (st->missing)
	{
		if ((rc = mg_revmap_new(&map, st->ctx)) != MG_OK || (rc = mg_revmap_build(map)) != MG_OK)
			return rc;
		*out = map;
		return MG_OK;
	}
	/* a command that reports no message (offline SQL) does not keep 10,000 of them */
	sql = mg_printf(st->ctx,
					"SELECT revision, down_revisions, branch_labels, depends_on, tags, "
					"%s, filename, transactional, checksum FROM %s ORDER BY seq",
					st->no_messages ? "''" : "message", st->t_catalog);
	rc = mg_revmap_new(&map, st->ctx);
	if (rc != MG_OK)
		return rc;
	/* each row becomes its script as it arrives: no copy of the rows */
	c.ncol = C_NCOL;
	c.each = map_row;
	c.arg = map;
	rc = query(st, sql, 0, NULL, &c, NULL);
	if (rc != MG_OK)
		return rc;
	rc = mg_revmap_build(map);
	if (rc != MG_OK)
		return rc;
	*out = map;
	return MG_OK;
}

/* load_script's row callback: the script parsed from the host's text (c->arg). */
static int
script_row(collect *c, int ncol, const char *const *vals)
{
	const char *text = ncol > 0 && vals[0] != NULL ? vals[0] : "";

	return mg_script_parse(c->arg, c->ctx, text, strlen(text),
						   ncol > 1 && vals[1] != NULL ? vals[1] : "");
}

/*
 * Load and parse one revision's full script.  *out lives in the arena.
 * Errors: MG_EINPUT (MG_STATE_UNDEFINED) when the revision is not in the
 * catalog, the parser's errors, MG_EHOST, MG_ENOMEM.
 */
int
mg_state_load_script(const mg_script **out, mg_state *st, const char *id)
{
	const char *params[1] = {id};
	collect c = {0};
	mg_script *s = NULL;
	char *sql;
	int rc;

	*out = NULL;
	sql = mg_printf(st->ctx, "SELECT script, filename FROM %s WHERE revision %s $1",
					st->t_catalog, st->eq);
	/* parsed while the host holds the row: the parser keeps its own copy */
	c.ncol = 2;
	c.each = script_row;
	c.arg = &s;
	rc = query(st, sql, 1, params, &c, NULL);
	if (rc != MG_OK)
		return rc;
	if (s == NULL)
	{
		mg_error_set(st->ctx, MG_EINPUT, MG_STATE_UNDEFINED,
					 "revision \"%s\" is not in the catalog", id);
		mg_error_hint(st->ctx, "Add it with migrate_load() or migrate_add().");
		return MG_EINPUT;
	}
	/* the row's key and its text must agree, as offline SQL requires (mg_script_find_body) */
	if (strcmp(s->id, id) != 0)
	{
		mg_error_set(st->ctx, MG_EINPUT, MG_STATE_SYNTAX,
					 "script of revision \"%s\" declares revision \"%s\"", id, s->id);
		if (s->filename[0])
			mg_error_detail(st->ctx, "Its \"Revision ID\" line (file \"%s\") names another revision.", s->filename);
		mg_error_hint(st->ctx, "Load the script again with migrate_load() or migrate_add().");
		return MG_EINPUT;
	}
	*out = s;
	return MG_OK;
}

/* What load_scripts' row callback needs. */
typedef struct bodies {
	mg_revmap *map;
	const uint8_t *want;
	int dialect;
} bodies;

/*
 * load_scripts' row callback: a wanted revision's metadata script gets
 * its bodies from the host's text, which is parsed where it lies.
 */
static int
bodies_row(collect *c, int ncol, const char *const *vals)
{
	bodies *b = c->arg;
	const char *text;
	mg_script *s;
	int r;

	if (ncol < 2 || vals[0] == NULL)
		return MG_OK;
	r = mg_revmap_find(b->map, vals[0]);
	if (r < 0 || !b->want[r])
		return MG_OK;
	s = (mg_script *) mg_revmap_rev(b->map, r)->script;
	if ((s->body_dirs & b->want[r]) == b->want[r])
		return MG_OK;
	text = vals[1] != NULL ? vals[1] : "";
	/*
	 * A metadata script comes from script_from_row, in this arena and
	 * not const: it is completed in place, so no second copy of its
	 * metadata is made.
	 */
	return mg_script_load_bodies(s, c->ctx, text, strlen(text), b->dialect,
								 b->want[r] | s->body_dirs);
}

/*
 * Give the revisions marked in want[] (indices of map, a map from
 * mg_state_load_map) their bodies, with one query over the catalog.
 * For plans with many steps, where one query per step would dominate.
 * Only what a run in the state's dialect reads is kept: for each
 * direction want[i] names (MG_BODY_* bits) the section
 * mg_script_body(s, up, st->dialect) returns, the checksum, the
 * Transactional flag (see mg_script_load_bodies); a revision that holds
 * those directions already is left as it is.  Errors: the parser's (naming
 * the file), MG_EHOST, MG_ENOMEM.
 */
int
mg_state_load_scripts(mg_state *st, mg_revmap *map, const uint8_t *want)
{
	collect c = {0};
	bodies b;
	char *sql;

	sql = mg_printf(st->ctx, "SELECT revision, script FROM %s ORDER BY seq",
					st->t_catalog);
	b.map = map;
	b.want = want;
	b.dialect = st->dialect;
	c.ncol = 2;
	c.each = bodies_row;
	c.arg = &b;
	return query(st, sql, 0, NULL, &c, NULL);
}

/* Revisions asked for by one query of mg_state_stream_bodies. */
#define STREAM_BATCH 1000

/* What stream_row needs. */
typedef struct stream {
	const char *const *ids;
	size_t n;
	size_t k;               /* rows seen */
	mg_body_fn fn;
	void *arg;
} stream;

static int
not_in_catalog(mg_ctx *ctx, const char *id)
{
	mg_error_set(ctx, MG_EINPUT, MG_STATE_UNDEFINED, "revision \"%s\" is not in the catalog", id);
	mg_error_hint(ctx, "Add it with migrate_load() or migrate_add().");
	return MG_EINPUT;
}

/*
 * stream_bodies' row callback: the k-th row must be ids[k]'s (the
 * query keeps the order of the list, and a revision the catalog lacks
 * yields no row), then it goes to the caller while the host holds it.
 */
static int
stream_row(collect *c, int ncol, const char *const *vals)
{
	stream *sm = c->arg;
	const char *id, *text;

	if (sm->k >= sm->n)
		return mg_error_set(c->ctx, MG_EINPUT, MG_STATE_INTERNAL,
							"the catalog returned more rows than the revisions asked for");
	id = sm->ids[sm->k];
	if (ncol < 2 || vals[0] == NULL || strcmp(vals[0], id) != 0)
		return not_in_catalog(c->ctx, id);
	text = vals[1] != NULL ? vals[1] : "";
	return sm->fn(sm->arg, sm->k++, text, strlen(text));
}

/* Append s as an element of the query's list: a JSON string (SQLite) or a quoted array item. */
static void
put_list_item(mg_buf *b, const char *s)
{
	mg_buf_putc(b, '"');
	for (; *s; s++)
	{
		if (*s == '"' || *s == '\\')
			mg_buf_putc(b, '\\');
		mg_buf_putc(b, *s);
	}
	mg_buf_putc(b, '"');
}

/*
 * Hand the full texts of revisions ids[0..n) to fn, one at a
 * time and in that order, each valid only during its call: one query
 * whose rows follow the list (SQLite: json_each driving a CROSS JOIN;
 * PostgreSQL: unnest WITH ORDINALITY, ordered by it), so that no text
 * is held after its turn.  Errors: fn's, MG_EINPUT (MG_STATE_UNDEFINED)
 * for a revision the catalog lacks, MG_EHOST, MG_ENOMEM.
 */
int
mg_state_stream_bodies(mg_state *st, const char *const *ids, size_t n, mg_body_fn fn, void *arg)
{
	bool pg = st->dialect == MG_DIALECT_POSTGRESQL;
	const char *params[1];
	collect c = {0};
	stream sm;
	mg_buf list;
	char *sql;
	int rc;

	if (n == 0)
		return MG_OK;
	if (st->missing)
		return not_in_catalog(st->ctx, ids[0]);
	if (pg)
		/*
		 * One index lookup per id, in the list's order: LIMIT keeps the
		 * planner from turning the lateral lookup into a hash join over
		 * the whole catalog and a sort of the batch.
		 */
		sql = mg_printf(st->ctx,
						"SELECT c.revision, c.script FROM pg_catalog.unnest(CAST($1 AS pg_catalog.text[])) "
						"WITH ORDINALITY AS u(revision, ord) CROSS JOIN LATERAL "
						"(SELECT m.revision, m.script FROM %s AS m WHERE m.revision OPERATOR(pg_catalog.=) u.revision LIMIT 1) AS c "
						"ORDER BY u.ord",
						st->t_catalog);
	else
		sql = mg_printf(st->ctx,
						"SELECT c.revision, c.script FROM json_each($1) AS j "
						"CROSS JOIN %s AS c ON c.revision = j.value",
						st->t_catalog);
	sm.ids = ids;
	sm.k = 0;
	sm.fn = fn;
	sm.arg = arg;
	c.ncol = 2;
	c.each = stream_row;
	c.arg = &sm;
	mg_buf_init(&list, st->ctx);
	/* in batches: the list, the host's copy of it and its parse stay small */
	while (sm.k < n)
	{
		sm.n = sm.k + STREAM_BATCH < n ? sm.k + STREAM_BATCH : n;
		list.len = 0;
		mg_buf_putc(&list, pg ? '{' : '[');
		for (size_t i = sm.k; i < sm.n; i++)
		{
			if (i > sm.k)
				mg_buf_putc(&list, ',');
			put_list_item(&list, ids[i]);
		}
		mg_buf_putc(&list, pg ? '}' : ']');
		if (list.failed)
			return MG_ENOMEM;
		params[0] = list.p;
		if ((rc = query(st, sql, 1, params, &c, NULL)) != MG_OK)
			return rc;
		if (sm.k < sm.n)
			return not_in_catalog(st->ctx, ids[sm.k]);
	}
	mg_release(st->ctx, list.p, list.cap);
	return MG_OK;
}

/*
 * Insert a revision into the catalog (the database assigns seq), or with
 * replace overwrite its row in place, keeping seq (inserting when there
 * is none).  s must be a parsed script with its text.  Errors: MG_EHOST
 * (e.g. a duplicate revision without replace), MG_ENOMEM.
 */
int
mg_state_put_script(mg_state *st, const mg_script *s, bool replace)
{
	const char *params[13];
	char *sql;
	long changes = 0;
	int rc, np = st->has_source ? 13 : 11;

	if (mg_script_text(s) == NULL || s->body_dirs != MG_BODY_BOTH)
		return mg_error_set(st->ctx, MG_EINPUT, MG_STATE_INTERNAL,
							"revision \"%s\" has no script text to store", s->id);
	/* a batch is added at one moment: the host's clock is read once */
	if (st->added_at[0] == '\0')
		host_now(st, st->added_at, sizeof(st->added_at));
	params[0] = s->id;
	params[1] = join_list(st->ctx, s->down, s->ndown);
	params[2] = join_list(st->ctx, s->labels, s->nlabels);
	params[3] = join_list(st->ctx, s->deps, s->ndeps);
	params[4] = join_list(st->ctx, s->tags, s->ntags);
	params[5] = s->message != NULL ? s->message : "";
	params[6] = s->filename != NULL ? s->filename : "";
	params[7] = s->transactional ? "1" : "0";
	params[8] = s->checksum;
	params[9] = mg_script_text(s);
	params[10] = st->added_at;
	/* a load records its directory; migrate_add makes the row inline */
	params[11] = st->source != NULL ? st->source : "";
	params[12] = "0";
	for (int i = 1; i <= 4; i++)
	{
		if (params[i] == NULL)
			return MG_ENOMEM;
	}
	if (replace)
	{
		sql = mg_printf(st->ctx,
						"UPDATE %s SET down_revisions = $2, branch_labels = $3, "
						"depends_on = $4, tags = $5, message = $6, filename = $7, "
						"transactional = CAST($8 AS INTEGER), checksum = $9, "
						"script = $10, added_at = $11%s WHERE revision %s $1",
						st->t_catalog,
						st->has_source ? ", source_dir = $12, source_missing = CAST($13 AS INTEGER)" : "",
						st->eq);
		rc = query(st, sql, np, params, NULL, &changes);
		if (rc != MG_OK || changes > 0)
			return rc;
	}
	/* one text for every insert of a load: formatted once per state */
	if (st->sql_put == NULL)
		st->sql_put = mg_printf(st->ctx,
								"INSERT INTO %s (revision, down_revisions, branch_labels, depends_on, "
								"tags, message, filename, transactional, checksum, script, added_at%s) "
								"VALUES ($1, $2, $3, $4, $5, $6, $7, CAST($8 AS INTEGER), $9, $10, $11%s)",
								st->t_catalog,
								st->has_source ? ", source_dir, source_missing" : "",
								st->has_source ? ", $12, CAST($13 AS INTEGER)" : "");
	return query(st, st->sql_put, np, params, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* Where revisions came from                                           */
/* ------------------------------------------------------------------ */

int
mg_state_check_source(mg_state *st, bool write)
{
	const char *params[1];
	collect c = {0};
	const char *sql;
	int rc;

	st->has_source = false;
	if (st->missing)
		return MG_OK;
	if (st->dialect == MG_DIALECT_POSTGRESQL)
	{
		/* the catalog's name as the state schema qualifies it, immune to search_path */
		params[0] = st->t_catalog;
		sql = "SELECT 1 FROM pg_catalog.pg_attribute "
			"WHERE attrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1) "
			"AND attname OPERATOR(pg_catalog.=) 'source_missing' AND NOT attisdropped";
	}
	else
	{
		params[0] = st->host->state_schema != NULL && st->host->state_schema[0]
			? st->host->state_schema : "main";
		sql = "SELECT 1 FROM pragma_table_info('migrate_catalog', $1) WHERE name = 'source_missing'";
	}
	c.ncol = 1;
	if ((rc = query(st, sql, 1, params, &c, NULL)) != MG_OK)
		return rc;
	st->has_source = c.n > 0;
	if (st->has_source || !write || !st->host->creates_state)
		return MG_OK;
	/* a catalog made before the columns: upgraded in place, every row kept as inline */
	if ((rc = query(st, mg_printf(st->ctx, "ALTER TABLE %s ADD COLUMN source_dir TEXT NOT NULL DEFAULT ''",
								  st->t_catalog), 0, NULL, NULL, NULL)) != MG_OK ||
		(rc = query(st, mg_printf(st->ctx, "ALTER TABLE %s ADD COLUMN source_missing INTEGER NOT NULL DEFAULT 0",
								  st->t_catalog), 0, NULL, NULL, NULL)) != MG_OK)
		return rc;
	st->has_source = true;
	st->sql_put = NULL;
	return MG_OK;
}

/* What source_row needs. */
typedef struct sources {
	const mg_revmap *map;
	mg_source *out;
} sources;

/* mg_state_sources' row callback: revision, source_dir, source_missing. */
static int
source_row(collect *c, int ncol, const char *const *vals)
{
	sources *so = c->arg;
	int r;
	char *dir;

	if (ncol < 3 || vals[0] == NULL)
		return MG_OK;
	r = mg_revmap_find(so->map, vals[0]);
	if (r < 0)
		return MG_OK;
	if (vals[1] != NULL && vals[1][0] != '\0')
	{
		if ((dir = mg_strdup(c->ctx, vals[1])) == NULL)
			return MG_ENOMEM;
		so->out[r].dir = dir;
	}
	so->out[r].missing = vals[2] != NULL && strcmp(vals[2], "0") != 0;
	return MG_OK;
}

int
mg_state_sources(mg_source **out, mg_state *st, const mg_revmap *map)
{
	size_t n = mg_revmap_count(map);
	collect c = {0};
	sources so;
	char *sql;

	*out = mg_alloc(st->ctx, (n + 1) * sizeof(mg_source));
	if (*out == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < n; i++)
		(*out)[i].dir = "";
	if (!st->has_source || n == 0)
		return MG_OK;
	/* most rows of a catalog are inline or present: only the others carry text */
	sql = mg_printf(st->ctx, "SELECT revision, source_dir, source_missing FROM %s "
					"WHERE source_dir <> '' OR source_missing <> 0", st->t_catalog);
	so.map = map;
	so.out = *out;
	c.ncol = 3;
	c.each = source_row;
	c.arg = &so;
	return query(st, sql, 0, NULL, &c, NULL);
}

int
mg_state_set_source(mg_state *st, const char *id, const char *dir, const char *filename,
					bool missing)
{
	const char *params[4] = {id, dir, filename, missing ? "1" : "0"};
	char *sql = mg_printf(st->ctx,
						  "UPDATE %s SET source_dir = $2, filename = $3, "
						  "source_missing = CAST($4 AS INTEGER) WHERE revision = $1",
						  st->t_catalog);

	return query(st, sql, 4, params, NULL, NULL);
}

int
mg_state_remove_script(mg_state *st, const char *id)
{
	const char *params[1] = {id};
	char *sql = mg_printf(st->ctx, "DELETE FROM %s WHERE revision = $1", st->t_catalog);

	return query(st, sql, 1, params, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* The version table                                                   */
/* ------------------------------------------------------------------ */

/*
 * Whether the version table exists, and that it is one: its only column
 * is version_num.  The setting may name any table (a user's `users`),
 * and the engine deletes and updates rows of the version table, so a
 * table of another shape is refused before anything touches it.
 */
/*
 * PostgreSQL: fix the version table's schema for the rest of the
 * command, the first time it is needed.  Alembic names the table
 * unqualified: the table search_path finds, or, when there is none, one
 * made in the first schema of search_path (current_schema()).  From
 * then on every statement names it schema-qualified, so a revision that
 * changes search_path cannot move the run's version writes elsewhere.
 * Also: a relation that is not a plain table (a view would run its
 * owner's functions as the caller) is refused, and whether the running
 * role or the extension's owner owns it is noted (a table another role
 * owns may carry that role's triggers: write commands refuse it).
 */
static int
resolve_version_table(mg_state *st)
{
	const char *params[1] = {st->version_name};
	collect c = {0};
	char *schema, *name;
	int rc;

	if (st->vt_resolved || st->dialect != MG_DIALECT_POSTGRESQL)
		return MG_OK;
	c.ncol = 4;
	rc = query(st,
			   "SELECT n.nspname, c.relkind, pg_catalog.pg_get_userbyid(c.relowner), "
			   "CAST(c.relowner OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r "
			   "WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) "
			   "OR c.relowner OPERATOR(pg_catalog.=) (SELECT e.extowner FROM pg_catalog.pg_extension e "
			   "WHERE e.extname OPERATOR(pg_catalog.=) 'migrate') AS INTEGER) "
			   "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
			   "ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
			   "WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.quote_ident($1)) "
			   "UNION ALL SELECT pg_catalog.current_schema(), NULL, NULL, NULL "
			   "WHERE pg_catalog.to_regclass(pg_catalog.quote_ident($1)) IS NULL",
			   1, params, &c, NULL);
	if (rc != MG_OK)
		return rc;
	if (c.n != 1 || c.rows[0][0] == NULL)
		return MG_OK;       /* no schema to create in: CREATE TABLE says so */
	if (c.rows[0][1] != NULL && strcmp(c.rows[0][1], "r") != 0 && strcmp(c.rows[0][1], "p") != 0)
	{
		mg_error_set(st->ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
					 "\"%s\" in schema \"%s\" is not a table", st->version_name, c.rows[0][0]);
		mg_error_detail(st->ctx, "The version table's name finds a relation of another kind (relkind %s, owner \"%s\"); "
						"reading it could run code of its owner's choosing.", c.rows[0][1],
						c.rows[0][2] ? c.rows[0][2] : "");
		mg_error_hint(st->ctx, "Drop or rename that relation if it is not yours, or point the setting at the real version table: SELECT migrate_config('version_table', '<name>'); nothing was changed.");
		return MG_EINPUT;
	}
	st->vt_foreign = c.rows[0][3] != NULL && strcmp(c.rows[0][3], "0") == 0;
	st->vt_owner = c.rows[0][2];
	schema = quote_ident(st->ctx, c.rows[0][0]);
	name = quote_ident(st->ctx, st->version_name);
	if (schema == NULL || name == NULL ||
		(st->version_table = mg_printf(st->ctx, "%s.%s", schema, name)) == NULL)
		return MG_ENOMEM;
	memset(st->sql_vop, 0, sizeof(st->sql_vop));
	st->vt_resolved = true;
	return MG_OK;
}

/*
 * mine: the running role and every role it is a member of.  Membership
 * is followed through pg_auth_members, not pg_has_role: a superuser is a
 * member of every role there, and would trust anyone.
 * UNTRUSTED_ROWS: the catalog rows whose author the running role does
 * not trust, as (revision, added_by) rows.
 */
#define MINE_CTE \
	"WITH RECURSIVE mine(oid) AS (" \
	"SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER " \
	"UNION SELECT a.roleid FROM pg_catalog.pg_auth_members a JOIN mine m ON a.member OPERATOR(pg_catalog.=) m.oid)"
#define UNTRUSTED_ROWS \
	MINE_CTE ", " \
	"trusted(names) AS (SELECT pg_catalog.string_to_array(pg_catalog.replace(COALESCE(" \
	"pg_catalog.current_setting('migrate.trusted_roles', true), ''), ' ', ''), ',')) " \
	"SELECT c.revision, c.added_by FROM %s c, trusted t " \
	"WHERE c.added_by IS NOT NULL " \
	"AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) c.added_by " \
	"AND (r.rolsuper OR r.oid OPERATOR(pg_catalog.=) ANY (SELECT m.oid FROM mine m))) " \
	"AND NOT c.added_by OPERATOR(pg_catalog.=) ANY (t.names) " \
	"AND NOT '*' OPERATOR(pg_catalog.=) ANY (t.names)"

/* Does the catalog record its authors (PostgreSQL, extension 1.1 and later)? */
static int
records_authors(bool *out, mg_state *st)
{
	collect c = {0};
	const char *params[1] = {st->t_catalog};
	int rc;

	*out = false;
	if (st->dialect != MG_DIALECT_POSTGRESQL || st->missing)
		return MG_OK;
	c.ncol = 1;
	rc = query(st, "SELECT 1 FROM pg_catalog.pg_attribute a "
			   "WHERE a.attrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1) "
			   "AND a.attname OPERATOR(pg_catalog.=) 'added_by' AND NOT a.attisdropped",
			   1, params, &c, NULL);
	*out = rc == MG_OK && c.n > 0;
	return rc;
}

int
mg_state_authors(char ****untrusted, size_t *nuntrusted, char ****authors, size_t *nauthors,
				 mg_state *st)
{
	collect c = {0}, a = {0};
	bool has;
	char *sql;
	int rc;

	*untrusted = *authors = NULL;
	*nuntrusted = *nauthors = 0;
	if ((rc = records_authors(&has, st)) != MG_OK || !has)
		return rc;
	c.ncol = 2;
	if ((sql = mg_printf(st->ctx, UNTRUSTED_ROWS, st->t_catalog)) == NULL)
		return MG_ENOMEM;
	if ((rc = query(st, sql, 0, NULL, &c, NULL)) != MG_OK)
		return rc;
	a.ncol = 2;
	sql = mg_printf(st->ctx, "SELECT COALESCE(added_by, 'unknown'), CAST(pg_catalog.count(*) AS TEXT) "
					"FROM %s GROUP BY 1 ORDER BY pg_catalog.min(seq)", st->t_catalog);
	if ((rc = query(st, sql, 0, NULL, &a, NULL)) != MG_OK)
		return rc;
	*untrusted = c.rows;
	*nuntrusted = c.n;
	*authors = a.rows;
	*nauthors = a.n;
	return MG_OK;
}

int
mg_state_check_trust(mg_state *st, const mg_revmap *map, const mg_plan *plan)
{
	collect c = {0};
	bool has;
	char *sql;
	int rc;

	if (plan->n == 0)
		return MG_OK;
	/* extension 1.0 has no added_by column: nothing is recorded, nothing refused */
	if ((rc = records_authors(&has, st)) != MG_OK || !has)
		return rc;
	c.ncol = 2;
	if ((sql = mg_printf(st->ctx, UNTRUSTED_ROWS, st->t_catalog)) == NULL)
		return MG_ENOMEM;
	if ((rc = query(st, sql, 0, NULL, &c, NULL)) != MG_OK)
		return rc;
	for (size_t i = 0; i < plan->n; i++)
	{
		const mg_step *step = &plan->steps[i];
		const char *id;

		if (step->rev < 0)
			continue;
		id = mg_revmap_rev(map, step->rev)->id;
		for (size_t k = 0; k < c.n; k++)
			if (c.rows[k][0] != NULL && strcmp(c.rows[k][0], id) == 0)
			{
				const char *who = c.rows[k][1] ? c.rows[k][1] : "";

				mg_error_set(st->ctx, MG_EINPUT, "42501",
							 "revision %s was added by role \"%s\", which the running role does not trust", id, who);
				mg_error_detail(st->ctx, "A run executes the catalog's SQL with the running role's privileges; "
								"it runs revisions added by that role, by a role it is a member of, or by a superuser, "
								"and others only when trusted explicitly.");
				mg_error_hint(st->ctx, "Review the revision (SELECT script FROM migrate_catalog WHERE revision = '%s'); "
							  "then trust its author for this session (SET migrate.trusted_roles = '%s'), "
							  "or add it again yourself with migrate_add. Nothing was changed.", id, who);
				return MG_EINPUT;
			}
	}
	return MG_OK;
}

int
mg_state_check_version_owner(mg_state *st)
{
	int rc;

	if ((rc = resolve_version_table(st)) != MG_OK || !st->vt_foreign)
		return rc;
	mg_error_set(st->ctx, MG_EINPUT, "42501",
				 "the version table %s is owned by role \"%s\"", st->version_table,
				 st->vt_owner ? st->vt_owner : "");
	mg_error_detail(st->ctx, "A run writes the version table, and the owner of a table decides what its triggers run; "
					"the engine writes only a table owned by the running role or by the extension's owner.");
	mg_error_hint(st->ctx, "If that role is trusted, give the table to the running role (ALTER TABLE %s OWNER TO CURRENT_USER); "
				  "if it is not, drop the table or put the version table's schema first in search_path; nothing was changed.",
				  st->version_table);
	return MG_EINPUT;
}

/*
 * The engine's own triggers on SQLite (headcache.c), as SQLite keeps
 * their text: today's, and the first version's (no WHEN clause), which
 * databases made then still carry.
 */
static bool
engine_trigger(const char *name, const char *table, const char *sql)
{
	static const char *const events[] = {"INSERT", "UPDATE", "DELETE"};
	char want[512];

	if (name == NULL || table == NULL || sql == NULL || strcmp(table, "migrate_catalog") != 0)
		return false;
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
	{
		if (strlen(name) != 16 + strlen(events[i]) || strncmp(name, "migrate_catalog_", 16) != 0 ||
			strcmp(name + 16, events[i]) != 0)
			continue;
		snprintf(want, sizeof(want), "CREATE TRIGGER \"migrate_catalog_%s\" AFTER %s ON \"migrate_catalog\" "
				 "WHEN EXISTS (SELECT 1 FROM \"migrate_catalog_heads\") BEGIN DELETE FROM \"migrate_catalog_heads\"; END",
				 events[i], events[i]);
		if (strcmp(sql, want) == 0)
			return true;
		snprintf(want, sizeof(want), "CREATE TRIGGER \"migrate_catalog_%s\" AFTER %s ON \"migrate_catalog\" "
				 "BEGIN DELETE FROM \"migrate_catalog_heads\"; END", events[i], events[i]);
		return strcmp(sql, want) == 0;
	}
	return false;
}

/*
 * Refuse a write command when the tables it writes carry a trigger that
 * no one the running role trusts wrote: a trigger runs its code with the
 * caller's privileges on every run, and no report shows it (a
 * revision's SQL is in migrate_plan; a trigger's is not).
 *   - The engine's own tables (catalog, log, settings, kept heads, the
 *     schema's fingerprint) carry only the engine's triggers: on
 *     PostgreSQL those whose function belongs to the extension, on
 *     SQLite the three that empty the kept heads, by their exact text.
 *   - The version table is the user's, as in Alembic: its triggers are
 *     allowed, except on PostgreSQL those whose function is owned by a
 *     role the running role does not trust (as for catalog rows: itself,
 *     a role it is a member of, a superuser, the extension's owner); a
 *     table owned by someone else is refused by
 *     mg_state_check_version_owner when a run writes it.  SQLite has no
 *     roles: a file's triggers are its maker's, and SQLite keeps the
 *     functions that reach outside the file (writefile, load_extension)
 *     out of triggers.
 * Errors: MG_EINPUT (MG_STATE_PREREQUISITE) naming the trigger and its
 * table, MG_EHOST, MG_ENOMEM.
 */
int
mg_state_check_triggers(mg_state *st)
{
	collect c = {0};
	const char *params[6];
	int rc;

	if (st->missing)
		return MG_OK;
	if ((rc = resolve_version_table(st)) != MG_OK)
		return rc;
	c.ncol = 3;
	if (st->dialect == MG_DIALECT_POSTGRESQL)
	{
		/* a version table of another owner: its own check, when a run writes it */
		params[0] = st->vt_foreign ? "" : st->version_table;
		params[1] = st->t_catalog;
		params[2] = st->t_log;
		params[3] = st->t_settings;
		params[4] = st->t_heads;
		if ((params[5] = qualified(st->ctx, st->host->state_schema, "migrate_schema_fingerprint")) == NULL)
			return MG_ENOMEM;
		rc = query(st,
				   MINE_CTE " "
				   "SELECT t.tgname, c.relname, NULL FROM pg_catalog.pg_trigger t "
				   "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid "
				   "WHERE NOT t.tgisinternal AND (("
				   "t.tgrelid OPERATOR(pg_catalog.=) ANY (ARRAY["
				   "CAST(pg_catalog.to_regclass($2) AS pg_catalog.oid), CAST(pg_catalog.to_regclass($3) AS pg_catalog.oid), "
				   "CAST(pg_catalog.to_regclass($4) AS pg_catalog.oid), CAST(pg_catalog.to_regclass($5) AS pg_catalog.oid), "
				   "CAST(pg_catalog.to_regclass($6) AS pg_catalog.oid)]) "
				   "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e "
				   "ON e.oid OPERATOR(pg_catalog.=) d.refobjid WHERE e.extname OPERATOR(pg_catalog.=) 'migrate' "
				   "AND d.objid OPERATOR(pg_catalog.=) t.tgfoid AND d.deptype OPERATOR(pg_catalog.=) 'e')) "
				   "OR ($1 OPERATOR(pg_catalog.<>) '' "
				   "AND t.tgrelid OPERATOR(pg_catalog.=) CAST(pg_catalog.to_regclass($1) AS pg_catalog.oid) "
				   "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_roles r "
				   "ON r.oid OPERATOR(pg_catalog.=) p.proowner WHERE p.oid OPERATOR(pg_catalog.=) t.tgfoid "
				   "AND (r.rolsuper OR r.oid OPERATOR(pg_catalog.=) ANY (SELECT m.oid FROM mine m) "
				   "OR r.oid OPERATOR(pg_catalog.=) (SELECT e.extowner FROM pg_catalog.pg_extension e "
				   "WHERE e.extname OPERATOR(pg_catalog.=) 'migrate'))))) "
				   "ORDER BY 2, 1",
				   6, params, &c, NULL);
	}
	else
		rc = query(st,
				   "SELECT name, tbl_name, sql FROM main.sqlite_schema WHERE type = 'trigger' "
				   "AND lower(tbl_name) IN (" ENGINE_TABLES ") ORDER BY 2, 1",
				   0, NULL, &c, NULL);
	if (rc != MG_OK)
		return rc;
	for (size_t i = 0; i < c.n; i++)
	{
		const char *name = c.rows[i][0] ? c.rows[i][0] : "", *table = c.rows[i][1] ? c.rows[i][1] : "";

		if (st->dialect == MG_DIALECT_SQLITE && engine_trigger(c.rows[i][0], c.rows[i][1], c.rows[i][2]))
			continue;
		mg_error_set(st->ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
					 "table \"%.100s\" has a trigger the engine does not trust: \"%.100s\"", table, name);
		mg_error_detail(st->ctx, "A run writes this table; the trigger would run its code with the caller's privileges, "
						"and no report shows it. %s",
						st->dialect == MG_DIALECT_POSTGRESQL
						? "The engine's tables carry only the extension's triggers; the version table only triggers "
						"whose function is owned by the running role, a role it is a member of, a superuser or the extension's owner."
						: "The engine's tables carry only the engine's own triggers.");
		mg_error_hint(st->ctx, "Drop the trigger (DROP TRIGGER \"%.100s\"%s%.100s%s) and rerun; nothing was changed.",
					  name, st->dialect == MG_DIALECT_POSTGRESQL ? " ON \"" : "",
					  st->dialect == MG_DIALECT_POSTGRESQL ? table : "",
					  st->dialect == MG_DIALECT_POSTGRESQL ? "\"" : "");
		return MG_EINPUT;
	}
	return MG_OK;
}

static int
version_table_exists(bool *exists, mg_state *st)
{
	const char *params[1] = {st->version_name};
	collect c = {0};
	const char *sql;
	int rc;

	*exists = false;
	if ((rc = resolve_version_table(st)) != MG_OK)
		return rc;
	if (st->dialect == MG_DIALECT_POSTGRESQL)
	{
		/* the table resolve_version_table fixed (quoted, qualified) */
		params[0] = st->version_table;
		sql = "SELECT a.attname FROM pg_catalog.pg_attribute a "
			"WHERE a.attrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1) "
			"AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped";
	}
	else
	{
		/* a view would run its author's SQL (and any function it calls) as the caller's read */
		c.ncol = 1;
		rc = query(st, "SELECT type FROM main.sqlite_schema WHERE type = 'view' AND name = $1 COLLATE NOCASE",
				   1, params, &c, NULL);
		if (rc != MG_OK)
			return rc;
		if (c.n > 0)
		{
			mg_error_set(st->ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
						 "\"%s\" is not a table", st->version_name);
			mg_error_detail(st->ctx, "The version table's name finds a view; reading it would run the SQL of whoever made the file.");
			mg_error_hint(st->ctx, "Drop the view, or point the version_table setting elsewhere; nothing was changed.");
			return MG_EINPUT;
		}
		memset(&c, 0, sizeof(c));
		/* a hash lookup, case-insensitive as SQLite's names (see sqlite_table_exists) */
		sql = "SELECT name FROM pragma_table_info($1, 'main')";
	}
	c.ncol = 1;
	rc = query(st, sql, 1, params, &c, NULL);
	if (rc != MG_OK)
		return rc;
	*exists = c.n > 0;
	if (c.n == 1 && c.rows[0][0] != NULL && mg_ci_equal(c.rows[0][0], strlen(c.rows[0][0]), "version_num"))
		return MG_OK;
	if (!*exists)
		return MG_OK;
	{
		mg_buf b;
		char *cols;

		mg_buf_init(&b, st->ctx);
		for (size_t i = 0; i < c.n; i++)
			mg_buf_printf(&b, "%s%s", i ? ", " : "", c.rows[i][0] ? c.rows[i][0] : "");
		if (mg_buf_finish(&b, &cols) != MG_OK)
			return MG_ENOMEM;
		mg_error_set(st->ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
					 "table \"%s\" is not a version table", st->version_name);
		mg_error_detail(st->ctx, "The version_table setting names it, but a version table has exactly one column, "
						"version_num; this one has: %.300s.", cols);
		mg_error_hint(st->ctx, "Point the setting at the version table (SELECT migrate_config('version_table', '<name>')); "
					  "nothing was changed.");
		return MG_EINPUT;
	}
}

/*
 * The version table's rows in table order (as Alembic reads them), in
 * the arena.  A missing table is not an error: *exists false, no rows.
 * Errors: MG_EHOST, MG_ENOMEM.
 */
int
mg_state_versions(const char ***rows, size_t *n, bool *exists, mg_state *st)
{
	collect c = {0};
	const char **out;
	char *sql;
	int rc;

	*rows = NULL;
	*n = 0;
	rc = version_table_exists(exists, st);
	if (rc != MG_OK || !*exists)
		return rc;
	/* with each value's length in bytes, so a value cut short by a NUL shows */
	sql = mg_printf(st->ctx, st->dialect == MG_DIALECT_POSTGRESQL
					? "SELECT version_num, pg_catalog.octet_length(version_num) FROM %s"
					: "SELECT version_num, length(CAST(version_num AS BLOB)) FROM %s",
					st->version_table);
	c.ncol = 2;
	rc = query(st, sql, 0, NULL, &c, NULL);
	if (rc != MG_OK)
		return rc;
	out = mg_alloc(st->ctx, sizeof(char *) * (c.n > 0 ? c.n : 1));
	if (out == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < c.n; i++)
	{
		const char *v = c.rows[i][0];

		if (v == NULL || c.rows[i][1] == NULL || strtol(c.rows[i][1], NULL, 10) != (long) strlen(v))
		{
			mg_error_set(st->ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
						 "the version table \"%s\" is corrupt", st->version_name);
			mg_error_detail(st->ctx, "It holds a row whose version_num is %s; a version row is a revision id.",
							v == NULL ? "NULL" : "cut short by a NUL byte");
			mg_error_hint(st->ctx, "Delete or correct that row by hand (the engine never writes one), then rerun; nothing was changed.");
			return MG_EINPUT;
		}
		out[i] = v;
	}
	*rows = out;
	*n = c.n;
	return MG_OK;
}

/*
 * Create the version table unless it exists, with exactly the text
 * SQLAlchemy sends for Alembic's table (tab indents online; --sql
 * output replaces them by four spaces).  Errors: MG_EHOST, MG_ENOMEM.
 */
int
mg_state_ensure_version_table(mg_state *st)
{
	bool exists;
	char *ddl;
	int rc;

	rc = version_table_exists(&exists, st);
	if (rc != MG_OK || exists)
		return rc;
	ddl = mg_emit_version_table_ddl(st->ctx, st->version_name);
	if (ddl == NULL)
		return MG_ENOMEM;
	/* Alembic's text, with the name as every statement of the run writes it */
	if (st->vt_resolved)
	{
		size_t skip = strlen("CREATE TABLE ") + strlen(st->version_name);

		if (strncmp(ddl, "CREATE TABLE ", 13) != 0 || strlen(ddl) < skip)
			return mg_error_set(st->ctx, MG_EINPUT, MG_STATE_INTERNAL, "unexpected version table DDL");
		if ((ddl = mg_printf(st->ctx, "CREATE TABLE %s%s", st->version_table, ddl + skip)) == NULL)
			return MG_ENOMEM;
	}
	/* "\n    " -> "\n\t", in place (the name is an identifier: no newlines) */
	{
		char *w = ddl;

		for (const char *r = ddl; *r;)
		{
			if (r[0] == '\n' && strncmp(r + 1, "    ", 4) == 0)
			{
				*w++ = '\n';
				*w++ = '\t';
				r += 5;
			}
			else
				*w++ = *r++;
		}
		*w = '\0';
	}
	return query(st, ddl, 0, NULL, NULL, NULL);
}

/*
 * Run one version-table operation.  UPDATE and DELETE must touch exactly
 * one row, else MG_EINPUT (MG_STATE_CARDINALITY) with Alembic's text.
 * Errors: also MG_EHOST, MG_ENOMEM.
 */
int
mg_state_apply_vop(mg_state *st, const mg_vop *op)
{
	const char *params[2];
	long changes = -1;
	char **sql = &st->sql_vop[(unsigned) op->kind < 3 ? (unsigned) op->kind : 0];
	int rc;

	/* each text is formatted once per state: a run applies one or more per step */
	switch (op->kind)
	{
		case MG_VOP_INSERT:
			params[0] = op->to;
			if (*sql == NULL)
				*sql = mg_printf(st->ctx, "INSERT INTO %s (version_num) VALUES ($1)",
								 st->version_table);
			return query(st, *sql, 1, params, NULL, NULL);
		case MG_VOP_UPDATE:
			params[0] = op->to;
			params[1] = op->from;
			if (*sql == NULL)
				*sql = mg_printf(st->ctx, "UPDATE %s SET version_num = $1 WHERE version_num %s $2",
								 st->version_table, st->eq);
			rc = query(st, *sql, 2, params, NULL, &changes);
			if (rc != MG_OK)
				return rc;
			if (changes != 1)
			{
				mg_error_set(st->ctx, MG_EINPUT, MG_STATE_CARDINALITY,
							 "Online migration expected to match one row when updating "
							 "'%s' to '%s' in '%s'; %ld found",
							 op->from, op->to, st->version_name, changes);
				break;
			}
			return MG_OK;
		case MG_VOP_DELETE:
			params[0] = op->from;
			if (*sql == NULL)
				*sql = mg_printf(st->ctx, "DELETE FROM %s WHERE version_num %s $1",
								 st->version_table, st->eq);
			rc = query(st, *sql, 1, params, NULL, &changes);
			if (rc != MG_OK)
				return rc;
			if (changes != 1)
			{
				mg_error_set(st->ctx, MG_EINPUT, MG_STATE_CARDINALITY,
							 "Online migration expected to match one row when deleting "
							 "'%s' in '%s'; %ld found",
							 op->from, st->version_name, changes);
				break;
			}
			return MG_OK;
		default:
			return mg_error_set(st->ctx, MG_EINPUT, MG_STATE_INTERNAL,
								"unknown version-table operation %d", (int) op->kind);
	}
	mg_error_detail(st->ctx, "The version table no longer holds the rows this run read from it.");
	mg_error_hint(st->ctx, "SELECT * FROM migrate_current() shows the rows as they are now; find what else writes the version table (another tool, a trigger), then run the command again if it is still needed. Nothing was changed.");
	return MG_EINPUT;
}

/* ------------------------------------------------------------------ */
/* The log                                                             */
/* ------------------------------------------------------------------ */

/*
 * Queue a log row for a step that ran (written by mg_state_log_flush,
 * inside the same unit): direction upgrade / downgrade (stamp for stamp
 * steps), the revision (the step's "to" side for an upgrade, its "from"
 * side for a downgrade, NULL for a stamp), checksum (may be NULL),
 * duration ms, the time it ran.  Errors: MG_ENOMEM.
 */
int
mg_state_log(mg_state *st, const mg_step *step, const char *checksum, double ms)
{
	char now[64];
	char ms_text[MG_MS_TEXT];
	char **row;

	if (st->no_log)
		return MG_OK;
	host_now(st, now, sizeof(now));
	if (mg_grow(st->ctx, &st->log_rows, &st->log_cap, st->nlog, sizeof(char **)) != MG_OK ||
		(row = mg_alloc(st->ctx, sizeof(char *) * 7)) == NULL)
		return MG_ENOMEM;
	row[0] = (char *) (step->rev < 0 ? "" : step->upgrade ? step->to : step->from);
	row[1] = (char *) (step->rev < 0 ? "stamp" : step->upgrade ? "upgrade" : "downgrade");
	row[2] = normalize_list(st->ctx, step->from);
	row[3] = normalize_list(st->ctx, step->to);
	row[4] = mg_strdup(st->ctx, now);
	mg_format_ms(ms, ms_text);
	row[5] = mg_strdup(st->ctx, ms_text);
	row[6] = (char *) (checksum != NULL ? checksum : "");
	if (row[0] == NULL || row[2] == NULL || row[3] == NULL || row[4] == NULL || row[5] == NULL)
		return MG_ENOMEM;
	st->log_rows[st->nlog++] = row;
	return MG_OK;
}

/*
 * Write the queued log rows, in step order, with one statement text:
 * after the steps' DDL, so the host can prepare it once (SQLite
 * re-prepares a statement after every schema change).  Same transaction
 * as the steps.  Errors: MG_EHOST, MG_ENOMEM.
 */
int
mg_state_log_flush(mg_state *st)
{
	char *sql;

	if (st->nlog == 0)
		return MG_OK;
	sql = mg_printf(st->ctx,
					"INSERT INTO %s (revision, direction, from_revisions, to_revisions, "
					"run_at, duration_ms, checksum, applied_by) VALUES ("
					"CASE WHEN $1 %s '' THEN NULL ELSE $1 END, $2, $3, $4, $5, "
					"CAST($6 AS DOUBLE PRECISION), CASE WHEN $7 %s '' THEN NULL ELSE $7 END, %s)",
					st->t_log, st->eq, st->eq,
					st->dialect == MG_DIALECT_POSTGRESQL ? "CAST(current_user AS TEXT)" : "NULL");
	if (sql == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < st->nlog; i++)
	{
		int rc = query(st, sql, 7, (const char *const *) st->log_rows[i], NULL, NULL);

		if (rc != MG_OK)
			return rc;
	}
	st->nlog = 0;
	return MG_OK;
}

/*
 * The checksum recorded by the newest upgrade of rev (*out NULL when rev
 * was never upgraded here).  Errors: MG_EHOST, MG_ENOMEM.
 */
int
mg_state_applied_checksum(char **out, mg_state *st, const char *rev)
{
	const char *params[1] = {rev};
	collect c = {0};
	char *sql;
	int rc;

	*out = NULL;
	if (st->missing)
		return MG_OK;
	sql = mg_printf(st->ctx,
					"SELECT checksum FROM %s WHERE revision %s $1 AND direction %s 'upgrade' "
					"ORDER BY id DESC LIMIT 1",
					st->t_log, st->eq, st->eq);
	c.ncol = 1;
	rc = query(st, sql, 1, params, &c, NULL);
	if (rc != MG_OK)
		return rc;
	if (c.n > 0)
		*out = c.rows[0][0];
	return MG_OK;
}

/* What newest_row fills: per revision of map, the newest upgrade's checksum. */
typedef struct newest {
	const mg_revmap *map;
	const uint8_t *want;    /* [revision]: asked about (NULL: all) */
	size_t left;            /* revisions asked about whose row is still to come */
	const char **sums;      /* [revision]: the checksum, NULL when none */
	uint8_t *seen;          /* [revision]: its newest upgrade row was read */
} newest;

/* One log row, newest first: the first upgrade row of a revision is its newest. */
static int
newest_row(collect *c, int ncol, const char *const *vals)
{
	newest *w = c->arg;
	int rc, i;

	if ((rc = mg_interrupt_check(c->ctx)) != MG_OK)
		return rc;
	if (ncol < 3 || vals[0] == NULL || vals[1] == NULL || strcmp(vals[1], "upgrade") != 0)
		return MG_OK;
	i = mg_revmap_find(w->map, vals[0]);
	if (i < 0 || w->seen[i] || (w->want != NULL && !w->want[i]))
		return MG_OK;
	w->seen[i] = 1;
	if (vals[2] != NULL && (w->sums[i] = mg_strdup(c->ctx, vals[2])) == NULL)
		return MG_ENOMEM;
	/* every revision asked about has its newest row: older rows cannot matter */
	c->done = --w->left == 0;
	return MG_OK;
}

/*
 * The checksum recorded by the newest upgrade of the revisions of map
 * marked in want (NULL: all): (*out)[i] for revision i, NULL when it was
 * never upgraded here (or its newest upgrade row has none, or it was not
 * asked about).  One pass over the log, newest first, in the order of
 * its primary key (no sort, no index needed), stopping once every
 * revision asked about has been seen: the start-up check costs at most
 * the log's length, not revisions times log rows.  The rows are filtered
 * here, not with a comparison in SQL, so the query calls no operator a
 * search_path could replace.  Errors: MG_EHOST, MG_ENOMEM, MG_ECANCEL.
 */
int
mg_state_applied_checksums(const char ***out, mg_state *st, const mg_revmap *map,
						   const uint8_t *want)
{
	size_t n = mg_revmap_count(map);
	collect c = {0};
	newest w;

	*out = NULL;
	w.map = map;
	w.want = want;
	w.left = 0;
	for (size_t i = 0; i < n; i++)
		w.left += want == NULL || want[i];
	w.sums = mg_alloc(st->ctx, sizeof(*w.sums) * (n + 1));
	w.seen = mg_alloc(st->ctx, n + 1);
	if (w.sums == NULL || w.seen == NULL)
		return MG_ENOMEM;
	if (!st->missing && w.left > 0)
	{
		int rc;

		c.each = newest_row;
		c.arg = &w;
		rc = query(st, mg_printf(st->ctx, "SELECT revision, direction, checksum FROM %s ORDER BY id DESC",
								 st->t_log),
				   0, NULL, &c, NULL);
		if (rc != MG_OK)
			return rc;
	}
	*out = w.sums;
	return MG_OK;
}

/* Exported quote_ident, for the state modules that write their own SQL. */
char *
mg_quote_ident(mg_ctx *ctx, const char *name)
{
	return quote_ident(ctx, name);
}
