/*
 * revmap.c -- the revision graph: Alembic's RevisionMap.
 *
 * Scripts are added in catalog order (which breaks ties between
 * independent branches, as file order does in Alembic), then built once:
 * ids are hashed, Revises and Depends On are linked into parent and
 * child index lists, dependencies are normalized, cycles are detected,
 * branch labels are propagated, and heads and bases are listed.
 *
 * Invariants after mg_revmap_build:
 *   - revisions are referred to by index; index order = catalog order;
 *   - every list (heads, children, ...) is in catalog order;
 *   - graph walks are iterative and mark-based: linear in the graph size;
 *   - the lists are read-only: each kind lives in one block sized from
 *     counts, and a list that would repeat another is that list
 *     (all_down is down, down_norm is down, when there are no
 *     dependencies); the revision array is exactly as long as the map;
 *     scratch arrays of the build and of the walks are given back
 *     (mg_release) when they are done.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct mg_revmap {
	mg_ctx *ctx;
	mg_rev *revs;
	size_t n, cap;
	int *hash;              /* open addressing: index + 1, 0 = empty */
	size_t hmask;
	const char **label_names;
	int *label_revs;        /* revision declaring each label */
	size_t nlabels, labcap;
	const char **tag_names; /* "release_22.05" and its short "22.05" */
	int *tag_revs;
	size_t ntags, tagcap;
	int *heads, *real_heads, *bases;
	size_t nheads, nreal_heads, nbases;
	bool built;
	/* scratch for reachability queries: a cache, so it may change under a const map */
	uint32_t *scratch_stamp;
	int *scratch_stack;
	uint32_t scratch_epoch;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
	{
		h ^= (unsigned char) *s++;
		h *= 1099511628211ULL;
	}
	return h;
}

int
mg_revmap_new(mg_revmap **out, mg_ctx *ctx)
{
	mg_revmap *map = mg_alloc(ctx, sizeof(*map));

	*out = NULL;
	if (map == NULL)
		return MG_ENOMEM;
	map->ctx = ctx;
	*out = map;
	return MG_OK;
}

int
mg_revmap_add(mg_revmap *map, const mg_script *script)
{
	mg_rev *r;

	/* doubled without clearing: the element is cleared as it is added */
	if (mg_grow_uninit(map->ctx, &map->revs, &map->cap, map->n, sizeof(mg_rev)) != MG_OK)
		return MG_ENOMEM;
	r = &map->revs[map->n];
	memset(r, 0, sizeof(*r));
	r->script = script;
	r->id = script->id;
	r->seq = (int) map->n;
	map->n++;
	return MG_OK;
}

/*
 * Give the graph's large arrays (the revisions, the id hash, the
 * reachability scratch) back before a command builds a large result
 * that needs only what it took from the graph: the scripts, which live
 * in the arena's chunks, stay valid; the map is empty afterwards.
 */
void
mg_revmap_release(mg_revmap *map)
{
	if (map->scratch_stamp != NULL)
	{
		mg_release(map->ctx, map->scratch_stack, (map->n + 1) * sizeof(int));
		mg_release(map->ctx, map->scratch_stamp, (map->n + 1) * sizeof(uint32_t));
	}
	if (map->hash != NULL)
		mg_release(map->ctx, map->hash, (map->hmask + 1) * sizeof(int));
	if (map->revs != NULL)
		mg_release(map->ctx, map->revs, map->cap * sizeof(mg_rev));
	map->scratch_stamp = NULL;
	map->scratch_stack = NULL;
	map->hash = NULL;
	map->hmask = 0;
	map->revs = NULL;
	map->n = map->cap = 0;
	map->nheads = map->nreal_heads = map->nbases = 0;
	map->nlabels = map->ntags = 0;
}

size_t
mg_revmap_count(const mg_revmap *map)
{
	return map->n;
}

void
mg_revmap_set_script(mg_revmap *map, int i, const mg_script *script)
{
	map->revs[i].script = script;
}

const mg_rev *
mg_revmap_rev(const mg_revmap *map, int i)
{
	return &map->revs[i];
}

int
mg_revmap_find(const mg_revmap *map, const char *id)
{
	size_t i;

	if (map->hash == NULL)
		return -1;
	for (i = hash_str(id) & map->hmask;; i = (i + 1) & map->hmask)
	{
		int v = map->hash[i];

		if (v == 0)
			return -1;
		if (strcmp(map->revs[v - 1].id, id) == 0)
			return v - 1;
	}
}

int
mg_revmap_find_label(const mg_revmap *map, const char *label)
{
	for (size_t i = 0; i < map->nlabels; i++)
		if (strcmp(map->label_names[i], label) == 0)
			return map->label_revs[i];
	return -1;
}

int
mg_revmap_find_tag(const mg_revmap *map, const char *tag)
{
	for (size_t i = 0; i < map->ntags; i++)
		if (strcmp(map->tag_names[i], tag) == 0)
			return map->tag_revs[i];
	return -1;
}

void
mg_revmap_tags(const mg_revmap *map, const char *const **names, const int **revs, size_t *n)
{
	*names = map->tag_names;
	*revs = map->tag_revs;
	*n = map->ntags;
}

const char *
mg_revmap_label_name(const mg_revmap *map, int label)
{
	return map->label_names[label];
}

size_t
mg_revmap_label_count(const mg_revmap *map)
{
	return map->nlabels;
}

void
mg_revmap_heads(const mg_revmap *map, const int **revs, size_t *n)
{
	*revs = map->heads;
	*n = map->nheads;
}

void
mg_revmap_real_heads(const mg_revmap *map, const int **revs, size_t *n)
{
	*revs = map->real_heads;
	*n = map->nreal_heads;
}

void
mg_revmap_bases(const mg_revmap *map, const int **revs, size_t *n)
{
	*revs = map->bases;
	*n = map->nbases;
}

bool
mg_rev_is_head(const mg_rev *r)
{
	return r->nnext == 0;
}

bool
mg_rev_is_real_head(const mg_rev *r)
{
	return r->nall_next == 0;
}

bool
mg_rev_is_branchpoint(const mg_rev *r)
{
	return r->nnext > 1;
}

bool
mg_rev_is_mergepoint(const mg_rev *r)
{
	return r->ndown > 1;
}

