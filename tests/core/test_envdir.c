/*
 * test_envdir.c -- reading an environment directory (core/envdir.c).
 *
 * Builds a throw-away tree under /tmp (mkdtemp) with nested version
 * directories, hidden entries, other files, symbolic links and a FIFO,
 * and checks what is read, in which order, byte for byte; then every
 * error: a missing directory, a file given as directory, a link loop, a
 * dangling script link, unreadable entries (by permissions when not run
 * as root, and by running out of file descriptors, which also works as
 * root), and out of memory at every allocation.  Files of many sizes,
 * a file longer than its stat size and a failing read (links into
 * /proc) check how a file is read.
 */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <ftw.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../core/internal.h"
#include "oom_sweep.h"
#include "tap.h"

static char root[64];

static void
write_file(const char *rel, const char *text, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0)
	{
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
}

static void
make_dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (mkdir(path, 0755) != 0)
	{
		printf("Bail out! cannot create %s\n", path);
		exit(1);
	}
}

static void
make_link(const char *target, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (symlink(target, path) != 0)
	{
		printf("Bail out! cannot link %s\n", path);
		exit(1);
	}
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) flag;
	(void) ftw;
	chmod(path, 0755);
	remove(path);
	return 0;
}

static void
rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Remove root/name and everything under it. */
static void
rm_under(const char *name)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", root, name);
	rm_tree(p);
}

static mg_ctx *
new_ctx(void)
{
	mg_ctx *ctx = NULL;

	if (mg_ctx_new(&ctx, tap_realloc, NULL) != MG_OK)
	{
		printf("Bail out! cannot create a context\n");
		exit(1);
	}
	return ctx;
}

/* Read dir, which must fail with MG_EINPUT / 58P01 and message want. */
static void
check_error(const char *name, const char *dir, const char *want)
{
	mg_ctx *ctx = new_ctx();
	mg_file *files = (mg_file *) &ctx;
	size_t n = 99;
	int rc = mg_envdir_read(&files, &n, ctx, dir);

	is_int(rc, MG_EINPUT, "%s: MG_EINPUT", name);
	is_str(mg_ctx_error(ctx)->sqlstate, MG_STATE_FILE, "%s: SQLSTATE 58P01", name);
	is_str(mg_ctx_error(ctx)->message, want, "%s: message", name);
	ok(files == NULL && n == 0, "%s: nothing returned", name);
	mg_ctx_free(ctx);
}

static const char bin_text[] = "-- Revision ID: b\0-- binary\n";

static void
build_tree(void)
{
	make_dir("versions_gxy");
	make_dir("versions_gxy/deep");
	make_dir("versions_gxy/deep/nested");
	make_dir("versions_tsi");
	make_dir(".git");
	write_file("versions_gxy/b_two.sql", "-- Revision ID: b2\n", 19);
	write_file("versions_gxy/a_one.sql", "-- Revision ID: a1\n-- Revises:\n", 31);
	write_file("versions_gxy/deep/nested/d.sql", "SELECT 1;\n", 10);
	write_file("versions_gxy/notes.txt", "not a script", 12);
	write_file("versions_tsi/c.sql", "-- Revision ID: c3\r\n", 20);
	write_file("top.sql", "top", 3);
	write_file("empty.sql", "", 0);
	write_file("bin.sql", bin_text, sizeof(bin_text) - 1);
	write_file("README.md", "# readme", 8);
	write_file("x.SQL", "upper case suffix", 17);
	write_file("a.sqlx", "other suffix", 12);
	write_file(".hidden.sql", "hidden", 6);
	write_file(".git/inside.sql", "hidden dir", 10);
	make_link("top.sql", "link.sql");
	make_link("versions_tsi", "linked");
	make_link("nowhere.txt", "dangling.txt");
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/fifo.sql", root);
		if (mkfifo(path, 0644) != 0)
		{
			printf("Bail out! cannot create %s\n", path);
			exit(1);
		}
	}
	/* a link to the FIFO is ignored too, without waiting for a writer */
	make_link("fifo.sql", "fifo_link.sql");
}

