/*
 * envdir.c -- reading an environment directory.
 *
 * An environment is a directory tree of revision scripts.  mg_envdir_read
 * walks it (symbolic links followed), skipping every entry whose name
 * starts with '.', and reads every regular file whose name ends in
 * ".sql" (case-sensitive).  Other files, and entries that are neither
 * regular files nor directories (sockets, devices, FIFOs), are ignored:
 * they are never opened.  It does not look inside the files: telling
 * revisions from other SQL is the caller's business
 * (mg_script_is_revision).
 *
 * The walk opens each directory once and reaches its entries through
 * that descriptor (openat, fstatat): the kernel looks up one name per
 * file instead of walking the whole path twice (stat, then open), and
 * the type readdir reports spares a stat for every entry whose type it
 * names.  The full path is built only for an error message.
 *
 * Invariants: relative paths use '/' whatever the host, and the result
 * is sorted bytewise by relative path, so the load order is the same on
 * every machine.  File texts are read whole, binary-safe (len counts
 * every byte, and a NUL is added after them).  Everything returned lives
 * in the arena; directories and files opened here are closed on every
 * path, including out-of-memory.  A symbolic link back to a directory on
 * the current path is an error rather than an endless walk.
 */
/* d_type and DT_* (glibc, the BSDs, macOS); without them every entry is stat'ed */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "internal.h"

/* A directory on the path being walked (for link loops). */
typedef struct ancestor
{
	dev_t dev;
	ino_t ino;
	const struct ancestor *up;
} ancestor;

/* The walk's state. */
typedef struct walker
{
	mg_ctx *ctx;
	const char *dir;    /* as given, for messages */
	const char *root;   /* dir without trailing '/' */
	size_t root_len;
	mg_file *files;
	size_t n;
	size_t cap;
} walker;

static bool
is_sql_name(const char *name)
{
	size_t len = strlen(name);

	return len > 4 && strcmp(name + len - 4, ".sql") == 0;
}

/*
 * The directory cannot be opened.  The hint is the case's own next step:
 * a relative path that names nothing was looked up in the current
 * directory of the process that runs the SQL (the sqlite3 shell's, the
 * application's), which is named, since it is rarely the one the user
 * has in mind; the path that failed is never offered as an example.
 */
static int
err_envdir(mg_ctx *ctx, const char *dir, int errnum)
{
	char cwd[PATH_MAX];

	mg_error_set(ctx, MG_EINPUT, MG_STATE_FILE,
				 "could not open environment directory \"%s\": %s", dir, strerror(errnum));
	if (dir[0] != '/' && errnum == ENOENT)
	{
		if (getcwd(cwd, sizeof(cwd)) != NULL)
			mg_error_detail(ctx, "A relative path is resolved against the current directory of the process that runs the SQL, which is \"%s\".", cwd);
		else
			mg_error_detail(ctx, "A relative path is resolved against the current directory of the process that runs the SQL.");
		mg_error_hint(ctx, "Give the absolute path of the directory that holds the revision scripts, or add the scripts from their text with migrate_add(script, filename).");
	}
	else if (errnum == ENOTDIR)
		mg_error_hint(ctx, "Give the directory that holds the revision scripts, not a file.");
	else if (errnum == EACCES)
		mg_error_hint(ctx, "Make the directory readable by the operating-system user of the process that runs the SQL, or add the scripts from their text with migrate_add(script, filename).");
	else
		mg_error_hint(ctx, "Give the path of an existing directory that holds the revision scripts.");
	return MG_EINPUT;
}

/* "a/b" in the arena, a being an bytes long (a path per entry: no printf). */
static char *
join_path(mg_ctx *ctx, const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);
	char *p = mg_realloc_uninit(ctx, NULL, 0, an + 1 + bn + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, a, an);
	p[an] = '/';
	memcpy(p + an + 1, b, bn + 1);
	return p;
}

/* The full path of rel, for a message; NULL when out of memory. */
static const char *
full_path(walker *w, const char *rel)
{
	return rel[0] ? join_path(w->ctx, w->root, w->root_len, rel) : w->root;
}

/* Set "<what> \"<full path of rel>\": <errnum>" (MG_EINPUT). */
static int
err_entry(walker *w, const char *what, const char *rel, int errnum)
{
	const char *path = full_path(w, rel);

	if (path == NULL)
		return MG_ENOMEM;
	return mg_error_set(w->ctx, MG_EINPUT, MG_STATE_FILE, "%s \"%s\": %s", what, path,
						strerror(errnum ? errnum : EIO));
}

/*
 * Open name relative to the directory dfd (AT_FDCWD: the current one) and
 * fstat what was opened, so the type and size are those of the file read,
 * not of whatever the name pointed to a moment before.  Returns the
 * descriptor, or -1 with errno set and nothing left open.
 */
