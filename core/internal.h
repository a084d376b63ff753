/*
 * internal.h -- declarations shared by the core's modules, never by hosts.
 *
 * One section per file of core/.  Memory: everything is allocated in the
 * context's arena (mg_alloc) and freed at once by mg_ctx_free, so no
 * module frees what it allocates and an out-of-memory exit leaks nothing.
 * Revisions are referred to by their index in the revision map (int);
 * -1 means "base" / none.
 */
#ifndef MG_INTERNAL_H
#define MG_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mg.h"

#if defined(__GNUC__)
#define MG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MG_PRINTF(a, b)
#endif

/* ---- ctx.c: arena and errors ------------------------------------- */

/* Allocate n zeroed bytes in the arena; NULL (error set) when out of memory. */
void *mg_alloc(mg_ctx *ctx, size_t n);
/*
 * Resize an arena block of old_n bytes to new_n, contents kept up to the
 * smaller size (bytes added are zero).  Afterwards only the returned
 * pointer is valid: a large block is resized by the host, which may move
 * it.  NULL (error set, p untouched) when out of memory.
 */
void *mg_realloc(mg_ctx *ctx, void *p, size_t old_n, size_t new_n);
/* mg_realloc without clearing the bytes added (buffers the caller fills). */
void *mg_realloc_uninit(mg_ctx *ctx, void *p, size_t old_n, size_t new_n);
/*
 * Give back scratch memory early: p, allocated (or last resized) with n
 * bytes, must not be used again.  A large block returns to the host at
 * once, the newest small one to its chunk; otherwise nothing happens
 * until mg_ctx_free.  Never fails.
 */
void mg_release(mg_ctx *ctx, void *p, size_t n);
char *mg_strdup(mg_ctx *ctx, const char *s);
char *mg_strndup(mg_ctx *ctx, const char *s, size_t n);
char *mg_printf(mg_ctx *ctx, const char *fmt, ...) MG_PRINTF(2, 3);
/*
 * Ensure room for one more element in a growing array: *arr holds *n of
 * *cap elements of size elem (it may move: keep no pointer into it).
 * Returns MG_OK or MG_ENOMEM.
 */
int mg_grow(mg_ctx *ctx, void *arr, size_t *cap, size_t n, size_t elem);
/* mg_grow without clearing the room added (each element is written as it is added). */
int mg_grow_uninit(mg_ctx *ctx, void *arr, size_t *cap, size_t n, size_t elem);

/* Set the error (code, SQLSTATE, printf message).  Returns code. */
int mg_error_set(mg_ctx *ctx, int code, const char *sqlstate,
                 const char *fmt, ...) MG_PRINTF(4, 5);
/* Add a detail / hint / context sentence to the current error. */
void mg_error_detail(mg_ctx *ctx, const char *fmt, ...) MG_PRINTF(2, 3);
void mg_error_hint(mg_ctx *ctx, const char *fmt, ...) MG_PRINTF(2, 3);
void mg_error_context(mg_ctx *ctx, const char *fmt, ...) MG_PRINTF(2, 3);
/*
 * Put a failing statement's text into the error's context, as hosts do
 * in run_script: leading comments skipped, cut after MG_STATEMENT_EXCERPT
 * bytes on a UTF-8 character boundary, without its ';'.
 */
#define MG_STATEMENT_EXCERPT 200
void mg_error_statement(mg_ctx *ctx, const char *start, const char *end);
/* Clear the error (after a failure the caller handled). */
void mg_error_clear(mg_ctx *ctx);
mg_error *mg_ctx_error_mut(mg_ctx *ctx);
/*
 * A new context with parent's allocator and interrupt hook, for work
 * repeated in a loop whose arena must not grow with the loop (free it
 * with mg_ctx_free).  MG_ENOMEM sets parent's error.
 */
int mg_ctx_new_child(mg_ctx **out, mg_ctx *parent);
/* Set MG_ENOMEM with the standard message; returns MG_ENOMEM. */
int mg_error_nomem(mg_ctx *ctx);
/*
 * Ask the host whether to stop (its interrupt hook); call it once per
 * iteration of any loop whose length the input decides.  Returns MG_OK,
 * or MG_ECANCEL with the error set.  Cheap: the hook runs once every
 * MG_INTERRUPT_EVERY calls, so hot loops may call it every time.
 */
#define MG_INTERRUPT_EVERY 256
int mg_interrupt_check(mg_ctx *ctx);

/* ---- buf.c: growing strings --------------------------------------- */

typedef struct mg_buf {
	mg_ctx *ctx;
	char *p;        /* NUL-terminated once anything was written */
	size_t len;
	size_t cap;
	int failed;     /* sticky: an allocation failed (error already set) */
} mg_buf;

void mg_buf_init(mg_buf *b, mg_ctx *ctx);
void mg_buf_putn(mg_buf *b, const char *s, size_t n);
void mg_buf_puts(mg_buf *b, const char *s);
void mg_buf_putc(mg_buf *b, char c);
void mg_buf_printf(mg_buf *b, const char *fmt, ...) MG_PRINTF(2, 3);
/* Append the items joined by sep. */
void mg_buf_join(mg_buf *b, const char *const *items, size_t n, const char *sep);
/* The text (never NULL: "" when empty); MG_ENOMEM if any append failed. */
int mg_buf_finish(mg_buf *b, char **out);

/* ---- util.c: small text helpers ----------------------------------- */

/* Split a comma-separated list, trimming blanks, dropping empty items. */
int mg_split_list(mg_ctx *ctx, const char *s, const char ***items, size_t *n);
/* FNV-1a 64-bit of the bytes, as 16 lowercase hex digits (change detection). */
void mg_checksum(const char *s, size_t n, char out[17]);
/* A revision id is 1..32 of [A-Za-z0-9_]. */
bool mg_valid_rev_id(const char *s);
/*
 * ms as snprintf "%.3f" writes it (the log's duration, once per step),
 * without printf's floating-point code for durations from 0 to 10^12 ms.
 */
#define MG_MS_TEXT 64
void mg_format_ms(double ms, char out[MG_MS_TEXT]);
/*
 * Whether name occurs in text, ASCII letters compared without case (as SQL
 * compares unquoted identifiers): a run asks it of every body it runs, to
 * know whether a body can read the version table between two steps.
 */
bool mg_text_mentions(const char *text, const char *name);
/*
 * ASCII letters folded to lower case, nothing else touched: SQL keywords,
 * header keys and unquoted identifiers compare this way whatever the
 * locale.
 */
static inline int
mg_fold_ascii(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}
/* Whether the n bytes at s are word (NUL-terminated), case folded as above. */
static inline bool
mg_ci_equal(const char *s, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (word[i] == '\0' ||
			mg_fold_ascii((unsigned char) s[i]) != mg_fold_ascii((unsigned char) word[i]))
			return false;
	return word[n] == '\0';
}

/* ---- script.c: revision script parser ----------------------------- */

enum { MG_DIALECT_ANY = 0, MG_DIALECT_SQLITE = 1, MG_DIALECT_POSTGRESQL = 2, MG_NDIALECTS = 3 };

