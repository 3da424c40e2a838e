/* runstat.c: run one command and record its wall time and peak RSS (POSIX.1-2008 wait, getrusage). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * usage: runstat OUTFILE COMMAND [ARG...]
 *
 * Writes "SECONDS PEAK_RSS_KIB STATUS" to OUTFILE, where STATUS is the exit
 * status of COMMAND or 128 plus the signal that killed it, and exits with
 * that status.  Standard input and output are the caller's, so the
 * command's output can be redirected around runstat.  wait4() reports the
 * rusage of that one child, which RUSAGE_CHILDREN would mix with earlier
 * ones; ru_maxrss is in KiB on Linux and the BSDs.
 */
static double
elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	FILE *out;
	pid_t pid, w;
	int status;
	int code;

	if (argc < 3) {
		fprintf(stderr, "usage: runstat OUTFILE COMMAND [ARG...]\n");
		return 2;
	}
	out = fopen(argv[1], "w");
	if (out == NULL) {
		fprintf(stderr, "runstat: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &t0) != 0) {
		fprintf(stderr, "runstat: clock: %s\n", strerror(errno));
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "runstat: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], &argv[2]);
		fprintf(stderr, "runstat: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	do {
		w = wait4(pid, &status, 0, &ru);
	} while (w < 0 && errno == EINTR);
	if (w < 0) {
		fprintf(stderr, "runstat: wait: %s\n", strerror(errno));
		return 2;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &t1) != 0) {
		fprintf(stderr, "runstat: clock: %s\n", strerror(errno));
		return 2;
	}
	if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		code = 128 + WTERMSIG(status);
	else
		code = 255;
	fprintf(out, "%.4f %ld %d\n", elapsed(&t0, &t1), (long)ru.ru_maxrss,
	    code);
	if (fclose(out) != 0) {
		fprintf(stderr, "runstat: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	return code;
}
