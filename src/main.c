/* main.c: a run of tlsautopsy: the inputs opened, analysed and reported, signals, privileges (options: cli.c). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyzer.h"
#include "capture/capture.h"
#include "capture/inputs.h"
#include "cert/certchain.h"
#include "cli.h"
#include "report/export.h"
#include "capture/reader.h"
#include "report/report.h"
#include "service.h"

/* The one piece of process state: what a signal must stop (the live
 * capture, or the reader of files). */
static struct capture *volatile signal_capture;
static struct reader *volatile signal_reader;
static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
	if (signal_capture != NULL)
		capture_stop(signal_capture);
	if (signal_reader != NULL)
		reader_stop(signal_reader);
}

/* As tcpdump does: everything after opening the capture parses hostile
 * bytes, so it should not run as root. */
static bool
drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (pw == NULL) {
		fprintf(stderr, "tlsautopsy: -Z %s: no such user\n", user);
		return false;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		fprintf(stderr, "tlsautopsy: -Z %s: cannot drop privileges: %s\n",
		        user, strerror(errno));
		return false;
	}
	if (pw->pw_uid != 0 && setuid(0) == 0) {
		fprintf(stderr, "tlsautopsy: -Z %s: root privileges could be "
		                "regained; refusing to go on\n",
		        user);
		return false;
	}
	return true;
}

static void
warn_line(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "tlsautopsy: %s\n", msg);
}

static const char *
on_conn(void *ctx, const struct conn_facts *f)
{
	return report_conn(ctx, f);
}

/* -w names inputs and interfaces as the reports do. */
static const char *
export_file_name(void *ctx, unsigned file)
{
	return capture_file_name(ctx, file);
}

static const char *
export_iface_name(void *ctx, unsigned file, uint32_t iface)
{
	const struct capture *cap = ctx;

	/* Live, the input is the interface. */
	if (capture_is_live(cap))
		return capture_file_name(cap, 0);
	return capture_iface_name(cap, file, iface);
}

/* -w: where the packets of problem connections went. */
static void
export_summary(FILE *out, const char *path, const struct export_stats *xs)
{
	fprintf(out,
	        "  -w %s: %llu problem connection%s written (%llu packets)",
	        path, (unsigned long long)xs->conns_written,
	        xs->conns_written == 1 ? "" : "s",
	        (unsigned long long)xs->packets_written);
	if (xs->packets_not_kept > 0)
		fprintf(out, "; %llu packets not kept (memory caps: %llu per "
		             "connection, %llu overall; %llu other link type)",
		        (unsigned long long)xs->packets_not_kept,
		        (unsigned long long)xs->not_kept_conn_cap,
		        (unsigned long long)xs->not_kept_global_cap,
		        (unsigned long long)xs->not_kept_link);
	fprintf(out, "\n");
}

static ta_time
wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (ta_time)ts.tv_sec * TA_NS_PER_SEC + (ta_time)ts.tv_nsec;
}

/*
 * Offline, reports leave in large blocks: with the default block of a few
 * KiB, a busy capture costs a system call every few connections. Live runs
 * flush each verdict anyway, and a terminal keeps its line buffering.
 */
static void
buffer_stdout(void)
{
	static char buf[256 * 1024];

	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, buf, _IOFBF, sizeof buf);
}

/* Offline on a terminal: how far, how many connections, how fast. */
struct progress {
	bool on, shown;
	uint64_t count;
	ta_time start, last;
};

static void
progress_line(struct progress *p, const struct reader *rd,
              const struct analyzer *an)
{
	struct analyzer_stats st;
	uint64_t done, total;
	ta_time now = wall_now();
	double secs;

	if (now - p->last < TA_NS_PER_SEC / 4)
		return;
	p->last = now;
	secs = (double)(now - p->start) / 1e9;
	reader_progress(rd, &done, &total);
	analyzer_get_stats(an, &st);
	if (total == 0)
		done = st.bytes; /* stdin: no size to compare with */
	if (total > 0)
		fprintf(stderr, "\r\033[K%3.0f%%  ",
		        100.0 * (double)done / (double)total);
	else
		fprintf(stderr, "\r\033[K");
	fprintf(stderr, "%.0f MB read, %llu connections, %.0f MB/s",
	        (double)done / 1e6, (unsigned long long)st.flow.conns,
	        secs > 0 ? (double)done / 1e6 / secs : 0.0);
	p->shown = true;
}

/* Live: frames one by one as the wire gives them; the read timeout lets
 * idle connections expire. */
