/*
 * emit.c -- offline SQL: the text Alembic's `upgrade --sql` prints.
 *
 * Shape (Alembic 1.8, ddl/impl.py static_output and runtime/migration.py
 * run_migrations):
 *
 *   - every chunk of output is its text followed by "\n\n";
 *   - PostgreSQL (transactional DDL) wraps everything in "BEGIN;" ...
 *     "COMMIT;"; SQLite has neither;
 *   - before a step, when no version row exists at that point, the
 *     CREATE TABLE of the version table (4-space indent, the trailing
 *     blank after "NOT NULL," that SQLAlchemy's compiler leaves);
 *   - "-- Running upgrade <from> -> <to>" (downgrade, stamp_revision);
 *   - the step's statements, each followed by ";";
 *   - the version-table INSERT / UPDATE / DELETE statements.
 *   A plan that ends at base keeps the version table (no DROP), as
 *   Alembic does since 1.19.
 *
 * A step whose script is marked "Transactional: false" is run as
 * Alembic's autocommit_block() renders it: on PostgreSQL its statements
 * sit between "COMMIT;" and "BEGIN;".  A statement whose last line ends
 * in a "--" comment gets its ";" on a line of its own.
 *
 * Invariants: the version table name is written bare when it is a plain
 * lowercase identifier and double-quoted otherwise (SQLAlchemy's rule);
 * nothing is returned unless the whole text was built.  Memory: the text
 * grows in one buffer (doubled in place), the steps' sides are written
 * straight from the plan, and one statement array serves every body.
 * An emitter (mg_emit_begin/step/finish) writes the steps as their
 * bodies arrive, so a caller that streams the catalog's texts in plan
 * order holds no body beyond its own step; mg_emit_sql drives the same
 * emitter from scripts that hold their bodies.
 */
#include <string.h>

#include "internal.h"

static const char *
dialect_name(int dialect)
{
	switch (dialect)
	{
		case MG_DIALECT_SQLITE:
			return "sqlite";
		case MG_DIALECT_POSTGRESQL:
			return "postgresql";
		default:
			return "any dialect";
	}
}

/*
 * True when name + suffix needs no quoting: [a-z_][a-z0-9_]* (SQLAlchemy
 * quotes anything else, e.g. upper case or blanks).
 */
static bool
plain_ident(const char *name, const char *suffix)
{
	bool first = true;

	for (int part = 0; part < 2; part++)
	{
		for (const char *p = part == 0 ? name : suffix; *p; p++)
		{
			bool ok = (*p >= 'a' && *p <= 'z') || *p == '_' ||
				(!first && *p >= '0' && *p <= '9');

			if (!ok)
				return false;
			first = false;
		}
	}
	return !first;
}

/* Append the identifier name + suffix, bare or double-quoted. */
static void
put_ident(mg_buf *b, const char *name, const char *suffix)
{
	if (plain_ident(name, suffix))
	{
		mg_buf_puts(b, name);
		mg_buf_puts(b, suffix);
		return;
	}
	mg_buf_putc(b, '"');
	for (int part = 0; part < 2; part++)
	{
		for (const char *p = part == 0 ? name : suffix; *p; p++)
		{
			if (*p == '"')
				mg_buf_putc(b, '"');
			mg_buf_putc(b, *p);
		}
	}
	mg_buf_putc(b, '"');
}

/* Append a SQL string literal. */
static void
put_literal(mg_buf *b, const char *s)
{
	mg_buf_putc(b, '\'');
	for (; *s; s++)
	{
		if (*s == '\'')
			mg_buf_putc(b, '\'');
		mg_buf_putc(b, *s);
	}
	mg_buf_putc(b, '\'');
}

