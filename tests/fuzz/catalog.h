/*
 * catalog.h -- random catalogs for the graph and emitter fuzz targets:
 * the fuzzer's bytes become up to FZ_MAXREV revision scripts whose
 * Revises and Depends On point anywhere (forward, to themselves, to ids
 * nobody has, to branch labels), so that cycles through Revises and
 * Depends On, self-loops, duplicate ids and labels, merges and branch
 * points all arise; the scripts are parsed and built into a revision map
 * as a catalog is.
 *
 * Ids share prefixes on purpose ("a1b2c3" + n, "a1b2" + n, ...), so that
 * partial ids are ambiguous or unique as the bytes decide.
 */
#ifndef FUZZ_CATALOG_H
#define FUZZ_CATALOG_H

#include "fuzz.h"

#define FZ_MAXREV 12

static const char *const fz_prefixes[] = {"a1b2c3", "a1b2", "ff", "a1b2c3d4e5"};
static const char *const fz_labels[] = {"gxy", "tsi", "x_y"};
static const char *const fz_tags[] = {"release_22.05", "release_23.0", "22.05"};

typedef struct fz_catalog {
	size_t n;                   /* revisions (some may have failed to parse) */
	char ids[FZ_MAXREV][24];
	mg_script *scripts[FZ_MAXREV];
	mg_revmap *map;             /* NULL when the graph did not build */
} fz_catalog;

/* A reference for Revises / Depends On: another revision, a label or a stranger. */
static inline void
fz_ref(fz_in *in, const fz_catalog *c, size_t n, char *out, size_t cap, int labels_ok)
{
	unsigned b = fz_byte(in);

	if (b >= 250)
		snprintf(out, cap, "zz%02u", b - 250);
	else if (labels_ok && b >= 200)
		snprintf(out, cap, "%s", fz_labels[b % 3]);
	else
		snprintf(out, cap, "%s", c->ids[b % n]);
}

/* The revision a Revises / Depends On entry names (an id, or the label's declarer); -1: none. */
static inline int
fz_find(const fz_catalog *c, const char *ref)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->ids[i], ref) == 0)
			return (int) i;
	for (size_t i = 0; i < c->n; i++)
		for (uint32_t k = 0; k < c->scripts[i]->nlabels; k++)
			if (strcmp(c->scripts[i]->labels[k], ref) == 0)
				return (int) i;
	return -1;
}

/* Depth-first: is there a cycle through Revises and Depends On from i? */
static inline int
fz_cycle_from(const fz_catalog *c, size_t i, uint8_t *color)
{
	const mg_script *s = c->scripts[i];

	if (color[i] == 1)
		return 1;
	if (color[i] == 2)
		return 0;
	color[i] = 1;
	for (uint32_t k = 0; k < s->ndown + s->ndeps; k++)
	{
		int j = fz_find(c, k < s->ndown ? s->down[k] : s->deps[k - s->ndown]);

		if (j >= 0 && fz_cycle_from(c, (size_t) j, color))
			return 1;
	}
	color[i] = 2;
	return 0;
}

/* An independent check of what mg_revmap_build must refuse: a cycle. */
static inline int
fz_has_cycle(const fz_catalog *c)
{
	uint8_t color[FZ_MAXREV] = {0};

	for (size_t i = 0; i < c->n; i++)
		if (fz_cycle_from(c, i, color))
			return 1;
	return 0;
}

/*
 * Build c from the input: the bodies come from body(in, i, buf, cap),
 * which writes the sections of revision i (NULL: "SELECT 1;" sections).
 * Returns 0, or -1 when a script did not parse (c->map NULL).
 */
