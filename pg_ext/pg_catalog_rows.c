/*
 * pg_catalog_rows.c -- the engine's per-step catalog reads, answered from
 * the backend's caches instead of by a query (the host's catalog_rows).
 *
 * A rehearsal reads, after every step, what the step changed: which
 * relations to read again (schema.c's pg_changed_sql), their snapshot
 * rows (pg_relations_some_sql), their oid, relfilenode, name and kind
 * (rehearse.c's pg_rels_some_sql), and the locks the backend holds on
 * the user's relations (pg_locks_sql).  As queries, these cost an
 * executor start or more each, and pg_locks copies the whole shared lock
 * table: several times what the step itself costs.  Here the same rows
 * come from the syscache, short index scans of the catalogs and the
 * backend's own lock table (LockHeldByMe), through the very functions
 * the queries call for every definition (format_type, pg_get_expr,
 * pg_get_constraintdef, pg_get_indexdef, pg_get_viewdef,
 * pg_get_triggerdef, pg_get_partkeydef), so each row is the text the
 * query gives: tests/pg/rehearse_steps.t compares every step's snapshot
 * with one read whole by the queries.  Each function follows its
 * query's clauses in order; the queries' comments say why they are so.
 *
 * Everything may raise: the host calls pg_catalog_rows trapped, with a
 * scratch memory context it resets afterwards, and with interrupts held
 * off (a read is as long as the catalog, and the engine checks for them
 * as it takes the rows).  Nothing here takes a lock on a user relation
 * (the locks read are the step's); catalogs are opened with
 * AccessShareLock, as the queries open them.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/dependency.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_index.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_sequence.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "pg_catalog_rows.h"

/* ------------------------------------------------------------------ */
/* Sets of oids and the rows out                                        */
/* ------------------------------------------------------------------ */

typedef struct oidset
{
	Oid		   *v;
	int			n,
				cap;
} oidset;

static void
oidset_add(oidset *s, Oid o)
{
	if (s->n == s->cap)
	{
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = s->v ? repalloc(s->v, s->cap * sizeof(Oid)) : palloc(s->cap * sizeof(Oid));
	}
	s->v[s->n++] = o;
}

static int
oidv_cmp(const void *a, const void *b)
{
	Oid			x = *(const Oid *) a,
				y = *(const Oid *) b;

	return x < y ? -1 : x > y;
}

/* Sorted, each oid once. */
static void
oidset_sort(oidset *s)
{
	int			k = 0;

	if (s->n > 1)
		qsort(s->v, s->n, sizeof(Oid), oidv_cmp);
	for (int i = 0; i < s->n; i++)
		if (k == 0 || s->v[k - 1] != s->v[i])
			s->v[k++] = s->v[i];
	s->n = k;
}

static bool
oidset_has(const oidset *s, Oid o)
{
	return s->n > 0 && bsearch(&o, s->v, s->n, sizeof(Oid), oidv_cmp) != NULL;
}

/* The oids of an array text "{1,2,3}", as the queries' $n::oid[] read them. */
static void
oidset_parse(oidset *s, const char *text)
{
	const char *p = text;

	memset(s, 0, sizeof(*s));
	if (p == NULL)
		return;
	while (*p)
	{
		if (*p >= '0' && *p <= '9')
		{
			char	   *end;
			unsigned long v = strtoul(p, &end, 10);

			oidset_add(s, (Oid) v);
			p = end;
		}
		else
			p++;
	}
}

/* Where the rows go; stop is what row() returned when it asked to stop. */
typedef struct emitter
{
	mg_row_fn	row;
	void	   *arg;
	int			stop;
} emitter;

static bool
emit(emitter *e, int ncol, const char **vals)
{
	int			rc;

	if (e->stop)
		return false;
	rc = e->row(e->arg, ncol, vals);
	if (rc != 0)
		e->stop = rc;
	return rc == 0;
}

/* ------------------------------------------------------------------ */
/* Catalog helpers                                                      */
/* ------------------------------------------------------------------ */

/*
 * A text-returning SQL function called as the query calls it (two
 * arguments at most; an argument isnull is SQL NULL): its result as a C
 * string, NULL for SQL NULL.
 */