/* Parse a dialect name; returns MG_DIALECT_* or -1. */
int mg_dialect_from_name(const char *name);

/* Which bodies of a script are loaded (mg_script.body_dirs). */
enum { MG_BODY_UP = 1, MG_BODY_DOWN = 2, MG_BODY_BOTH = 3 };

/*
 * What only a script's full text gives: the text itself, the doc, the
 * create date (NULL where the script was built from catalog metadata)
 * and the body sections: [dialect], NULL when the section is absent.
 */
typedef struct mg_script_source {
	const char *text;
	const char *doc;            /* the whole free text of the header */
	const char *create_date;    /* "" when absent */
	const char *upgrade[MG_NDIALECTS];
	const char *downgrade[MG_NDIALECTS];
} mg_script_source;

/*
 * One parsed revision script.  The catalog's graph holds one per
 * revision, so the layout is kept tight: 32-bit counts, the small
 * fields together after the checksum, the sections (which most
 * commands never read) behind a pointer.
 */
typedef struct mg_script {
	const char *id;             /* Revision ID */
	const char **down;          /* Revises, in order; ndown 0 for a base */
	const char **labels;        /* Branch Labels */
	const char **deps;          /* Depends On */
	const char **tags;          /* Tags */
	uint32_t ndown;
	uint32_t nlabels;
	uint32_t ndeps;
	uint32_t ntags;
	const char *message;        /* first line of the doc, "" when none */
	const char *filename;       /* as given, "" when none */
	char checksum[17];
	bool transactional;         /* false when "Transactional: false" */
	/*
	 * MG_BODY_* bits: the directions whose sections are loaded.  A parsed
	 * script has both; one built from catalog metadata has none until
	 * mg_script_load_bodies gives it the directions a command runs.
	 */
	uint8_t body_dirs;
	/*
	 * From the full text: all of it for a parsed script; for one built
	 * from catalog metadata NULL until bodies are loaded, then only the
	 * sections of the directions in body_dirs.
	 */
	mg_script_source *src;
} mg_script;

/* The script's full text; NULL unless it was parsed from it. */
const char *mg_script_text(const mg_script *s);
/* The header's free text (the catalog keeps only its first line, the message). */
const char *mg_script_doc(const mg_script *s);
/* The Create Date ("" when absent or not kept). */
const char *mg_script_create_date(const mg_script *s);

/*
 * Parse one script.  filename is used in errors ("file x.sql, line 3").
 * Errors (MG_EINPUT, MG_STATE_SYNTAX): no Revision ID, no Revises line,
 * an invalid id, a section marker with an unknown dialect, a repeated
 * section.  The script keeps pointers into copies made in the arena.
 */
int mg_script_parse(mg_script **out, mg_ctx *ctx, const char *text, size_t len,
                    const char *filename);
/* True when the header block has a Revision ID line (files without one are skipped by load). */
bool mg_script_is_revision(const char *text, size_t len);
/*
 * True when the header is meant as a revision's: it has a known key line
 * (Revision ID or any other) or a misspelt one.  Load parses these, so a
 * file with "Revises" but no "Revision ID" is an error, not skipped.
 */
bool mg_script_looks_like_revision(const char *text, size_t len);
/*
 * The header's key rule (docs/decisions.md, "Header keys"): MG_OK, or
 * MG_EINPUT (MG_STATE_SYNTAX) naming the file, the line and the nearest
 * known key of an unknown key line; MG_ECANCEL.  Checked on scripts
 * entering the catalog (migrate_load, migrate_add), not on catalog rows
 * read back, which were accepted when they entered.
 */
int mg_script_check_header(mg_ctx *ctx, const char *text, size_t len, const char *filename);
/* The body for the dialect (specific section wins over plain); NULL when absent. */
const char *mg_script_body(const mg_script *s, bool upgrade, int dialect);
/* Does s hold its section for the direction (loaded, whether or not the script has one)? */
bool mg_script_has_body(const mg_script *s, bool upgrade);
/*
 * Give s, a metadata-only script of the same revision (from the
 * catalog), what running it in dialect needs from its full text: for
 * each direction in dirs (MG_BODY_* bits) the one section
 * mg_script_body(s, up, dialect) is to return (copied; the other
 * sections stay NULL), the checksum and the Transactional flag;
 * body_dirs becomes dirs.  The text is checked exactly as
 * mg_script_parse checks it and is not kept.  Errors: the parser's, and
 * MG_EINPUT (MG_STATE_SYNTAX) when its Revision ID is not s->id; on
 * failure s is unchanged.
 */
int mg_script_load_bodies(mg_script *s, mg_ctx *ctx, const char *text, size_t len, int dialect,
                          unsigned dirs);
/* One section of a script's text, found where it lies (mg_script_find_body). */
typedef struct mg_body_span {
	const char *text;       /* into the text given; NULL when the section is absent */
	size_t len;
	bool transactional;     /* the script's Transactional flag */
} mg_body_span;
/*
 * The section mg_script_body(s, upgrade, dialect) would return once
 * loaded, found in text (the full text of s's revision, as the catalog
 * holds it) without copying or allocating: for reading bodies one at a
 * time as they stream in.  The text is checked as mg_script_load_bodies
 * checks it (same errors); s is only read (id, file name for errors).
 */
int mg_script_find_body(mg_body_span *out, mg_ctx *ctx, const char *text, size_t len,
                        const mg_script *s, bool upgrade, int dialect);

/* ---- utf8.c: script text is UTF-8 ---------------------------------- */

/*
 * Check that text[0..len) is UTF-8 without NUL bytes, as PostgreSQL's
 * text requires.  what names the text in the error ("revision script
 * \"x.sql\""; NULL: "revision script").  Errors: MG_EINPUT
 * (MG_STATE_ENCODING) with the line and the byte offset of the first
 * bad byte; MG_ECANCEL.
 */
int mg_utf8_check_script(mg_ctx *ctx, const char *text, size_t len, const char *filename);
/*
 * Check a file or directory name: MG_OK, or MG_EINPUT
 * (MG_STATE_ENCODING) saying which name, its bad bytes written \xNN.
 */
int mg_utf8_check_name(mg_ctx *ctx, const char *name, const char *what);

/* ---- sqlsplit.c: statement boundaries ----------------------------- */

typedef struct mg_stmt {
	const char *text;   /* points into the body */
	size_t len;         /* without the terminating ';' and surrounding blanks */
	int line;           /* 1-based line of the statement's first character */
} mg_stmt;

/*
 * Split a SQL body into statements: ';' outside quotes ('', "", ``, []),
 * comments (--, / * * /), PostgreSQL dollar quotes and SQLite trigger
 * bodies (CREATE TRIGGER ... BEGIN ... END).  Statements that are only
 * blanks and comments are dropped.
 */
int mg_sql_split(mg_stmt **out, size_t *n, mg_ctx *ctx, const char *sql, int dialect);
/*
 * mg_sql_split into an array the caller keeps for many bodies: *out has
 * room for *cap statements (NULL and 0 at first) and is grown as needed.
 * On MG_ENOMEM *n is 0 and *out still holds *cap.
 */