bool
mg_rev_has_label(const mg_rev *r, int label)
{
	for (size_t i = 0; i < r->nlabels; i++)
		if (r->labels[i] == label)
			return true;
	return false;
}

static int
cmp_by_id(const void *a, const void *b, void *arg)
{
	const mg_revmap *map = arg;

	return strcmp(map->revs[*(const int *) a].id, map->revs[*(const int *) b].id);
}

/* Insertion sort fallback is too slow for 10k; a small merge sort with a context. */
static void
sort_ids(mg_revmap *map, int *a, int *tmp, size_t n)
{
	size_t mid;

	if (n < 2)
		return;
	mid = n / 2;
	sort_ids(map, a, tmp, mid);
	sort_ids(map, a + mid, tmp, n - mid);
	{
		size_t i = 0, j = mid, k = 0;

		while (i < mid && j < n)
			tmp[k++] = cmp_by_id(&a[i], &a[j], map) <= 0 ? a[i++] : a[j++];
		while (i < mid)
			tmp[k++] = a[i++];
		while (j < n)
			tmp[k++] = a[j++];
		memcpy(a, tmp, n * sizeof(int));
	}
}

/*
 * A scan, not a sorted index: prefixes are looked up a few times per
 * command at most, and a scan costs less than sorting every id up front.
 */
size_t
mg_revmap_prefix(const mg_revmap *map, const char *prefix, int *out, size_t max)
{
	size_t plen = strlen(prefix), count = 0;

	for (size_t k = 0; k < map->n; k++)
	{
		const char *id = map->revs[k].id;

		if (strncmp(id, prefix, plen) == 0 && strlen(id) > 3)
		{
			if (count < max)
				out[count] = (int) k;
			count++;
		}
	}
	return count;
}

/* Append v to an int list in the arena. */
static int
push_int(mg_ctx *ctx, int **arr, size_t *n, size_t *cap, int v)
{
	if (mg_grow(ctx, arr, cap, *n, sizeof(int)) != MG_OK)
		return MG_ENOMEM;
	(*arr)[(*n)++] = v;
	return MG_OK;
}

static bool
contains(const int *arr, size_t n, int v)
{
	for (size_t i = 0; i < n; i++)
		if (arr[i] == v)
			return true;
	return false;
}

/* Walk from `from` along parents (up=false) or children (up=true). */
static int
walk_marks(uint8_t *marks, const mg_revmap *map, const int *from, size_t n,
		   bool up, bool with_deps, bool norm)
{
	int *stack;
	size_t sp = 0;

	stack = mg_alloc(map->ctx, (map->n + 1) * sizeof(int));
	if (stack == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < n; i++)
	{
		if (from[i] < 0 || marks[from[i]])
			continue;
		marks[from[i]] = 1;
		stack[sp++] = from[i];
		while (sp > 0)
		{
			const mg_rev *r = &map->revs[stack[--sp]];
			const int *list;
			size_t cnt;

			if (up)
			{
				list = with_deps ? r->all_next : r->next;
				cnt = with_deps ? r->nall_next : r->nnext;
			}
			else if (with_deps)
			{
				list = norm ? r->down_norm : r->all_down;
				cnt = norm ? r->ndown_norm : r->nall_down;
			}
			else
			{
				list = r->down;
				cnt = r->ndown;
			}
			for (size_t k = 0; k < cnt; k++)
				if (!marks[list[k]])
				{
					marks[list[k]] = 1;
					stack[sp++] = list[k];
				}
		}
	}
	mg_release(map->ctx, stack, (map->n + 1) * sizeof(int));
	return MG_OK;
}

int
mg_revmap_ancestors(uint8_t **marks, const mg_revmap *map, const int *from, size_t n, bool with_deps)
{
	*marks = mg_alloc(map->ctx, map->n + 1);
	if (*marks == NULL)
		return MG_ENOMEM;
	return walk_marks(*marks, map, from, n, false, with_deps, true);
}

int
mg_revmap_descendants(uint8_t **marks, const mg_revmap *map, const int *from, size_t n, bool with_deps)
{
	*marks = mg_alloc(map->ctx, map->n + 1);
	if (*marks == NULL)
		return MG_ENOMEM;
	return walk_marks(*marks, map, from, n, true, with_deps, true);
}

/*
 * Is `to` reachable from `from` walking down (parents) or up (children)?
 * Every edge climbs in rank, so the walk never leaves the band between
 * the two ranks; the marks are epoch stamps reused across calls.
 */
static int
reaches(bool *out, const mg_revmap *cmap, int from, int to, bool up, bool with_deps)
{
	mg_revmap *map = (mg_revmap *) cmap;     /* only the scratch cache changes */
	int lo = up ? map->revs[from].rank : map->revs[to].rank;
	int hi = up ? map->revs[to].rank : map->revs[from].rank;
	size_t sp = 0;

	*out = from == to;
	if (*out || lo >= hi)
		return MG_OK;
	if (map->scratch_stamp == NULL)
	{
		map->scratch_stamp = mg_alloc(map->ctx, (map->n + 1) * sizeof(uint32_t));
		map->scratch_stack = mg_alloc(map->ctx, (map->n + 1) * sizeof(int));
		if (map->scratch_stamp == NULL || map->scratch_stack == NULL)
		{
			map->scratch_stamp = NULL;
			return MG_ENOMEM;
		}
	}
	if (++map->scratch_epoch == 0)
	{
		memset(map->scratch_stamp, 0, (map->n + 1) * sizeof(uint32_t));
		map->scratch_epoch = 1;
	}
	map->scratch_stamp[from] = map->scratch_epoch;
	map->scratch_stack[sp++] = from;
	while (sp > 0)
	{
		const mg_rev *r = &map->revs[map->scratch_stack[--sp]];
		const int *list;
		size_t cnt;

		if (up)
		{
			list = with_deps ? r->all_next : r->next;
			cnt = with_deps ? r->nall_next : r->nnext;
		}
		else
		{
			list = with_deps ? r->down_norm : r->down;
			cnt = with_deps ? r->ndown_norm : r->ndown;
		}
		for (size_t k = 0; k < cnt; k++)
		{
			int v = list[k];

			if (v == to)
			{
				*out = true;
				return MG_OK;
			}
			if (map->scratch_stamp[v] != map->scratch_epoch &&
				map->revs[v].rank > lo && map->revs[v].rank < hi)
			{
				map->scratch_stamp[v] = map->scratch_epoch;
				map->scratch_stack[sp++] = v;
			}
		}
	}
	return MG_OK;
}

