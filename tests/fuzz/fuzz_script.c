/*
 * fuzz_script.c -- libFuzzer target for the revision script parser
 * (core/script.c): a catalog row or a file of an environment is text
 * anyone may have written.
 *
 * Input: the script's text.  Checked beyond "no crash": a parsed script
 * is a revision (mg_script_is_revision), its id is valid, and finding
 * each section in the text (mg_script_find_body, what offline SQL and
 * runs stream from the catalog) gives exactly the section the parser
 * kept (mg_script_body), with the same Transactional flag; every section
 * then goes through the statement splitter.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mg_ctx *ctx = fz_ctx();
	char *text = fz_cstr(data, size);
	mg_script *s;
	int rc;

	/* the length given, NULs and all: the parser must not read past it */
	rc = mg_script_parse(&s, ctx, (const char *) data, size, "fuzz.sql");
	FZ_CHECK(rc == MG_OK || rc == MG_EINPUT);
	if (rc == MG_OK)
	{
		FZ_CHECK(mg_script_is_revision((const char *) data, size));
		FZ_CHECK(mg_valid_rev_id(s->id));
		for (int up = 0; up < 2; up++)
			for (int d = 0; d < MG_NDIALECTS; d++)
			{
				const char *kept = mg_script_body(s, up, d);
				mg_body_span span;
				mg_stmt *stmts;
				size_t n;

				FZ_CHECK(mg_script_find_body(&span, ctx, (const char *) data, size, s, up, d) ==
						 MG_OK);
				FZ_CHECK(span.transactional == s->transactional);
				FZ_CHECK((kept == NULL) == (span.text == NULL));
				if (kept == NULL)
					continue;
				FZ_CHECK(strlen(kept) == span.len && memcmp(kept, span.text, span.len) == 0);
				rc = mg_sql_split(&stmts, &n, ctx, kept, d == MG_DIALECT_ANY ? MG_DIALECT_SQLITE : d);
				FZ_CHECK(rc == MG_OK || rc == MG_EINPUT);
				mg_error_clear(ctx);
			}
	}
	mg_error_clear(ctx);
	/* the C-string view as a host hands it over */
	rc = mg_script_parse(&s, ctx, text, strlen(text), "");
	FZ_CHECK(rc == MG_OK || rc == MG_EINPUT);
	if (rc != MG_OK)
		FZ_CHECK(mg_ctx_error(ctx)->message[0] != '\0');
	free(text);
	mg_ctx_free(ctx);
	return 0;
}