int mg_sql_split_reuse(mg_stmt **out, size_t *n, size_t *cap, mg_ctx *ctx, const char *sql,
                       int dialect);

/* ---- revmap.c: the revision graph --------------------------------- */

/*
 * One revision of the graph.  There is one per catalog row, so the
 * layout is kept tight: the arrays first, then their 32-bit counts.
 */
typedef struct mg_rev {
	const mg_script *script;
	const char *id;
	int *down;             /* versioned down revisions (Revises) */
	int *deps;             /* resolved depends_on */
	int *ndeps_norm;       /* depends_on minus those implied by ancestors */
	int *down_norm;        /* down + normalized deps (Alembic _normalized_down_revisions) */
	int *all_down;         /* down + deps (Alembic _all_down_revisions) */
	int *next;             /* children by Revises (nextrev) */
	int *all_next;         /* children by Revises or depends_on (_all_nextrev) */
	int *labels;           /* effective branch labels (label indices), propagated */
	uint32_t ndown;
	uint32_t ndeps;
	uint32_t nndeps_norm;
	uint32_t ndown_norm;
	uint32_t nall_down;
	uint32_t nnext;
	uint32_t nall_next;
	uint32_t nlabels;
	int seq;               /* insertion order (= index) */
	int rank;              /* longest path from a root: a parent ranks below its children */
	int component;         /* connected part of the graph (Revises and Depends On) */
} mg_rev;

typedef struct mg_revmap mg_revmap;

int mg_revmap_new(mg_revmap **out, mg_ctx *ctx);
/* Add a script (kept by pointer) in catalog order.  Duplicate ids are an error. */
int mg_revmap_add(mg_revmap *map, const mg_script *script);
/*
 * Link the graph and check it: unknown Revises / Depends On, duplicate
 * branch labels, self-loops and cycles (Alembic's messages).  Computes
 * heads, real heads, bases, labels.  Must be called once, after all adds.
 */
int mg_revmap_build(mg_revmap *map);
/*
 * Check that no id was added twice, without linking the graph: for a set
 * of scripts that is not a whole graph (the files of one load).  The map
 * is then only for releasing.  Errors: MG_EINPUT (MG_STATE_BAD_GRAPH)
 * "Revision X is present more than once" naming both files; MG_ENOMEM.
 */
int mg_revmap_check_ids(mg_revmap *map);

size_t mg_revmap_count(const mg_revmap *map);
/*
 * Return the graph's large arrays to the host early (the scripts stay
 * valid): for a command that has taken what it needs from the graph and
 * builds a large result next.  The map is empty afterwards.
 */
void mg_revmap_release(mg_revmap *map);
/* Swap in the full script (with bodies) of revision i; same id required. */
void mg_revmap_set_script(mg_revmap *map, int i, const mg_script *script);
const mg_rev *mg_revmap_rev(const mg_revmap *map, int i);
/* Exact id lookup; -1 when absent. */
int mg_revmap_find(const mg_revmap *map, const char *id);
/* Label lookup: the revision that declares it; -1 when absent. */
int mg_revmap_find_label(const mg_revmap *map, const char *label);
/* Tag lookup ("release_22.05" or "22.05"); -1 when absent. */
int mg_revmap_find_tag(const mg_revmap *map, const char *tag);
/* Every tag name, in catalog order (for error messages). */
void mg_revmap_tags(const mg_revmap *map, const char *const **names, const int **revs, size_t *n);
/* Ids of length > 3 starting with prefix, in catalog order (at most max stored; returns how many match). */
size_t mg_revmap_prefix(const mg_revmap *map, const char *prefix, int *out, size_t max);
const char *mg_revmap_label_name(const mg_revmap *map, int label);
size_t mg_revmap_label_count(const mg_revmap *map);

/* Heads (no versioned children), real heads (no children at all), bases, real bases: catalog order. */
void mg_revmap_heads(const mg_revmap *map, const int **revs, size_t *n);
void mg_revmap_real_heads(const mg_revmap *map, const int **revs, size_t *n);
void mg_revmap_bases(const mg_revmap *map, const int **revs, size_t *n);

bool mg_rev_is_head(const mg_rev *r);        /* no versioned child */
bool mg_rev_is_real_head(const mg_rev *r);   /* no child at all */
bool mg_rev_is_branchpoint(const mg_rev *r); /* more than one versioned child */
bool mg_rev_is_mergepoint(const mg_rev *r);  /* more than one Revises */
bool mg_rev_has_label(const mg_rev *r, int label);

/*
 * Mark sets: one byte per revision, allocated in the arena.  Ancestors
 * include the starting revisions; with deps they follow down_norm,
 * without they follow Revises only.  Descendants likewise with all_next
 * or next.  Linear in the graph size.
 */
int mg_revmap_ancestors(uint8_t **marks, const mg_revmap *map, const int *from, size_t n, bool with_deps);
int mg_revmap_descendants(uint8_t **marks, const mg_revmap *map, const int *from, size_t n, bool with_deps);
/*
 * A reusable ancestor walk for hot loops (one per plan, no allocation
 * per call): marks the ancestors (with dependencies) of from[], not
 * descending below min_rank, since nothing there can be asked about.
 */
typedef struct mg_walker mg_walker;
int mg_walker_new(mg_walker **out, const mg_revmap *map);
void mg_walker_ancestors(mg_walker *w, const int *from, size_t n, int min_rank);
bool mg_walker_marked(const mg_walker *w, int rev);

/*
 * Ancestors (with dependencies) of targets, checking as Alembic's
 * check=True does that no target is an ancestor of another ("Requested
 * revision x overlaps with other requested revisions y").
 */
int mg_revmap_ancestors_checked(uint8_t **marks, const mg_revmap *map, const int *targets, size_t n);
/* Alembic's _shares_lineage: does rev share lineage with any of against[]? */
int mg_revmap_shares_lineage(bool *out, const mg_revmap *map, int rev, const int *against, size_t n, bool with_deps);

/*
 * Alembic's _topological_sort: the revisions marked in `set`, ordered so
 * that walking from `heads` (sorted by catalog order) emits children
 * before parents.  Upgrades run it reversed.  out has room for count(set).
 */
int mg_revmap_toposort(int **out, size_t *n, const mg_revmap *map, const uint8_t *set,
                       const int *heads, size_t nheads);

/* ---- resolve.c: identifiers ------------------------------------- */

/*
 * A resolved identifier: zero or more revisions (zero = base) and the
 * branch label given before '@' (NULL when none).
 */
typedef struct mg_target {
	int *revs;
	size_t n;
	const char *branch;
} mg_target;

/*
 * Alembic's get_revisions(): full ids, unique prefixes (> 3 chars),
 * labels, tags, head, heads, base, label@head/heads/base/rev, label@-N.
 * Errors keep Alembic's outer text ("Can't locate revision identified
 * by 'x'", the multiple-heads message) and carry the cause as detail.
 */
