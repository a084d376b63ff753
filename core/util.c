/*
 * util.c -- small text helpers shared by the parser, the catalog and the
 * reports: comma lists, the change-detection checksum, id validation,
 * the log's duration text, the search for a name in a script body.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

int
mg_split_list(mg_ctx *ctx, const char *s, const char ***items, size_t *n)
{
	size_t cap = 0;

	*items = NULL;
	*n = 0;
	while (s != NULL && *s)
	{
		const char *end = strchr(s, ',');
		const char *a = s, *b = end ? end : s + strlen(s);

		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
			b--;
		if (b > a)
		{
			char *item;

			if (mg_grow(ctx, items, &cap, *n, sizeof(char *)) != MG_OK)
				return MG_ENOMEM;
			item = mg_strndup(ctx, a, (size_t) (b - a));
			if (item == NULL)
				return MG_ENOMEM;
			(*items)[(*n)++] = item;
		}
		s = end ? end + 1 : NULL;
	}
	return MG_OK;
}

void
mg_checksum(const char *s, size_t n, char out[17])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p = (const unsigned char *) s;
	size_t i = 0;

	/* eight bytes a round: the same hash, with a fraction of the loop's own work */
	for (; i + 8 <= n; i += 8)
	{
		h = (h ^ p[i]) * 1099511628211ULL;
		h = (h ^ p[i + 1]) * 1099511628211ULL;
		h = (h ^ p[i + 2]) * 1099511628211ULL;
		h = (h ^ p[i + 3]) * 1099511628211ULL;
		h = (h ^ p[i + 4]) * 1099511628211ULL;
		h = (h ^ p[i + 5]) * 1099511628211ULL;
		h = (h ^ p[i + 6]) * 1099511628211ULL;
		h = (h ^ p[i + 7]) * 1099511628211ULL;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	for (int i = 15; i >= 0; i--)
	{
		out[i] = hex[h & 15];
		h >>= 4;
	}
	out[16] = '\0';
}

bool
mg_valid_rev_id(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
	{
		char c = s[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return n >= 1 && n <= 32;
}

/*
 * ms = mant * 2^-shift exactly (frexp), so round(ms * 1000) is found in
 * integers: mant * 1000 < 2^63, rounded to nearest with ties to even on
 * the exact value, as printf rounds in the default rounding mode.
 * Anything else (negative, -0.0, NaN, 10^12 ms and more) goes to snprintf.
 */
void
mg_format_ms(double ms, char out[MG_MS_TEXT])
{
	char digits[24];
	uint64_t mant, x, q;
	int e, shift, nd = 0;
	size_t n = 0;

	if (!(ms >= 0.0 && ms < 1e12) || signbit(ms))     /* -0.0 prints as "-0.000" */
	{
		snprintf(out, MG_MS_TEXT, "%.3f", ms);
		return;
	}
	mant = (uint64_t) ldexp(frexp(ms, &e), 53);     /* ms = mant * 2^(e - 53) */
	shift = 53 - e;                                 /* >= 13: ms < 2^40 */
	x = mant * 1000;
	if (shift >= 64)
		q = 0;                                      /* x * 2^-shift < 1/2 */
	else
	{
		uint64_t r = x & ((UINT64_C(1) << shift) - 1);
		uint64_t half = UINT64_C(1) << (shift - 1);

		q = x >> shift;
		if (r > half || (r == half && (q & 1)))
			q++;
	}
	for (uint64_t v = q / 1000; nd == 0 || v > 0; v /= 10)
		digits[nd++] = (char) ('0' + v % 10);
	while (nd > 0)
		out[n++] = digits[--nd];
	out[n++] = '.';
	out[n++] = (char) ('0' + q % 1000 / 100);
	out[n++] = (char) ('0' + q % 100 / 10);
	out[n++] = (char) ('0' + q % 10);
	out[n] = '\0';
}

bool
mg_text_mentions(const char *text, const char *name)
{
	size_t n = strlen(name);
	int first;

	if (n == 0)
		return false;
	first = mg_fold_ascii((unsigned char) name[0]);
	for (const char *p = text; *p != '\0'; p++)
	{
		size_t k = 1;

		if (mg_fold_ascii((unsigned char) *p) != first)
			continue;
		while (k < n && p[k] != '\0' &&
			   mg_fold_ascii((unsigned char) p[k]) == mg_fold_ascii((unsigned char) name[k]))
			k++;
		if (k == n)
			return true;
	}
	return false;
}