static char *
call_text(PGFunction fn, int nargs, Datum a0, bool n0, Datum a1, bool n1)
{
	LOCAL_FCINFO(fcinfo, 2);
	Datum		r;

	InitFunctionCallInfoData(*fcinfo, NULL, nargs, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = a0;
	fcinfo->args[0].isnull = n0;
	fcinfo->args[1].value = a1;
	fcinfo->args[1].isnull = n1;
	r = fn(fcinfo);
	return fcinfo->isnull ? NULL : TextDatumGetCString(r);
}

/* "r<oid>": the group of a relation's rows. */
static char *
group_of(Oid rel)
{
	return psprintf("r%u", rel);
}

/* One relation of the user's, as the queries' rel CTE describes it. */
typedef struct relinfo
{
	Oid			oid;
	char		kind;
	char		persistence;
	Oid			filenode;
	int			natts;
	bool		hastriggers;	/* relhastriggers: false, and it has none */
	char	   *qname;			/* schema-qualified unless in public */
} relinfo;

/* The name qualified by its schema unless that is public (PG_QNAME). */
static char *
qualified(const char *nsp, const char *name)
{
	return strcmp(nsp, "public") == 0 ? pstrdup(name) : psprintf("%s.%s", nsp, name);
}

/* A schema of the user's: nspname !~ '^(pg_|information_schema$)'. */
static bool
user_schema(const char *nsp)
{
	return strncmp(nsp, "pg_", 3) != 0 && strcmp(nsp, "information_schema") != 0;
}

/* $1::pg_catalog.name: the version table's name as a name compares. */
static bool
is_name(const char *name, const char *version)
{
	return version != NULL && strncmp(name, version, NAMEDATALEN - 1) == 0;
}

/*
 * Relation oid as the queries filter it: in a schema of the user's, not
 * the version table, no extension's member; false when it does not
 * exist.  kinds: the relkinds allowed, NULL any.  members: the
 * relations that are an extension's (sorted), NULL to look oid up.
 * Fills *out.
 */
static bool
rel_info(relinfo *out, Oid oid, const char *version, const char *kinds, const oidset *members)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(oid));
	Form_pg_class c;
	char	   *nsp;

	if (!HeapTupleIsValid(tup))
		return false;
	c = (Form_pg_class) GETSTRUCT(tup);
	out->oid = oid;
	out->kind = c->relkind;
	out->persistence = c->relpersistence;
	out->filenode = c->relfilenode;
	out->natts = c->relnatts;
	out->hastriggers = c->relhastriggers;
	nsp = get_namespace_name(c->relnamespace);
	if (nsp == NULL || !user_schema(nsp) ||
		(is_name(NameStr(c->relname), version) && c->relkind == RELKIND_RELATION) ||
		(kinds != NULL && strchr(kinds, c->relkind) == NULL))
	{
		ReleaseSysCache(tup);
		return false;
	}
	out->qname = qualified(nsp, NameStr(c->relname));
	ReleaseSysCache(tup);
	if (members != NULL)
		return !oidset_has(members, oid);
	return !OidIsValid(getExtensionOfObject(RelationRelationId, oid));
}

/*
 * The value of column want (an oid) of the row of catalog whose oid
 * column (oidcol, with index oidindex) is oid; false when there is none.
 */
static bool
oid_column(Oid catalog, Oid oidindex, AttrNumber oidcol, Oid oid, AttrNumber want, Oid *out)
{
	Relation	rel = table_open(catalog, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	ScanKeyInit(&key, oidcol, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(oid));
	scan = systable_beginscan(rel, oidindex, true, NULL, 1, &key);
	if ((tup = systable_getnext(scan)) != NULL)
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, want, RelationGetDescr(rel), &isnull);

		if (!isnull)
		{
			*out = DatumGetObjectId(d);
			found = true;
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/* Whether namespace nsp is a schema of the user's, remembered per call. */
typedef struct nsp_memo
{
	Oid			nsp[16];
	bool		user[16];
	int			n;
} nsp_memo;

static bool
user_namespace(nsp_memo *m, Oid nsp)
{
	char	   *name;
	bool		user;

	for (int i = 0; i < m->n; i++)
		if (m->nsp[i] == nsp)
			return m->user[i];
	name = get_namespace_name(nsp);
	user = name != NULL && user_schema(name);
	if (m->n < (int) lengthof(m->nsp))
	{
		m->nsp[m->n] = nsp;
		m->user[m->n++] = user;
	}
	return user;
}

/*
 * Every relation in a schema of the user's (the whole queries scan
 * pg_class), sorted; rel_info filters them further.
 */
static void
all_user_rels(oidset *out)
{
	Relation	rel = table_open(RelationRelationId, AccessShareLock);
	TableScanDesc scan = table_beginscan_catalog(rel, 0, NULL);
	nsp_memo	memo;
	HeapTuple	tup;

	memset(&memo, 0, sizeof(memo));
	memset(out, 0, sizeof(*out));
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_class c = (Form_pg_class) GETSTRUCT(tup);

		if (user_namespace(&memo, c->relnamespace))
			oidset_add(out, c->oid);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	oidset_sort(out);
}

/*
 * The objects of catalog classid that are an extension's members
 * (pg_depend rows of deptype 'e', which always reference an extension),
 * sorted: one index scan for a whole read instead of one per object.
 */
static void
extension_members(Oid classid, oidset *out)
{
	Relation	dep = table_open(DependRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	memset(out, 0, sizeof(*out));
	ScanKeyInit(&key, Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ExtensionRelationId));
	scan = systable_beginscan(dep, DependReferenceIndexId, true, NULL, 1, &key);
	while ((tup = systable_getnext(scan)) != NULL)
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);

		if (d->classid == classid && d->deptype == DEPENDENCY_EXTENSION)
			oidset_add(out, d->objid);
	}
	systable_endscan(scan);
	table_close(dep, AccessShareLock);
	oidset_sort(out);
}