int mg_resolve(mg_target *out, mg_ctx *ctx, const mg_revmap *map, const char *ident);
/* Alembic's get_revision(): at most one revision; -1 for base. */
int mg_resolve_one(int *out, mg_ctx *ctx, const mg_revmap *map, const char *ident);

/*
 * Upgrade / downgrade target parsing against the database's heads,
 * including the relative forms (+N, -N, rev+N, label@+N, label@-N).
 * current[] are the version table's rows, in table order.
 */
int mg_resolve_upgrade_target(mg_target *out, mg_ctx *ctx, const mg_revmap *map,
                              const int *current, size_t ncurrent, const char *target);
/*
 * The upper end of a history range: an upgrade target whose "current"
 * revisions are the range's lower end, and whose relative walks stop at
 * the ends of the graph instead of failing.
 */
int mg_resolve_history_target(mg_target *out, mg_ctx *ctx, const mg_revmap *map,
                              const char *lower, const char *target);
int mg_resolve_downgrade_target(mg_target *out, mg_ctx *ctx, const mg_revmap *map,
                                const int *current, size_t ncurrent, const char *target);

/* Alembic's filter_for_lineage: keep the targets that share lineage with check_against. */
int mg_resolve_filter_lineage(int *targets, size_t *n, mg_ctx *ctx, const mg_revmap *map,
                              const char *check_against, bool with_deps);
/*
 * The database's version rows as revisions.  A row the catalog lacks is
 * an error that says the database is ahead of the loaded scripts.
 */
int mg_resolve_rows(int **out, mg_ctx *ctx, const mg_revmap *map,
                    const char *const *rows, size_t n);

/* ---- plan.c: steps and version-table operations --------------------- */

typedef enum mg_vop_kind { MG_VOP_INSERT, MG_VOP_DELETE, MG_VOP_UPDATE } mg_vop_kind;

/* One statement on the version table. */
typedef struct mg_vop {
	mg_vop_kind kind;
	const char *from;   /* DELETE / UPDATE: the row's current value */
	const char *to;     /* INSERT / UPDATE: the new value */
} mg_vop;

typedef struct mg_step {
	int rev;            /* the revision run (stamp steps: -1) */
	bool upgrade;
	const char *from;   /* Alembic's "from" side, comma-separated ("" for base) */
	const char *to;     /* Alembic's "to" side */
	mg_vop *ops;
	size_t nops;
} mg_step;

typedef struct mg_plan {
	mg_step *steps;
	size_t n;
	const char **start;     /* version rows before the plan */
	size_t nstart;
	const char **end;       /* version rows after the plan */
	size_t nend;
} mg_plan;

/*
 * Plan an upgrade from the version rows current[] (ids, table order) to
 * target: Alembic's _collect_upgrade_revisions + topological order, and
 * for each step the HeadMaintainer's INSERT/UPDATE/DELETE.
 */
int mg_plan_upgrade(mg_plan *out, mg_ctx *ctx, const mg_revmap *map,
                    const char *const *current, size_t ncurrent, const char *target);
int mg_plan_downgrade(mg_plan *out, mg_ctx *ctx, const mg_revmap *map,
                      const char *const *current, size_t ncurrent, const char *target);
/*
 * Undo revision rev (an index of map) from the version rows current[]:
 * rev and every applied revision above it, in downgrade order (a
 * stepwise downgrade's step: exactly one when rev is a head).
 */
int mg_plan_undo(mg_plan *out, mg_ctx *ctx, const mg_revmap *map,
                 const char *const *current, size_t ncurrent, int rev);
/* Alembic's _stamp_revs: version-table moves without running scripts. */
int mg_plan_stamp(mg_plan *out, mg_ctx *ctx, const mg_revmap *map,
                  const char *const *current, size_t ncurrent, const char *target);

/* ---- emit.c: offline SQL ------------------------------------------ */

/*
 * Alembic's --sql output for a plan: BEGIN;/COMMIT; for postgresql only,
 * CREATE TABLE <version_table> when the plan starts from no rows,
 * "-- Running upgrade a -> b" before each step, each statement followed
 * by ";" and a blank line, then the version-table statements.  Steps'
 * scripts must have the bodies of their steps' directions (mg_script_has_body).
 */
int mg_emit_sql(char **out, mg_ctx *ctx, const mg_revmap *map, const mg_plan *plan,
                int dialect, const char *version_table);
/*
 * The same output written as the bodies arrive, for plans too long to
 * hold every body: mg_emit_begin, then mg_emit_step for each step that
 * runs a revision, in plan order, with its section as found in the
 * catalog's text (mg_script_find_body; steps without a revision are
 * written on the way), then mg_emit_finish for the text.  scripts[i] is
 * step i's script (NULL for a step without a revision; kept by
 * pointer, no bodies needed), so the graph itself is not read.  Errors
 * as mg_emit_sql's; MG_EINPUT (MG_STATE_INTERNAL) for a step given out
 * of order or left without its body.
 */
typedef struct mg_emitter mg_emitter;
/*
 * The scripts of a plan's steps (NULL for a step without a revision),
 * the array mg_emit_begin takes.  MG_EINPUT (MG_STATE_INTERNAL) for a
 * step whose revision is not in map, MG_ENOMEM.
 */
int mg_emit_step_scripts(const mg_script ***out, mg_ctx *ctx, const mg_revmap *map,
                         const mg_plan *plan);
int mg_emit_begin(mg_emitter **out, mg_ctx *ctx, const mg_script *const *scripts,
                  const mg_plan *plan, int dialect, const char *version_table);
int mg_emit_step(mg_emitter *e, size_t step, const mg_body_span *body);
int mg_emit_finish(mg_emitter *e, char **out);
/* The version-table statement of one operation, without ';'. */
char *mg_emit_vop(mg_ctx *ctx, const mg_vop *op, const char *version_table);
/* The CREATE TABLE of the version table, without ';' (Alembic's exact text). */
char *mg_emit_version_table_ddl(mg_ctx *ctx, const char *version_table);

/* ---- report.c: Alembic's text formats ------------------------------ */

/* "Running upgrade a -> b, doc" (with_doc) or the short form. */
char *mg_report_step(mg_ctx *ctx, const mg_revmap *map, const mg_step *step, bool with_doc);
/* One history line (Alembic's _head_only with parents, branches, doc). */
char *mg_report_history_line(mg_ctx *ctx, const mg_revmap *map, int rev, bool current);
/* A revision's branch labels as history lists them ("a, b"; "" when none). */
char *mg_report_labels(mg_ctx *ctx, const mg_revmap *map, int rev);
/* `heads` line: "rev (labels) (head)". */
char *mg_report_heads_line(mg_ctx *ctx, const mg_revmap *map, int rev);
/* `branches` line: "rev (labels) (head) (branchpoint) (mergepoint)". */
char *mg_report_tree_line(mg_ctx *ctx, const mg_revmap *map, int rev);
/* `current` line: "rev (head) (mergepoint)". */
char *mg_report_current_line(mg_ctx *ctx, const mg_revmap *map, int rev);
/* `show` entry (log_entry). */
char *mg_report_show(mg_ctx *ctx, const mg_revmap *map, int rev, bool current);
/* Fill one history row for rev. */
int mg_report_row(mg_history_row *row, mg_ctx *ctx, const mg_revmap *map, int rev, bool current);
/*
 * History: the revisions between base and head specs (NULL: base /
 * heads), newest first, as Alembic's walk_revisions.
 */
