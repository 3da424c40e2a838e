/* cli.c: the options of tlsautopsy, their checks and the usage text (doc/tlsautopsy.1). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "capture/decap.h"
#include "capture/inputs.h"
#include "cli.h"
#include "diag/explain.h"
#include "report/html.h"
#include "report/report.h"
#include "service.h"
#include "util/wrap.h"

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

int
cli_parse_args(int argc, char **argv, struct cli *cli)
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
