/*
 * test_sqlsplit.c -- statement boundaries (core/sqlsplit.c).
 *
 * Each case splits a body and compares the statements, joined by " ;; "
 * (no case contains that), and their line numbers.  Covers quotes with
 * ';' inside, comments with ';' and quotes, dollar quotes and $n
 * parameters, SQLite trigger bodies as sqlite3_complete() sees them,
 * the dialect differences, CRLF, empty input, and out of memory.  Also
 * mg_sql_split_reuse, which fills one array across many bodies, and
 * that mg_sql_split gives back the room its array did not use.
 */
#include "../../core/internal.h"
#include "oom_sweep.h"
#include "tap.h"

static mg_ctx *ctx;

/* Split sql; "a ;; b" and "1,3" describe the statements and lines. */
static void
check(const char *name, const char *sql, int dialect, const char *want, const char *want_lines)
{
	mg_stmt *st = NULL;
	size_t n = 99;
	char got[4096] = "", lines[256] = "";
	int rc = mg_sql_split(&st, &n, ctx, sql, dialect);

	for (size_t i = 0; rc == MG_OK && i < n; i++)
	{
		size_t len = strlen(got), llen = strlen(lines);

		snprintf(got + len, sizeof(got) - len, "%s%.*s", i ? " ;; " : "", (int) st[i].len, st[i].text);
		snprintf(lines + llen, sizeof(lines) - llen, "%s%d", i ? "," : "", st[i].line);
	}
	is_int(rc, MG_OK, "%s: MG_OK", name);
	is_str(got, want, "%s: statements", name);
	is_str(lines, want_lines, "%s: lines", name);
	if (n == 0)
		ok(st == NULL, "%s: no array when no statement", name);
}

static void
test_basics(void)
{
	mg_stmt *st = (mg_stmt *) &st;
	size_t n = 99;
	const char *sql = "  SELECT 1 ;\n\tSELECT 2";

	check("empty input", "", MG_DIALECT_ANY, "", "");
	check("blanks only", " \n\t\r\n ", MG_DIALECT_SQLITE, "", "");
	check("comments only", "-- one; 'two'\n/* three; */\n  -- four\n", MG_DIALECT_POSTGRESQL, "", "");
	check("empty statements", ";;\n ; -- x\n;", MG_DIALECT_ANY, "", "");
	check("two statements", "SELECT 1; SELECT 2;", MG_DIALECT_ANY, "SELECT 1 ;; SELECT 2", "1,1");
	check("last statement without ';'", "SELECT 1;\nSELECT 2\n\n", MG_DIALECT_SQLITE,
		  "SELECT 1 ;; SELECT 2", "1,2");
	check("empty statements between", ";;; SELECT 1;;\n;SELECT 2;;", MG_DIALECT_ANY,
		  "SELECT 1 ;; SELECT 2", "1,2");
	check("multi-line statement and lines", "\n\nCREATE TABLE t (\n  x int\n);\n\n\nINSERT INTO t\nVALUES (1);\n",
		  MG_DIALECT_ANY, "CREATE TABLE t (\n  x int\n) ;; INSERT INTO t\nVALUES (1)", "3,8");

	is_int(mg_sql_split(&st, &n, ctx, sql, MG_DIALECT_ANY), MG_OK, "slices: MG_OK");
	is_int(n, 2, "slices: two statements");
	ok(n == 2 && st[0].text == sql + 2 && st[0].len == 8, "slices: first points into the body, blanks trimmed");
	ok(n == 2 && st[1].text == sql + 14 && st[1].len == 8, "slices: second points into the body");

	st = (mg_stmt *) &st;
	n = 99;
	is_int(mg_sql_split(&st, &n, ctx, NULL, MG_DIALECT_ANY), MG_OK, "NULL body: MG_OK");
	ok(st == NULL && n == 0, "NULL body: no statements");
}