int mg_report_history(int **revs, size_t *n, mg_ctx *ctx, const mg_revmap *map,
                      const char *base, const char *head);
/* Alembic's get_all_current: the version rows expanded to branch heads, catalog order. */
int mg_report_all_current(int **revs, size_t *n, mg_ctx *ctx, const mg_revmap *map,
                          const int *current, size_t ncurrent);

/* ---- catalog.c: state inside the database --------------------------- */

typedef struct mg_state {
	mg_ctx *ctx;
	const mg_host *host;
	int dialect;
	char *version_table;   /* quoted, ready for SQL (PostgreSQL: schema-qualified once resolved) */
	bool vt_resolved;      /* PostgreSQL: version_table's schema fixed for the rest of the command */
	bool vt_foreign;       /* PostgreSQL: the table is owned by neither the running role nor the extension's owner */
	char *vt_owner;        /* PostgreSQL: its owner's name, for the refusal */
	const char *eq;        /* the equality operator of internal queries ("=", or OPERATOR(pg_catalog.=)) */
	char *version_name;    /* unquoted, for messages and constraint names */
	char *t_catalog;       /* qualified, quoted state table names */
	char *t_log;
	char *t_settings;
	char *t_heads;         /* the catalog's heads, kept by headcache.c */
	bool missing;          /* the state tables do not exist yet (read as empty) */
	bool no_heads_table;   /* SQLite: the others exist, the heads table not yet */
	bool no_log_index;     /* SQLite: the log's (revision, id) index not yet made */
	bool no_messages;      /* mg_state_load_map leaves every message "" (a command that reports none) */
	bool has_source;       /* the catalog has source_dir and source_missing (mg_state_check_source) */
	const char *source;    /* the directory this command loads ("" or NULL: inline adds) */
	bool no_log;           /* mg_state_log writes nothing (a rehearsal: the log's sequence never moves) */
	char *sql_put;         /* the catalog's INSERT text, once formatted */
	char *sql_vop[3];      /* the version table's statements by mg_vop_kind, once formatted */
	char added_at[64];     /* the time of this command's catalog writes, once read */
	char ***log_rows;      /* log rows not yet written (mg_state_log_flush) */
	size_t nlog, log_cap;
} mg_state;

/*
 * Prepare state access and read the settings.  Creates nothing: when the
 * host creates its own state and the tables are absent, st->missing is
 * set and reads see an empty catalog, default settings and no log.
 */
int mg_state_open(mg_state *st, mg_ctx *ctx, const mg_host *host);
/* Create the state tables if missing; write commands call it inside their unit. */
int mg_state_create(mg_state *st);
/* Load the catalog's metadata (no bodies) into a built revision map. */
int mg_state_load_map(mg_revmap **out, mg_state *st);
/*
 * Does the catalog record where each revision came from (the columns
 * source_dir and source_missing)?  Sets st->has_source.  A SQLite catalog
 * made before them gets them now when write is set (inside the caller's
 * unit: ALTER TABLE keeps every row); a PostgreSQL one gets them from the
 * extension's 1.1 update.  Errors: MG_EHOST, MG_ENOMEM.
 */
int mg_state_check_source(mg_state *st, bool write);
/* Where a catalog row came from: its load's directory ("" inline), and whether that load's last read missed it. */
typedef struct mg_source {
	const char *dir;
	bool missing;
} mg_source;
/*
 * The source of every revision of map (from mg_state_load_map), by map
 * index, in the arena; with !st->has_source every one is inline.
 * Errors: MG_EHOST, MG_ENOMEM.
 */
int mg_state_sources(mg_source **out, mg_state *st, const mg_revmap *map);
/*
 * Record a catalog row's file: its directory, its path in it, and
 * whether the last load of that directory missed it.  Needs
 * st->has_source.  Errors: MG_EHOST, MG_ENOMEM.
 */
int mg_state_set_source(mg_state *st, const char *id, const char *dir, const char *filename,
						bool missing);
/* Delete a revision's catalog row.  Errors: MG_EHOST, MG_ENOMEM. */
int mg_state_remove_script(mg_state *st, const char *id);
/* Load one revision's full script (bodies); error when absent. */
int mg_state_load_script(const mg_script **out, mg_state *st, const char *id);
/*
 * Give the revisions marked in want[] (map from mg_state_load_map) their
 * bodies in one query: want[i] holds the MG_BODY_* directions revision i
 * runs, and only those sections for the state's dialect are kept (see
 * mg_script_load_bodies); the scripts are completed in place.
 */
int mg_state_load_scripts(mg_state *st, mg_revmap *map, const uint8_t *want);
/* A revision's full text, the k-th of a stream (valid only during the call). */
typedef int (*mg_body_fn)(void *arg, size_t k, const char *text, size_t len);
/*
 * Hand the catalog texts of revisions ids[0..n) to fn one at a time, in
 * that order, from one query, holding none of them afterwards (for
 * offline SQL of long plans).  A revision the catalog lacks is MG_EINPUT
 * (MG_STATE_UNDEFINED); fn's errors stop the query and are returned.
 */
int mg_state_stream_bodies(mg_state *st, const char *const *ids, size_t n, mg_body_fn fn,
                           void *arg);
/* Insert or replace catalog rows. */
int mg_state_put_script(mg_state *st, const mg_script *s, bool replace);
/* The version table's rows, in table order; *exists false when the table is missing. */
int mg_state_versions(const char ***rows, size_t *n, bool *exists, mg_state *st);
/* Create the version table (Alembic's DDL) if it does not exist. */
int mg_state_ensure_version_table(mg_state *st);
/*
 * Before a run writes the version table: PostgreSQL refuses a table
 * owned by neither the running role nor the extension's owner (its
 * owner's triggers would run as the running role).  MG_EINPUT (42501)
 * naming the owner; MG_OK on SQLite.
 */
int mg_state_check_version_owner(mg_state *st);
/*
 * Refuse a write command when the engine's tables carry a trigger the
 * engine did not make, or (PostgreSQL) the version table one whose
 * function's owner the running role does not trust: MG_EINPUT (55000).
 */
int mg_state_check_triggers(mg_state *st);
/*
 * Before a run executes the bodies of plan: PostgreSQL refuses a step
 * whose catalog row was added by a role the running role does not trust
 * (not itself, not a role it is a member of, not a superuser, not named
 * in the session's migrate.trusted_roles).  MG_EINPUT (42501) naming the
 * revision and its author; MG_OK on SQLite (a file has no roles) and on
 * a catalog without the added_by column (extension 1.0).
 */