static int
open_stat(int dfd, const char *name, int flags, struct stat *st)
{
	int fd = openat(dfd, name, flags | O_CLOEXEC);

	if (fd >= 0 && fstat(fd, st) != 0)
	{
		int errnum = errno;

		close(fd);
		errno = errnum;
		fd = -1;
	}
	return fd;
}

/*
 * Read the file name of the directory dfd (rel from the root) into a new
 * entry of w->files, unless it is not a regular file (replaced since
 * readdir): then nothing is added.  The open does not wait (O_NONBLOCK)
 * in case it is a FIFO after all.  The buffer has room for the size fstat reports, one
 * byte more and the NUL, so a file that did not change is read by one
 * read() that returns exactly that size, one byte short of what was
 * asked: a regular file reads short only at its end, so no second
 * read() looks for it.  A file that grew since, shrank, or that fstat
 * calls empty (/proc files, which also read short before their end) is
 * read on until read() returns 0, doubling the buffer as it fills.
 */
static int
read_file(walker *w, int dfd, const char *name, char *rel)
{
	struct stat st;
	size_t cap, len = 0;
	off_t size;
	char *buf;
	int fd;
	mg_file *entry;

	if (mg_grow(w->ctx, &w->files, &w->cap, w->n, sizeof(mg_file)) != MG_OK)
		return MG_ENOMEM;
	fd = open_stat(dfd, name, O_RDONLY | O_NONBLOCK, &st);
	if (fd < 0)
		return err_entry(w, "could not open file", rel, errno);
	if (!S_ISREG(st.st_mode))
	{
		close(fd);
		return MG_OK;
	}
	size = st.st_size;
	cap = (size > 0 ? (size_t) size : 0) + 2;
	/* every byte up to len is read into, and the NUL goes after them */
	buf = mg_realloc_uninit(w->ctx, NULL, 0, cap);
	if (buf == NULL)
	{
		close(fd);
		return MG_ENOMEM;
	}
	for (;;)
	{
		ssize_t got;
		size_t want;

		if (cap - len < 2)
		{
			char *bigger = mg_realloc_uninit(w->ctx, buf, cap, cap * 2);

			if (bigger == NULL)
			{
				close(fd);
				return MG_ENOMEM;
			}
			buf = bigger;
			cap *= 2;
		}
		want = cap - 1 - len;
		got = read(fd, buf + len, want);
		if (got > 0)
		{
			len += (size_t) got;
			if (size > 0 && len == (size_t) size && (size_t) got < want)
				break;
			continue;
		}
		if (got == 0)
			break;
		if (errno != EINTR)
		{
			int errnum = errno;

			close(fd);
			return err_entry(w, "could not read file", rel, errnum);
		}
	}
	close(fd);
	buf[len] = '\0';

	entry = &w->files[w->n];
	entry->relpath = rel;
	entry->text = buf;
	entry->len = len;
	w->n++;
	return MG_OK;
}

/*
 * The kind of entry ent of the directory dfd is, following links: 'd'
 * a directory, 'f' a regular file, 0 anything else (ignored).  A link or
 * an entry whose type readdir does not know is stat'ed; one that cannot
 * be (a dangling link) is ignored, or an error when it names a script.
 */
static int
entry_kind(walker *w, int dfd, const struct dirent *ent, const char *rel, char *kind)
{
	struct stat st;

	*kind = 0;
#ifdef DT_UNKNOWN
	if (ent->d_type == DT_DIR)
	{
		*kind = 'd';
		return MG_OK;
	}
	if (ent->d_type == DT_REG)
	{
		*kind = 'f';
		return MG_OK;
	}
	if (ent->d_type != DT_LNK && ent->d_type != DT_UNKNOWN)
		return MG_OK;
#endif
	if (fstatat(dfd, ent->d_name, &st, 0) != 0)
	{
		/* A dangling link is only worth an error when it names a script. */
		if (!is_sql_name(ent->d_name))
			return MG_OK;
		return err_entry(w, "could not open file", rel, errno);
	}
	if (S_ISDIR(st.st_mode))
		*kind = 'd';
	else if (S_ISREG(st.st_mode))
		*kind = 'f';
	return MG_OK;
}

/*
 * Walk the directory open at dfd, rel from the root ("" for the root),
 * whose identity is me.  Returns MG_OK or an error; dfd is closed in
 * every case.
 */