/* ------------------------------------------------------------------ */
/* MG_CATALOG_REL_USERS: pg_changed_sql                                 */
/* ------------------------------------------------------------------ */

/* The dependent objects (classid, objid) of pg_depend rows that reference (refclass, refobj). */
static void
depend_refs(Relation dep, Oid refclass, Oid refobj, oidset *classes, oidset *objs)
{
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;

	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(refclass));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(refobj));
	scan = systable_beginscan(dep, DependReferenceIndexId, true, NULL, 2, key);
	while ((tup = systable_getnext(scan)) != NULL)
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);

		oidset_add(classes, d->classid);
		oidset_add(objs, d->objid);
	}
	systable_endscan(scan);
}

static void
rel_users(emitter *e, const char *rels_text, const char *refs_text, const char *seqs_text)
{
	oidset		rels,
				refs,
				classes = {0},
				objs = {0},
				raw = {0};
	Relation	dep;
	int			nraw;

	oidset_parse(&rels, rels_text);
	oidset_parse(&refs, refs_text);
	oidset_sort(&rels);
	/* dep: what references the relations, or the types and functions, or the relations' row types */
	for (int i = 0; i < rels.n; i++)
	{
		Oid			type = get_rel_type_id(rels.v[i]);

		if (OidIsValid(type))
			oidset_add(&refs, type);
	}
	oidset_sort(&refs);
	dep = table_open(DependRelationId, AccessShareLock);
	for (int i = 0; i < rels.n; i++)
		depend_refs(dep, RelationRelationId, rels.v[i], &classes, &objs);
	for (int i = 0; i < refs.n; i++)
	{
		depend_refs(dep, TypeRelationId, refs.v[i], &classes, &objs);
		depend_refs(dep, ProcedureRelationId, refs.v[i], &classes, &objs);
	}
	table_close(dep, AccessShareLock);
	/* raw: the relations, and the relation of each dependent object */
	for (int i = 0; i < rels.n; i++)
		oidset_add(&raw, rels.v[i]);
	for (int i = 0; i < objs.n; i++)
	{
		Oid			cls = classes.v[i],
					obj = objs.v[i],
					rel;

		if (cls == RelationRelationId)
			oidset_add(&raw, obj);
		else if (cls == ConstraintRelationId &&
				 oid_column(ConstraintRelationId, ConstraintOidIndexId, Anum_pg_constraint_oid, obj,
							Anum_pg_constraint_conrelid, &rel))
			oidset_add(&raw, rel);
		else if (cls == RewriteRelationId &&
				 oid_column(RewriteRelationId, RewriteOidIndexId, Anum_pg_rewrite_oid, obj,
							Anum_pg_rewrite_ev_class, &rel))
			oidset_add(&raw, rel);
		else if (cls == AttrDefaultRelationId &&
				 oid_column(AttrDefaultRelationId, AttrDefaultOidIndexId, Anum_pg_attrdef_oid, obj,
							Anum_pg_attrdef_adrelid, &rel))
			oidset_add(&raw, rel);
		else if (cls == TriggerRelationId &&
				 oid_column(TriggerRelationId, TriggerOidIndexId, Anum_pg_trigger_oid, obj,
							Anum_pg_trigger_tgrelid, &rel))
			oidset_add(&raw, rel);
	}
	/* every sequence, when a sequence's parameters changed */
	if (seqs_text != NULL && strcmp(seqs_text, "true") == 0)
	{
		Relation	seq = table_open(SequenceRelationId, AccessShareLock);
		TableScanDesc scan = table_beginscan_catalog(seq, 0, NULL);
		HeapTuple	tup;

		while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
			oidset_add(&raw, ((Form_pg_sequence) GETSTRUCT(tup))->seqrelid);
		table_endscan(scan);
		table_close(seq, AccessShareLock);
	}
	oidset_sort(&raw);
	/* and the table of each index among them */
	nraw = raw.n;
	for (int i = 0; i < nraw; i++)
	{
		HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(raw.v[i]));

		if (HeapTupleIsValid(tup))
		{
			oidset_add(&raw, ((Form_pg_index) GETSTRUCT(tup))->indrelid);
			ReleaseSysCache(tup);
		}
	}
	oidset_sort(&raw);
	for (int i = 0; i < raw.n; i++)
	{
		char		buf[16];
		const char *vals[1] = {buf};

		snprintf(buf, sizeof(buf), "%u", raw.v[i]);
		if (!emit(e, 1, vals))
			return;
	}
}

