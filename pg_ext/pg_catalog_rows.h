/*
 * pg_catalog_rows.h -- the engine's catalog reads answered from the
 * backend's caches (pg_catalog_rows.c), for the host's catalog_rows slot.
 */
#ifndef PG_CATALOG_ROWS_H
#define PG_CATALOG_ROWS_H

#include "mg.h"

/*
 * Answer the catalog read `which` (MG_CATALOG_*) for its parameters:
 * each row to row(arg, ncol, vals).  Raises PostgreSQL errors: the host
 * calls it trapped.  Returns what row() returned last when it asked to
 * stop (non-zero), else 0; 1 also for a read it does not know.
 */
int			pg_catalog_rows(int which, int nparams, const char *const *params,
							mg_row_fn row, void *arg);

#endif							/* PG_CATALOG_ROWS_H */
