/* inputs.c: the files -r names, directories opened (inputs.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/inputs.h"

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
is_dir(const char *path)
{
	struct stat sb;

	return strcmp(path, "-") != 0 && stat(path, &sb) == 0 &&
	       S_ISDIR(sb.st_mode);
}

/* The regular files of dir, sorted, into names (at most max); returns
 * how many, or -1 with errno (E2BIG: more than max). */
static int
list_dir(const char *dir, char **names, unsigned max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t dlen = strlen(dir);
	unsigned n = 0;
	int saved;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		struct stat sb;
		char *p;

		if (e->d_name[0] == '.')
			continue;
		p = malloc(dlen + strlen(e->d_name) + 2);
		if (p == NULL) {
			errno = ENOMEM;
			goto fail;
		}
		/* "dir/" given with its slash keeps one */
		sprintf(p, "%s%s%s", dir,
		        dlen > 0 && dir[dlen - 1] == '/' ? "" : "/", e->d_name);
		if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			free(p);
			continue;
		}
		if (n == max) {
			free(p);
			errno = E2BIG;
			goto fail;
		}
		names[n++] = p;
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	return (int)n;
fail:
	saved = errno;
	while (n > 0)
		free(names[--n]);
	closedir(d);
	errno = saved;
	return -1;
}

bool
inputs_add(struct inputs *in, const char *arg, char *err, size_t errlen)
{
	char *names[INPUTS_MAX];
	unsigned room = INPUTS_MAX - in->n;
	int n;

	if (!is_dir(arg)) {
		if (in->n == INPUTS_MAX) {
			snprintf(err, errlen, "at most %d input files",
			         INPUTS_MAX);
			return false;
		}
		in->path[in->n++] = arg;
		return true;
	}
	n = list_dir(arg, names, room);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", arg,
		         errno == E2BIG ? "more files than the 256 inputs "
		                          "one run reads"
		                        : strerror(errno));
		return false;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s: a directory without files to read",
		         arg);
		return false;
	}
	for (int i = 0; i < n; i++) {
		in->path[in->n++] = names[i];
		in->owned[in->nowned++] = names[i];
	}
	return true;
}

void
inputs_free(struct inputs *in)
{
	while (in->nowned > 0)
		free(in->owned[--in->nowned]);
	in->n = 0;
}