int
mg_revmap_shares_lineage(bool *out, const mg_revmap *map, int rev, const int *against,
						 size_t n, bool with_deps)
{
	*out = n == 0;
	for (size_t i = 0; i < n && !*out; i++)
	{
		int a = against[i];

		if (a < 0)
			continue;
		if (reaches(out, map, rev, a, false, with_deps) != MG_OK)
			return MG_ENOMEM;
		if (!*out && reaches(out, map, rev, a, true, with_deps) != MG_OK)
			return MG_ENOMEM;
	}
	return MG_OK;
}

/* "a, b": ids joined as Alembic's format_as_comma. */
static char *
ids_text(const mg_revmap *map, const int *v, size_t n)
{
	mg_buf b;
	char *s;

	mg_buf_init(&b, map->ctx);
	for (size_t i = 0; i < n; i++)
		mg_buf_printf(&b, "%s%s", i ? ", " : "", map->revs[v[i]].id);
	return mg_buf_finish(&b, &s) == MG_OK ? s : NULL;
}

/*
 * Ancestors (with dependencies) of targets, checking that no target is
 * an ancestor of another (Alembic's check=True).
 */
int
mg_revmap_ancestors_checked(uint8_t **marks, const mg_revmap *map, const int *targets, size_t n)
{
	mg_ctx *ctx = map->ctx;
	size_t total = map->n, edges = 0;
	uint8_t *seen, *is_target;
	int *per, *stack;

	/* a revision's parents are pushed once, when it is first expanded */
	for (size_t k = 0; k < total; k++)
		edges += map->revs[k].ndown_norm;
	seen = mg_alloc(ctx, total + 1);
	is_target = mg_alloc(ctx, total + 1);
	per = mg_alloc(ctx, (total + 1) * sizeof(int));
	stack = mg_alloc(ctx, (edges + n + 1) * sizeof(int));
	*marks = seen;
	if (seen == NULL || is_target == NULL || per == NULL || stack == NULL)
		return MG_ENOMEM;
	for (size_t i = 0; i < n; i++)
		is_target[targets[i]] = 1;
	for (size_t i = 0; i < n; i++)
	{
		size_t sp = 0;
		int t = targets[i];
		int *over = NULL;
		size_t nover = 0, ocap = 0;

		stack[sp++] = t;
		while (sp > 0)
		{
			int v = stack[--sp];
			const mg_rev *r = &map->revs[v];

			if (per[v] != (int) i + 1)
			{
				per[v] = (int) i + 1;
				if (is_target[v] && v != t)
				{
					if (mg_grow(ctx, &over, &ocap, nover, sizeof(int)) != MG_OK)
						return MG_ENOMEM;
					over[nover++] = v;
				}
			}
			if (seen[v])
				continue;
			seen[v] = 1;
			for (size_t k = 0; k < r->ndown_norm; k++)
				stack[sp++] = r->down_norm[k];
		}
		if (nover > 0)
		{
			char *list = ids_text(map, over, nover);

			if (list == NULL)
				return MG_ENOMEM;
			mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
						 "Requested revision %s overlaps with other requested revisions %s",
						 map->revs[t].id, list);
			mg_error_detail(ctx, "One requested revision is an ancestor of another.");
			mg_error_hint(ctx, "Name only the newest revision of each branch.");
			return MG_EINPUT;
		}
	}
	mg_release(ctx, stack, (edges + n + 1) * sizeof(int));
	mg_release(ctx, per, (total + 1) * sizeof(int));
	mg_release(ctx, is_target, total + 1);
	return MG_OK;
}

/* ---- building ---------------------------------------------------------- */

static int
build_hash(mg_revmap *map)
{
	size_t size = 16;

	while (size < map->n * 2)
		size *= 2;
	map->hash = mg_alloc(map->ctx, size * sizeof(int));
	if (map->hash == NULL)
		return MG_ENOMEM;
	map->hmask = size - 1;
	for (size_t k = 0; k < map->n; k++)
	{
		const mg_rev *r = &map->revs[k];
		size_t i;

		for (i = hash_str(r->id) & map->hmask; map->hash[i] != 0; i = (i + 1) & map->hmask)
		{
			const mg_rev *o = &map->revs[map->hash[i] - 1];

			if (strcmp(o->id, r->id) == 0)
			{
				mg_error_set(map->ctx, MG_EINPUT, MG_STATE_BAD_GRAPH,
							 "Revision %s is present more than once", r->id);
				mg_error_detail(map->ctx, "It is defined in \"%s\" and in \"%s\".",
								o->script->filename, r->script->filename);
				mg_error_hint(map->ctx, "Give one of them a new Revision ID, or remove the copy.");
				return MG_EINPUT;
			}
		}
		map->hash[i] = (int) k + 1;
	}
	return MG_OK;
}

int
mg_revmap_check_ids(mg_revmap *map)
{
	return build_hash(map);
}

