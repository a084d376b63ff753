/*
 * limits.c -- how long a run may wait for a lock or spend in a step, and
 * what happens when a lock wait times out.
 *
 * An ALTER TABLE that waits for its lock behind one long transaction
 * makes every later reader of the table wait behind it: a migration that
 * "hangs" takes the application down.  So every statement of a run waits
 * for a lock at most lock_timeout, and a run whose lock wait timed out is
 * rolled back and tried again after a pause, up to lock_retries times.
 *
 * Settings (migrate_config), applied by hosts that fill mg_host.limits
 * (PostgreSQL; SQLite's waits are its busy timeout):
 *
 *   lock_timeout       default 2s.  Long enough for the short transactions
 *                      of an application (milliseconds) to finish, so a
 *                      run is only stopped by a transaction that would
 *                      have kept it waiting anyway; short enough that the
 *                      readers queued behind the run's lock wait at most
 *                      that long, below the request timeouts of web
 *                      servers and proxies (commonly 5 s to 60 s).
 *   lock_retries       default 3: tries after the first; the pause before
 *                      try k is lock_timeout * 2^(k-1) (2 s, 4 s, 8 s), at
 *                      most 30 s, so a blocker has about 15 s to finish
 *                      in the worst case, with nothing held in between.
 *   statement_timeout  default 0 (off): the longest a revision body may
 *                      run, so a rewrite of a large table fails at once
 *                      instead of holding its lock for an hour.
 *
 * Durations are written as PostgreSQL writes them (500ms, 2s, 1min, 1h; a
 * bare number is milliseconds); 0 turns a limit off (the session's own
 * lock_timeout and statement_timeout then apply), and lock_retries 0
 * turns retries off.
 *
 * Why the whole run is tried again, not the step: the run's unit holds
 * every lock its earlier steps took until it ends.  Retrying only the
 * step would keep those locks through every pause, and the application's
 * queries would queue behind them: the very outage the timeout is there
 * to prevent.  Rolling the unit back releases them all; the next try
 * plans again from the version table, so it is the same run.  (CALL
 * migrate_upgrade_steps commits after every step: there the unit, and so
 * the retry, is one step.)
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* The longest duration PostgreSQL's timeouts take (INT_MAX ms). */
#define MAX_MS 2147483647L
#define MAX_RETRIES 100
#define MAX_PAUSE_MS 30000L
/* the pause's base when lock_timeout is off (a NOWAIT lock failed) */
#define BASE_PAUSE_MS 100L

bool
mg_limits_is_setting(const char *key)
{
	return strcmp(key, "lock_timeout") == 0 || strcmp(key, "lock_retries") == 0 ||
		strcmp(key, "statement_timeout") == 0;
}

static const struct unit {
	const char *name;
	long ms;
} units[] = {
	{"ms", 1}, {"s", 1000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000},
};

/*
 * Parse "<digits>[blanks][unit]" into milliseconds; the unit's spelling
 * into *unit (NULL for none).  -1 when malformed or too long.
 */
static long
parse_duration(const char *s, const struct unit **unit)
{
	long n = 0;
	const char *p = s;

	*unit = NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
	{
		n = n * 10 + (*p - '0');
		if (n > MAX_MS)
			return -1;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0')
	{
		size_t len = strcspn(p, " \t");
		const char *q = p + len;

		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '\0')
			return -1;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (mg_ci_equal(p, len, units[i].name))
				*unit = &units[i];
		if (*unit == NULL)
			return -1;
		if (n > MAX_MS / (*unit)->ms)
			return -1;
		n *= (*unit)->ms;
	}
	return n;
}

long
mg_limits_duration_ms(const char *value)
{
	const struct unit *u;

	return parse_duration(value, &u);
}

int
mg_limits_normalize(char **out, mg_ctx *ctx, const char *key, const char *value)
{
	*out = NULL;
	if (strcmp(key, "lock_retries") == 0)
	{
		long n = 0;
		const char *p = value;

		while (*p == ' ')
			p++;
		for (; *p >= '0' && *p <= '9' && n <= MAX_RETRIES; p++)
			n = n * 10 + (*p - '0');
		while (*p == ' ')
			p++;
		if (*p != '\0' || p == value || n > MAX_RETRIES || strspn(value, " ") == strlen(value))
		{
			mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
						 "invalid value \"%s\" for setting \"%s\"", value, key);
			mg_error_detail(ctx, "It is how many times a run whose lock wait timed out is tried again: a whole number from 0 (never) to %d.",
							MAX_RETRIES);
			return MG_EINPUT;
		}
		*out = mg_printf(ctx, "%ld", n);
	}
	else
	{
		const struct unit *u;
		long ms = parse_duration(value, &u);

		if (ms < 0)
		{
			mg_error_set(ctx, MG_EINPUT, MG_STATE_BAD_TARGET,
						 "invalid value \"%s\" for setting \"%s\"", value, key);
			mg_error_detail(ctx, "It is a duration as PostgreSQL writes one: a whole number with a unit (ms, s, min, h, d; none means ms), at most 2147483647ms; 0 turns it off.");
			mg_error_hint(ctx, "For example SELECT migrate_config('%s', '5s').", key);
			return MG_EINPUT;
		}
		if (ms == 0)
			*out = mg_strdup(ctx, "0");
		else
		{
			long n = ms / (u != NULL ? u->ms : 1);

			*out = mg_printf(ctx, "%ld%s", n, u != NULL ? u->name : "ms");
		}
	}
	return *out != NULL ? MG_OK : MG_ENOMEM;
}

