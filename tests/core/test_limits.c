/*
 * test_limits.c -- the lock and step limits (core/limits.c): the
 * settings' validation and stored form, and the retry loop: a run that
 * fails with SQLSTATE 55P03 is tried again lock_retries times, with
 * pauses that double from lock_timeout, a NOTICE before each, and a hint
 * that says how often it was tried; other errors are never retried, nor
 * are runs on a host without limits.
 */
#include "tap.h"
#include "sqlite_host.h"

/* ------------------------------------------------------------ settings */

static void
test_settings(void)
{
	static const struct {
		const char *key, *value, *stored;
	} good[] = {
		{"lock_timeout", "2s", "2s"}, {"lock_timeout", " 1500 ", "1500ms"},
		{"lock_timeout", "5 S", "5s"}, {"lock_timeout", "0", "0"}, {"lock_timeout", "0s", "0"},
		{"lock_timeout", "1min", "1min"}, {"lock_timeout", "2147483647", "2147483647ms"},
		{"statement_timeout", "10MIN", "10min"}, {"statement_timeout", "1h", "1h"},
		{"lock_retries", "0", "0"}, {"lock_retries", " 7 ", "7"}, {"lock_retries", "100", "100"},
	};
	static const struct {
		const char *key, *value;
	} bad[] = {
		{"lock_timeout", ""}, {"lock_timeout", "soon"}, {"lock_timeout", "-1"},
		{"lock_timeout", "1.5s"}, {"lock_timeout", "2 s x"}, {"lock_timeout", "2147483648"},
		{"lock_timeout", "25d"}, {"statement_timeout", "1 week"}, {"lock_retries", ""},
		{"lock_retries", "101"}, {"lock_retries", "-1"}, {"lock_retries", "3s"},
		{"lock_retries", "99999999999999999999"},
	};
	mg_ctx *ctx = new_ctx();
	mg_state st;
	char *out;

	db_open();
	is_int(mg_state_open(&st, ctx, &host), MG_OK, "open");
	is_int(mg_state_create(&st), MG_OK, "create the state tables");
	is_int(mg_state_get_setting(&out, &st, "lock_timeout"), MG_OK, "read lock_timeout");
	is_str(out, "2s", "lock_timeout defaults to 2s");
	is_int(mg_state_get_setting(&out, &st, "lock_retries"), MG_OK, "read lock_retries");
	is_str(out, "3", "lock_retries defaults to 3");
	is_int(mg_state_get_setting(&out, &st, "statement_timeout"), MG_OK, "read statement_timeout");
	is_str(out, "0", "statement_timeout defaults to 0 (off)");
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
	{
		is_int(mg_state_set_setting(&st, good[i].key, good[i].value), MG_OK, "%s '%s' accepted",
			   good[i].key, good[i].value);
		is_int(mg_state_get_setting(&out, &st, good[i].key), MG_OK, "read back");
		is_str(out, good[i].stored, "stored as '%s'", good[i].stored);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		is_int(mg_state_set_setting(&st, bad[i].key, bad[i].value), MG_EINPUT, "%s '%s' refused",
			   bad[i].key, bad[i].value);
		is_str(mg_ctx_error(ctx)->sqlstate, MG_STATE_BAD_TARGET, "with SQLSTATE 22023");
	}
	is_int(mg_limits_duration_ms("1min"), 60000, "1min is 60000 ms");
	is_int(mg_limits_duration_ms("x"), -1, "a malformed stored value is -1");
	db_close();
	mg_ctx_free(ctx);
}

/* ------------------------------------------------------------ the retry loop */

static long slept[8];
static int nslept;
static char notices[8][600];
static int nnotices;
static long limits_lock, limits_stmt;
static int nlimits;

static void
fake_sleep(void *ud, long ms)
{
	(void) ud;
	if (nslept < 8)
		slept[nslept] = ms;
	nslept++;
}

static void
fake_notice(void *ud, const char *text)
{
	(void) ud;
	if (nnotices < 8)
		snprintf(notices[nnotices], sizeof(notices[0]), "%s", text);
	nnotices++;
}

static int
fake_limits(void *ud, mg_ctx *ctx, long lock_ms, long stmt_ms)
{
	(void) ud;
	(void) ctx;
	limits_lock = lock_ms;
	limits_stmt = stmt_ms;
	nlimits++;
	return MG_OK;
}

/* An attempt that fails `fails` times with `state`, then succeeds. */
typedef struct attempt {
	mg_ctx *ctx;
	int fails;
	const char *state;
	int calls;
	bool began;      /* the attempt's unit was opened before it failed */
} attempt;

static int
try_once(void *arg, bool *began)
{
	attempt *a = arg;

	*began = a->began;
	if (a->calls++ < a->fails)
	{
		mg_error_set(a->ctx, MG_EHOST, a->state, "could not obtain AccessExclusiveLock on relation \"public.t\"");
		mg_error_detail(a->ctx, "Blocked by pid 42.");
		mg_error_hint(a->ctx, "End pid 42.");
		return MG_EHOST;
	}
	return MG_OK;
}