static void
analyse_live(struct capture *cap, struct analyzer *an)
{
	struct cap_pkt pkt;
	enum cap_status s;

	signal_capture = cap;
	while ((s = capture_next(cap, &pkt)) != CAP_END) {
		if (s == CAP_PACKET)
			analyzer_packet(an, &pkt);
		else
			analyzer_tick(an, wall_now());
	}
	signal_capture = NULL;
}

/*
 * The service frame this far ahead has its connection's hash bucket
 * fetched towards the cache, the one half as far the connection itself
 * (flow_prefetch): far enough for a fetch from memory to arrive, near
 * enough that it is still cached when its frame's turn comes.
 */
#define PREFETCH_FAR 8
#define PREFETCH_NEAR 4

/* The hashes worked out ahead, by the item they belong to. Kept here, not
 * in the items: a write into an item would pull its line over from the
 * reader's core, which writes it again a few blocks later. */
#define AHEAD_SLOTS 16

struct ahead {
	const struct reader_item *it[AHEAD_SLOTS];
	uint32_t hash[AHEAD_SLOTS];
};

static unsigned
ahead_slot(const struct reader_item *it)
{
	return (unsigned)((uintptr_t)it / sizeof *it) & (AHEAD_SLOTS - 1);
}

/* The hash worked out for it, if any; the slot is free again either way
 * (items are reused once their block comes round). */
static bool
ahead_take(struct ahead *ah, const struct reader_item *it, uint32_t *hash)
{
	unsigned i = ahead_slot(it);

	if (ah->it[i] != it)
		return false;
	ah->it[i] = NULL;
	*hash = ah->hash[i];
	return true;
}

static void
prefetch_ahead(struct reader *rd, const struct analyzer *an,
               struct ahead *ah)
{
	struct reader_item *far, *near;
	uint32_t hash;

	if (!analyzer_prefetch_pays(an))
		return;
	far = reader_peek(rd, PREFETCH_FAR);
	near = reader_peek(rd, PREFETCH_NEAR);
	/* Decoding and hashing the far one now is work moved from its turn,
	 * not added: its hash goes with it (analyzer_decoded_hashed). */
	if (far != NULL && far->kind == READER_FRAME && far->service &&
	    reader_pkt(rd, far) != NULL && far->rc == DIS_OK) {
		unsigned i = ahead_slot(far);

		hash = analyzer_flow_hash(an, far->p);
		ah->it[i] = far;
		ah->hash[i] = hash;
		analyzer_prefetch(an, hash, false);
	}
	if (near != NULL && ah->it[ahead_slot(near)] == near)
		analyzer_prefetch(an, ah->hash[ahead_slot(near)], true);
}

/* Offline: frames read and decoded ahead by the reader thread. */
static bool
analyse_files(struct capture *cap, struct analyzer *an, bool show_progress)
{
	char err[CAP_ERRLEN];
	struct progress progress;
	struct reader_item *it;
	struct ahead ah;
	struct reader *rd = reader_start(cap, analyzer_services(an),
	                                 analyzer_decap(an), err, sizeof err);

	if (rd == NULL) {
		fprintf(stderr, "tlsautopsy: %s\n", err);
		return false;
	}
	memset(&progress, 0, sizeof progress);
	memset(&ah, 0, sizeof ah);
	progress.on = show_progress;
	progress.start = wall_now();
	signal_reader = rd;
	while ((it = reader_next(rd)) != NULL) {
		if (it->kind == READER_WARN) {
			warn_line(NULL, it->warn);
			continue;
		}
		if (it->kind == READER_SEVERAL) {
			capture_note_several(cap, TA_FRAME_FILE(it->cp.frame));
			continue;
		}
		if (it->service) {
			/* Decoded here first: reader_pkt settles rc. */
			const struct pkt *p = reader_pkt(rd, it);
			uint32_t hash;

			prefetch_ahead(rd, an, &ah);
			if (ahead_take(&ah, it, &hash))
				analyzer_decoded_hashed(an, &it->cp,
				    (enum dis_status)it->rc, p, hash);
			else
				analyzer_decoded(an, &it->cp,
				                 (enum dis_status)it->rc, p);
		} else {
			if (it->sniff != 0)
				analyzer_sniffed(an, it->sniff, it->sniff_port);
			if (it->sub > 0)
				analyzer_other_sub(an, (enum dis_status)it->rc);
			else
				analyzer_other(an, &it->cp,
				               (enum dis_status)it->rc,
				               (enum pkt_skip)it->skip,
				               it->anomalies);
		}
		/* Look at the clock only now and then. */
		if (progress.on && (++progress.count & 0x3fff) == 0)
			progress_line(&progress, rd, an);
	}
	signal_reader = NULL;
	if (progress.shown)
		fputs("\r\033[K", stderr);
	reader_free(rd);
	if (interrupted)
		fputs("tlsautopsy: interrupted: the report covers the frames "
		      "read until then\n", stderr);
	return true;
}