static int
walk(walker *w, int dfd, const char *rel, const ancestor *me)
{
	size_t rel_len = strlen(rel);
	DIR *d;
	int rc = MG_OK;

	d = fdopendir(dfd);
	if (d == NULL)
	{
		int errnum = errno;

		close(dfd);
		return err_entry(w, "could not open directory", rel, errnum);
	}
	for (;;)
	{
		struct dirent *ent;
		char *child_rel;
		char kind;

		if ((rc = mg_interrupt_check(w->ctx)) != MG_OK)
			break;
		errno = 0;
		ent = readdir(d);
		if (ent == NULL)
		{
			if (errno != 0)
				rc = err_entry(w, "could not read directory", rel, errno);
			break;
		}
		if (ent->d_name[0] == '.')
			continue;
		child_rel = rel[0] ? join_path(w->ctx, rel, rel_len, ent->d_name)
			: mg_strdup(w->ctx, ent->d_name);
		if (child_rel == NULL)
		{
			rc = MG_ENOMEM;
			break;
		}
		if ((rc = entry_kind(w, dfd, ent, child_rel, &kind)) != MG_OK)
			break;
		if (kind == 'd')
		{
			struct stat st;
			ancestor sub;
			const ancestor *a;
			int fd = open_stat(dfd, ent->d_name, O_RDONLY | O_DIRECTORY, &st);

			if (fd < 0)
			{
				rc = err_entry(w, "could not open directory", child_rel, errno);
				break;
			}
			for (a = me; a != NULL; a = a->up)
				if (a->dev == st.st_dev && a->ino == st.st_ino)
					break;
			if (a != NULL)
			{
				const char *path = full_path(w, child_rel);

				close(fd);
				if (path == NULL)
				{
					rc = MG_ENOMEM;
					break;
				}
				rc = mg_error_set(w->ctx, MG_EINPUT, MG_STATE_FILE,
								  "directory \"%s\" in environment directory \"%s\" loops back to a directory above it",
								  path, w->dir);
				mg_error_hint(w->ctx, "Remove the symbolic link that makes the loop.");
				break;
			}
			sub.dev = st.st_dev;
			sub.ino = st.st_ino;
			sub.up = me;
			rc = walk(w, fd, child_rel, &sub);
			if (rc != MG_OK)
				break;
		}
		else if (kind == 'f' && is_sql_name(ent->d_name))
		{
			rc = read_file(w, dfd, ent->d_name, child_rel);
			if (rc != MG_OK)
				break;
		}
	}
	closedir(d);
	return rc;
}

static int
cmp_relpath(const void *a, const void *b)
{
	return strcmp(((const mg_file *) a)->relpath, ((const mg_file *) b)->relpath);
}

/*
 * Read every *.sql file under dir.  *files (arena, *n entries, NULL when
 * none) is sorted by relpath.  Errors (MG_EINPUT, MG_STATE_FILE): dir
 * missing or not a directory, a subdirectory or file that cannot be
 * read, a link loop; MG_ENOMEM.  On error *files is NULL and *n is 0.
 */
int
mg_envdir_read(mg_file **files, size_t *n, mg_ctx *ctx, const char *dir)
{
	walker w;
	struct stat st;
	ancestor root;
	char *r;
	size_t len;
	int rc, fd;

	*files = NULL;
	*n = 0;
	if (dir == NULL)
		dir = "";
	r = mg_strdup(ctx, dir);
	if (r == NULL)
		return MG_ENOMEM;
	fd = open_stat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, &st);
	if (fd < 0)
		return err_envdir(ctx, dir, errno);

	len = strlen(r);
	while (len > 1 && r[len - 1] == '/')
		r[--len] = '\0';

	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.dir = dir;
	w.root = r;
	w.root_len = len;
	root.dev = st.st_dev;
	root.ino = st.st_ino;
	root.up = NULL;
	rc = walk(&w, fd, "", &root);
	if (rc != MG_OK)
		return rc;
	if (w.n > 1)
		qsort(w.files, w.n, sizeof(mg_file), cmp_relpath);
	*files = w.files;
	*n = w.n;
	return MG_OK;
}

/*
 * The directory's canonical absolute path (realpath: links resolved, no
 * "." or ".."), as the catalog records where a load read its revisions:
 * "migrations", "./migrations/" and the absolute path are one directory.
 * *out lives in the arena.  Errors: as mg_envdir_read's for a directory
 * that cannot be opened; MG_ENOMEM.
 */
int
mg_envdir_canonical(char **out, mg_ctx *ctx, const char *dir)
{
	char buf[PATH_MAX];

	*out = NULL;
	if (realpath(dir != NULL ? dir : "", buf) == NULL)
		return err_envdir(ctx, dir != NULL ? dir : "", errno);
	*out = mg_strdup(ctx, buf);
	return *out != NULL ? MG_OK : MG_ENOMEM;
}
