/*
 * scratch.h: a scratch directory for one test program, under $TMPDIR (or
 * the current directory), for the files its cases write.
 */
#ifndef SCRATCH_H
#define SCRATCH_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Make "$TMPDIR/NAME.XXXXXX" into dir; 0, or -1 when it cannot. */
static inline int
scratch_make(char *dir, size_t len, const char *name)
{
	const char *base = getenv("TMPDIR");

	if (base == NULL || base[0] == '\0')
		base = ".";
	snprintf(dir, len, "%s/%s.XXXXXX", base, name);
	return mkdtemp(dir) == NULL ? -1 : 0;
}

/* Remove dir with the files in it, also those a failed case left. */
static inline int
scratch_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[1024];

	if (d == NULL)
		return -1;
	for (e = readdir(d); e != NULL; e = readdir(d)) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(dir);
}

/* dir/name into buf. */
static inline void
scratch_path(const char *dir, char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

#endif
