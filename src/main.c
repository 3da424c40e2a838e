/* main.c: the command line of tlsautopsy (doc/tlsautopsy.1). */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "analyzer.h"
#include "capture/capture.h"
#include "capture/decap.h"
#include "capture/inputs.h"
#include "cert/certchain.h"
#include "diag/explain.h"
#include "report/export.h"
#include "report/html.h"
#include "capture/reader.h"
#include "report/report.h"
#include "service.h"
#include "util/wrap.h"

enum exit_code {
	EXIT_HEALTHY = 0,
	EXIT_PROBLEM = 1,
	EXIT_USAGE = 2,
	EXIT_NOTHING = 3,  /* no connection on the watched ports */
};

enum long_opt {
	OPT_JSON = 256,
	OPT_IDLE,
	OPT_MAX_CONNS,
	OPT_COLOR,
	OPT_VERSION,
	OPT_EXPLAIN,
	OPT_CA_BUNDLE,
	OPT_CA_PATH,
	OPT_NO_SYSTEM_CA,
	OPT_INSPECTION_CA,
	OPT_INSPECTION_NAMES,
	OPT_SERVER_NAME,
	OPT_PIN,
	OPT_DECAP_PORT,
	OPT_TRUST_HISTORY,
	OPT_LADDER,
	OPT_HTML,
	OPT_HTML_CARDS,
	OPT_FULL,
	OPT_EACH,
	OPT_COMPACT,
	OPT_ONLY,
	OPT_CONN,
	OPT_WIDTH,
	OPT_SUMMARY_JSON,
	OPT_CSV,
};

struct cli {
	struct inputs in;       /* -r, directories opened */
	bool each;              /* --each: every file on its own */
	const char *iface;
	const char *filter;
	const char *user;
	const char *color;
	long width;             /* --width; -1: the terminal's */
	const char *write;      /* -w FILE */
	const char *html;       /* --html FILE */
	unsigned html_cards;    /* --html-max-cards */
	const char *summary_json; /* --summary-json FILE */
	struct certchain_cfg certs;
	struct analyzer_config acfg;
	struct report_opts ropts;
};

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