static void
check_tree(const char *name, const char *dir)
{
	static const char *const want[] = {
		"bin.sql", "empty.sql", "link.sql", "linked/c.sql", "top.sql",
		"versions_gxy/a_one.sql", "versions_gxy/b_two.sql",
		"versions_gxy/deep/nested/d.sql", "versions_tsi/c.sql"
	};
	size_t nwant = sizeof(want) / sizeof(want[0]);
	mg_ctx *ctx = new_ctx();
	mg_file *files = NULL;
	size_t n = 0;
	char got[1024] = "", exp[1024] = "";
	int rc = mg_envdir_read(&files, &n, ctx, dir);

	is_int(rc, MG_OK, "%s: reads", name);
	for (size_t i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "", files[i].relpath);
	for (size_t i = 0; i < nwant; i++)
		snprintf(exp + strlen(exp), sizeof(exp) - strlen(exp), "%s%s", i ? " " : "", want[i]);
	is_str(got, exp, "%s: every .sql file, hidden and other entries skipped, sorted bytewise", name);
	if (n == nwant)
	{
		is_int(files[0].len, sizeof(bin_text) - 1, "%s: binary-safe length", name);
		ok(memcmp(files[0].text, bin_text, sizeof(bin_text) - 1) == 0 &&
		   files[0].text[files[0].len] == '\0', "%s: bytes after a NUL kept, NUL-terminated", name);
		is_int(files[1].len, 0, "%s: empty file has length 0", name);
		is_str(files[1].text, "", "%s: empty file text is \"\"", name);
		is_str(files[2].text, "top", "%s: a link to a file is read through", name);
		is_str(files[3].text, "-- Revision ID: c3\r\n", "%s: a linked directory is walked", name);
		is_str(files[5].text, "-- Revision ID: a1\n-- Revises:\n", "%s: nested file text", name);
		is_int(files[5].len, 31, "%s: nested file length", name);
		is_str(files[7].text, "SELECT 1;\n", "%s: files without Revision ID are kept (the caller filters)", name);
		is_str(files[8].text, "-- Revision ID: c3\r\n", "%s: CRLF kept as is", name);
	}
	else
		ok(0, "%s: wrong number of files (%zu)", name, n);
	mg_ctx_free(ctx);
}

/*
 * Walk dir once for every arena position from 0 to max_pad bytes (in
 * steps of step), failing the first host allocation of each walk:
 * every failure must be a clean MG_ENOMEM with nothing returned and no
 * block left.  *fails counts the walks that failed; returns whether all
 * were clean.
 */
static int
oom_walks(long *fails, const char *dir, size_t max_pad, size_t step)
{
	int good = 1;

	for (size_t pad = 0; pad <= max_pad; pad += step)
	{
		mg_ctx *ctx = new_ctx();
		mg_file *files = (mg_file *) &ctx;
		size_t count = 99;
		int rc;

		if (!oom_pad_and_arm(ctx, pad))
			good = 0;
		rc = mg_envdir_read(&files, &count, ctx, dir);
		oom_disarm();
		if (rc != MG_OK)
		{
			(*fails)++;
			if (!oom_failed_cleanly(ctx, rc, files, count))
				good = 0;
		}
		mg_ctx_free(ctx);
		if (tap_live != 0)
			good = 0;
	}
	return good;
}

static void
test_tree(void)
{
	char dir[128];

	build_tree();
	check_tree("tree", root);
	snprintf(dir, sizeof(dir), "%s//", root);
	check_tree("trailing slashes", dir);
}