int mg_state_check_trust(mg_state *st, const mg_revmap *map, const mg_plan *plan);
/*
 * PostgreSQL, for migrate_check: *untrusted the (revision, added_by) rows
 * the running role does not trust; *authors the (added_by, count) of
 * every author, in catalog order of their first revision ("unknown" for
 * rows of a 1.0 database).  Both empty on SQLite and on extension 1.0.
 */
int mg_state_authors(char ****untrusted, size_t *nuntrusted, char ****authors, size_t *nauthors,
                     mg_state *st);
/* Run one version-table operation; online it must touch exactly one row. */
int mg_state_apply_vop(mg_state *st, const mg_vop *op);
/* Append to the log. */
int mg_state_log(mg_state *st, const mg_step *step, const char *checksum, double ms);
/* Write the log rows mg_state_log queued; the run calls it once its steps are done. */
int mg_state_log_flush(mg_state *st);
/* One statement through the host; NULL sql is MG_ENOMEM; a silent host failure gets an error. */
int mg_state_host_query(mg_state *st, const char *sql, int nparams, const char *const *params,
                        mg_row_fn row, void *arg, long *changes);
/* "name" with embedded quotes doubled, for SQL text; NULL when out of memory. */
char *mg_quote_ident(mg_ctx *ctx, const char *name);
/*
 * Every row of a query, each an array of ncol copied strings (NULL for
 * SQL NULL), in the order the database returns them.
 */
int mg_state_rows(char ****rows, size_t *n, mg_state *st, const char *sql, int nparams,
                  const char *const *params, int ncol);
/*
 * mg_state_rows of one of the core's catalog reads (MG_CATALOG_*): the
 * host answers it (catalog_rows) when it can, else sql runs.
 */
int mg_state_catalog_rows(char ****rows, size_t *n, mg_state *st, int which, const char *sql,
                          int nparams, const char *const *params, int ncol);

/* ------------------------------------------------------------------ */
/* headcache.c: the catalog's heads, kept next to the catalog           */
/* ------------------------------------------------------------------ */

/* One head as the heads table keeps it. */
typedef struct mg_cached_head {
	mg_history_row row;     /* history row fields; line is Alembic's `heads` line */
	const char *current_line; /* Alembic's `current` line */
	long seq;               /* position in catalog order */
	const char **carried;   /* every branch label the head carries */
	size_t ncarried;
} mg_cached_head;

/* SQLite: create the heads table and the catalog triggers that empty it. */
int mg_headcache_create(mg_state *st);
/* Replace the kept heads with those of map (the catalog as it now is). */
int mg_headcache_write(mg_state *st, const mg_revmap *map);
/*
 * The kept heads in heads order, checked against the catalog; *n 0 when
 * unknown (empty or absent table, or rows the catalog does not bear out);
 * *labels: the branch labels the catalog's revisions declare.
 */
int mg_headcache_read(mg_cached_head **heads, size_t *n, const char ***labels, size_t *nlabels,
                      mg_state *st);
/* Does the head carry one of labels (true when nlabels is 0)? */
bool mg_headcache_holds(const mg_cached_head *h, const char *const *labels, size_t nlabels);
/* Read / write a setting (known keys only). */
int mg_state_get_setting(char **out, mg_state *st, const char *key);
int mg_state_set_setting(mg_state *st, const char *key, const char *value);
/* Read several settings in one query (out[i]: keys[i]'s value or default). */
int mg_state_get_settings(char **out, mg_state *st, const char *const *keys, size_t n);
/* The checksum recorded when rev was last applied (NULL when never). */
int mg_state_applied_checksum(char **out, mg_state *st, const char *rev);
/*
 * The same for the revisions of map marked in want (NULL: all) at once,
 * from one pass over the log: (*out)[i] for revision i (NULL when never
 * upgraded or not asked about).
 */
int mg_state_applied_checksums(const char ***out, mg_state *st, const mg_revmap *map,
                               const uint8_t *want);

/* ---- limits.c: a run's lock and step limits, lock retries ------------ */

/* The defaults: see limits.c for why. */
#define MG_DEFAULT_LOCK_TIMEOUT "2s"
#define MG_DEFAULT_LOCK_RETRIES "3"

/* Is key one of the limits' settings (lock_timeout, lock_retries, statement_timeout)? */
bool mg_limits_is_setting(const char *key);
/* Check a limit setting's value; *out its stored form.  MG_EINPUT names what is wrong. */
int mg_limits_normalize(char **out, mg_ctx *ctx, const char *key, const char *value);
/* A duration setting's value in milliseconds (stored form; 0: off); -1 when malformed. */
long mg_limits_duration_ms(const char *value);
/*
 * Inside a unit just opened: read lock_timeout and statement_timeout and
 * hand them to the host (mg_host.limits).  Nothing when the host has no
 * limits slot.
 */
int mg_limits_apply(mg_state *st);
/*
 * Run attempt(arg, &began), an atomic unit of work that opens and closes
 * its own session (began: its unit was opened, the migration lock
 * taken); while it fails inside its unit because a lock was not
 * available (SQLSTATE 55P03) and the host can apply limits, run it again
 * after a pause, up to lock_retries more times.  A failure to take the
 * migration lock itself (another run holds it; the session's own
 * lock_timeout) is not retried.  Returns the last attempt's result.
 */
int mg_limits_retry(mg_ctx *ctx, const mg_host *host, int (*attempt)(void *arg, bool *began),
                    void *arg);

/* ---- envdir.c: environment directories ------------------------------ */

typedef struct mg_file {
	char *relpath;   /* relative to the environment root */
	char *text;
	size_t len;
} mg_file;

/* Every *.sql file under dir, sorted by relative path (bytewise). */
int mg_envdir_read(mg_file **files, size_t *n, mg_ctx *ctx, const char *dir);
/* dir's canonical absolute path (realpath), in the arena; errors as mg_envdir_read's. */
int mg_envdir_canonical(char **out, mg_ctx *ctx, const char *dir);

/* ---- run.c: executing a plan --------------------------------------- */

/* A monotonic clock in milliseconds (steps' durations). */
double mg_clock_ms(void);

/*
 * Check a plan before anything runs: every step has a body for the
 * dialect (upgrade or downgrade section) and can run in a transaction.
 * The map's scripts must be full scripts (bodies loaded).
 */
int mg_run_check(mg_ctx *ctx, const mg_revmap *map, const mg_plan *plan, int dialect);
/*
 * mg_run_check for a host that runs "Transactional: false" steps itself
 * (online: mg_host.run_online): such a step is allowed when it is the
 * plan's only one.
 */
int mg_run_check_online(mg_ctx *ctx, const mg_revmap *map, const mg_plan *plan, int dialect,
                        bool online);
/*
 * A failing statement's error in the words a run reports: the database's
 * message, then the revision, file and statement as its context, and a
 * hint when the host gave none.
 */
void mg_run_blame(mg_ctx *ctx, const mg_script *s, const mg_step *st, int statement);


/*
 * Run a plan online, inside the unit the caller opened with host->begin
 * (the caller commits or rolls back): per step, its body (when
 * run_bodies) and a log row; the steps' version-table operations in plan
 * order after the last body, or after each step when a body names the
 * version table (run.c says why).  A failure
 * returns at once with an error naming revision, file and statement.
 * *report gets the "Running ..." lines (also sent to host->notice).
 */