static void
test_quotes(void)
{
	check("single quotes with ';' and ''", "INSERT INTO t VALUES ('a;b', 'it''s; fine', '');SELECT 2",
		  MG_DIALECT_ANY, "INSERT INTO t VALUES ('a;b', 'it''s; fine', '') ;; SELECT 2", "1,1");
	check("string with a newline", "SELECT 'a;\nb;';\nSELECT 2;", MG_DIALECT_SQLITE,
		  "SELECT 'a;\nb;' ;; SELECT 2", "1,3");
	check("double quotes", "CREATE TABLE \"a;b\"\"c\" (x int); SELECT 1", MG_DIALECT_POSTGRESQL,
		  "CREATE TABLE \"a;b\"\"c\" (x int) ;; SELECT 1", "1,1");
	check("backticks (sqlite)", "SELECT `a;b` FROM t; SELECT 2", MG_DIALECT_SQLITE,
		  "SELECT `a;b` FROM t ;; SELECT 2", "1,1");
	check("backticks (postgresql)", "SELECT `a;b` FROM t; SELECT 2", MG_DIALECT_POSTGRESQL,
		  "SELECT `a;b` FROM t ;; SELECT 2", "1,1");
	check("brackets quote in sqlite", "SELECT [a;b] FROM t; SELECT 2", MG_DIALECT_SQLITE,
		  "SELECT [a;b] FROM t ;; SELECT 2", "1,1");
	check("brackets are subscripts in postgresql", "SELECT a[1; SELECT 2]", MG_DIALECT_POSTGRESQL,
		  "SELECT a[1 ;; SELECT 2]", "1,1");
	check("brackets are subscripts in neutral bodies", "SELECT a[1; SELECT 2]", MG_DIALECT_ANY,
		  "SELECT a[1 ;; SELECT 2]", "1,1");
	check("quote characters inside other quotes", "SELECT '\"', \"'\", '`'; SELECT 2", MG_DIALECT_ANY,
		  "SELECT '\"', \"'\", '`' ;; SELECT 2", "1,1");
	check("E'' string with backslash escapes", "SELECT E'it\\'s; ok'; SELECT e'\\\\'; SELECT 3",
		  MG_DIALECT_POSTGRESQL, "SELECT E'it\\'s; ok' ;; SELECT e'\\\\' ;; SELECT 3", "1,1,1");
	check("plain '' strings take no backslash escape", "SELECT 'a\\'; SELECT 2", MG_DIALECT_POSTGRESQL,
		  "SELECT 'a\\' ;; SELECT 2", "1,1");
	check("an identifier ending in E is not an E string", "SELECT namE'x;y'; SELECT 2", MG_DIALECT_POSTGRESQL,
		  "SELECT namE'x;y' ;; SELECT 2", "1,1");
	check("unterminated string runs to the end", "SELECT 1; SELECT 'abc; SELECT 2", MG_DIALECT_ANY,
		  "SELECT 1 ;; SELECT 'abc; SELECT 2", "1,1");
}

static void
test_comments(void)
{
	check("line comment with ';' and a quote", "SELECT 1 -- it's; here\n; SELECT 2;", MG_DIALECT_ANY,
		  "SELECT 1 -- it's; here ;; SELECT 2", "1,2");
	check("block comment with ';' and quotes", "SELECT /* ; ' \" */ 1; SELECT 2", MG_DIALECT_SQLITE,
		  "SELECT /* ; ' \" */ 1 ;; SELECT 2", "1,1");
	check("leading comments belong to the statement",
		  "-- first\nCREATE TABLE a (x int);\n\n/* second */ CREATE TABLE b (y int);\n-- trailing\n",
		  MG_DIALECT_ANY, "-- first\nCREATE TABLE a (x int) ;; /* second */ CREATE TABLE b (y int)", "1,4");
	check("comment-only tail dropped", "SELECT 1;\n-- done; 'x'\n/* end */\n", MG_DIALECT_POSTGRESQL,
		  "SELECT 1", "1");
	check("nested block comment in postgresql", "SELECT /* a /* b; */ still; */ 1; SELECT 2",
		  MG_DIALECT_POSTGRESQL, "SELECT /* a /* b; */ still; */ 1 ;; SELECT 2", "1,1");
	check("block comments do not nest in sqlite", "SELECT /* a /* b; */ still; */ 1; SELECT 2",
		  MG_DIALECT_SQLITE, "SELECT /* a /* b; */ still ;; */ 1 ;; SELECT 2", "1,1,1");
	check("unterminated block comment runs to the end", "SELECT 1; /* never closed; SELECT 2",
		  MG_DIALECT_ANY, "SELECT 1", "1");
	check("a single '-' and '/' are operators", "SELECT 4 - 2 / 1; SELECT -1", MG_DIALECT_ANY,
		  "SELECT 4 - 2 / 1 ;; SELECT -1", "1,1");
}