static void
reset(void)
{
	nslept = nnotices = nlimits = 0;
	memset(slept, 0, sizeof(slept));
}

static void
test_retry(void)
{
	mg_ctx *ctx = new_ctx();
	const mg_error *err = mg_ctx_error(ctx);
	mg_host h = host;
	attempt a;

	db_open();
	h.notice = fake_notice;
	h.limits = fake_limits;
	h.sleep = fake_sleep;
	db_exec("CREATE TABLE migrate_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
	db_exec("INSERT INTO migrate_settings VALUES ('lock_timeout', '100ms'), ('lock_retries', '3')");

	reset();
	a = (attempt) {ctx, 2, MG_STATE_LOCKED, 0, true};
	is_int(mg_limits_retry(ctx, &h, try_once, &a), MG_OK, "fails twice, then succeeds");
	is_int(a.calls, 3, "three attempts");
	is_int(nslept, 2, "two pauses");
	is_int(slept[0], 100, "the first as long as lock_timeout");
	is_int(slept[1], 200, "the next twice that");
	is_int(nnotices, 2, "a NOTICE before each retry");
	is_str(notices[0], "could not obtain AccessExclusiveLock on relation \"public.t\". Blocked by pid 42.; nothing was changed: retrying in 100 ms (attempt 2 of 4)",
		   "which says what blocked and when it tries again");

	reset();
	a = (attempt) {ctx, 99, MG_STATE_LOCKED, 0, true};
	is_int(mg_limits_retry(ctx, &h, try_once, &a), MG_EHOST, "always blocked: fails");
	is_int(a.calls, 4, "after 1 + lock_retries attempts");
	is_int(slept[2], 400, "pauses 100, 200, 400 ms");
	is_str(err->message, "could not obtain AccessExclusiveLock on relation \"public.t\"", "the last attempt's message");
	is_str(err->detail, "Blocked by pid 42.", "and detail");
	is_str(err->hint, "The run was tried 4 times (lock_retries is 3) and rolled back each time: nothing was changed. End pid 42.",
		   "the hint says how often it was tried, then the host's advice");

	reset();
	a = (attempt) {ctx, 1, MG_STATE_SYNTAX, 0, true};
	is_int(mg_limits_retry(ctx, &h, try_once, &a), MG_EHOST, "another error");
	is_int(a.calls, 1, "is not retried");
	is_int(nnotices, 0, "and says nothing more");

	db_exec("UPDATE migrate_settings SET value = '0' WHERE key = 'lock_retries'");
	reset();
	a = (attempt) {ctx, 1, MG_STATE_LOCKED, 0, true};
	is_int(mg_limits_retry(ctx, &h, try_once, &a), MG_EHOST, "lock_retries 0");
	is_int(a.calls, 1, "one attempt");
	is_str(err->hint, "The run was tried 1 time (lock_retries is 0) and rolled back each time: nothing was changed. End pid 42.",
		   "and the hint says so");

	db_exec("UPDATE migrate_settings SET value = '40' WHERE key = 'lock_retries'");
	db_exec("UPDATE migrate_settings SET value = '20s' WHERE key = 'lock_timeout'");
	reset();
	a = (attempt) {ctx, 4, MG_STATE_LOCKED, 0, true};
	is_int(mg_limits_retry(ctx, &h, try_once, &a), MG_OK, "long lock_timeout");
	is_int(slept[0], 20000, "pauses 20 s");
	is_int(slept[1], 30000, "then at most 30 s");
	is_int(slept[3], 30000, "and stay there");

	reset();
	a = (attempt) {ctx, 1, MG_STATE_LOCKED, 0, true};
	is_int(mg_limits_retry(ctx, &host, try_once, &a), MG_EHOST, "a host without limits");
	is_int(a.calls, 1, "never retries");

	reset();
	a = (attempt) {ctx, 1, MG_STATE_LOCKED, 0, false};
	is_int(mg_limits_retry(ctx, &h, try_once, &a), MG_EHOST, "the migration lock itself not taken");
	is_int(a.calls, 1, "is not retried (the session's own lock_timeout said so)");

	/* mg_limits_apply hands the settings to the host, inside a unit */
	{
		mg_state st;

		db_exec("UPDATE migrate_settings SET value = '1min' WHERE key = 'lock_timeout'");
		db_exec("INSERT INTO migrate_settings VALUES ('statement_timeout', '90s')");
		is_int(mg_state_open(&st, ctx, &h), MG_OK, "open");
		is_int(mg_limits_apply(&st), MG_OK, "apply");
		is_int(nlimits, 1, "the host gets the limits");
		is_int(limits_lock, 60000, "lock_timeout in ms");
		is_int(limits_stmt, 90000, "statement_timeout in ms");
		db_exec("UPDATE migrate_settings SET value = 'garbage' WHERE key = 'lock_timeout'");
		is_int(mg_limits_apply(&st), MG_OK, "a stored value edited by hand");
		is_int(limits_lock, 2000, "means the default");
	}
	db_close();
	mg_ctx_free(ctx);
}

int
main(void)
{
	test_settings();
	test_retry();
	return done_testing();
}