static void
test_empty_and_errors(void)
{
	char dir[256], want[512];
	mg_ctx *ctx = new_ctx();
	mg_file *files = (mg_file *) &ctx;
	size_t n = 99;

	make_dir("void");
	snprintf(dir, sizeof(dir), "%s/void", root);
	is_int(mg_envdir_read(&files, &n, ctx, dir), MG_OK, "empty directory: reads");
	ok(files == NULL && n == 0, "empty directory: no files");
	mg_ctx_free(ctx);

	snprintf(dir, sizeof(dir), "%s/nope", root);
	snprintf(want, sizeof(want),
			 "could not open environment directory \"%s\": No such file or directory", dir);
	check_error("missing directory", dir, want);
	{
		mg_ctx *c = new_ctx();

		mg_envdir_read(&files, &n, c, dir);
		is_str(mg_ctx_error(c)->hint,
			   "Give the path of an existing directory that holds the revision scripts.",
			   "missing directory: hint");
		mg_ctx_free(c);
	}
	check_error("empty path", "", "could not open environment directory \"\": No such file or directory");
	check_error("NULL path", NULL, "could not open environment directory \"\": No such file or directory");

	snprintf(dir, sizeof(dir), "%s/top.sql", root);
	snprintf(want, sizeof(want), "could not open environment directory \"%s\": Not a directory", dir);
	check_error("file given as directory", dir, want);

	/* A link back to an ancestor directory. */
	make_dir("loop");
	make_dir("loop/sub");
	make_link("..", "loop/sub/up");
	snprintf(dir, sizeof(dir), "%s/loop", root);
	snprintf(want, sizeof(want),
			 "directory \"%s/loop/sub/up\" in environment directory \"%s\" loops back to a directory above it",
			 root, dir);
	check_error("symbolic link loop", dir, want);

	/* A dangling link named like a script. */
	make_dir("dangling");
	make_link("missing.sql", "dangling/x.sql");
	snprintf(dir, sizeof(dir), "%s/dangling", root);
	snprintf(want, sizeof(want), "could not open file \"%s/x.sql\": No such file or directory", dir);
	check_error("dangling script link", dir, want);
}

static void
test_unreadable(void)
{
	char dir[256], want[512];

	make_dir("perm");
	make_dir("perm/closed");
	write_file("perm/closed/a.sql", "x", 1);
	make_dir("permfile");
	write_file("permfile/a.sql", "x", 1);
	if (geteuid() == 0)
	{
		ok(1, "unreadable directory # SKIP permissions do not apply to root");
		ok(1, "unreadable file # SKIP permissions do not apply to root");
	}
	else
	{
		mg_ctx *ctx = new_ctx();
		mg_file *files = (mg_file *) &ctx;
		size_t n = 99;

		snprintf(dir, sizeof(dir), "%s/perm/closed", root);
		chmod(dir, 0);
		snprintf(dir, sizeof(dir), "%s/perm", root);
		snprintf(want, sizeof(want), "could not open directory \"%s/closed\": Permission denied", dir);
		ok(mg_envdir_read(&files, &n, ctx, dir) == MG_EINPUT &&
		   strcmp(mg_ctx_error(ctx)->message, want) == 0 && files == NULL && n == 0,
		   "unreadable directory: \"%s\"", mg_ctx_error(ctx)->message);
		mg_ctx_free(ctx);

		ctx = new_ctx();
		snprintf(dir, sizeof(dir), "%s/permfile/a.sql", root);
		chmod(dir, 0);
		snprintf(dir, sizeof(dir), "%s/permfile", root);
		snprintf(want, sizeof(want), "could not open file \"%s/a.sql\": Permission denied", dir);
		ok(mg_envdir_read(&files, &n, ctx, dir) == MG_EINPUT &&
		   strcmp(mg_ctx_error(ctx)->message, want) == 0 && files == NULL && n == 0,
		   "unreadable file: \"%s\"", mg_ctx_error(ctx)->message);
		mg_ctx_free(ctx);
	}
}

/*
 * Running out of file descriptors makes opendir and fopen fail for root
 * too: with the limit at the lowest free descriptor + k, the walk can
 * open exactly k more.
 */