int
mg_limits_apply(mg_state *st)
{
	static const char *const keys[2] = {"lock_timeout", "statement_timeout"};
	const mg_host *host = st->host;
	char *vals[2];
	long lock_ms, stmt_ms;
	int rc;

	if (!MG_HOST_HAS(host, limits))
		return MG_OK;
	if ((rc = mg_state_get_settings(vals, st, keys, 2)) != MG_OK)
		return rc;
	/* a value stored by hand that does not parse: the default's meaning */
	lock_ms = mg_limits_duration_ms(vals[0]);
	if (lock_ms < 0)
		lock_ms = mg_limits_duration_ms(MG_DEFAULT_LOCK_TIMEOUT);
	stmt_ms = mg_limits_duration_ms(vals[1]);
	if (stmt_ms < 0)
		stmt_ms = 0;
	return host->limits(host->ud, st->ctx, lock_ms, stmt_ms);
}

/* Did the attempt fail because a lock was not available? */
static bool
lock_failure(mg_ctx *ctx, int rc)
{
	return rc == MG_EHOST && strcmp(mg_ctx_error(ctx)->sqlstate, MG_STATE_LOCKED) == 0;
}

/* lock_retries and lock_timeout, read outside any unit; the defaults when they cannot be. */
static void
read_retry_settings(long *retries, long *timeout_ms, mg_ctx *ctx, const mg_host *host)
{
	static const char *const keys[2] = {"lock_retries", "lock_timeout"};
	mg_state st;
	char *vals[2];

	*retries = 0;
	*timeout_ms = 0;
	if (mg_state_open(&st, ctx, host) != MG_OK ||
		mg_state_get_settings(vals, &st, keys, 2) != MG_OK)
	{
		vals[0] = MG_DEFAULT_LOCK_RETRIES;
		vals[1] = MG_DEFAULT_LOCK_TIMEOUT;
	}
	for (const char *p = vals[0]; *p >= '0' && *p <= '9' && *retries <= MAX_RETRIES; p++)
		*retries = *retries * 10 + (*p - '0');
	if (*retries > MAX_RETRIES)
		*retries = MAX_RETRIES;
	*timeout_ms = mg_limits_duration_ms(vals[1]);
	if (*timeout_ms < 0)
		*timeout_ms = 0;
}

int
mg_limits_retry(mg_ctx *ctx, const mg_host *host, int (*attempt)(void *arg, bool *began), void *arg)
{
	bool began = false;
	int rc = attempt(arg, &began);
	long retries, timeout_ms, pause;
	mg_error first;
	char hint[sizeof(first.hint)];

	if (!began || !lock_failure(ctx, rc) || !MG_HOST_HAS(host, limits) || !MG_HOST_HAS(host, sleep))
		return rc;
	first = *mg_ctx_error(ctx);
	read_retry_settings(&retries, &timeout_ms, ctx, host);
	*mg_ctx_error_mut(ctx) = first;
	pause = timeout_ms > 0 ? timeout_ms : BASE_PAUSE_MS;
	if (pause > MAX_PAUSE_MS)
		pause = MAX_PAUSE_MS;
	for (long k = 1; k <= retries; k++)
	{
		const mg_error *e = mg_ctx_error(ctx);
		char *note = mg_printf(ctx, "%s%s%s; nothing was changed: retrying in %ld ms (attempt %ld of %ld)",
							   e->message, e->detail[0] ? ". " : "", e->detail, pause, k + 1,
							   retries + 1);

		if (note == NULL)
			return MG_ENOMEM;
		if (host->notice != NULL)
			host->notice(host->ud, note);
		host->sleep(host->ud, pause);
		mg_error_clear(ctx);
		rc = attempt(arg, &began);
		if (!began || !lock_failure(ctx, rc))
			return rc;
		pause = pause * 2 > MAX_PAUSE_MS ? MAX_PAUSE_MS : pause * 2;
	}
	snprintf(hint, sizeof(hint), "%s", mg_ctx_error(ctx)->hint);
	mg_ctx_error_mut(ctx)->hint[0] = '\0';
	mg_error_hint(ctx, "The run was tried %ld time%s (lock_retries is %ld) and rolled back each time: nothing was changed.%s%s",
				  retries + 1, retries ? "s" : "", retries, hint[0] ? " " : "", hint);
	return rc;
}
