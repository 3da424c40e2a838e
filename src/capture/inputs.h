/*
 * inputs.h: the files -r names. A directory stands for the files in it
 * (not those whose name begins with '.', not subdirectories), in name
 * order: a folder of captures a customer sent, or a rotation's files.
 */
#ifndef INPUTS_H
#define INPUTS_H

#include <stdbool.h>
#include <stddef.h>

#define INPUTS_MAX 256

struct inputs {
	const char *path[INPUTS_MAX];
	unsigned n;
	char *owned[INPUTS_MAX]; /* the names a directory gave, to free */
	unsigned nowned;
};

/* Add what -r ARG names: ARG itself ('-' and files as given), or the
 * files of the directory ARG. false with a one-line reason in err
 * (an unreadable or empty directory, more than INPUTS_MAX files). */
bool inputs_add(struct inputs *in, const char *arg, char *err,
                size_t errlen);
void inputs_free(struct inputs *in);

#endif