/* ------------------------------------------------------------------ */
/* MG_CATALOG_REL_ROWS: pg_relations_some_sql                           */
/* ------------------------------------------------------------------ */

/* A p, u or x constraint's index: such an index has no row of its own. */
typedef struct owned_index
{
	Oid			rel;
	Oid			index;
} owned_index;

typedef struct owned_list
{
	owned_index *v;
	int			n,
				cap;
} owned_list;

static void
rel_table_row(emitter *e, const relinfo *r, const char *group)
{
	StringInfoData b;
	const char *vals[5];

	initStringInfo(&b);
	/* concat_ws(' ', ...): the texts that are not NULL */
	if (r->persistence == RELPERSISTENCE_UNLOGGED)
		appendStringInfoString(&b, "UNLOGGED");
	if (r->kind == RELKIND_FOREIGN_TABLE)
		appendStringInfo(&b, "%sFOREIGN", b.len ? " " : "");
	if (r->kind == RELKIND_PARTITIONED_TABLE)
	{
		char	   *key = call_text(pg_get_partkeydef, 1, ObjectIdGetDatum(r->oid), false, 0, true);

		if (key != NULL)
			appendStringInfo(&b, "%sPARTITION BY %s", b.len ? " " : "", key);
	}
	vals[0] = "table";
	vals[1] = r->qname;
	vals[2] = "";
	vals[3] = b.data;
	vals[4] = group;
	emit(e, 5, vals);
}

/*
 * pg_get_expr of the default of column attnum, or NULL (the query's LEFT
 * JOIN pg_attrdef; asked only when atthasdef says there is one).
 */
static char *
column_default(Oid rel, int attnum)
{
	Relation	ad = table_open(AttrDefaultRelationId, AccessShareLock);
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	char	   *expr = NULL;

	ScanKeyInit(&key[0], Anum_pg_attrdef_adrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(rel));
	ScanKeyInit(&key[1], Anum_pg_attrdef_adnum, BTEqualStrategyNumber, F_INT2EQ, Int16GetDatum(attnum));
	scan = systable_beginscan(ad, AttrDefaultIndexId, true, NULL, 2, key);
	if ((tup = systable_getnext(scan)) != NULL)
	{
		bool		isnull;
		Datum		bin = heap_getattr(tup, Anum_pg_attrdef_adbin, RelationGetDescr(ad), &isnull);
		Form_pg_attrdef d = (Form_pg_attrdef) GETSTRUCT(tup);

		if (!isnull)
			expr = call_text(pg_get_expr, 2, bin, false, ObjectIdGetDatum(d->adrelid), false);
	}
	systable_endscan(scan);
	table_close(ad, AccessShareLock);
	return expr;
}

static void
rel_column_rows(emitter *e, const relinfo *r, const char *group)
{
	for (int attnum = 1; attnum <= r->natts && !e->stop; attnum++)
	{
		HeapTuple	tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(r->oid), Int16GetDatum(attnum));
		Form_pg_attribute a;
		StringInfoData b;
		const char *vals[5];
		char	   *type;

		if (!HeapTupleIsValid(tup))
			continue;
		a = (Form_pg_attribute) GETSTRUCT(tup);
		if (a->attisdropped)
		{
			ReleaseSysCache(tup);
			continue;
		}
		initStringInfo(&b);
		/* concat(format_type(atttypid, atttypmod), ...): the texts that are not NULL */
		type = call_text(format_type, 2, ObjectIdGetDatum(a->atttypid), false,
						 Int32GetDatum(a->atttypmod), false);
		if (type != NULL)
			appendStringInfoString(&b, type);
		if (a->attnotnull)
			appendStringInfoString(&b, " NOT NULL");
		if (a->atthasdef)
		{
			char	   *expr = column_default(r->oid, attnum);

			if (expr != NULL && a->attgenerated == ATTRIBUTE_GENERATED_STORED)
				appendStringInfo(&b, " GENERATED ALWAYS AS (%s) STORED", expr);
			else if (expr != NULL)
				appendStringInfo(&b, " DEFAULT %s", expr);
		}
		if (a->attidentity == ATTRIBUTE_IDENTITY_ALWAYS)
			appendStringInfoString(&b, " GENERATED ALWAYS AS IDENTITY");
		else if (a->attidentity == ATTRIBUTE_IDENTITY_BY_DEFAULT)
			appendStringInfoString(&b, " GENERATED BY DEFAULT AS IDENTITY");
		vals[0] = "column";
		vals[1] = psprintf("%s.%s", r->qname, NameStr(a->attname));
		vals[2] = r->qname;
		vals[3] = b.data;
		vals[4] = group;
		ReleaseSysCache(tup);
		emit(e, 5, vals);
	}
}

