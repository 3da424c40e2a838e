/* cli.h: the command line of tlsautopsy read into what a run needs (doc/tlsautopsy.1). */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>

#include "analyzer.h"
#include "capture/inputs.h"
#include "cert/certchain.h"
#include "report/report.h"

enum exit_code {
	EXIT_HEALTHY = 0,
	EXIT_PROBLEM = 1,
	EXIT_USAGE = 2,
	EXIT_NOTHING = 3,  /* no connection on the watched ports */
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

/*
 * Reads the options into cli (zeroed by the caller): EXIT_HEALTHY when a
 * run should follow, EXIT_USAGE after saying what is wrong on stderr.
 * --help, --version and --explain print and exit here.
 */
int cli_parse_args(int argc, char **argv, struct cli *cli);

#endif
