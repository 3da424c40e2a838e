/*
 * replay.c: runs a fuzz target over its committed corpus without libFuzzer,
 * so that every seed and every crash ever found stays a regression test in
 * `make check` (under the sanitizer build too). Speaks TAP.
 *
 * The corpus is $top_srcdir/tests/fuzz/corpus/FUZZ_NAME/, or the files and
 * directories given on the command line.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_INPUT (4u << 20)

static int
replay_file(const char *path, unsigned *count)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (f == NULL) {
		printf("# cannot open %s\n", path);
		return -1;
	}
	buf = malloc(REPLAY_MAX_INPUT);
	if (buf == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, REPLAY_MAX_INPUT, f);
	fclose(f);
	/* Hand the target an exact-size copy so ASan sees any overread. */
	{
		uint8_t *exact = malloc(n ? n : 1);
		if (exact == NULL) {
			free(buf);
			return -1;
		}
		memcpy(exact, buf, n);
		free(buf);
		LLVMFuzzerTestOneInput(exact, n);
		free(exact);
	}
	(*count)++;
	return 0;
}

static int
replay_path(const char *path, unsigned *count)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (stat(path, &st) != 0) {
		printf("# no such corpus: %s\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path, count);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char sub[4096];
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
		if (replay_path(sub, count) != 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	unsigned count = 0;
	int rc = 0;

	printf("1..1\n");
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (replay_path(argv[i], &count) != 0)
				rc = -1;
	} else {
		const char *top = getenv("top_srcdir");
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s",
		         top ? top : ".", FUZZ_NAME);
		rc = replay_path(dir, &count);
	}
	if (rc != 0 || count == 0) {
		printf("not ok 1 - fuzz corpus %s: %u inputs, errors reading\n",
		       FUZZ_NAME, count);
		return 1;
	}
	printf("ok 1 - fuzz corpus %s: %u inputs replayed\n", FUZZ_NAME, count);
	return 0;
}
