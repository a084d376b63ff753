/*
 * utf8.c -- script text and file names are UTF-8.
 *
 * Revision scripts are stored as text in the catalog.  PostgreSQL's text
 * must be valid in the database encoding (UTF-8) and holds no NUL byte;
 * SQLite stores any bytes and would echo them into history and reports.
 * So both hosts refuse the same texts, before anything is written, with
 * the file, the line and the byte offset of the first bad byte, instead
 * of PostgreSQL's "invalid byte sequence" without a file, or nothing.
 *
 * UTF-8 here is RFC 3629's: no overlong forms, no surrogates, nothing
 * above U+10FFFF (PostgreSQL's pg_utf8_islegal accepts the same set).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/*
 * The length of the valid UTF-8 character at p (n bytes left), or 0 when
 * the bytes there are not one.  NUL is refused too.
 */
static size_t
utf8_char(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;          /* overlong */
		else if (c == 0xED)
			hi = 0x9F;          /* surrogates */
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		len = 4;
		if (c == 0xF0)
			lo = 0x90;          /* overlong */
		else if (c == 0xF4)
			hi = 0x8F;          /* above U+10FFFF */
	}
	else
		return 0;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return len;
}

/*
 * *bad: the offset of the first byte that is not valid UTF-8, or len.
 * ctx (may be NULL) is asked whether to stop every 64 KiB.  Errors:
 * MG_ECANCEL.
 */
static int
first_bad(size_t *bad, mg_ctx *ctx, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *) text;
	size_t i = 0;

	*bad = len;
	while (i < len)
	{
		size_t k, stop = len - i > 65536 ? i + 65536 : len;

		if (ctx != NULL && mg_interrupt_check(ctx) != MG_OK)
			return MG_ECANCEL;
		/* ASCII runs: most of every script */
		while (i < stop && p[i] > 0 && p[i] < 0x80)
			i++;
		if (i == stop)
			continue;
		k = utf8_char(p + i, len - i);
		if (k == 0)
		{
			*bad = i;
			return MG_OK;
		}
		i += k;
	}
	return MG_OK;
}

int
mg_utf8_check_script(mg_ctx *ctx, const char *text, size_t len, const char *filename)
{
	size_t bad, lineno = 1, line_start = 0;
	char bytes[3 * 5 + 1];
	size_t nb = 0;

	int rc;

	if (text == NULL)
		return MG_OK;
	if ((rc = first_bad(&bad, ctx, text, len)) != MG_OK || bad == len)
		return rc;
	for (size_t i = 0; i < bad; i++)
		if (text[i] == '\n')
		{
			lineno++;
			line_start = i + 1;
		}
	/* up to three bytes, as PostgreSQL shows them: "0xe9 0x20 0x72" */
	for (size_t i = bad; i < len && i < bad + 3; i++)
		nb += (size_t) snprintf(bytes + nb, sizeof(bytes) - nb, "%s0x%02x", i > bad ? " " : "",
								(unsigned char) text[i]);
	if (text[bad] == '\0')
		mg_error_set(ctx, MG_EINPUT, MG_STATE_ENCODING,
					 "revision script%s%s%s has a NUL byte at line %zu, byte offset %zu",
					 filename && filename[0] ? " \"" : "", filename ? filename : "",
					 filename && filename[0] ? "\"" : "", lineno, bad);
	else
		mg_error_set(ctx, MG_EINPUT, MG_STATE_ENCODING,
					 "invalid byte sequence for encoding \"UTF8\": %s in revision script%s%s%s at line %zu, byte offset %zu",
					 bytes, filename && filename[0] ? " \"" : "", filename ? filename : "",
					 filename && filename[0] ? "\"" : "", lineno, bad);
	mg_error_detail(ctx, "Revision scripts are UTF-8 text. The byte offset counts from 0 at the start of the text; the bad byte is byte %zu of line %zu.",
					bad - line_start + 1, lineno);
	/* a NUL byte is no matter of encoding: converting the file keeps it */
	if (text[bad] == '\0')
		mg_error_hint(ctx, "Remove the NUL byte from the script (for example with tr -d '\\000'), then load or add it again. Nothing was changed.");
	else
		mg_error_hint(ctx, "Convert the script to UTF-8 (for example with iconv -f LATIN1 -t UTF-8), then load or add it again. Nothing was changed.");
	return MG_EINPUT;
}

int
mg_utf8_check_name(mg_ctx *ctx, const char *name, const char *what)
{
	size_t len = strlen(name), bad;
	mg_buf b;
	char *shown;

	/* a name is short: no interrupt check */
	if (first_bad(&bad, NULL, name, len) != MG_OK || bad == len)
		return MG_OK;
	/* the name as text: valid characters as they are, other bytes \xNN */
	mg_buf_init(&b, ctx);
	for (size_t i = 0; i < len;)
	{
		size_t k = utf8_char((const unsigned char *) name + i, len - i);

		if (k == 0)
		{
			mg_buf_printf(&b, "\\x%02X", (unsigned char) name[i]);
			i++;
			continue;
		}
		mg_buf_putn(&b, name + i, k);
		i += k;
	}
	if (mg_buf_finish(&b, &shown) != MG_OK)
		return MG_ENOMEM;
	mg_error_set(ctx, MG_EINPUT, MG_STATE_ENCODING, "%s \"%s\" is not valid UTF-8", what, shown);
	mg_error_detail(ctx, "Its byte at offset %zu (0x%02x) does not start a UTF-8 character; the catalog stores names as UTF-8 text.",
					bad, (unsigned char) name[bad]);
	mg_error_hint(ctx, "Rename it in UTF-8 (for example with convmv -f latin1 -t utf8), then load again. Nothing was changed.");
	return MG_EINPUT;
}