int mg_run_plan(char **report, mg_state *st, const mg_revmap *map, const mg_plan *plan,
                bool run_bodies);

/* ---- command.c: sessions, shared by the commands ------------------- */

typedef enum mg_run_kind { MG_RUN_UPGRADE, MG_RUN_DOWNGRADE, MG_RUN_STAMP } mg_run_kind;

/* State, catalog graph and version rows, loaded together by a command. */
typedef struct mg_session {
	mg_state st;
	mg_revmap *map;
	const char **rows;     /* version rows, table order */
	size_t nrows;
	bool vt_exists;
	bool in_unit;          /* host->begin succeeded */
	const char **held;     /* the branches setting, in its order; nheld 0: all */
	size_t nheld;
	mg_cached_head *heads; /* the kept heads (headcache.c), once read */
	size_t nheads;         /* 0: unknown */
	const char **declared; /* with the kept heads: the branch labels the catalog declares */
	size_t ndeclared;
	bool heads_read;
	bool ran;              /* a step ran: the schema's fingerprint is recorded on commit */
} mg_session;

/*
 * Open a session: state, settings, graph, version rows.  With write, the
 * host's unit is opened first (the lock is taken before anything is
 * read) and the state tables are created if missing.
 */
int mg_session_open(mg_session *s, mg_ctx *ctx, const mg_host *host, bool write);
/* mg_session_open without the graph (s->map NULL): for the answers the kept heads give. */
int mg_session_open_state(mg_session *s, mg_ctx *ctx, const mg_host *host, bool write);
/*
 * Give the plan's revisions the bodies of the directions their steps run
 * (from the catalog), as a run needs them.
 */
int mg_session_load_bodies(mg_session *s, const mg_plan *plan);
/* Build s->map from the catalog; in a write session, refill an empty heads table. */
int mg_session_load_graph(mg_session *s);
/* Read the kept heads into s->heads / s->nheads (once); nheads 0 when unknown. */
int mg_session_read_heads(mg_session *s);
/* Finish: commit on success, roll back (keeping the error) on failure.  Returns rc or the commit's error. */
int mg_session_close(mg_session *s, int rc);
/*
 * Plan kind toward target from s->rows and run it inside the open unit
 * (bodies loaded and checked first); s->rows are read again afterwards.
 * max_steps 0: all.  *report gets the "Running ..." lines ("" for none),
 * *nsteps the number run, *more (if non-NULL) whether steps were left.
 */
int mg_session_run(char **report, size_t *nsteps, bool *more, mg_session *s, mg_run_kind kind,
                   const char *target, bool purge, size_t max_steps);
/* mg_session_run's second half: run a plan made from s->rows (its bodies are loaded here). */
int mg_session_run_plan(char **report, size_t *nsteps, mg_session *s, mg_run_kind kind,
                        mg_plan *plan, bool purge);
/* The held branches' heads (all heads when the setting is empty), catalog order. */
int mg_session_held_heads(int **out, size_t *n, const mg_session *s);
/*
 * s->rows split into the revisions the catalog knows (indices) and the
 * ids it lacks (a database ahead of the loaded scripts), table order.
 */
int mg_session_split_rows(int **known, size_t *nknown, const char ***unknown, size_t *nunknown,
                          const mg_session *s);

/* ---- online.c: "Transactional: false" steps run by the host ---------- */

/*
 * Run a one-step plan whose step is marked "Transactional: false" through
 * host->run_online: the session's unit is committed, the body runs, a new
 * unit is opened (s->in_unit again, the rows read anew and checked) and
 * the step recorded (version rows, log) in it.  *report: its "Running"
 * line.
 */
int mg_online_run_step(char **report, mg_session *s, const mg_plan *plan);
/* Is the plan one step that host->run_online must run? */
bool mg_online_wanted(const mg_session *s, const mg_plan *plan);
/* The label index of a branch label; -1 when no revision carries it. */
int mg_label_index(const mg_revmap *map, const char *name);
/* Is revision rev on a held branch?  (Always true when the setting is empty.) */
bool mg_session_holds(const mg_session *s, int rev);
/* The first held label the catalog does not have, or NULL. */
const char *mg_session_unknown_held(const mg_session *s);
/* Error for a held label the catalog does not have (MG_EINPUT), else MG_OK. */
int mg_session_check_held(mg_session *s);
/*
 * Heads without a branch label that grow from one lineage (they share an
 * ancestor by Revises): Backend.AI's "diverged heads".  Groups of two or
 * more, heads in catalog order; base is the lineage's first base in
 * catalog order.  None when the branches setting names labels (a head
 * without a label is never held).
 */
typedef struct mg_head_group {
	int *revs;
	size_t n;
	int base;
} mg_head_group;
int mg_session_unlabelled_heads(mg_head_group **out, size_t *ngroups, const mg_session *s);
/*
 * Release identifiers in a target: the base_release setting (22.01 or
 * release_22.01) means base; an identifier that looks like a release
 * (digits and dots, or release_...) and names nothing is an error that
 * lists the known releases.  *out is target, rewritten when needed.
 */
int mg_session_release_target(const char **out, mg_session *s, const char *target);
/*
 * Are the version rows the kept heads of the held branches?  *at is then
 * "the database is at <rows>" (catalog order); the kept heads only: false
 * when they cannot tell.
 */
int mg_session_at_kept_heads(bool *yes, char **at, mg_session *s);
/* The version rows in catalog order, "base" when none (needs s->map); NULL: out of memory. */
char *mg_session_rows_text(const mg_session *s);

/* ---- args.c: checks of identifier arguments ------------------------- */

/* True when s is empty or only blanks (spaces, tabs, line breaks). */
bool mg_args_blank(const char *s);
/*
 * MG_EINPUT (MG_STATE_BAD_TARGET) when value is empty or blank: "<func>:
 * argument \"<arg>\" is empty".  NULL (the default) passes.
 */
int mg_args_check_ident(mg_ctx *ctx, const char *func, const char *arg, const char *value);
/* The same for a comma-separated list and each of its items ("a,,b"). */
int mg_args_check_list(mg_ctx *ctx, const char *func, const char *arg, const char *value);
/*
 * The same for a range "[start:]end" and each of its ends; with
 * open_ends (Alembic's history ranges) an absent end is allowed, a blank
 * one is not.  NULL passes.
 */
int mg_args_check_range(mg_ctx *ctx, const char *func, const char *range, bool open_ends);

/* ---- table.c: relation results ------------------------------------ */

/* Appends rows to a relation's table (mg_table, mg.h). */
typedef struct mg_table_builder {
	mg_ctx *ctx;
	mg_table *t;
	size_t cap;
} mg_table_builder;

/* An empty table with rel's columns. */
void mg_table_start(mg_table_builder *b, mg_table *t, mg_ctx *ctx, mg_relation rel);
/* A new row, every cell NULL, for the caller to fill; NULL when out of memory. */
const char **mg_table_row(mg_table_builder *b);
/* Decimal text of v in the arena (NULL when out of memory). */
char *mg_table_int(mg_ctx *ctx, long long v);

