/*
 * test_util.c -- the small helpers of core/util.c whose speed matters:
 * the checksum (FNV-1a, eight bytes a round) against values catalogs
 * hold and a byte-at-a-time reference at every length and alignment,
 * and mg_format_ms against snprintf "%.3f" on ties, neighbours of ties,
 * powers of two, random durations and the values it leaves to snprintf;
 * mg_text_mentions, which decides when a run writes the version table.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>

#include "../../core/internal.h"
#include "tap.h"

/* FNV-1a 64 one byte at a time: what mg_checksum must equal. */
static void
ref_checksum(const char *s, size_t n, char out[17])
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
	{
		h ^= (unsigned char) s[i];
		h *= 1099511628211ULL;
	}
	snprintf(out, 17, "%016llx", (unsigned long long) h);
}

static void
test_checksum(void)
{
	char got[17], want[17], buf[200];
	int good = 1;

	/*
	 * The values catalogs hold: the offset basis is 1469598103934665603
	 * (0x14650fb0739d0383), as stored checksums were computed with it.
	 */
	mg_checksum("", 0, got);
	is_str(got, "14650fb0739d0383", "checksum: empty text is the offset basis");
	mg_checksum("a", 1, got);
	is_str(got, "44bd8ad473cd9906", "checksum: \"a\"");
	mg_checksum("foobar", 6, got);
	is_str(got, "88fad7c0a8ff07f2", "checksum: \"foobar\"");
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char) (i * 37 + 11);     /* bytes above 127 and a NUL among them */
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; off + n <= sizeof(buf); n++)
		{
			mg_checksum(buf + off, n, got);
			ref_checksum(buf + off, n, want);
			if (strcmp(got, want) != 0)
			{
				printf("# offset %zu, length %zu: %s, want %s\n", off, n, got, want);
				good = 0;
			}
		}
	ok(good, "checksum: the byte-at-a-time value at every length and offset");
}

/* Does mg_format_ms(v) write what snprintf "%.3f" writes?  Prints the first misses. */
static int misses;

static int
same_as_printf(double v)
{
	char got[MG_MS_TEXT], want[MG_MS_TEXT];

	mg_format_ms(v, got);
	snprintf(want, sizeof(want), "%.3f", v);
	if (strcmp(got, want) == 0)
		return 1;
	if (misses++ < 10)
		printf("# %.17g: \"%s\", printf \"%s\"\n", v, got, want);
	return 0;
}

/* The double next to t >= 0, up (dir 1) or down (dir -1): nextafter without libm. */
static double
neighbour(double t, int dir)
{
	uint64_t bits;

	memcpy(&bits, &t, sizeof(bits));
	if (dir < 0 && bits == 0)
		return t;
	bits = dir > 0 ? bits + 1 : bits - 1;
	memcpy(&t, &bits, sizeof(t));
	return t;
}

/* A small deterministic generator (xorshift64*), so a failure can be replayed. */
static uint64_t rng = 88172645463325252ULL;

static uint64_t
next_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

/* t and the doubles right next to it, each formatted as printf does. */
static int
same_around(double t)
{
	return same_as_printf(t) & same_as_printf(neighbour(t, -1)) & same_as_printf(neighbour(t, 1));
}

static void
test_format_ms(void)
{
	static const double fixed[] = {
		0.0, 0.0004, 0.0005, 0.0006, 0.0015, 0.0025, 0.001, 0.25, 0.0625, 0.1875, 0.3125,
		1.0, 2.5, 12.5, 99.9995, 999.9995, 1234.5678, 0.1, 0.2, 0.3, 1e-300, DBL_MIN,
		DBL_TRUE_MIN, 4503599627370.4965, 999999999999.9995, 999999999999.999, 1e11, 123456789.0625,
	};
	static const double slow[] = {-0.0, -1.5, -0.0004, 1e12, 1e15, 1e300, DBL_MAX, INFINITY};
	int good = 1;
	long n = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++, n++)
		good &= same_as_printf(fixed[i]);
	ok(good, "format_ms: %ld chosen values (ties, the smallest doubles, near 10^12)", n);

	/* ties k/16, k/1024 ... and the doubles right next to them */
	good = 1;
	n = 0;
	for (int p = 1; p <= 20; p++)
		for (int k = 0; k < 4000; k++)
		{
			double t = ldexp((double) k, -p);

			good &= same_around(t);
			n += 3;
		}
	ok(good, "format_ms: %ld multiples of 2^-1 .. 2^-20 and their neighbours", n);

	/* k / 2000 (every rounding boundary of a milliseconds count), and neighbours */
	good = 1;
	n = 0;
	for (long k = 0; k < 2000000; k += 7)
	{
		double t = (double) k / 2000.0;

		good &= same_around(t);
		n += 3;
	}
	ok(good, "format_ms: %ld values on and around the half-microsecond boundaries", n);

	/* random bit patterns below 10^12, and random durations of a few ms */
	good = 1;
	n = 0;
	for (int i = 0; i < 200000; i++)
	{
		uint64_t bits = next_rand() & ~(UINT64_C(1) << 63);
		double v;

		memcpy(&v, &bits, sizeof(v));
		if (v < 1e12)
		{
			good &= same_as_printf(v);
			n++;
		}
		good &= same_as_printf((double) (next_rand() >> 11) / 9007199254740992.0 * 50.0);
		n++;
	}
	ok(good, "format_ms: %ld random doubles", n);

	good = 1;
	for (size_t i = 0; i < sizeof(slow) / sizeof(slow[0]); i++)
		good &= same_as_printf(slow[i]);
	good &= same_as_printf(NAN);
	ok(good, "format_ms: negative, NaN, infinite and huge values are printf's own");
}

static void
test_text_mentions(void)
{
	ok(mg_text_mentions("SELECT version_num FROM alembic_version;", "alembic_version"),
	   "mentions: the name in a statement");
	ok(mg_text_mentions("select * from ALEMBIC_Version", "alembic_version"),
	   "mentions: letters in another case");
	ok(mg_text_mentions("alembic_version", "alembic_version"), "mentions: the whole text");
	ok(mg_text_mentions("x alembic_version", "alembic_version"), "mentions: at the very end");
	ok(mg_text_mentions("alembic_alembic_version", "alembic_version"),
	   "mentions: after a false start");
	ok(!mg_text_mentions("CREATE TABLE alembic_versio (a);", "alembic_version"),
	   "mentions: not a prefix of the name cut short by the text's end");
	ok(!mg_text_mentions("CREATE TABLE t (a);", "alembic_version"), "mentions: not in an unrelated text");
	ok(!mg_text_mentions("", "alembic_version"), "mentions: not in an empty text");
	ok(!mg_text_mentions("anything", ""), "mentions: an empty name is never mentioned");
	/* only ASCII letters fold: '_' (0x5f) and DEL (0x7f) differ by 0x20 */
	ok(!mg_text_mentions("a\x7f" "b", "a_b"), "mentions: no folding of non-letters");
	ok(mg_text_mentions("MY_VT2", "my_vt2"), "mentions: digits and '_' match themselves");
}

int
main(void)
{
	test_checksum();
	test_format_ms();
	test_text_mentions();
	return done_testing();
}