static void
test_dollar_quotes(void)
{
	static const char fns[] =
		"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
		"CREATE FUNCTION g() RETURNS text AS $body$\n"
		"BEGIN\n"
		"  RETURN 'x;' || $$;$$;\n"
		"END;\n"
		"$body$ LANGUAGE plpgsql;\n"
		"SELECT 3;";

	check("dollar quotes (postgresql)", fns, MG_DIALECT_POSTGRESQL,
		  "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql ;; "
		  "CREATE FUNCTION g() RETURNS text AS $body$\nBEGIN\n  RETURN 'x;' || $$;$$;\nEND;\n$body$ LANGUAGE plpgsql ;; "
		  "SELECT 3", "1,2,7");
	check("dollar quotes (neutral body)", "DO $$ BEGIN PERFORM 1; END $$; SELECT 2", MG_DIALECT_ANY,
		  "DO $$ BEGIN PERFORM 1; END $$ ;; SELECT 2", "1,1");
	check("no dollar quotes in sqlite", "SELECT $$a; b$$", MG_DIALECT_SQLITE,
		  "SELECT $$a ;; b$$", "1,1");
	check("nested-looking tags", "SELECT $a$ x; $ab$ y; $ab$ z; $A$; $a$; SELECT 2", MG_DIALECT_POSTGRESQL,
		  "SELECT $a$ x; $ab$ y; $ab$ z; $A$; $a$ ;; SELECT 2", "1,1");
	check("$1 is a parameter", "PREPARE p AS SELECT $1, $2; EXECUTE p(1, 2);", MG_DIALECT_POSTGRESQL,
		  "PREPARE p AS SELECT $1, $2 ;; EXECUTE p(1, 2)", "1,1");
	check("$1 then a later $", "SELECT $1; SELECT 'x$'; SELECT $2", MG_DIALECT_POSTGRESQL,
		  "SELECT $1 ;; SELECT 'x$' ;; SELECT $2", "1,1,1");
	check("tag may not start with a digit", "SELECT $1a$; SELECT 2", MG_DIALECT_POSTGRESQL,
		  "SELECT $1a$ ;; SELECT 2", "1,1");
	check("'$' inside an identifier starts nothing", "SELECT a$b$c; SELECT 2", MG_DIALECT_POSTGRESQL,
		  "SELECT a$b$c ;; SELECT 2", "1,1");
	check("tag with underscore and digits", "SELECT $_t1$ ; $_t1$; SELECT 2", MG_DIALECT_POSTGRESQL,
		  "SELECT $_t1$ ; $_t1$ ;; SELECT 2", "1,1");
	check("unterminated dollar quote runs to the end", "SELECT 1; SELECT $q$ a; b", MG_DIALECT_POSTGRESQL,
		  "SELECT 1 ;; SELECT $q$ a; b", "1,1");
	check("dollar quote hides comment markers", "SELECT $$ -- ; /* $$; SELECT 2", MG_DIALECT_POSTGRESQL,
		  "SELECT $$ -- ; /* $$ ;; SELECT 2", "1,1");
}