/* The constraints of r; those owning an index are noted in owned. */
static void
rel_constraint_rows(emitter *e, const relinfo *r, const char *group, owned_list *owned)
{
	Relation	con = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(r->oid));
	scan = systable_beginscan(con, ConstraintRelidTypidNameIndexId, true, NULL, 1, &key);
	while (!e->stop && (tup = systable_getnext(scan)) != NULL)
	{
		Form_pg_constraint k = (Form_pg_constraint) GETSTRUCT(tup);
		const char *vals[5];

		switch (k->contype)
		{
			case CONSTRAINT_PRIMARY:
				vals[0] = "primary key";
				break;
			case CONSTRAINT_UNIQUE:
				vals[0] = "unique";
				break;
			case CONSTRAINT_FOREIGN:
				vals[0] = "foreign key";
				break;
			case CONSTRAINT_EXCLUSION:
				vals[0] = "exclusion";
				break;
			default:
				vals[0] = "check";
				break;
		}
		if ((k->contype == CONSTRAINT_PRIMARY || k->contype == CONSTRAINT_UNIQUE ||
			 k->contype == CONSTRAINT_EXCLUSION) && OidIsValid(k->conindid))
		{
			if (owned->n == owned->cap)
			{
				owned->cap = owned->cap ? owned->cap * 2 : 16;
				owned->v = owned->v ? repalloc(owned->v, owned->cap * sizeof(owned_index)) :
					palloc(owned->cap * sizeof(owned_index));
			}
			owned->v[owned->n].rel = k->conrelid;
			owned->v[owned->n++].index = k->conindid;
		}
		vals[1] = psprintf("%s.%s", r->qname, NameStr(k->conname));
		vals[2] = r->qname;
		vals[3] = call_text(pg_get_constraintdef_ext, 2, ObjectIdGetDatum(k->oid), false,
							BoolGetDatum(true), false);
		vals[4] = group;
		emit(e, 5, vals);
	}
	systable_endscan(scan);
	table_close(con, AccessShareLock);
}

static void
rel_trigger_rows(emitter *e, const relinfo *r, const char *group)
{
	Relation	trg = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	ScanKeyInit(&key, Anum_pg_trigger_tgrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(r->oid));
	scan = systable_beginscan(trg, TriggerRelidNameIndexId, true, NULL, 1, &key);
	while (!e->stop && (tup = systable_getnext(scan)) != NULL)
	{
		Form_pg_trigger t = (Form_pg_trigger) GETSTRUCT(tup);
		const char *vals[5];

		if (t->tgisinternal)
			continue;
		vals[0] = "trigger";
		vals[1] = psprintf("%s.%s", r->qname, NameStr(t->tgname));
		vals[2] = r->qname;
		vals[3] = call_text(pg_get_triggerdef_ext, 2, ObjectIdGetDatum(t->oid), false,
							BoolGetDatum(true), false);
		vals[4] = group;
		emit(e, 5, vals);
	}
	systable_endscan(scan);
	table_close(trg, AccessShareLock);
}

static void
rel_sequence_row(emitter *e, const relinfo *r, const char *group)
{
	HeapTuple	tup = SearchSysCache1(SEQRELID, ObjectIdGetDatum(r->oid));
	Form_pg_sequence s;
	const char *vals[5];
	char	   *type;

	if (!HeapTupleIsValid(tup))
		return;
	s = (Form_pg_sequence) GETSTRUCT(tup);
	type = call_text(format_type, 2, ObjectIdGetDatum(s->seqtypid), false, 0, true);
	vals[0] = "sequence";
	vals[1] = r->qname;
	vals[2] = "";
	vals[3] = psprintf("%s START " INT64_FORMAT " INCREMENT " INT64_FORMAT " MINVALUE " INT64_FORMAT
					   " MAXVALUE " INT64_FORMAT " CACHE " INT64_FORMAT "%s",
					   type != NULL ? type : "", s->seqstart, s->seqincrement, s->seqmin, s->seqmax,
					   s->seqcache, s->seqcycle ? " CYCLE" : "");
	vals[4] = group;
	ReleaseSysCache(tup);
	emit(e, 5, vals);
}

static int
relinfo_cmp(const void *a, const void *b)
{
	return oidv_cmp(&((const relinfo *) a)->oid, &((const relinfo *) b)->oid);
}