static void
test_no_descriptors(void)
{
	struct rlimit saved, lim;
	char dir[256], want[3][512];
	const char *names[3] = {"no descriptor for the root", "no descriptor for a subdirectory",
							"no descriptor for a file"};
	int lowest;

	make_dir("fd");
	make_dir("fd/sub");
	write_file("fd/sub/a.sql", "x", 1);
	snprintf(dir, sizeof(dir), "%s/fd", root);
	snprintf(want[0], sizeof(want[0]),
			 "could not open environment directory \"%s\": Too many open files", dir);
	snprintf(want[1], sizeof(want[1]), "could not open directory \"%s/sub\": Too many open files", dir);
	snprintf(want[2], sizeof(want[2]), "could not open file \"%s/sub/a.sql\": Too many open files", dir);

	for (int k = 0; k < 3; k++)
	{
		mg_ctx *ctx = new_ctx();
		mg_file *files = (mg_file *) &ctx;
		size_t n = 99;
		int rc;

		lowest = dup(0);
		if (lowest < 0 || getrlimit(RLIMIT_NOFILE, &saved) != 0)
		{
			ok(0, "%s: cannot set up the descriptor limit", names[k]);
			mg_ctx_free(ctx);
			continue;
		}
		close(lowest);
		lim = saved;
		lim.rlim_cur = (rlim_t) lowest + (rlim_t) k;
		setrlimit(RLIMIT_NOFILE, &lim);
		rc = mg_envdir_read(&files, &n, ctx, dir);
		setrlimit(RLIMIT_NOFILE, &saved);
		is_int(rc, MG_EINPUT, "%s: MG_EINPUT", names[k]);
		is_str(mg_ctx_error(ctx)->message, want[k], "%s: message", names[k]);
		is_str(mg_ctx_error(ctx)->sqlstate, MG_STATE_FILE, "%s: SQLSTATE 58P01", names[k]);
		ok(files == NULL && n == 0, "%s: nothing returned", names[k]);
		mg_ctx_free(ctx);
	}
	{
		int fd = dup(0);

		is_int(fd, lowest, "no descriptor left open by the failed walks");
		if (fd >= 0)
			close(fd);
	}
}

static void
test_oom(void)
{
	long n, fails = 0;
	int good = 1, fd, base = dup(0);

	if (base >= 0)
		close(base);
	for (n = 1; n < 1000; n++)
	{
		mg_ctx *ctx = new_ctx();
		mg_file *files = (mg_file *) &ctx;
		size_t count = 99;
		int rc;

		tap_calls = 0;
		tap_fail_at = n;
		rc = mg_envdir_read(&files, &count, ctx, root);
		tap_fail_at = 0;
		if (rc == MG_OK)
		{
			mg_ctx_free(ctx);
			break;
		}
		fails++;
		if (!oom_failed_cleanly(ctx, rc, files, count))
		{
			printf("# allocation %ld: rc %d, message \"%s\"\n", n, rc, mg_ctx_error(ctx)->message);
			good = 0;
		}
		mg_ctx_free(ctx);
		if (tap_live != 0)
			good = 0;
	}
	ok(good && fails > 0 && n < 1000,
	   "out of memory: each of %ld allocations fails cleanly with \"out of memory\", no leak", fails);

	/* The chunk boundary at every arena position (reading the tree). */
	fails = 0;
	good = oom_walks(&fails, root, OOM_SWEEP_MAX_PAD, 64);
	fd = dup(0);
	ok(good && fails > 1, "out of memory at every arena position: %ld walks failed cleanly", fails);
	ok(fd >= 0 && fd == base, "no directory or file left open after the out-of-memory runs");
	if (fd >= 0)
		close(fd);
}