static int
build_labels_and_tags(mg_revmap *map)
{
	for (size_t k = 0; k < map->n; k++)
	{
		const mg_script *s = map->revs[k].script;

		for (size_t j = 0; j < s->nlabels; j++)
		{
			const char *l = s->labels[j];
			int other = mg_revmap_find_label(map, l);

			if (other < 0 && mg_revmap_find(map, l) >= 0)
				other = mg_revmap_find(map, l);
			if (other >= 0)
			{
				mg_error_set(map->ctx, MG_EINPUT, MG_STATE_BAD_GRAPH,
							 "Branch name '%s' in revision %s already used by revision %s",
							 l, s->id, map->revs[other].id);
				mg_error_hint(map->ctx, "Choose another branch label in \"%s\".", s->filename);
				return MG_EINPUT;
			}
			if (mg_grow(map->ctx, &map->label_names, &map->labcap, map->nlabels, sizeof(char *)) != MG_OK)
				return MG_ENOMEM;
			map->label_names[map->nlabels] = l;
			{
				size_t cap2 = map->nlabels;    /* label_revs grows in step with names */
				int *nr = mg_realloc(map->ctx, map->label_revs, cap2 * sizeof(int),
									 map->labcap * sizeof(int));

				if (nr == NULL)
					return MG_ENOMEM;
				map->label_revs = nr;
			}
			map->label_revs[map->nlabels++] = (int) k;
		}
		for (size_t j = 0; j < s->ntags; j++)
		{
			const char *names[2];
			size_t nn = 0;

			names[nn++] = s->tags[j];
			if (strncmp(s->tags[j], "release_", 8) == 0 && s->tags[j][8])
				names[nn++] = s->tags[j] + 8;
			for (size_t t = 0; t < nn; t++)
			{
				int other = mg_revmap_find_tag(map, names[t]);

				if (other >= 0)
				{
					mg_error_set(map->ctx, MG_EINPUT, MG_STATE_BAD_GRAPH,
								 "tag \"%s\" of revision %s is already used by revision %s",
								 names[t], s->id, map->revs[other].id);
					mg_error_hint(map->ctx, "A release tag names exactly one revision; remove one of them.");
					return MG_EINPUT;
				}
				if (mg_grow(map->ctx, &map->tag_names, &map->tagcap, map->ntags, sizeof(char *)) != MG_OK)
					return MG_ENOMEM;
				map->tag_names[map->ntags] = names[t];
				{
					int *nr = mg_realloc(map->ctx, map->tag_revs, map->ntags * sizeof(int),
										 map->tagcap * sizeof(int));

					if (nr == NULL)
						return MG_ENOMEM;
					map->tag_revs = nr;
				}
				map->tag_revs[map->ntags++] = (int) k;
			}
		}
	}
	return MG_OK;
}

/*
 * Resolve Revises (ids only) and Depends On (ids or labels), link
 * children.  Each kind of list lives in one block sized from the counts
 * (parents from the scripts, children counted first); all_down is down
 * itself for a revision without dependencies.
 */
static int
link_graph(mg_revmap *map)
{
	size_t total = 0, nchild = 0, nvchild = 0;
	int *pool, *cpool, *vpool;

	for (size_t k = 0; k < map->n; k++)
	{
		const mg_script *s = map->revs[k].script;

		total += s->ndown + s->ndeps;
		if (s->ndeps > 0)
			total += s->ndown + s->ndeps;
	}
	pool = mg_alloc(map->ctx, (total + 1) * sizeof(int));
	if (pool == NULL)
		return MG_ENOMEM;
	for (size_t k = 0; k < map->n; k++)
	{
		mg_rev *r = &map->revs[k];
		const mg_script *s = r->script;

		r->down = pool;
		for (size_t j = 0; j < s->ndown; j++)
		{
			int d;

			if (strcmp(s->down[j], r->id) == 0)
			{
				mg_error_set(map->ctx, MG_EINPUT, MG_STATE_BAD_GRAPH,
							 "Self-loop is detected in revisions (%s)", r->id);
				mg_error_hint(map->ctx, "Fix the Revises line of \"%s\".", s->filename);
				return MG_EINPUT;
			}
			d = mg_revmap_find(map, s->down[j]);
			if (d < 0)
			{
				mg_error_set(map->ctx, MG_EINPUT, MG_STATE_BAD_GRAPH,
							 "Revision %s referenced from %s is not present", s->down[j], r->id);
				mg_error_detail(map->ctx, "The Revises line of \"%s\" names a revision that no script in the catalog defines.",
								s->filename);
				mg_error_hint(map->ctx, "Load the missing revision, or correct the Revises line.");
				return MG_EINPUT;
			}
			if (!contains(r->down, r->ndown, d))
				r->down[r->ndown++] = d;
		}
		pool += r->ndown;
		r->deps = pool;
		for (size_t j = 0; j < s->ndeps; j++)
		{
			int d;

			if (strcmp(s->deps[j], r->id) == 0)
			{
				mg_error_set(map->ctx, MG_EINPUT, MG_STATE_BAD_GRAPH,
							 "Dependency self-loop is detected in revisions (%s)", r->id);
				mg_error_hint(map->ctx, "Fix the Depends On line of \"%s\".", s->filename);
				return MG_EINPUT;
			}
			d = mg_revmap_find(map, s->deps[j]);
			if (d < 0)
				d = mg_revmap_find_label(map, s->deps[j]);
			if (d < 0)
			{
				mg_error_set(map->ctx, MG_EINPUT, MG_STATE_BAD_GRAPH,
							 "Revision %s referenced from %s is not present", s->deps[j], r->id);
				mg_error_detail(map->ctx, "The Depends On line of \"%s\" names a revision or branch label that the catalog does not have.",
								s->filename);
				mg_error_hint(map->ctx, "Load the missing revision, or correct the Depends On line.");
				return MG_EINPUT;
			}
			if (!contains(r->deps, r->ndeps, d))
				r->deps[r->ndeps++] = d;
		}
		pool += r->ndeps;
		/* all_down = down + deps, deduplicated, in that order */
		if (r->ndeps == 0)
		{
			r->all_down = r->down;
			r->nall_down = r->ndown;
			continue;
		}
		r->all_down = pool;
		memcpy(r->all_down, r->down, r->ndown * sizeof(int));
		r->nall_down = r->ndown;
		for (size_t j = 0; j < r->ndeps; j++)
			if (!contains(r->all_down, r->nall_down, r->deps[j]))
				r->all_down[r->nall_down++] = r->deps[j];
		pool += r->nall_down;
	}
	/* children, in catalog order of the child: counted, placed, filled */
	for (size_t k = 0; k < map->n; k++)
	{
		const mg_rev *r = &map->revs[k];

		nchild += r->nall_down;
		nvchild += r->ndown;
		for (size_t j = 0; j < r->nall_down; j++)
			map->revs[r->all_down[j]].nall_next++;
		for (size_t j = 0; j < r->ndown; j++)
			map->revs[r->down[j]].nnext++;
	}
	cpool = mg_alloc(map->ctx, (nchild + 1) * sizeof(int));
	vpool = mg_alloc(map->ctx, (nvchild + 1) * sizeof(int));
	if (cpool == NULL || vpool == NULL)
		return MG_ENOMEM;
	for (size_t k = 0; k < map->n; k++)
	{
		mg_rev *r = &map->revs[k];

		r->all_next = cpool;
		cpool += r->nall_next;
		r->nall_next = 0;
		r->next = vpool;
		vpool += r->nnext;
		r->nnext = 0;
	}
	for (size_t k = 0; k < map->n; k++)
	{
		const mg_rev *r = &map->revs[k];

		for (size_t j = 0; j < r->nall_down; j++)
		{
			mg_rev *pr = &map->revs[r->all_down[j]];

			pr->all_next[pr->nall_next++] = (int) k;
			if (contains(r->down, r->ndown, r->all_down[j]))
				pr->next[pr->nnext++] = (int) k;
		}
	}
	return MG_OK;
}