/* all: every relation of the user's (pg_relations_sql), else oids_text's and their indexes. */
static void
rel_rows(emitter *e, const char *version, const char *oids_text, bool all)
{
	oidset		want,
				cand = {0};
	oidset		members,
			   *memberp = NULL;
	relinfo    *rels;
	int			nrels = 0;
	owned_list	owned = {0};

	/* rel: the relations and their indexes */
	if (all)
	{
		all_user_rels(&cand);
		extension_members(RelationRelationId, &members);
		memberp = &members;
	}
	else
	{
		Relation	ind = table_open(IndexRelationId, AccessShareLock);

		oidset_parse(&want, oids_text);
		oidset_sort(&want);
		for (int i = 0; i < want.n; i++)
		{
			ScanKeyData key;
			SysScanDesc scan;
			HeapTuple	tup;

			oidset_add(&cand, want.v[i]);
			ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ,
						ObjectIdGetDatum(want.v[i]));
			scan = systable_beginscan(ind, IndexIndrelidIndexId, true, NULL, 1, &key);
			while ((tup = systable_getnext(scan)) != NULL)
				oidset_add(&cand, ((Form_pg_index) GETSTRUCT(tup))->indexrelid);
			systable_endscan(scan);
		}
		table_close(ind, AccessShareLock);
		oidset_sort(&cand);
	}
	rels = palloc((cand.n + 1) * sizeof(relinfo));
	for (int i = 0; i < cand.n; i++)
		if (rel_info(&rels[nrels], cand.v[i], version, "rpfvmiIS", memberp))
			nrels++;
	/* rels is sorted by oid: cand was */
	for (int i = 0; i < nrels && !e->stop; i++)
	{
		const relinfo *r = &rels[i];
		char	   *group = group_of(r->oid);
		bool		table = r->kind == RELKIND_RELATION || r->kind == RELKIND_PARTITIONED_TABLE ||
			r->kind == RELKIND_FOREIGN_TABLE;

		if (table)
		{
			rel_table_row(e, r, group);
			rel_column_rows(e, r, group);
		}
		/* an index has no constraints, triggers or sequence parameters of its own */
		if (r->kind == RELKIND_INDEX || r->kind == RELKIND_PARTITIONED_INDEX)
			continue;
		rel_constraint_rows(e, r, group, &owned);
		if (r->kind == RELKIND_VIEW || r->kind == RELKIND_MATVIEW)
		{
			const char *vals[5];

			vals[0] = r->kind == RELKIND_VIEW ? "view" : "materialized view";
			vals[1] = r->qname;
			vals[2] = "";
			vals[3] = call_text(pg_get_viewdef_ext, 2, ObjectIdGetDatum(r->oid), false,
								BoolGetDatum(true), false);
			vals[4] = group;
			emit(e, 5, vals);
		}
		if (r->hastriggers)
			rel_trigger_rows(e, r, group);
		if (r->kind == RELKIND_SEQUENCE)
			rel_sequence_row(e, r, group);
	}
	/* indexes that no constraint owns, whose table is among the relations too */
	for (int i = 0; i < nrels && !e->stop; i++)
	{
		const relinfo *r = &rels[i],
				   *t;
		relinfo		key;
		HeapTuple	tup;
		Oid			table;
		bool		own = false;
		const char *vals[5];

		if (r->kind != RELKIND_INDEX && r->kind != RELKIND_PARTITIONED_INDEX)
			continue;
		tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(r->oid));
		if (!HeapTupleIsValid(tup))
			continue;
		table = ((Form_pg_index) GETSTRUCT(tup))->indrelid;
		ReleaseSysCache(tup);
		key.oid = table;
		t = bsearch(&key, rels, nrels, sizeof(relinfo), relinfo_cmp);
		if (t == NULL)
			continue;
		for (int k = 0; k < owned.n && !own; k++)
			own = owned.v[k].rel == table && owned.v[k].index == r->oid;
		if (own)
			continue;
		vals[0] = "index";
		vals[1] = r->qname;
		vals[2] = t->qname;
		vals[3] = call_text(pg_get_indexdef, 1, ObjectIdGetDatum(r->oid), false, 0, true);
		vals[4] = group_of(t->oid);
		emit(e, 5, vals);
	}
}

/* ------------------------------------------------------------------ */
/* MG_CATALOG_RELS: pg_rels_some_sql                                    */
/* ------------------------------------------------------------------ */

/* Whether oid is an index of a table named version (the version table's). */
static bool
version_index(Oid oid, const char *version)
{
	HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(oid));
	char	   *name;

	if (!HeapTupleIsValid(tup))
		return false;
	name = get_rel_name(((Form_pg_index) GETSTRUCT(tup))->indrelid);
	ReleaseSysCache(tup);
	return name != NULL && is_name(name, version);
}