/* The text of a file of n bytes in test_read_sizes: a pattern that shows a byte out of place. */
static char *
pattern(size_t n)
{
	char *t = malloc(n + 1);

	if (t == NULL)
	{
		printf("Bail out! out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < n; i++)
		t[i] = (char) ('a' + (i * 7 + i / 251) % 26);
	t[n] = '\0';
	return t;
}

/*
 * Files are read with the size stat gives: files of every size around
 * the arena's boundaries and a large one come back byte for byte; a file
 * that stat calls empty but that has bytes (a /proc file, as a file that
 * grew after the stat) is read to its end; a file whose read fails (a
 * link to /proc/self/mem: reading its first page is EIO) is an error
 * naming it, with no descriptor left open; and out of memory while such
 * a file's buffer grows fails cleanly.
 */
static void
test_read_sizes(void)
{
	static const size_t sizes[] = {1, 2, 3, 15, 16, 17, 4095, 4096, 4097, 16383, 16384,
								   16385, (1u << 20) + 3};
	size_t nsizes = sizeof(sizes) / sizeof(sizes[0]);
	char dir[256], rel[64], want[512];
	mg_ctx *ctx = new_ctx();
	mg_file *files = NULL;
	size_t n = 0;
	int good = 1, base = dup(0);

	if (base >= 0)
		close(base);
	make_dir("sizes");
	for (size_t i = 0; i < nsizes; i++)
	{
		char *t = pattern(sizes[i]);

		snprintf(rel, sizeof(rel), "sizes/f%02zu.sql", i);
		write_file(rel, t, sizes[i]);
		free(t);
	}
	snprintf(dir, sizeof(dir), "%s/sizes", root);
	is_int(mg_envdir_read(&files, &n, ctx, dir), MG_OK, "sizes: reads");
	is_int(n, nsizes, "sizes: every file");
	for (size_t i = 0; i < n && i < nsizes; i++)
	{
		char *t = pattern(sizes[i]);

		if (files[i].len != sizes[i] || memcmp(files[i].text, t, sizes[i]) != 0 ||
			files[i].text[sizes[i]] != '\0')
		{
			printf("# file of %zu bytes: read %zu\n", sizes[i], files[i].len);
			good = 0;
		}
		free(t);
	}
	ok(good, "sizes: 1 byte to 1 MiB, each byte for byte and NUL-terminated");
	mg_ctx_free(ctx);

	make_dir("proc");
	make_link("/proc/self/status", "proc/status.sql");
	snprintf(dir, sizeof(dir), "%s/proc", root);
	ctx = new_ctx();
	if (access("/proc/self/status", R_OK) != 0)
		ok(1, "file larger than its stat size # SKIP no /proc/self/status");
	else
	{
		int rc = mg_envdir_read(&files, &n, ctx, dir);

		ok(rc == MG_OK && n == 1 && files[0].len > 0 && strncmp(files[0].text, "Name:", 5) == 0 &&
		   strlen(files[0].text) == files[0].len,
		   "file larger than its stat size (/proc/self/status, size 0): read to its end");
	}
	mg_ctx_free(ctx);

	/*
	 * Out of memory while that buffer doubles: its doublings come from
	 * the arena's chunk, so the host is asked for memory (and fails) at
	 * the doubling that crosses the chunk's end, wherever the arena
	 * stands when the read starts.
	 */
	if (access("/proc/self/status", R_OK) == 0)
	{
		long fails = 0;

		good = oom_walks(&fails, dir, 16384, 32);
		ok(good && fails > 1, "growing buffer, out of memory at every arena position: %ld reads failed cleanly",
		   fails);
	}
	else
		ok(1, "growing buffer # SKIP no /proc/self/status");

	make_dir("eio");
	make_link("/proc/self/mem", "eio/mem.sql");
	snprintf(dir, sizeof(dir), "%s/eio", root);
	if (access("/proc/self/mem", R_OK) != 0)
		ok(1, "read error # SKIP no /proc/self/mem");
	else
	{
		snprintf(want, sizeof(want), "could not read file \"%s/mem.sql\": Input/output error", dir);
		check_error("read error", dir, want);
	}
	{
		int fd = dup(0);

		ok(fd >= 0 && fd == base, "no file left open by the reads");
		if (fd >= 0)
			close(fd);
	}
	rm_under("sizes");
	rm_under("proc");
	rm_under("eio");
}

int
main(void)
{
	snprintf(root, sizeof(root), "/tmp/mg_envdir_XXXXXX");
	if (mkdtemp(root) == NULL)
	{
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_tree();
	test_empty_and_errors();
	test_unreadable();
	test_no_descriptors();
	test_read_sizes();
	ok(tap_live == 0, "every block returned to the allocator");

	/* The OOM runs read the main tree only: drop the error fixtures. */
	rm_under("loop");
	rm_under("dangling");
	rm_under("perm");
	rm_under("permfile");
	test_oom();
	ok(tap_live == 0, "every block returned after the out-of-memory runs");
	rm_tree(root);
	return done_testing();
}