static inline int
fz_catalog_build(fz_catalog *c, mg_ctx *ctx, fz_in *in,
				 void (*body)(fz_in *in, size_t i, char *buf, size_t cap))
{
	static char text[8192];
	char bodies[4096];

	memset(c, 0, sizeof(*c));
	c->n = 1 + fz_byte(in) % FZ_MAXREV;
	for (size_t i = 0; i < c->n; i++)
	{
		unsigned b = fz_byte(in);

		if (i > 0 && b >= 252)  /* a duplicate id now and then */
			memcpy(c->ids[i], c->ids[i - 1], sizeof(c->ids[i]));
		else
			snprintf(c->ids[i], sizeof(c->ids[i]), "%s%02zx", fz_prefixes[b % 4], i);
	}
	for (size_t i = 0; i < c->n; i++)
	{
		char down[2][32], deps[2][32];
		unsigned shape = fz_byte(in), nd = shape % 3, ndep = (shape / 3) % 3;
		unsigned lab = fz_byte(in), tag = fz_byte(in);
		size_t len;

		for (unsigned k = 0; k < nd; k++)
			fz_ref(in, c, c->n, down[k], sizeof(down[k]), 0);
		for (unsigned k = 0; k < ndep; k++)
			fz_ref(in, c, c->n, deps[k], sizeof(deps[k]), 1);
		if (body != NULL)
			body(in, i, bodies, sizeof(bodies));
		else
			snprintf(bodies, sizeof(bodies),
					 "-- migrate:upgrade\nSELECT 1;\n-- migrate:downgrade\nSELECT 2;\n");
		len = (size_t) snprintf(text, sizeof(text),
								"-- revision %zu\n--\n-- Revision ID: %s\n-- Revises: %s%s%s\n"
								"-- Branch Labels: %s%s%s\n-- Depends On: %s%s%s\n-- Tags: %s\n"
								"%s\n%s",
								i, c->ids[i], nd > 0 ? down[0] : "", nd > 1 ? ", " : "",
								nd > 1 ? down[1] : "", lab % 4 ? fz_labels[lab % 4 - 1] : "",
								lab >= 128 && lab % 4 ? ", " : "",
								lab >= 128 && lab % 4 ? fz_labels[lab % 3] : "",
								ndep > 0 ? deps[0] : "", ndep > 1 ? ", " : "",
								ndep > 1 ? deps[1] : "", tag % 4 ? fz_tags[tag % 4 - 1] : "",
								shape >= 240 ? "-- Transactional: false\n" : "", bodies);
		if (len >= sizeof(text))
			len = sizeof(text) - 1;
		if (getenv("FUZZ_VERBOSE") != NULL)  /* a replay shows the catalog */
			fprintf(stderr, "---- revision %zu\n%.*s\n", i, (int) len, text);
		if (mg_script_parse(&c->scripts[i], ctx, text, len, c->ids[i]) != MG_OK)
		{
			mg_error_clear(ctx);
			return -1;
		}
	}
	if (mg_revmap_new(&c->map, ctx) != MG_OK)
		abort();
	for (size_t i = 0; i < c->n; i++)
		if (mg_revmap_add(c->map, c->scripts[i]) != MG_OK)
		{
			c->map = NULL;
			mg_error_clear(ctx);
			return -1;
		}
	if (mg_revmap_build(c->map) != MG_OK)
	{
		FZ_CHECK(mg_ctx_error(ctx)->message[0] != '\0');
		c->map = NULL;
		mg_error_clear(ctx);
		return -1;
	}
	FZ_CHECK(mg_revmap_count(c->map) == c->n);
	if (fz_has_cycle(c))
	{
#ifdef FUZZ_SKIP_DEPENDS_ON_CYCLES
		/* the build does not refuse every cycle yet (issue 18, finding 1): skip it */
		c->map = NULL;
		return -1;
#else
		FZ_CHECK(!"mg_revmap_build accepted a cycle through Revises and Depends On");
#endif
	}
	return 0;
}

/* An identifier as a user would type one, built from the input. */
static inline const char *
fz_ident(fz_in *in, const fz_catalog *c, char *buf, size_t cap)
{
	unsigned kind = fz_byte(in), b = fz_byte(in), k = fz_byte(in) % 6;
	const char *id = c->ids[b % c->n], *label = fz_labels[b % 3];
	char raw[16];

	switch (kind % 18)
	{
		case 0: snprintf(buf, cap, "%s", id); break;
		case 1: snprintf(buf, cap, "%.*s", (int) (1 + k), id); break;
		case 2: snprintf(buf, cap, "head"); break;
		case 3: snprintf(buf, cap, "heads"); break;
		case 4: snprintf(buf, cap, "base"); break;
		case 5: snprintf(buf, cap, "%s@head", label); break;
		case 6: snprintf(buf, cap, "%s@heads", label); break;
		case 7: snprintf(buf, cap, "%s@base", label); break;
		case 8: snprintf(buf, cap, "%s@%s", label, id); break;
		case 9: snprintf(buf, cap, "+%u", k); break;
		case 10: snprintf(buf, cap, "-%u", k); break;
		case 11: snprintf(buf, cap, "%s+%u", id, k); break;
		case 12: snprintf(buf, cap, "%s-%u", id, k); break;
		case 13: snprintf(buf, cap, "%s@+%u", label, k); break;
		case 14: snprintf(buf, cap, "%s@-%u", label, k); break;
		case 15: snprintf(buf, cap, "%s", fz_tags[b % 3]); break;
		case 16: snprintf(buf, cap, "%s", kind >= 128 ? "+999999999" : "-2147483648"); break;
		default: snprintf(buf, cap, "%s", fz_text(in, raw, 12)); break;
	}
	return buf;
}

/* Version rows: a subset of the revisions (and now and then a stranger). */
static inline size_t
fz_rows(fz_in *in, const fz_catalog *c, const char **rows)
{
	unsigned mask = fz_byte(in) | fz_byte(in) << 8;
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		if (mask & (1u << i))
			rows[n++] = c->ids[i];
	if (mask & 0x8000)
		rows[n++] = "zz00";
	return n;
}

#endif /* FUZZ_CATALOG_H */