static void
usage(FILE *f)
{
	fputs(
	    "usage: tlsautopsy [options] -r FILE [-r FILE ...]\n"
	    "       tlsautopsy [options] -i IFACE\n"
	    "       tlsautopsy --explain 'TEXT'\n"
	    "Explains why TLS connections to mail servers (IMAP, POP3, SMTP) "
	    "fail, from\ncaptured traffic.\n"
	    "\n"
	    "  -r FILE             read a pcap/pcapng file ('-' is stdin), or every\n"
	    "                      file of a directory; several are merged in time\n"
	    "                      order\n"
	    "  --each              analyse each -r file on its own (a folder of\n"
	    "                      customer captures), with a summary per file\n"
	    "  -i IFACE            capture live; SIGINT/SIGTERM end it cleanly\n"
	    "  -p PORT/SERVICE     a port to watch: SERVICE is imap, pop3, smtp or\n"
	    "                      submission (STARTTLS), imaps, pop3s, smtps or tls\n"
	    "                      (TLS first); a bare PORT takes its IANA service,\n"
	    "                      tls on other ports; repeatable; replaces the\n"
	    "                      defaults 143/imap, 993/imaps, 110/pop3, 995/pop3s,\n"
	    "                      25/smtp, 587/submission, 465/smtps\n"
	    "  -p +PORT[/SERVICE]  the same, added to the defaults (-p +443)\n"
	    "  -f EXPR             BPF expression ANDed to the port filter; a tunnelled\n"
	    "                      frame passes when it or the packet inside matches\n"
	    "  --decap-port PORT/TYPE  UDP port of a tunnel besides 4789 and 8472\n"
	    "                      (VXLAN), 6081 (Geneve) and 2152 (GTP-U): TYPE is\n"
	    "                      vxlan, geneve or gtpu; repeatable\n"
	    "  --json              one JSON object per connection on stdout, then\n"
	    "                      one with the run summary\n"
	    "  --summary-json FILE write the run summary as one JSON object to FILE\n"
	    "  --csv               one CSV row per connection on stdout (a header\n"
	    "                      first), for spreadsheets; not with --json\n"
	    "  -a, --all           show healthy connections too\n"
	    "  -q                  only the summary\n"
	    "  --html FILE         also write the report as one self-contained HTML\n"
	    "                      page, a ladder diagram per connection\n"
	    "  --html-max-cards N  at most N cards on the page, the rest in a table\n"
	    "                      (500)\n"
	    "  -w FILE             write the packets of problem connections in capture\n"
	    "                      order to pcapng, each commented with its file, frame\n"
	    "                      and verdict (classic pcap, no comments, for FILE.pcap;\n"
	    "                      '-' is stdout; the report then goes to stderr)\n"
	    "  -v                  more detail (every offered suite, the ladder);\n"
	    "                      implies --full\n"
	    "  --full              full reports on a terminal too (by default more\n"
	    "                      than 5, or more than a screenful, show as one\n"
	    "                      line each there)\n"
	    "  --compact           one line per report, however few (identical\n"
	    "                      reports are one group in either form)\n"
	    "  --only VERDICT      show only connections with this verdict or\n"
	    "                      finding (a list: tcp-reset,cert-expired); in full\n"
	    "  --conn ADDR[:PORT]  show only connections with this end (client or\n"
	    "                      server; [IPv6]:PORT); in full; repeatable\n"
	    "  --width N           fold text at N columns (0: never); default the\n"
	    "                      terminal's width, no folding into a pipe or file\n"
	    "  --ladder            draw each connection's timeline as a ladder\n"
	    "  --ca-bundle FILE    PEM trust anchors, as the client trusts them (added to\n"
	    "                      the system store)\n"
	    "  --ca-path DIR       a directory of trust anchors (c_rehash layout)\n"
	    "  --no-system-ca      do not trust the system store\n"
	    "  --inspection-ca FILE  PEM roots of known TLS-inspection proxies: a chain\n"
	    "                      that verifies against one was re-signed by it\n"
	    "  --inspection-names FILE  more issuer-name patterns of inspection products\n"
	    "  --server-name NAME  name to check certificates against without SNI\n"
	    "  --pin FILE          expected leaf or SPKI SHA-256 per server name\n"
	    "  --trust-history DIR Mozilla's root store over time (roots.csv and\n"
	    "                      roots.pem), instead of the installed one\n"
	    "  --idle-timeout S    a connection idle S seconds ends as timeout (300)\n"
	    "  --max-connections N track at most N at once; the idlest is evicted and\n"
	    "                      counted (100000)\n"
	    "  -Z USER             drop root privileges after opening the capture\n"
	    "  --color WHEN        auto (a terminal, unless NO_COLOR is set),\n"
	    "                      always or never\n"
	    "  --explain 'TEXT'    what an error line from a client's or a mail\n"
	    "                      server's log means: the likely verdicts, what to\n"
	    "                      look for in a capture, an openssl check without\n"
	    "                      one; '--explain list' shows every phrase known\n"
	    "  -h, --help          this help\n"
	    "  --version           version\n"
	    "\n"
	    "Exit status: 0 all connections healthy, 1 a problem found, 2 usage "
	    "error or\nunreadable input, 3 nothing analysed (the summary says "
	    "what the capture holds).\n",
	    f);
}

static bool
parse_uint(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && *v <= max;
}

/* The terminal's width and height: the window's, else $COLUMNS and
 * $LINES, else 80 by 24. */