static void
test_triggers(void)
{
	static const char trig[] =
		"CREATE TABLE t (x int);\n"
		"CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
		"  INSERT INTO log VALUES (new.x);\n"
		"  UPDATE t SET x = CASE WHEN x > 0 THEN 1 ELSE 0 END;\n"
		"END;\n"
		"INSERT INTO t VALUES (1);\n";

	check("trigger body (sqlite)", trig, MG_DIALECT_SQLITE,
		  "CREATE TABLE t (x int) ;; "
		  "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
		  "  INSERT INTO log VALUES (new.x);\n"
		  "  UPDATE t SET x = CASE WHEN x > 0 THEN 1 ELSE 0 END;\n"
		  "END ;; INSERT INTO t VALUES (1)", "1,2,6");
	check("trigger body (neutral body)", trig, MG_DIALECT_ANY,
		  "CREATE TABLE t (x int) ;; "
		  "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
		  "  INSERT INTO log VALUES (new.x);\n"
		  "  UPDATE t SET x = CASE WHEN x > 0 THEN 1 ELSE 0 END;\n"
		  "END ;; INSERT INTO t VALUES (1)", "1,2,6");
	check("no trigger rule in postgresql",
		  "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;", MG_DIALECT_POSTGRESQL,
		  "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1 ;; END", "1,1");
	check("temp trigger, lowercase, comments before END",
		  "create temp trigger t1 before delete on t begin select 1; -- x;\n /* ; */ end; select 2",
		  MG_DIALECT_SQLITE,
		  "create temp trigger t1 before delete on t begin select 1; -- x;\n /* ; */ end ;; select 2", "1,2");
	check("TEMPORARY trigger after a leading comment",
		  "-- make it\nCREATE TEMPORARY TRIGGER t2 AFTER UPDATE ON t BEGIN SELECT 1; END; SELECT 3;",
		  MG_DIALECT_SQLITE,
		  "-- make it\nCREATE TEMPORARY TRIGGER t2 AFTER UPDATE ON t BEGIN SELECT 1; END ;; SELECT 3", "1,2");
	check("END needs a word boundary",
		  "CREATE TRIGGER t3 AFTER INSERT ON t BEGIN UPDATE t SET x = 1; UPDATE t SET endx = 2; ENDING; END; SELECT 4",
		  MG_DIALECT_SQLITE,
		  "CREATE TRIGGER t3 AFTER INSERT ON t BEGIN UPDATE t SET x = 1; UPDATE t SET endx = 2; ENDING; END ;; SELECT 4",
		  "1,1");
	check("';' and END inside strings of a body",
		  "CREATE TRIGGER t4 AFTER INSERT ON t BEGIN SELECT ';END;'; END; SELECT 5", MG_DIALECT_SQLITE,
		  "CREATE TRIGGER t4 AFTER INSERT ON t BEGIN SELECT ';END;'; END ;; SELECT 5", "1,1");
	check("EXPLAIN CREATE TRIGGER",
		  "EXPLAIN CREATE TRIGGER t5 AFTER INSERT ON t BEGIN SELECT 1; END; SELECT 6", MG_DIALECT_SQLITE,
		  "EXPLAIN CREATE TRIGGER t5 AFTER INSERT ON t BEGIN SELECT 1; END ;; SELECT 6", "1,1");
	check("CREATE TRIGGER inside a string is not a trigger", "SELECT 'CREATE TRIGGER'; SELECT 2;",
		  MG_DIALECT_SQLITE, "SELECT 'CREATE TRIGGER' ;; SELECT 2", "1,1");
	check("CREATE then another word is not a trigger",
		  "CREATE TABLE trigger_log (x); CREATE INDEX i ON t (x); SELECT 1;", MG_DIALECT_SQLITE,
		  "CREATE TABLE trigger_log (x) ;; CREATE INDEX i ON t (x) ;; SELECT 1", "1,1,1");
	check("PostgreSQL-style trigger in a neutral body ends at its ';'",
		  "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f(); CREATE TABLE u (x int);",
		  MG_DIALECT_ANY,
		  "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f() ;; CREATE TABLE u (x int)",
		  "1,1");
	check("sqlite reads a trigger without BEGIN as sqlite3_complete() does",
		  "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f(); CREATE TABLE u (x int);",
		  MG_DIALECT_SQLITE,
		  "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f(); CREATE TABLE u (x int);",
		  "1");
	check("trigger body without a final ';'",
		  "CREATE TRIGGER t6 AFTER INSERT ON t BEGIN SELECT 1; END", MG_DIALECT_SQLITE,
		  "CREATE TRIGGER t6 AFTER INSERT ON t BEGIN SELECT 1; END", "1");
}