static void
put_vop(mg_buf *b, const mg_vop *op, const char *vt)
{
	switch (op->kind)
	{
		case MG_VOP_INSERT:
			mg_buf_puts(b, "INSERT INTO ");
			put_ident(b, vt, "");
			mg_buf_puts(b, " (version_num) VALUES (");
			put_literal(b, op->to);
			mg_buf_puts(b, ")");
			break;
		case MG_VOP_UPDATE:
			mg_buf_puts(b, "UPDATE ");
			put_ident(b, vt, "");
			mg_buf_puts(b, " SET version_num=");
			put_literal(b, op->to);
			mg_buf_puts(b, " WHERE ");
			put_ident(b, vt, "");
			mg_buf_puts(b, ".version_num = ");
			put_literal(b, op->from);
			break;
		case MG_VOP_DELETE:
			mg_buf_puts(b, "DELETE FROM ");
			put_ident(b, vt, "");
			mg_buf_puts(b, " WHERE ");
			put_ident(b, vt, "");
			mg_buf_puts(b, ".version_num = ");
			put_literal(b, op->from);
			break;
	}
}

static void
put_ddl(mg_buf *b, const char *vt)
{
	mg_buf_puts(b, "CREATE TABLE ");
	put_ident(b, vt, "");
	mg_buf_puts(b, " (\n    version_num VARCHAR(32) NOT NULL, \n    CONSTRAINT ");
	put_ident(b, vt, "_pkc");
	mg_buf_puts(b, " PRIMARY KEY (version_num)\n)");
}

/*
 * The version-table statement of one operation, without ';'.  Returns
 * the text in the arena, or NULL when out of memory (error set).
 * version_table is the unquoted name.
 */
char *
mg_emit_vop(mg_ctx *ctx, const mg_vop *op, const char *version_table)
{
	mg_buf b;
	char *out;

	mg_buf_init(&b, ctx);
	put_vop(&b, op, version_table);
	if (mg_buf_finish(&b, &out) != MG_OK)
		return NULL;
	return out;
}

/*
 * Alembic's CREATE TABLE of the version table as --sql prints it, without
 * ';'.  Returns the text in the arena, or NULL when out of memory.
 */
char *
mg_emit_version_table_ddl(mg_ctx *ctx, const char *version_table)
{
	mg_buf b;
	char *out;

	mg_buf_init(&b, ctx);
	put_ddl(&b, version_table);
	if (mg_buf_finish(&b, &out) != MG_OK)
		return NULL;
	return out;
}

/* The version rows as the plan moves them (offline: no database to ask). */
typedef struct rowset {
	const char **rows;
	size_t n;
	size_t cap;
} rowset;

static int
rowset_apply(mg_ctx *ctx, rowset *rs, const mg_vop *op)
{
	size_t i;

	if (op->kind == MG_VOP_INSERT)
	{
		if (mg_grow(ctx, &rs->rows, &rs->cap, rs->n, sizeof(char *)) != MG_OK)
			return MG_ENOMEM;
		rs->rows[rs->n++] = op->to;
		return MG_OK;
	}
	for (i = 0; i < rs->n; i++)
	{
		if (strcmp(rs->rows[i], op->from) == 0)
			break;
	}
	if (i == rs->n)
		return MG_OK;           /* offline nothing checks the row count */
	if (op->kind == MG_VOP_UPDATE)
		rs->rows[i] = op->to;
	else
	{
		memmove(&rs->rows[i], &rs->rows[i + 1], (rs->n - i - 1) * sizeof(char *));
		rs->n--;
	}
	return MG_OK;
}

/*
 * Append Alembic's "a, b" form of a comma-separated side of a step: its
 * items cut as mg_split_list cuts them (blanks trimmed, empty items
 * dropped), written straight from the text.
 */
static void
put_side(mg_buf *b, const char *side)
{
	bool first = true;

	while (side != NULL && *side)
	{
		const char *end = strchr(side, ',');
		const char *x = side, *y = end ? end : side + strlen(side);

		while (x < y && (*x == ' ' || *x == '\t'))
			x++;
		while (y > x && (y[-1] == ' ' || y[-1] == '\t' || y[-1] == '\r'))
			y--;
		if (y > x)
		{
			if (!first)
				mg_buf_puts(b, ", ");
			mg_buf_putn(b, x, (size_t) (y - x));
			first = false;
		}
		side = end ? end + 1 : NULL;
	}
}