static void
terminal_size(unsigned *cols, unsigned *rows)
{
	struct winsize ws;
	const char *ec = getenv("COLUMNS"), *er = getenv("LINES");
	unsigned long long v;
	bool win = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0;

	*cols = 80;
	*rows = 24;
	if (win && ws.ws_col > 0)
		*cols = ws.ws_col;
	else if (ec != NULL && parse_uint(ec, 10000, &v) && v > 0)
		*cols = (unsigned)v;
	if (win && ws.ws_row > 0)
		*rows = ws.ws_row;
	else if (er != NULL && parse_uint(er, 100000, &v) && v > 0)
		*rows = (unsigned)v;
}

/*
 * A person at a terminal gets colour (unless NO_COLOR is set, see
 * no-color.org), lines folded at the window's width, and one line per
 * report when there are many; a pipe or a file gets the text as it is.
 */
static void
report_to_terminal(struct cli *cli)
{
	const char *nc = getenv("NO_COLOR");
	unsigned cols = 0;
	bool tty = isatty(STDOUT_FILENO) && !cli->ropts.json && !cli->ropts.csv &&
	           (cli->write == NULL || strcmp(cli->write, "-") != 0);

	cli->ropts.color = strcmp(cli->color, "always") == 0 ||
	                   (strcmp(cli->color, "auto") == 0 && tty &&
	                    (nc == NULL || nc[0] == '\0'));
	cli->ropts.terminal = tty;
	if (cli->ropts.verbose > 0 && !cli->ropts.compact)
		cli->ropts.full = true;
	if (tty)
		terminal_size(&cols, &cli->ropts.rows);
	if (cli->width >= 0)
		cli->ropts.width = (unsigned)cli->width;
	else
		cli->ropts.width = tty ? cols : 0;
}