/* One analysis: the files given (merged in time order), or the live
 * interface; certificates judged with cli->acfg.certs. */
static int
run_inputs(struct cli *cli, const char *const *paths, unsigned npaths)
{
	char err[CAP_ERRLEN], filter[4096], ports[4096];
	struct cap_filter flt;
	struct capture *cap;
	struct analyzer *an;
	struct report *rep;
	struct analyzer_stats st;
	struct cap_stats cs;
	struct sigaction sa;
	const char *bpf;
	int code;

	if (!service_map_filter(&cli->acfg.svc, cli->filter, filter,
	                        sizeof filter) ||
	    !service_map_filter(&cli->acfg.svc, NULL, ports, sizeof ports)) {
		fprintf(stderr, "tlsautopsy: filter expression too long\n");
		return EXIT_USAGE;
	}
	/* Offline, the port check in the flow table is cheaper than BPF;
	 * only a user expression needs the filter machine. */
	bpf = cli->iface != NULL || cli->filter != NULL ? filter : NULL;
	flt.all = bpf;
	flt.ports = ports;
	flt.user = cli->filter;
	if (cli->iface != NULL)
		cap = capture_open_live(cli->iface, &flt, &cli->acfg.decap, err,
		                        sizeof err);
	else
		cap = capture_open_files(paths, npaths, bpf, err, sizeof err);
	/* Offline too, -f is tried on the packet inside a tunnel. */
	if (cap != NULL && cli->iface == NULL &&
	    !capture_filter_inner(cap, &flt, &cli->acfg.decap, err, sizeof err)) {
		capture_close(cap);
		cap = NULL;
	}
	if (cap == NULL) {
		fprintf(stderr, "tlsautopsy: %s\n", err);
		return EXIT_USAGE;
	}
	if (cli->user != NULL && !drop_privileges(cli->user)) {
		capture_close(cap);
		return EXIT_USAGE;
	}
	capture_set_warn(cap, warn_line, NULL);

	if (cli->write != NULL) {
		int dlt = export_dlt_of(capture_link(cap, 0));
		struct export_names names;

		cli->acfg.export = export_open(cli->write, dlt, true, 0, 0, err,
		                               sizeof err);
		if (cli->acfg.export == NULL) {
			fprintf(stderr, "tlsautopsy: %s\n", err);
				capture_close(cap);
			return EXIT_USAGE;
		}
		names.file = export_file_name;
		names.iface = export_iface_name;
		names.ctx = cap;
		export_set_names(cli->acfg.export, &names);
	}
	/* With the packets on stdout, the report moves to stderr. */
	rep = report_new(cli->write != NULL && strcmp(cli->write, "-") == 0
	                     ? stderr
	                     : stdout,
	                 stderr, &cli->ropts);
	/* Offline, a verdict may wait for a later connection's evidence. */
	cli->acfg.hold = !capture_is_live(cap);
	an = rep ? analyzer_new(&cli->acfg, on_conn, rep) : NULL;
	if (an == NULL) {
		fprintf(stderr, "tlsautopsy: out of memory\n");
		report_free(rep);
		export_close(cli->acfg.export, err, sizeof err);
		capture_close(cap);
		return EXIT_USAGE;
	}
	analyzer_set_warn(an, warn_line, NULL);
	report_set_capture(rep, cap);
	if ((cli->html != NULL &&
	     !report_open_html(rep, cli->html, cli->html_cards, err,
	                       sizeof err)) ||
	    (cli->summary_json != NULL &&
	     !report_open_summary_json(rep, cli->summary_json, err,
	                               sizeof err))) {
		fprintf(stderr, "tlsautopsy: %s\n", err);
		analyzer_free(an);
		report_free(rep);
		export_close(cli->acfg.export, err, sizeof err);
		capture_close(cap);
		return EXIT_USAGE;
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (capture_is_live(cap))
		analyse_live(cap, an);
	else if (!analyse_files(cap, an, isatty(STDERR_FILENO) &&
	                                     !cli->ropts.quiet)) {
		analyzer_free(an);
		report_free(rep);
		export_close(cli->acfg.export, err, sizeof err);
		capture_close(cap);
		return EXIT_USAGE;
	}
	analyzer_finish(an);
	analyzer_get_stats(an, &st);
	capture_stats(cap, &cs);
	report_summary(rep, &st, &cs);
	/* Nothing analysed is not "healthy": scripts must tell them apart. */
	code = report_get_counts(rep)->conns == 0 ? EXIT_NOTHING :
	       report_get_counts(rep)->problems > 0 ? EXIT_PROBLEM : EXIT_HEALTHY;
	if (!report_finish_html(rep, &st, &cs, err, sizeof err)) {
		fprintf(stderr, "tlsautopsy: %s\n", err);
		code = EXIT_USAGE;
	}
	if (!report_close_summary_json(rep, err, sizeof err)) {
		fprintf(stderr, "tlsautopsy: %s\n", err);
		code = EXIT_USAGE;
	}
	if (cli->acfg.export != NULL) {
		struct export_stats xs;
		FILE *sout = cli->ropts.json || cli->ropts.csv ||
		                     strcmp(cli->write, "-") == 0
		                 ? stderr
		                 : stdout;
		export_stats(cli->acfg.export, &xs);
		export_summary(sout, cli->write, &xs);
		if (!export_close(cli->acfg.export, err, sizeof err)) {
			fprintf(stderr, "tlsautopsy: %s\n", err);
			code = EXIT_USAGE;
		}
	}
	fflush(stdout);
	analyzer_free(an);
	report_free(rep);
	capture_close(cap);
	return code;
}

/*
 * --each: every file analysed on its own, with its own summary, then one
 * line for all. The exit status: 2 when a file could not be read, else 1
 * when one had a problem, else 0 when one was analysed, else 3.
 */
static int
run_each(struct cli *cli)
{
	unsigned problems = 0, healthy = 0, nothing = 0, unreadable = 0;
	bool text = !cli->ropts.json && !cli->ropts.csv;
	FILE *last = text ? stdout : stderr;

	for (unsigned i = 0; i < cli->in.n && !interrupted; i++) {
		int code;

		if (text)
			printf("=== %s (file %u of %u)\n\n", cli->in.path[i], i + 1,
			       cli->in.n);
		fflush(stdout);
		code = run_inputs(cli, &cli->in.path[i], 1);
		switch (code) {
		case EXIT_HEALTHY:
			healthy++;
			break;
		case EXIT_PROBLEM:
			problems++;
			break;
		case EXIT_NOTHING:
			nothing++;
			break;
		default:
			unreadable++;
			break;
		}
		/* one header row for the whole CSV, by the first file read */
		if (code != EXIT_USAGE)
			cli->ropts.csv_header_done = true;
		if (text && i + 1 < cli->in.n)
			printf("\n");
		fflush(stdout);
	}
	fprintf(last, "Each file: %u file%s: %u with problems, %u healthy, %u "
	              "with nothing analysed, %u unreadable\n",
	        cli->in.n, cli->in.n == 1 ? "" : "s", problems, healthy,
	        nothing, unreadable);
	return unreadable > 0 ? EXIT_USAGE :
	       problems > 0 ? EXIT_PROBLEM :
	       healthy > 0 ? EXIT_HEALTHY : EXIT_NOTHING;
}

static int
run(struct cli *cli)
{
	char cerr[CERTCHAIN_ERR_LEN];
	int code;

	if (cli->iface == NULL)
		buffer_stdout();
	/* Trust stores and data files are read before privileges go (the
	 * trust history, world-readable, when a chain first needs it). */
	cli->certs.warn = warn_line;
	cli->acfg.certs = certchain_new(&cli->certs, cerr);
	if (cli->acfg.certs == NULL) {
		fprintf(stderr, "tlsautopsy: %s\n", cerr);
		return EXIT_USAGE;
	}
	code = cli->each ? run_each(cli)
	                 : run_inputs(cli, cli->in.path, cli->in.n);
	/* Every connection has released its chain by now. */
	certchain_free(cli->acfg.certs);
	return code;
}

int
main(int argc, char **argv)
{
	struct cli cli;
	int rc;

	memset(&cli, 0, sizeof cli);
	rc = cli_parse_args(argc, argv, &cli);
	if (rc == EXIT_HEALTHY)
		rc = run(&cli);
	inputs_free(&cli.in);
	return rc;
}