/* ---- schema.c: the user's schema as rows, and their difference ------ */

/*
 * The catalog object a snapshot's rows come from: a SQLite table (its
 * columns and constraints too), index, view or trigger of sqlite_schema;
 * a PostgreSQL relation (with its columns, constraints, indexes and
 * triggers), enum type or function.  A snapshot taken after a change
 * reads again only the objects that changed and keeps the others' rows.
 */
typedef struct mg_sgroup {
	const char *key;        /* SQLite: the sqlite_schema name; PostgreSQL: "r<oid>", "t<oid>", "p<oid>" */
	const char *src;        /* SQLite: type and sql text of the sqlite_schema row; NULL otherwise */
	const char *tbl;        /* SQLite: the row's tbl_name; NULL otherwise */
	long long rowid;        /* SQLite: the row's rowid in sqlite_schema */
	unsigned name_hash;     /* SQLite: mg_schema's hash of the object's name and of tbl (case folded) */
	unsigned tbl_hash;
	const struct mg_srow *rows; /* the group's rows, sorted; shared by every snapshot that keeps it */
	size_t nrows;
	bool kept;              /* scratch of mg_schema_reread: unchanged since the snapshot it builds on */
} mg_sgroup;

/* One object of the schema (see docs/schema.md for what each holds). */
typedef struct mg_srow {
	const char *kind;       /* "table", "column", "index", ... */
	const char *name;
	const char *parent;     /* the table of a column, constraint, index or trigger; "" */
	const char *def;        /* the normalized definition; "" when none */
	mg_sgroup *group;       /* where the row comes from (NULL: rows not read from a database) */
	int rank;               /* kind's place in the order */
} mg_srow;

/*
 * A snapshot is its groups; the rows in one sorted array ("rows") are
 * made when asked for (mg_schema_rows), so that a snapshot built on
 * another costs what changed, not the schema's size.
 */
typedef struct mg_schema {
	mg_srow *rows;          /* sorted: rank, name, definition (bytewise); NULL: not made yet */
	size_t n;
	size_t cap;             /* rows allocated (mg_schema_release) */
	mg_sgroup **groups;     /* the rows' groups, sorted by key */
	size_t ngroups;
	size_t gcap;            /* groups allocated */
	bool grouped;           /* read from a database: the rows are the groups' (not decoded) */
	mg_sgroup **order;      /* SQLite: the groups in sqlite_schema's order (where the next read looks first) */
	size_t norder;
	size_t ocap;
	long long stamp;        /* SQLite: schema_version when read; -1 unknown */
	/* PostgreSQL: the relations (oids) read again since the snapshot it was built on, or all */
	char **changed;
	size_t nchanged;
	bool changed_all;
} mg_schema;

/*
 * Read the user's schema through the host (SQLite: sqlite_schema and the
 * pragma functions; PostgreSQL: pg_catalog and pg_get_*def), leaving out
 * the engine's tables and the version table; sorted, so equal schemas
 * give equal rows whatever order their objects were made in.
 */
int mg_schema_read(mg_schema *out, mg_state *st);
/*
 * mg_schema_read for the first of a series of snapshots, each built on
 * the last with mg_schema_reread (a rehearsal): on PostgreSQL it starts
 * the host's watch of what changes (schema_changes).
 */
int mg_schema_read_first(mg_schema *out, mg_state *st);
/*
 * mg_schema_read after a change, reading again only what changed since
 * prev (an earlier snapshot of this database in the same context): on
 * SQLite the sqlite_schema rows whose text differs (SQLite derives a
 * table's columns and constraints from its text alone), nothing at all
 * when schema_version has not moved; on PostgreSQL the objects the host
 * reports changed (its schema_changes slot) and what names them, the
 * whole schema when it cannot tell.  Equal to a full read; the cost
 * follows the change, not the schema's size.  prev stays valid.
 */
int mg_schema_reread(mg_schema *out, mg_state *st, const mg_schema *prev);
/*
 * The snapshot's rows in one sorted array (s->rows, s->n), made from its
 * groups the first time they are asked for: what migrate_schema prints,
 * drift encodes and a report searches.  Diffs need not ask.
 */
int mg_schema_rows(mg_schema *s, mg_ctx *ctx);
/* Give a snapshot's arrays back early (its strings stay until the context goes); s is emptied. */
void mg_schema_release(mg_ctx *ctx, mg_schema *s);

typedef enum mg_change_op { MG_CHANGE_ADDED, MG_CHANGE_DROPPED, MG_CHANGE_CHANGED } mg_change_op;

/* One difference between two snapshots: before NULL when added, after NULL when dropped. */
typedef struct mg_schema_change {
	mg_change_op op;
	const mg_srow *before;
	const mg_srow *after;
} mg_schema_change;

/*
 * The differences from a to b in the rows' order.  Rows are matched by
 * kind and name; a name held by several rows (SQLite's unnamed
 * constraints) is matched by definition.
 */
int mg_schema_diff(mg_schema_change **out, size_t *n, mg_ctx *ctx, const mg_schema *a,
                   const mg_schema *b);
/* "kind name" of a change's object. */
char *mg_schema_change_object(mg_ctx *ctx, const mg_schema_change *c);
/*
 * What a changed row changed, as "type text, was varchar(32)" (joined
 * with "; " when several parts changed); with after_what, as "type text
 * <after_what>, was varchar(32)".
 */
char *mg_schema_change_what(mg_ctx *ctx, const mg_schema_change *c, const char *after_what);
/* One line per change: "added column job.note: text", "dropped ...", "changed ...: ...". */
char *mg_schema_change_lines(mg_ctx *ctx, const mg_schema_change *c, size_t n);
/* The rows as one text (tab-separated fields, one row a line, escaped) and back. */
int mg_schema_encode(char **out, mg_ctx *ctx, const mg_schema *s);
int mg_schema_decode(mg_schema *out, mg_ctx *ctx, const char *text);

/* ---- rehearse.c: plans as rows, dry runs, the stairway -------------- */

int mg_rehearse_plan(mg_table *out, mg_ctx *ctx, const mg_host *host, const char *target,
                     const char *direction);
int mg_rehearse_run(mg_table *out, mg_ctx *ctx, const mg_host *host, const char *target,
                    const char *direction);
int mg_rehearse_stairway(mg_table *out, mg_ctx *ctx, const mg_host *host, const char *range);

/* ---- drift.c: the schema recorded by the last run ------------------- */

/* Record the live schema as the one the run leaves (inside the run's unit). */
int mg_drift_record(mg_session *s);
/*
 * The "drift: ..." lines of migrate_check (each ending in a newline):
 * objects added, dropped or changed since the last run recorded the
 * schema; *problems counts them.  When no run recorded one, *note is
 * the line that says so (without newline), else NULL.
 */
int mg_drift_lines(mg_buf *b, int *problems, const char **note, mg_session *s);

#endif /* MG_INTERNAL_H */