/*
 * Alembic's _normalize_depends_on: drop from a revision's dependencies
 * those that an ancestor (by Revises) already depends on.  Only an
 * ancestor ranked above a dependency can depend on it, so the walk stops
 * at the lowest-ranked dependency (ranks are computed before this).
 */
static int
normalize_deps(mg_revmap *map)
{
	uint32_t *seen = NULL, *implied = NULL, epoch = 0;
	int *stack = NULL;

	for (size_t k = 0; k < map->n; k++)
	{
		mg_rev *r = &map->revs[k];

		if (r->ndeps > 0)
		{
			size_t sp = 0;
			int min_rank = -1;

			if (seen == NULL)
			{
				seen = mg_alloc(map->ctx, (map->n + 1) * sizeof(uint32_t));
				implied = mg_alloc(map->ctx, (map->n + 1) * sizeof(uint32_t));
				stack = mg_alloc(map->ctx, (map->n + 1) * sizeof(int));
				if (seen == NULL || implied == NULL || stack == NULL)
					return MG_ENOMEM;
			}
			epoch++;
			for (size_t j = 0; j < r->ndeps; j++)
				if (min_rank < 0 || map->revs[r->deps[j]].rank < min_rank)
					min_rank = map->revs[r->deps[j]].rank;
			for (size_t j = 0; j < r->ndown; j++)
				if (seen[r->down[j]] != epoch && map->revs[r->down[j]].rank > min_rank)
				{
					seen[r->down[j]] = epoch;
					stack[sp++] = r->down[j];
				}
			while (sp > 0)
			{
				const mg_rev *a = &map->revs[stack[--sp]];

				for (size_t j = 0; j < a->ndeps; j++)
					implied[a->deps[j]] = epoch;
				for (size_t j = 0; j < a->ndown; j++)
					if (seen[a->down[j]] != epoch && map->revs[a->down[j]].rank > min_rank)
					{
						seen[a->down[j]] = epoch;
						stack[sp++] = a->down[j];
					}
			}
			r->ndeps_norm = mg_alloc(map->ctx, r->ndeps * sizeof(int));
			if (r->ndeps_norm == NULL)
				return MG_ENOMEM;
			for (size_t j = 0; j < r->ndeps; j++)
				if (implied[r->deps[j]] != epoch)
					r->ndeps_norm[r->nndeps_norm++] = r->deps[j];
		}
		/* down_norm = down + normalized deps; down itself when there are none */
		if (r->nndeps_norm == 0)
		{
			r->down_norm = r->down;
			r->ndown_norm = r->ndown;
			continue;
		}
		r->down_norm = mg_alloc(map->ctx, (r->ndown + r->nndeps_norm) * sizeof(int));
		if (r->down_norm == NULL)
			return MG_ENOMEM;
		memcpy(r->down_norm, r->down, r->ndown * sizeof(int));
		r->ndown_norm = r->ndown;
		for (size_t j = 0; j < r->nndeps_norm; j++)
			if (!contains(r->down_norm, r->ndown_norm, r->ndeps_norm[j]))
				r->down_norm[r->ndown_norm++] = r->ndeps_norm[j];
	}
	mg_release(map->ctx, stack, (map->n + 1) * sizeof(int));
	mg_release(map->ctx, implied, (map->n + 1) * sizeof(uint32_t));
	mg_release(map->ctx, seen, (map->n + 1) * sizeof(uint32_t));
	return MG_OK;
}

static int
list_heads_bases(mg_revmap *map)
{
	size_t c1 = 0, c2 = 0, c3 = 0;

	for (size_t k = 0; k < map->n; k++)
	{
		const mg_rev *r = &map->revs[k];

		if (r->nnext == 0 && push_int(map->ctx, &map->heads, &map->nheads, &c1, (int) k) != MG_OK)
			return MG_ENOMEM;
		if (r->nall_next == 0 &&
			push_int(map->ctx, &map->real_heads, &map->nreal_heads, &c2, (int) k) != MG_OK)
			return MG_ENOMEM;
		if (r->ndown == 0 && push_int(map->ctx, &map->bases, &map->nbases, &c3, (int) k) != MG_OK)
			return MG_ENOMEM;
	}
	return MG_OK;
}

static int
cycle_error(mg_revmap *map, const char *kind, const uint8_t *keep)
{
	mg_buf b;
	char *list;
	int *ids = mg_alloc(map->ctx, (map->n + 1) * sizeof(int));
	size_t n = 0;

	if (ids == NULL)
		return MG_ENOMEM;
	for (size_t k = 0; k < map->n; k++)
		if (keep == NULL || !keep[k])
			ids[n++] = (int) k;
	/* sorted by id, as Alembic's sorted(deleted_revs) */
	{
		int *tmp = mg_alloc(map->ctx, (n + 1) * sizeof(int));

		if (tmp == NULL)
			return MG_ENOMEM;
		if (keep != NULL)
			sort_ids(map, ids, tmp, n);
	}
	mg_buf_init(&b, map->ctx);
	for (size_t i = 0; i < n; i++)
	{
		if (i)
			mg_buf_puts(&b, ", ");
		mg_buf_puts(&b, map->revs[ids[i]].id);
	}
	if (mg_buf_finish(&b, &list) != MG_OK)
		return MG_ENOMEM;
	mg_error_set(map->ctx, MG_EINPUT, MG_STATE_BAD_GRAPH, "%s is detected in revisions (%s)", kind, list);
	mg_error_hint(map->ctx, "Fix the Revises and Depends On lines of these revisions so that no revision is its own ancestor.");
	return MG_EINPUT;
}