static void
test_crlf(void)
{
	check("CRLF", "SELECT 1;\r\nSELECT 2;\r\n", MG_DIALECT_ANY, "SELECT 1 ;; SELECT 2", "1,2");
	check("CRLF multi-line", "\r\n\r\n  CREATE TABLE t (\r\n x int\r\n);\r\n-- c\r\nDROP TABLE t\r\n",
		  MG_DIALECT_SQLITE, "CREATE TABLE t (\r\n x int\r\n) ;; -- c\r\nDROP TABLE t", "3,6");
	check("CRLF after a line comment", "SELECT 1; -- note;\r\nSELECT 2", MG_DIALECT_POSTGRESQL,
		  "SELECT 1 ;; -- note;\r\nSELECT 2", "1,1");
}

/* A body of many statements, so the array grows past one arena chunk. */
static char *
big_body(void)
{
	size_t cap = 64 * 1024, len = 0;
	char *t = malloc(cap);

	t[0] = '\0';
	for (int i = 0; i < 600; i++)
		len += (size_t) snprintf(t + len, cap - len, "INSERT INTO t VALUES (%d, 'a;b');\n", i);
	return t;
}

static void
test_oom(void)
{
	char *body = big_body();
	long n, fails = 0;
	int good = 1;

	for (n = 1; n < 1000; n++)
	{
		mg_ctx *c = NULL;
		mg_stmt *st = (mg_stmt *) &c;
		size_t count = 99;
		int rc;

		mg_ctx_new(&c, tap_realloc, NULL);
		tap_calls = 0;
		tap_fail_at = n;
		rc = mg_sql_split(&st, &count, c, body, MG_DIALECT_SQLITE);
		tap_fail_at = 0;
		if (rc == MG_OK)
		{
			if (count != 600 || st[599].line != 600)
				good = 0;
			mg_ctx_free(c);
			break;
		}
		fails++;
		if (!oom_failed_cleanly(c, rc, st, count))
			good = 0;
		mg_ctx_free(c);
		if (tap_live != 0)
			good = 0;
	}
	ok(good && fails > 0 && n < 1000,
	   "out of memory: each of %ld allocations fails cleanly with \"out of memory\", no leak, then it splits",
	   fails);

	/* Fail the allocator at every arena position of the growing array. */
	fails = 0;
	good = 1;
	for (size_t pad = 0; pad <= OOM_SWEEP_MAX_PAD; pad += 16)
	{
		mg_ctx *c = NULL;
		mg_stmt *st = (mg_stmt *) &c;
		size_t count = 99;
		int rc;

		mg_ctx_new(&c, tap_realloc, NULL);
		if (!oom_pad_and_arm(c, pad))
			good = 0;
		rc = mg_sql_split(&st, &count, c, "SELECT 1; SELECT 2; SELECT 3; SELECT 4; SELECT 5; "
						  "SELECT 6; SELECT 7; SELECT 8; SELECT 9; SELECT 10;", MG_DIALECT_ANY);
		oom_disarm();
		if (rc != MG_OK)
		{
			fails++;
			if (!oom_failed_cleanly(c, rc, st, count))
				good = 0;
		}
		else if (count != 10)
			good = 0;
		mg_ctx_free(c);
		if (tap_live != 0)
			good = 0;
	}
	ok(good && fails > 1, "out of memory at every arena position: %ld splits failed cleanly", fails);
	free(body);
}