/* The error for a step whose script lacks the section it needs. */
static int
missing_section(mg_ctx *ctx, const mg_script *s, bool upgrade, int dialect)
{
	const char *dir = upgrade ? "upgrade" : "downgrade";

	if (upgrade)
		mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
					 "revision \"%s\" has no upgrade section for %s",
					 s->id, dialect_name(dialect));
	else
		mg_error_set(ctx, MG_EINPUT, MG_STATE_PREREQUISITE,
					 "revision \"%s\" cannot be downgraded: no downgrade section for %s",
					 s->id, dialect_name(dialect));
	if (dialect == MG_DIALECT_SQLITE || dialect == MG_DIALECT_POSTGRESQL)
		mg_error_hint(ctx, "Add a \"-- migrate:%s\" or \"-- migrate:%s %s\" section to the script.",
					  dir, dir, dialect_name(dialect));
	else
		mg_error_hint(ctx, "Add a \"-- migrate:%s\" section to the script.", dir);
	if (s->filename != NULL && s->filename[0] != '\0')
		mg_error_context(ctx, "revision %s, file \"%s\"", s->id, s->filename);
	else
		mg_error_context(ctx, "revision %s", s->id);
	return MG_EINPUT;
}

/*
 * Does the statement end inside a "--" comment (so that a ';' appended on
 * the same line would be commented out)?  Only a last line holding "--"
 * can; then the splitter decides: with ";x" appended, a statement that
 * ends in a comment swallows it.
 */
static int
ends_in_line_comment(bool *out, mg_ctx *ctx, const mg_stmt *st, int dialect)
{
	const char *last = st->text;
	mg_stmt *parts;
	size_t n;
	char *probe;
	int rc;

	*out = false;
	for (size_t i = 0; i < st->len; i++)
	{
		if (st->text[i] == '\n')
			last = st->text + i + 1;
	}
	for (const char *p = last; p + 1 < st->text + st->len; p++)
	{
		if (p[0] == '-' && p[1] == '-')
		{
			probe = mg_printf(ctx, "%.*s;x", (int) st->len, st->text);
			if (probe == NULL)
				return MG_ENOMEM;
			rc = mg_sql_split(&parts, &n, ctx, probe, dialect);
			if (rc != MG_OK)
				return rc;
			*out = n == 0 || parts[0].len != st->len;
			return MG_OK;
		}
	}
	return MG_OK;
}

/* The statements of one body: an array reused from step to step. */
typedef struct split {
	mg_stmt *v;
	size_t n, cap;
} split;

/* Append one step's body statements (each followed by ";\n\n"); body is s's section. */
static int
put_body(mg_buf *b, mg_ctx *ctx, const mg_script *s, const char *body, int dialect, split *sp)
{
	mg_stmt *stmts;
	size_t n;
	int rc;

	rc = mg_sql_split_reuse(&sp->v, &sp->n, &sp->cap, ctx, body, dialect);
	stmts = sp->v;
	n = sp->n;
	if (rc != MG_OK)
	{
		if (rc != MG_ENOMEM)
		{
			if (s->filename != NULL && s->filename[0] != '\0')
				mg_error_context(ctx, "revision %s, file \"%s\"", s->id, s->filename);
			else
				mg_error_context(ctx, "revision %s", s->id);
		}
		return rc;
	}
	for (size_t i = 0; i < n; i++)
	{
		bool comment;

		rc = ends_in_line_comment(&comment, ctx, &stmts[i], dialect);
		if (rc != MG_OK)
			return rc;
		mg_buf_putn(b, stmts[i].text, stmts[i].len);
		mg_buf_puts(b, comment ? "\n;\n\n" : ";\n\n");
	}
	return MG_OK;
}

/* The output of a plan as it is written, step by step. */
struct mg_emitter {
	mg_ctx *ctx;
	const mg_script *const *scripts;    /* per step; NULL: no revision */
	const mg_plan *plan;
	int dialect;
	const char *version_table;
	bool txn;               /* BEGIN;/COMMIT; around everything (postgresql) */
	rowset rs;              /* the version rows at the current step */
	split sp;
	mg_buf out;
	mg_buf scratch;         /* a streamed section, NUL-terminated for the splitter */
	size_t next;            /* the next step to write */
};