/* Alembic's _detect_cycles: every revision must lie between a head and a base. */
static int
detect_cycles(mg_revmap *map)
{
	uint8_t *up, *down;
	int *real_bases;
	size_t nreal_bases = 0, cap = 0;

	if (map->n == 0)
		return MG_OK;
	if (map->nheads == 0 || map->nbases == 0)
		return cycle_error(map, "Cycle", NULL);
	up = mg_alloc(map->ctx, map->n + 1);
	down = mg_alloc(map->ctx, map->n + 1);
	if (up == NULL || down == NULL)
		return MG_ENOMEM;
	if (walk_marks(down, map, map->heads, map->nheads, false, false, false) != MG_OK ||
		walk_marks(up, map, map->bases, map->nbases, true, false, false) != MG_OK)
		return MG_ENOMEM;
	for (size_t k = 0; k < map->n; k++)
		if (!(up[k] && down[k]))
		{
			for (size_t j = 0; j < map->n; j++)
				up[j] = up[j] && down[j];
			return cycle_error(map, "Cycle", up);
		}
	real_bases = NULL;
	for (size_t k = 0; k < map->n; k++)
		if (map->revs[k].ndown == 0 && map->revs[k].ndeps == 0 &&
			push_int(map->ctx, &real_bases, &nreal_bases, &cap, (int) k) != MG_OK)
			return MG_ENOMEM;
	if (map->nreal_heads == 0 || nreal_bases == 0)
		return cycle_error(map, "Dependency cycle", NULL);
	memset(up, 0, map->n + 1);
	memset(down, 0, map->n + 1);
	if (walk_marks(down, map, map->real_heads, map->nreal_heads, false, true, false) != MG_OK ||
		walk_marks(up, map, real_bases, nreal_bases, true, true, false) != MG_OK)
		return MG_ENOMEM;
	for (size_t k = 0; k < map->n; k++)
		if (!(up[k] && down[k]))
		{
			for (size_t j = 0; j < map->n; j++)
				up[j] = up[j] && down[j];
			return cycle_error(map, "Dependency cycle", up);
		}
	mg_release(map->ctx, real_bases, cap * sizeof(int));
	mg_release(map->ctx, down, map->n + 1);
	mg_release(map->ctx, up, map->n + 1);
	return MG_OK;
}

static int
add_label(mg_revmap *map, mg_rev *r, int label)
{
	size_t cap = r->nlabels;   /* lists grow by exact size: labels are few */

	if (mg_rev_has_label(r, label))
		return MG_OK;
	{
		int *nl = mg_realloc(map->ctx, r->labels, cap * sizeof(int), (cap + 1) * sizeof(int));

		if (nl == NULL)
			return MG_ENOMEM;
		r->labels = nl;
	}
	r->labels[r->nlabels++] = label;
	return MG_OK;
}

/*
 * Alembic's _add_branches: a label applies to the declaring revision and
 * every descendant (by Revises), and upward from the last descendant
 * visited to the first branch point or merge point.  Alembic visits
 * descendants depth-first from a set; here children are pushed in
 * catalog order, which makes the choice of the last one deterministic.
 */
static int
propagate_labels(mg_revmap *map)
{
	size_t depth = 1;
	int *stack;
	uint8_t *seen;

	if (map->nlabels == 0)
		return MG_OK;
	/* a revision is expanded once, but a merge can be pushed by each parent */
	for (size_t k = 0; k < map->n; k++)
		depth += map->revs[k].nnext;
	stack = mg_alloc(map->ctx, depth * sizeof(int));
	seen = mg_alloc(map->ctx, map->n + 1);
	if (stack == NULL || seen == NULL)
		return MG_ENOMEM;
	for (size_t li = 0; li < map->nlabels; li++)
	{
		int start = map->label_revs[li];
		size_t sp = 0;
		int last = start;

		memset(seen, 0, map->n + 1);
		stack[sp++] = start;
		while (sp > 0)
		{
			int v = stack[--sp];
			mg_rev *r = &map->revs[v];

			if (seen[v])
				continue;
			seen[v] = 1;
			for (size_t j = 0; j < r->nnext; j++)
				if (!seen[r->next[j]])
					stack[sp++] = r->next[j];
			if (add_label(map, r, (int) li) != MG_OK)
				return MG_ENOMEM;
			last = v;
		}
		for (int p = last; p >= 0;)
		{
			mg_rev *r = &map->revs[p];

			if (r->nall_next > 1 || r->ndown > 1)
				break;
			if (add_label(map, r, (int) li) != MG_OK)
				return MG_ENOMEM;
			p = r->ndown == 1 ? r->down[0] : -1;
		}
	}
	mg_release(map->ctx, seen, map->n + 1);
	mg_release(map->ctx, stack, depth * sizeof(int));
	return MG_OK;
}

/* Ranks by Kahn's algorithm over all parents (Revises and Depends On); the graph is acyclic here. */
static int
compute_ranks(mg_revmap *map)
{
	int *pending = mg_alloc(map->ctx, (map->n + 1) * sizeof(int));
	int *queue = mg_alloc(map->ctx, (map->n + 1) * sizeof(int));
	size_t head = 0, tail = 0;

	if (pending == NULL || queue == NULL)
		return MG_ENOMEM;
	for (size_t k = 0; k < map->n; k++)
	{
		pending[k] = (int) map->revs[k].nall_down;
		map->revs[k].rank = 0;
		if (pending[k] == 0)
			queue[tail++] = (int) k;
	}
	/* components: a child joins the component of its first parent, merging others */
	{
		int *parent = pending;      /* reused as a union-find forest */

		for (size_t k = 0; k < map->n; k++)
			parent[k] = (int) k;
		for (size_t k = 0; k < map->n; k++)
			for (size_t j = 0; j < map->revs[k].nall_down; j++)
			{
				int a = (int) k, b = map->revs[k].all_down[j];

				while (parent[a] != a)
					a = parent[a] = parent[parent[a]];
				while (parent[b] != b)
					b = parent[b] = parent[parent[b]];
				if (a != b)
					parent[a] = b;
			}
		for (size_t k = 0; k < map->n; k++)
		{
			int a = (int) k;

			while (parent[a] != a)
				a = parent[a];
			map->revs[k].component = a;
		}
		for (size_t k = 0; k < map->n; k++)
			pending[k] = (int) map->revs[k].nall_down;
	}
	while (head < tail)
	{
		const mg_rev *r = &map->revs[queue[head++]];

		for (size_t j = 0; j < r->nall_next; j++)
		{
			mg_rev *c = &map->revs[r->all_next[j]];

			if (c->rank < r->rank + 1)
				c->rank = r->rank + 1;
			if (--pending[r->all_next[j]] == 0)
				queue[tail++] = r->all_next[j];
		}
	}
	mg_release(map->ctx, queue, (map->n + 1) * sizeof(int));
	mg_release(map->ctx, pending, (map->n + 1) * sizeof(int));
	return MG_OK;
}