/* all: every relation of the user's (pg_rels_sql), else oids_text's. */
static void
rels_facts(emitter *e, const char *version, const char *oids_text, bool all)
{
	oidset		want,
				members,
			   *memberp = NULL;

	if (all)
	{
		all_user_rels(&want);
		extension_members(RelationRelationId, &members);
		memberp = &members;
	}
	else
	{
		oidset_parse(&want, oids_text);
		oidset_sort(&want);
	}
	for (int i = 0; i < want.n && !e->stop; i++)
	{
		relinfo		r;
		char		oid[16],
					node[16],
					kind[2];
		const char *vals[4] = {oid, node, NULL, kind};

		if (!rel_info(&r, want.v[i], version, NULL, memberp) || version_index(r.oid, version))
			continue;
		snprintf(oid, sizeof(oid), "%u", r.oid);
		snprintf(node, sizeof(node), "%u", r.filenode);
		kind[0] = r.kind;
		kind[1] = '\0';
		vals[2] = r.qname;
		emit(e, 4, vals);
	}
}

/* ------------------------------------------------------------------ */
/* MG_CATALOG_TYPES, MG_CATALOG_FUNCTIONS: pg_types_sql, pg_functions_sql */
/* ------------------------------------------------------------------ */

static int
enum_order_cmp(const void *a, const void *b)
{
	float4		x = ((Form_pg_enum) GETSTRUCT(*(const HeapTuple *) a))->enumsortorder,
				y = ((Form_pg_enum) GETSTRUCT(*(const HeapTuple *) b))->enumsortorder;

	return x < y ? -1 : x > y;
}

/*
 * An enum's definition: 'ENUM (' || string_agg(quote_literal(label),
 * ', ' ORDER BY enumsortorder) || ')', NULL without labels.
 */
static char *
enum_definition(Oid type)
{
	CatCList   *list = SearchSysCacheList1(ENUMTYPOIDNAME, ObjectIdGetDatum(type));
	HeapTuple  *v = palloc((list->n_members + 1) * sizeof(HeapTuple));
	StringInfoData b;

	for (int i = 0; i < list->n_members; i++)
		v[i] = &list->members[i]->tuple;
	if (list->n_members > 1)
		qsort(v, list->n_members, sizeof(HeapTuple), enum_order_cmp);
	initStringInfo(&b);
	appendStringInfoString(&b, "ENUM (");
	for (int i = 0; i < list->n_members; i++)
		appendStringInfo(&b, "%s%s", i ? ", " : "",
						 quote_literal_cstr(NameStr(((Form_pg_enum) GETSTRUCT(v[i]))->enumlabel)));
	appendStringInfoChar(&b, ')');
	if (list->n_members == 0)
		b.data = NULL;
	ReleaseSysCacheList(list);
	return b.data;
}