/* The script of step i, or NULL for a step without a revision. */
static const mg_script *
step_script(const mg_emitter *e, size_t i)
{
	return e->plan->steps[i].rev < 0 ? NULL : e->scripts[i];
}

int
mg_emit_step_scripts(const mg_script ***out, mg_ctx *ctx, const mg_revmap *map, const mg_plan *plan)
{
	const mg_script **scripts = mg_alloc(ctx, sizeof(*scripts) * (plan->n + 1));

	*out = NULL;
	if (scripts == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < plan->n; i++)
	{
		int r = plan->steps[i].rev;

		if (r < 0)
			continue;
		if (map == NULL || (size_t) r >= mg_revmap_count(map))
			return mg_error_set(ctx, MG_EINPUT, MG_STATE_INTERNAL,
								"plan step %zu names revision number %d, not in the map", i + 1, r);
		scripts[i] = mg_revmap_rev(map, r)->script;
	}
	*out = scripts;
	return MG_OK;
}

int
mg_emit_begin(mg_emitter **out, mg_ctx *ctx, const mg_script *const *scripts,
			  const mg_plan *plan, int dialect, const char *version_table)
{
	mg_emitter *e;

	*out = NULL;
	if (dialect < 0 || dialect >= MG_NDIALECTS)
		return mg_error_set(ctx, MG_EINPUT, MG_STATE_INTERNAL,
							"unknown dialect number %d", dialect);
	if ((e = mg_alloc(ctx, sizeof(*e))) == NULL)
		return MG_ENOMEM;
	e->ctx = ctx;
	e->scripts = scripts;
	e->plan = plan;
	e->dialect = dialect;
	e->version_table = version_table;
	e->txn = dialect == MG_DIALECT_POSTGRESQL;
	for (size_t i = 0; i < plan->nstart; i++)
	{
		mg_vop ins = {MG_VOP_INSERT, NULL, plan->start[i]};

		if (rowset_apply(ctx, &e->rs, &ins) != MG_OK)
			return MG_ENOMEM;
	}
	mg_buf_init(&e->out, ctx);
	mg_buf_init(&e->scratch, ctx);
	if (e->txn)
		mg_buf_puts(&e->out, "BEGIN;\n\n");
	*out = e;
	return MG_OK;
}

/*
 * Write step i: the version table's DDL when no row exists yet, the
 * "-- Running" comment, the body (s's section for the step's direction,
 * NUL-terminated; NULL for a step without a revision), the version-table
 * statements.
 */
static int
write_step(mg_emitter *e, size_t i, const mg_script *s, const char *body, bool transactional)
{
	const mg_step *step = &e->plan->steps[i];
	mg_buf *b = &e->out;
	int rc;

	if (e->rs.n == 0)
	{
		put_ddl(b, e->version_table);
		mg_buf_puts(b, ";\n\n");
	}
	mg_buf_printf(b, "-- Running %s ",
				  step->rev < 0 ? "stamp_revision" :
				  step->upgrade ? "upgrade" : "downgrade");
	put_side(b, step->from);
	mg_buf_puts(b, " -> ");
	put_side(b, step->to);
	mg_buf_puts(b, "\n\n");

	if (s != NULL)
	{
		/* autocommit_block(): outside the transaction on PostgreSQL */
		bool outside = e->txn && !transactional;

		if (body == NULL)
			return missing_section(e->ctx, s, step->upgrade, e->dialect);
		if (outside)
			mg_buf_puts(b, "COMMIT;\n\n");
		rc = put_body(b, e->ctx, s, body, e->dialect, &e->sp);
		if (rc != MG_OK)
			return rc;
		if (outside)
			mg_buf_puts(b, "BEGIN;\n\n");
	}

	for (size_t k = 0; k < step->nops; k++)
	{
		put_vop(b, &step->ops[k], e->version_table);
		mg_buf_puts(b, ";\n\n");
		if (rowset_apply(e->ctx, &e->rs, &step->ops[k]) != MG_OK)
			return MG_ENOMEM;
	}
	e->next = i + 1;
	return MG_OK;
}