struct mg_walker {
	const mg_revmap *map;
	uint32_t *stamp;
	uint32_t epoch;
	int *stack;
};

int
mg_walker_new(mg_walker **out, const mg_revmap *map)
{
	mg_walker *w = mg_alloc(map->ctx, sizeof(*w));

	*out = NULL;
	if (w == NULL)
		return MG_ENOMEM;
	w->map = map;
	w->stamp = mg_alloc(map->ctx, (map->n + 1) * sizeof(uint32_t));
	w->stack = mg_alloc(map->ctx, (map->n + 1) * sizeof(int));
	if (w->stamp == NULL || w->stack == NULL)
		return MG_ENOMEM;
	*out = w;
	return MG_OK;
}

void
mg_walker_ancestors(mg_walker *w, const int *from, size_t n, int min_rank)
{
	const mg_revmap *map = w->map;
	size_t sp = 0;

	if (++w->epoch == 0)
	{
		memset(w->stamp, 0, (map->n + 1) * sizeof(uint32_t));
		w->epoch = 1;
	}
	for (size_t i = 0; i < n; i++)
	{
		if (from[i] < 0 || w->stamp[from[i]] == w->epoch)
			continue;
		w->stamp[from[i]] = w->epoch;
		w->stack[sp++] = from[i];
		while (sp > 0)
		{
			const mg_rev *r = &map->revs[w->stack[--sp]];

			for (size_t k = 0; k < r->ndown_norm; k++)
			{
				int d = r->down_norm[k];

				if (w->stamp[d] != w->epoch && map->revs[d].rank >= min_rank)
				{
					w->stamp[d] = w->epoch;
					w->stack[sp++] = d;
				}
			}
		}
	}
}

bool
mg_walker_marked(const mg_walker *w, int rev)
{
	return rev >= 0 && w->stamp[rev] == w->epoch;
}

int
mg_revmap_build(mg_revmap *map)
{
	int rc;

	if (map->built)
		return MG_OK;
	/* the array was doubled while scripts were added: give back the rest */
	if (map->cap > map->n)
	{
		mg_rev *revs = mg_realloc(map->ctx, map->revs, map->cap * sizeof(mg_rev),
								  map->n * sizeof(mg_rev));

		if (revs == NULL)
			return MG_ENOMEM;
		map->revs = revs;
		map->cap = map->n;
	}
	if ((rc = build_hash(map)) != MG_OK ||
		(rc = build_labels_and_tags(map)) != MG_OK ||
		(rc = link_graph(map)) != MG_OK ||
		(rc = compute_ranks(map)) != MG_OK ||
		(rc = normalize_deps(map)) != MG_OK ||
		(rc = list_heads_bases(map)) != MG_OK ||
		(rc = detect_cycles(map)) != MG_OK ||
		(rc = propagate_labels(map)) != MG_OK)
		return rc;
	map->built = true;
	return MG_OK;
}

/* ---- topological order ------------------------------------------------- */

typedef struct bitset {
	uint64_t *w;
} bitset;

static bool
bs_has(const bitset *b, int i)
{
	return (b->w[i >> 6] >> (i & 63)) & 1;
}

/*
 * Ancestor sets of the "junctions" (revisions that do not have exactly
 * one parent: bases, merge points, revisions with dependencies), built
 * once per sort in rank order, each from the sets below it.  Any other
 * revision's ancestors are then its single-parent chain down to a
 * junction plus that junction's set: a few hundred word operations
 * instead of a walk down the whole graph.
 */
typedef struct junctions {
	int *jid;               /* revision -> junction number, -1 */
	uint64_t *sets;         /* njunctions x words */
	size_t nj;
	size_t words;
	bool built;
} junctions;

static void
chain_into(uint64_t *dst, const mg_revmap *map, const junctions *J, int x)
{
	while (map->revs[x].ndown_norm == 1)
	{
		dst[x >> 6] |= (uint64_t) 1 << (x & 63);
		x = map->revs[x].down_norm[0];
	}
	{
		const uint64_t *js = &J->sets[(size_t) J->jid[x] * J->words];

		for (size_t k = 0; k < J->words; k++)
			dst[k] |= js[k];
	}
}

static int
junctions_build(junctions *J, const mg_revmap *map, size_t words)
{
	size_t nj = 0, maxrank = 0;
	int *order, *count;

	J->words = words;
	J->jid = mg_alloc(map->ctx, (map->n + 1) * sizeof(int));
	if (J->jid == NULL)
		return MG_ENOMEM;
	for (size_t k = 0; k < map->n; k++)
	{
		J->jid[k] = map->revs[k].ndown_norm == 1 ? -1 : (int) nj++;
		if ((size_t) map->revs[k].rank > maxrank)
			maxrank = (size_t) map->revs[k].rank;
	}
	J->sets = mg_alloc(map->ctx, (nj + 1) * words * sizeof(uint64_t));
	order = mg_alloc(map->ctx, (nj + 1) * sizeof(int));
	count = mg_alloc(map->ctx, (maxrank + 2) * sizeof(int));
	if (J->sets == NULL || order == NULL || count == NULL)
		return MG_ENOMEM;
	/* counting sort of the junctions by rank */
	for (size_t k = 0; k < map->n; k++)
		if (J->jid[k] >= 0)
			count[map->revs[k].rank + 1]++;
	for (size_t r = 1; r <= maxrank + 1; r++)
		count[r] += count[r - 1];
	for (size_t k = 0; k < map->n; k++)
		if (J->jid[k] >= 0)
			order[count[map->revs[k].rank]++] = (int) k;
	for (size_t i = 0; i < nj; i++)
	{
		int x = order[i];
		const mg_rev *r = &map->revs[x];
		uint64_t *set = &J->sets[(size_t) J->jid[x] * words];

		set[x >> 6] |= (uint64_t) 1 << (x & 63);
		for (size_t k = 0; k < r->ndown_norm; k++)
			chain_into(set, map, J, r->down_norm[k]);
	}
	mg_release(map->ctx, count, (maxrank + 2) * sizeof(int));
	mg_release(map->ctx, order, (nj + 1) * sizeof(int));
	J->nj = nj;
	J->built = true;
	return MG_OK;
}