/* The user's types that are not a relation's row type or an array: group, name, enum's definition. */
static void
user_types(emitter *e)
{
	Relation	rel = table_open(TypeRelationId, AccessShareLock);
	TableScanDesc scan = table_beginscan_catalog(rel, 0, NULL);
	nsp_memo	memo;
	oidset		members;
	HeapTuple	tup;

	memset(&memo, 0, sizeof(memo));
	extension_members(TypeRelationId, &members);
	while (!e->stop && (tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_type t = (Form_pg_type) GETSTRUCT(tup);
		const char *vals[3];

		if (OidIsValid(t->typrelid) || (OidIsValid(t->typelem) && t->typtype == TYPTYPE_BASE) ||
			!user_namespace(&memo, t->typnamespace) || oidset_has(&members, t->oid))
			continue;
		vals[0] = psprintf("t%u", t->oid);
		vals[1] = qualified(get_namespace_name(t->typnamespace), NameStr(t->typname));
		vals[2] = t->typtype == TYPTYPE_ENUM ? enum_definition(t->oid) : NULL;
		emit(e, 3, vals);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
}

/* The user's functions and procedures: group, kind, name with arguments, definition. */
static void
user_functions(emitter *e)
{
	Relation	rel = table_open(ProcedureRelationId, AccessShareLock);
	TableScanDesc scan = table_beginscan_catalog(rel, 0, NULL);
	nsp_memo	memo;
	oidset		members;
	HeapTuple	tup;

	memset(&memo, 0, sizeof(memo));
	extension_members(ProcedureRelationId, &members);
	while (!e->stop && (tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_proc p = (Form_pg_proc) GETSTRUCT(tup);
		const char *vals[4];
		char	   *args;

		if ((p->prokind != PROKIND_FUNCTION && p->prokind != PROKIND_PROCEDURE) ||
			!user_namespace(&memo, p->pronamespace) || oidset_has(&members, p->oid))
			continue;
		args = call_text(pg_get_function_identity_arguments, 1, ObjectIdGetDatum(p->oid), false, 0, true);
		vals[0] = psprintf("p%u", p->oid);
		vals[1] = p->prokind == PROKIND_PROCEDURE ? "procedure" : "function";
		vals[2] = args == NULL ? NULL :
			psprintf("%s(%s)", qualified(get_namespace_name(p->pronamespace), NameStr(p->proname)), args);
		vals[3] = call_text(pg_get_functiondef, 1, ObjectIdGetDatum(p->oid), false, 0, true);
		emit(e, 4, vals);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
}

/* ------------------------------------------------------------------ */
/* MG_CATALOG_LOCKS: the backend's own relation locks                   */
/* ------------------------------------------------------------------ */

/*
 * The strongest mode this backend holds on each relation asked about,
 * from its local lock table (pg_locks would copy the shared one).  In
 * the order asked (a relation asked twice is answered twice).
 */
static void
rel_locks(emitter *e, const char *oids_text)
{
	oidset		want;

	oidset_parse(&want, oids_text);
	for (int i = 0; i < want.n && !e->stop; i++)
	{
		LOCKTAG		tag;

		SET_LOCKTAG_RELATION(tag, MyDatabaseId, want.v[i]);
		for (LOCKMODE mode = MaxLockMode; mode > NoLock; mode--)
			if (LockHeldByMe(&tag, mode))
			{
				char		oid[16];
				const char *vals[2] = {oid, GetLockmodeName(DEFAULT_LOCKMETHOD, mode)};

				snprintf(oid, sizeof(oid), "%u", want.v[i]);
				emit(e, 2, vals);
				break;
			}
	}
}

int
pg_catalog_rows(int which, int nparams, const char *const *params, mg_row_fn row, void *arg)
{
	emitter		e = {row, arg, 0};

#define PARAM(i) (nparams > (i) ? params[(i)] : NULL)
	switch (which)
	{
		case MG_CATALOG_REL_USERS:
			rel_users(&e, PARAM(0), PARAM(1), PARAM(2));
			break;
		case MG_CATALOG_REL_ROWS:
			rel_rows(&e, PARAM(0), PARAM(1), nparams < 2);
			break;
		case MG_CATALOG_RELS:
			rels_facts(&e, PARAM(0), PARAM(1), nparams < 2);
			break;
		case MG_CATALOG_LOCKS:
			rel_locks(&e, PARAM(0));
			break;
		case MG_CATALOG_TYPES:
			user_types(&e);
			break;
		case MG_CATALOG_FUNCTIONS:
			user_functions(&e);
			break;
		default:
			elog(ERROR, "unknown catalog read %d", which);
	}
#undef PARAM
	return e.stop;
}

/* ------------------------------------------------------------------ */
/* A self-test: the reader beside the queries                           */
/* ------------------------------------------------------------------ */

PG_FUNCTION_INFO_V1(migrate_selftest_catalog_rows);

/* Each row as one text[] into the call's tuplestore. */
static int
selftest_row(void *arg, int ncol, const char *const *vals)
{
	ReturnSetInfo *rsinfo = arg;
	Datum	   *elems = palloc((ncol + 1) * sizeof(Datum));
	bool	   *nulls = palloc((ncol + 1) * sizeof(bool));
	int			dims[1] = {ncol},
				lbs[1] = {1};
	Datum		value;
	bool		isnull = false;

	for (int i = 0; i < ncol; i++)
	{
		nulls[i] = vals[i] == NULL;
		elems[i] = nulls[i] ? (Datum) 0 : CStringGetTextDatum(vals[i]);
	}
	value = PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
	return 0;
}

/*
 * migrate_selftest_catalog_rows(which, params): the rows of catalog read
 * `which` (MG_CATALOG_*) as this reader gives them, one text[] each, so
 * that tests/pg/rehearse_steps.t can hold them against the queries'
 * (migrate_schema) after every step.  Not part of the extension's SQL
 * API: a test declares it (CREATE FUNCTION ... RETURNS SETOF text[] AS
 * '$libdir/migrate', 'migrate_selftest_catalog_rows' LANGUAGE C STRICT).
 */
Datum
migrate_selftest_catalog_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			which = PG_GETARG_INT32(0);
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	const char **params;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	params = palloc((n + 1) * sizeof(char *));
	for (int i = 0; i < n; i++)
		params[i] = nulls[i] ? NULL : TextDatumGetCString(elems[i]);
	pg_catalog_rows(which, n, params, selftest_row, rsinfo);
	return (Datum) 0;
}