static int
parse_args(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    {"all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {"idle-timeout", required_argument, NULL, OPT_IDLE},
	    {"max-connections", required_argument, NULL, OPT_MAX_CONNS},
	    {"color", required_argument, NULL, OPT_COLOR},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {"explain", required_argument, NULL, OPT_EXPLAIN},
	    {"ca-bundle", required_argument, NULL, OPT_CA_BUNDLE},
	    {"ca-path", required_argument, NULL, OPT_CA_PATH},
	    {"no-system-ca", no_argument, NULL, OPT_NO_SYSTEM_CA},
	    {"inspection-ca", required_argument, NULL, OPT_INSPECTION_CA},
	    {"inspection-names", required_argument, NULL, OPT_INSPECTION_NAMES},
	    {"server-name", required_argument, NULL, OPT_SERVER_NAME},
	    {"pin", required_argument, NULL, OPT_PIN},
	    {"decap-port", required_argument, NULL, OPT_DECAP_PORT},
	    {"trust-history", required_argument, NULL, OPT_TRUST_HISTORY},
	    {"ladder", no_argument, NULL, OPT_LADDER},
	    {"html", required_argument, NULL, OPT_HTML},
	    {"html-max-cards", required_argument, NULL, OPT_HTML_CARDS},
	    {"full", no_argument, NULL, OPT_FULL},
	    {"each", no_argument, NULL, OPT_EACH},
	    {"compact", no_argument, NULL, OPT_COMPACT},
	    {"only", required_argument, NULL, OPT_ONLY},
	    {"conn", required_argument, NULL, OPT_CONN},
	    {"width", required_argument, NULL, OPT_WIDTH},
	    {"summary-json", required_argument, NULL, OPT_SUMMARY_JSON},
	    {"csv", no_argument, NULL, OPT_CSV},
	    {NULL, 0, NULL, 0},
	};
	char err[256];
	unsigned long long v;
	int ch;

	service_map_defaults(&cli->acfg.svc);
	cli->color = "auto";
	cli->width = -1;
	while ((ch = getopt_long(argc, argv, "r:i:p:f:aqvhZ:w:", longopts,
	                         NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (!inputs_add(&cli->in, optarg, err, sizeof err)) {
				fprintf(stderr, "tlsautopsy: -r %s\n", err);
				return EXIT_USAGE;
			}
			break;
		case 'i':
			cli->iface = optarg;
			break;
		case 'p':
			if (!service_map_add(&cli->acfg.svc, optarg, err,
			                     sizeof err)) {
				fprintf(stderr, "tlsautopsy: %s\n", err);
				return EXIT_USAGE;
			}
			break;
		case 'f':
			cli->filter = optarg;
			break;
		case 'a':
			cli->ropts.all = true;
			break;
		case 'q':
			cli->ropts.quiet = true;
			break;
		case 'v':
			cli->ropts.verbose++;
			break;
		case 'Z':
			cli->user = optarg;
			break;
		case 'w':
			cli->write = optarg;
			break;
		case OPT_JSON:
			cli->ropts.json = true;
			break;
		case OPT_CSV:
			cli->ropts.csv = true;
			break;
		case OPT_LADDER:
			cli->ropts.ladder = true;
			break;
		case OPT_EACH:
			cli->each = true;
			break;
		case OPT_FULL:
			cli->ropts.full = true;
			cli->ropts.compact = false;
			break;
		case OPT_COMPACT:
			cli->ropts.compact = true;
			cli->ropts.full = false;
			break;
		case OPT_ONLY:
			if (!select_add_only(&cli->ropts.sel, optarg, err,
			                     sizeof err)) {
				fprintf(stderr, "tlsautopsy: %s\n", err);
				return EXIT_USAGE;
			}
			break;
		case OPT_CONN:
			if (!select_add_conn(&cli->ropts.sel, optarg, err,
			                     sizeof err)) {
				fprintf(stderr, "tlsautopsy: %s\n", err);
				return EXIT_USAGE;
			}
			break;
		case OPT_WIDTH:
			if (!parse_uint(optarg, 10000, &v) ||
			    (v != 0 && v < WRAP_MIN_WIDTH)) {
				fprintf(stderr, "tlsautopsy: --width %s: 0 (no "
				                "folding) or %d to 10000\n",
				        optarg, WRAP_MIN_WIDTH);
				return EXIT_USAGE;
			}
			cli->width = (long)v;
			break;
		case OPT_HTML:
			cli->html = optarg;
			break;
		case OPT_SUMMARY_JSON:
			if (strcmp(optarg, "-") == 0) {
				fprintf(stderr, "tlsautopsy: --summary-json -: give "
				                "a file (with --json the summary is "
				                "the last line of stdout)\n");
				return EXIT_USAGE;
			}
			cli->summary_json = optarg;
			break;
		case OPT_HTML_CARDS:
			if (!parse_uint(optarg, HTML_MAX_CARDS, &v) || v == 0) {
				fprintf(stderr, "tlsautopsy: --html-max-cards %s: "
				                "a number between 1 and %u\n",
				        optarg, HTML_MAX_CARDS);
				return EXIT_USAGE;
			}
			cli->html_cards = (unsigned)v;
			break;
		case OPT_IDLE:
			if (!parse_uint(optarg, 7u * 24 * 3600, &v) || v == 0) {
				fprintf(stderr, "tlsautopsy: --idle-timeout %s: "
				                "seconds between 1 and 604800\n",
				        optarg);
				return EXIT_USAGE;
			}
			cli->acfg.idle_timeout = (ta_time)v * TA_NS_PER_SEC;
			break;
		case OPT_MAX_CONNS:
			if (!parse_uint(optarg, 100000000u, &v) || v == 0) {
				fprintf(stderr, "tlsautopsy: --max-connections %s: "
				                "a number between 1 and 100000000\n",
				        optarg);
				return EXIT_USAGE;
			}
			cli->acfg.max_conns = (size_t)v;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") != 0 &&
			    strcmp(optarg, "always") != 0 &&
			    strcmp(optarg, "never") != 0) {
				fprintf(stderr, "tlsautopsy: --color %s: auto, "
				                "always or never\n",
				        optarg);
				return EXIT_USAGE;
			}
			cli->color = optarg;
			break;
		case OPT_EXPLAIN:
			/* No capture: map a log line to verdicts and stop. */
			exit(explain_print(stdout, optarg) == 0 ? EXIT_HEALTHY
			                                        : EXIT_PROBLEM);
		case OPT_CA_BUNDLE:
			cli->certs.ca_bundle = optarg;
			break;
		case OPT_CA_PATH:
			cli->certs.ca_path = optarg;
			break;
		case OPT_NO_SYSTEM_CA:
			cli->certs.no_system_ca = true;
			break;
		case OPT_INSPECTION_CA:
			cli->certs.inspection_ca = optarg;
			break;
		case OPT_INSPECTION_NAMES:
			cli->certs.inspection_names = optarg;
			break;
		case OPT_SERVER_NAME:
			cli->certs.server_name = optarg;
			break;
		case OPT_PIN:
			cli->certs.pin_file = optarg;
			break;
		case OPT_DECAP_PORT:
			if (!decap_port_add(&cli->acfg.decap, optarg, err,
			                    sizeof err)) {
				fprintf(stderr, "tlsautopsy: %s\n", err);
				return EXIT_USAGE;
			}
			break;
		case OPT_TRUST_HISTORY:
			cli->certs.trust_history = optarg;
			break;
		case OPT_VERSION:
			printf("tlsautopsy %s\n", PACKAGE_VERSION);
			exit(EXIT_HEALTHY);
		case 'h':
			usage(stdout);
			exit(EXIT_HEALTHY);
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tlsautopsy: unexpected argument '%s' (input "
		                "files go after -r)\n",
		        argv[optind]);
		return EXIT_USAGE;
	}
	if (cli->ropts.csv && cli->ropts.json) {
		fprintf(stderr, "tlsautopsy: --csv and --json both write the "
		                "connections to stdout: give one\n");
		return EXIT_USAGE;
	}
	if ((cli->in.n == 0) == (cli->iface == NULL)) {
		fprintf(stderr, "tlsautopsy: give -r FILE (offline) or -i IFACE "
		                "(live), not both; -h for help\n");
		return EXIT_USAGE;
	}
	/* --each runs one analysis per file: what writes one file for the
	 * whole run would be overwritten by each. */
	if (cli->each && (cli->iface != NULL || cli->write != NULL ||
	                  cli->html != NULL || cli->summary_json != NULL ||
	                  cli->user != NULL)) {
		fprintf(stderr, "tlsautopsy: --each reads files one by one: "
		                "not with -i, -w, --html, --summary-json or -Z\n");
		return EXIT_USAGE;
	}
	report_to_terminal(cli);
	return EXIT_HEALTHY;
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

/* Offline: frames read and decoded ahead by the reader thread. */
static bool
analyse_files(struct capture *cap, struct analyzer *an, bool show_progress)
{
	char err[CAP_ERRLEN];
	struct progress progress;
	struct reader_item *it;
	struct reader *rd = reader_start(cap, analyzer_services(an),
	                                 analyzer_decap(an), err, sizeof err);

	if (rd == NULL) {
		fprintf(stderr, "tlsautopsy: %s\n", err);
		return false;
	}
	memset(&progress, 0, sizeof progress);
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

			analyzer_decoded(an, &it->cp, (enum dis_status)it->rc,
			                 p);
		} else {
			if (it->sniff != 0)
				analyzer_sniffed(an, it->sniff, it->sniff_port);
			analyzer_other(an, &it->cp, (enum dis_status)it->rc,
			               (enum pkt_skip)it->skip, it->anomalies);
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
	rc = parse_args(argc, argv, &cli);
	if (rc == EXIT_HEALTHY)
		rc = run(&cli);
	inputs_free(&cli.in);
	return rc;
}