/* Give the junctions' memory back once the sort is done. */
static void
junctions_release(junctions *J, const mg_revmap *map)
{
	if (!J->built)
		return;
	mg_release(map->ctx, J->sets, (J->nj + 1) * J->words * sizeof(uint64_t));
	mg_release(map->ctx, J->jid, (map->n + 1) * sizeof(int));
}

/* Fill b with the ancestors of rev (with normalized dependencies), rev included. */
static int
bs_ancestors(bitset *b, const mg_revmap *map, int rev, junctions *J, size_t words)
{
	if (!J->built && junctions_build(J, map, words) != MG_OK)
		return MG_ENOMEM;
	memset(b->w, 0, words * sizeof(uint64_t));
	chain_into(b->w, map, J, rev);
	return MG_OK;
}

/*
 * A faithful rendering of Alembic's _topological_sort: several "current
 * heads" are walked down in turn; a head that is an ancestor of another
 * head waits until that one has passed it, so merges come out after all
 * their parents' descendants.  Ancestor sets are bitsets, recycled.
 */
int
mg_revmap_toposort(int **out, size_t *nout, const mg_revmap *map, const uint8_t *set,
				   const int *heads, size_t nheads)
{
	mg_ctx *ctx = map->ctx;
	size_t words = map->n / 64 + 1;
	uint8_t *todo = mg_alloc(ctx, map->n + 1);
	int *cur = NULL;
	junctions J = {0};
	bitset *anc = NULL;
	bitset *spare = NULL;
	size_t ncur = 0, curcap = 0, anccap = 0, nspare = 0, sparecap = 0, ntodo = 0, idx = 0;

	*out = NULL;
	*nout = 0;
	if (todo == NULL)
		return MG_ENOMEM;
	for (size_t k = 0; k < map->n; k++)
		if (set[k])
		{
			todo[k] = 1;
			ntodo++;
		}
	*out = mg_alloc(ctx, (ntodo + 1) * sizeof(int));
	if (*out == NULL)
		return MG_ENOMEM;

	/* heads that are to do, deduplicated, in catalog order */
	{
		uint8_t *hm = mg_alloc(ctx, map->n + 1);

		if (hm == NULL)
			return MG_ENOMEM;
		for (size_t i = 0; i < nheads; i++)
			if (heads[i] >= 0 && todo[heads[i]])
				hm[heads[i]] = 1;
		for (size_t k = 0; k < map->n; k++)
			if (hm[k])
			{
				if (mg_grow(ctx, &cur, &curcap, ncur, sizeof(int)) != MG_OK ||
					mg_grow(ctx, &anc, &anccap, ncur, sizeof(bitset)) != MG_OK)
					return MG_ENOMEM;
				anc[ncur].w = mg_alloc(ctx, words * sizeof(uint64_t));
				if (anc[ncur].w == NULL)
					return MG_ENOMEM;
				if (bs_ancestors(&anc[ncur], map, (int) k, &J, words) != MG_OK)
					return MG_ENOMEM;
				cur[ncur++] = (int) k;
			}
		mg_release(ctx, hm, map->n + 1);
	}

	while (ncur > 0)
	{
		int cand = cur[idx];
		bool moved = false;

		for (size_t j = 0; j < ncur; j++)
			if (j != idx && bs_has(&anc[j], cand))
			{
				idx = j;
				moved = true;
				break;
			}
		if (moved)
			continue;
		if (todo[cand])
		{
			(*out)[(*nout)++] = cand;
			todo[cand] = 0;
		}
		{
			const mg_rev *r = &map->revs[cand];
			int add[64];
			int *adds = add;
			size_t nadd = 0;

			if (r->ndown_norm > 64)
			{
				adds = mg_alloc(ctx, r->ndown_norm * sizeof(int));
				if (adds == NULL)
					return MG_ENOMEM;
			}
			for (size_t k = 0; k < r->ndown_norm; k++)
			{
				int d = r->down_norm[k];

				if (todo[d] && !contains(cur, ncur, d))
					adds[nadd++] = d;
			}
			if (nadd == 0)
			{
				/* recycle the ancestor set */
				if (mg_grow(ctx, &spare, &sparecap, nspare, sizeof(bitset)) != MG_OK)
					return MG_ENOMEM;
				spare[nspare++] = anc[idx];
				memmove(&cur[idx], &cur[idx + 1], (ncur - idx - 1) * sizeof(int));
				memmove(&anc[idx], &anc[idx + 1], (ncur - idx - 1) * sizeof(bitset));
				ncur--;
				idx = idx > 0 ? idx - 1 : 0;
			}
			else if (r->nndeps_norm == 0 && r->ndown == 1)
			{
				cur[idx] = adds[0];
				anc[idx].w[cand >> 6] &= ~((uint64_t) 1 << (cand & 63));
			}
			else
			{
				cur[idx] = adds[0];
				if (bs_ancestors(&anc[idx], map, adds[0], &J, words) != MG_OK)
					return MG_ENOMEM;
				for (size_t k = 1; k < nadd; k++)
				{
					if (mg_grow(ctx, &cur, &curcap, ncur, sizeof(int)) != MG_OK ||
						mg_grow(ctx, &anc, &anccap, ncur, sizeof(bitset)) != MG_OK)
						return MG_ENOMEM;
					if (nspare > 0)
						anc[ncur] = spare[--nspare];
					else
					{
						anc[ncur].w = mg_alloc(ctx, words * sizeof(uint64_t));
						if (anc[ncur].w == NULL)
							return MG_ENOMEM;
					}
					if (bs_ancestors(&anc[ncur], map, adds[k], &J, words) != MG_OK)
						return MG_ENOMEM;
					cur[ncur++] = adds[k];
				}
			}
		}
	}
	if (*nout != ntodo)
		return mg_error_set(ctx, MG_EINPUT, MG_STATE_INTERNAL,
							"topological sort left %zu revisions unvisited", ntodo - *nout);
	junctions_release(&J, map);
	mg_release(ctx, todo, map->n + 1);
	return MG_OK;
}
