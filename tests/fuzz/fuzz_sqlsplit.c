/*
 * fuzz_sqlsplit.c -- libFuzzer target for the statement splitter
 * (core/sqlsplit.c), which decides where each statement of a revision
 * body ends and which line an error names.
 *
 * Input: one byte choosing the dialect, then the body.  Checked beyond
 * "no crash": statements lie inside the body, in order, without overlap;
 * none is empty; each one's line is the line of its first character;
 * the reusing form (mg_sql_split_reuse, fed twice into one array) gives
 * the same statements.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
line_of(const char *body, const char *at)
{
	int line = 1;

	for (const char *p = body; p < at; p++)
		line += *p == '\n';
	return line;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mg_ctx *ctx;
	char *body;
	int dialect, rc;
	mg_stmt *stmts, *again = NULL;
	size_t n, n2, cap = 0, len;

	if (size == 0)
		return 0;
	dialect = data[0] & 1 ? MG_DIALECT_POSTGRESQL : MG_DIALECT_SQLITE;
	body = fz_cstr(data + 1, size - 1);
	len = strlen(body);
	ctx = fz_ctx();
	rc = mg_sql_split(&stmts, &n, ctx, body, dialect);
	FZ_CHECK(rc == MG_OK || rc == MG_EINPUT);
	if (rc == MG_OK)
	{
		const char *end = body;

		for (size_t i = 0; i < n; i++)
		{
			FZ_CHECK(stmts[i].text >= end);
			FZ_CHECK(stmts[i].len > 0);
			FZ_CHECK(stmts[i].text + stmts[i].len <= body + len);
			FZ_CHECK(stmts[i].line == line_of(body, stmts[i].text));
			end = stmts[i].text + stmts[i].len;
		}
		for (int round = 0; round < 2; round++)
		{
			FZ_CHECK(mg_sql_split_reuse(&again, &n2, &cap, ctx, body, dialect) == MG_OK);
			FZ_CHECK(n2 == n);
			for (size_t i = 0; i < n; i++)
				FZ_CHECK(again[i].text == stmts[i].text && again[i].len == stmts[i].len &&
						 again[i].line == stmts[i].line);
		}
	}
	mg_ctx_free(ctx);
	free(body);
	return 0;
}