/* Write the steps before step `upto` that run no revision; error at one that does. */
static int
write_plain_steps(mg_emitter *e, size_t upto)
{
	while (e->next < upto)
	{
		const mg_script *s = step_script(e, e->next);
		int rc;

		if ((rc = mg_interrupt_check(e->ctx)) != MG_OK)
			return rc;
		if (s != NULL)
			return mg_error_set(e->ctx, MG_EINPUT, MG_STATE_INTERNAL,
								"offline SQL: step %zu (revision \"%s\") was given no body",
								e->next + 1, s->id);
		if ((rc = write_step(e, e->next, NULL, NULL, true)) != MG_OK)
			return rc;
	}
	return MG_OK;
}

int
mg_emit_step(mg_emitter *e, size_t i, const mg_body_span *body)
{
	const mg_script *s;
	int rc;

	if ((rc = mg_interrupt_check(e->ctx)) != MG_OK)
		return rc;
	if (i < e->next || i >= e->plan->n)
		return mg_error_set(e->ctx, MG_EINPUT, MG_STATE_INTERNAL,
							"offline SQL: step %zu given out of order (next is %zu of %zu)",
							i + 1, e->next + 1, e->plan->n);
	if ((rc = write_plain_steps(e, i)) != MG_OK)
		return rc;
	s = step_script(e, i);
	if (s == NULL)
		return write_step(e, i, NULL, NULL, true);
	if (body->text == NULL)
		return write_step(e, i, s, NULL, body->transactional);
	/* the splitter reads a NUL-terminated text: the span goes through one reused buffer */
	e->scratch.len = 0;
	mg_buf_putn(&e->scratch, body->text, body->len);
	if (e->scratch.failed)
		return MG_ENOMEM;
	return write_step(e, i, s, e->scratch.p, body->transactional);
}

int
mg_emit_finish(mg_emitter *e, char **out)
{
	int rc;

	*out = NULL;
	if ((rc = write_plain_steps(e, e->plan->n)) != MG_OK)
		return rc;
	if (e->txn)
		mg_buf_puts(&e->out, "COMMIT;\n\n");
	return mg_buf_finish(&e->out, out);
}

/*
 * Alembic's --sql output for a plan whose scripts hold their bodies.
 * version_table is the unquoted name.  Returns MG_OK with *out in the
 * arena; on failure *out is NULL and the error is set: MG_ENOMEM,
 * MG_EINPUT (MG_STATE_PREREQUISITE) when a step's script has no section
 * for its direction and dialect, MG_EINPUT (MG_STATE_INTERNAL) when a
 * script was loaded without the body a step needs, or an error of the
 * statement splitter.
 */
int
mg_emit_sql(char **out, mg_ctx *ctx, const mg_revmap *map, const mg_plan *plan,
			int dialect, const char *version_table)
{
	const mg_script **scripts;
	mg_emitter *e;
	int rc;

	*out = NULL;
	/* the emitter checks the dialect before the steps are looked up */
	if ((rc = mg_emit_begin(&e, ctx, NULL, plan, dialect, version_table)) != MG_OK ||
		(rc = mg_emit_step_scripts(&scripts, ctx, map, plan)) != MG_OK)
		return rc;
	e->scripts = scripts;
	for (size_t i = 0; i < plan->n; i++)
	{
		const mg_step *step = &plan->steps[i];
		const mg_script *s = step_script(e, i);

		if ((rc = mg_interrupt_check(ctx)) != MG_OK)
			return rc;
		if (s == NULL)
			rc = write_step(e, i, NULL, NULL, true);
		else if (!mg_script_has_body(s, step->upgrade))
		{
			mg_error_set(ctx, MG_EINPUT, MG_STATE_INTERNAL,
						 "revision \"%s\" was loaded without its body", s->id);
			mg_error_detail(ctx, "Offline SQL needs the full script of every step.");
			return MG_EINPUT;
		}
		else
			rc = write_step(e, i, s, mg_script_body(s, step->upgrade, dialect), s->transactional);
		if (rc != MG_OK)
			return rc;
	}
	return mg_emit_finish(e, out);
}