static void
test_reuse(void)
{
	mg_ctx *c = NULL;
	mg_stmt *v = NULL, *first, *st;
	size_t n = 99, cap = 0;
	char *many = malloc(40 * 16 + 1), *after;
	bool good = true;

	mg_ctx_new(&c, tap_realloc, NULL);
	is_int(mg_sql_split_reuse(&v, &n, &cap, c, "SELECT 1; SELECT 2;\nSELECT 3", MG_DIALECT_ANY), MG_OK,
		   "reuse: first body");
	ok(n == 3 && cap >= 3 && v != NULL, "reuse: three statements (room for %zu)", cap);
	ok(v != NULL && v[2].len == 8 && strncmp(v[2].text, "SELECT 3", 8) == 0 && v[2].line == 2,
	   "reuse: text and line of the third");
	first = v;
	is_int(mg_sql_split_reuse(&v, &n, &cap, c, "-- only\nDROP TABLE a; DROP TABLE b", MG_DIALECT_SQLITE),
		   MG_OK, "reuse: second body");
	ok(v == first && n == 2, "reuse: the same array, two statements");
	ok(strncmp(v[1].text, "DROP TABLE b", v[1].len) == 0 && v[1].len == 12, "reuse: the second body's text");
	is_int(mg_sql_split_reuse(&v, &n, &cap, c, "  -- nothing\n", MG_DIALECT_ANY), MG_OK, "reuse: an empty body");
	ok(v == first && n == 0, "reuse: no statement, the array kept");
	is_int(mg_sql_split_reuse(&v, &n, &cap, c, NULL, MG_DIALECT_ANY), MG_OK, "reuse: NULL");
	ok(v == first && n == 0, "reuse: NULL gives no statement");

	many[0] = '\0';
	for (int i = 0; i < 40; i++)
		sprintf(many + strlen(many), "SELECT %04d;\n", i);
	is_int(mg_sql_split_reuse(&v, &n, &cap, c, many, MG_DIALECT_ANY), MG_OK, "reuse: a longer body");
	ok(n == 40 && cap >= 40, "reuse: the array grows to 40 (room for %zu)", cap);
	for (size_t i = 0; i < n; i++)
		good = good && v[i].line == (int) i + 1 && v[i].len == 11;
	ok(good, "reuse: every statement and line");

	/* out of memory while growing: no statement, a valid array */
	{
		size_t oldcap = cap;
		char *more = malloc(200 * 16 + 1);

		more[0] = '\0';
		for (int i = 0; i < 200; i++)
			sprintf(more + strlen(more), "SELECT %04d;\n", i);
		tap_calls = 0;
		tap_fail_at = 1;
		is_int(mg_sql_split_reuse(&v, &n, &cap, c, more, MG_DIALECT_ANY), MG_ENOMEM, "reuse: out of memory");
		tap_fail_at = 0;
		ok(n == 0 && v != NULL && cap >= oldcap, "reuse: no statement; the array kept with its room");
		is_str(mg_ctx_error(c)->message, "out of memory", "reuse: the error is set");
		ok(v[0].len == 11 && strncmp(v[0].text, "SELECT 0000", 11) == 0, "reuse: the array still readable");
		free(more);
	}

	/* mg_sql_split: the array is only as long as its statements */
	st = NULL;
	is_int(mg_sql_split(&st, &n, c, "SELECT 1; SELECT 2; SELECT 3;", MG_DIALECT_ANY), MG_OK, "split: three");
	after = mg_alloc(c, 16);
	ok(st != NULL && after == (char *) st + ((3 * sizeof(mg_stmt) + 15) / 16) * 16,
	   "split: the room it did not use is used next");
	mg_ctx_free(c);
	free(many);
	ok(tap_live == 0, "reuse: nothing left");
}

int
main(void)
{
	if (mg_ctx_new(&ctx, tap_realloc, NULL) != MG_OK)
	{
		printf("Bail out! cannot create a context\n");
		return 1;
	}
	test_basics();
	test_quotes();
	test_comments();
	test_dollar_quotes();
	test_triggers();
	test_crlf();
	mg_ctx_free(ctx);
	ok(tap_live == 0, "every block returned to the allocator");

	test_oom();
	ok(tap_live == 0, "every block returned after the out-of-memory runs");
	test_reuse();
	return done_testing();
}
