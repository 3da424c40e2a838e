/*
 * select.h: which connections a report shows in full (--only VERDICT,
 * --conn ADDR:PORT). The summary still counts every connection.
 */
#ifndef REPORT_SELECT_H
#define REPORT_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"
#include "diag/diag.h"

#define SELECT_MAX_CONNS 64

struct select_endpoint {
	struct pkt_addr addr;
	uint16_t port;     /* 0: any port of the address */
};

struct report_select {
	uint32_t verdicts; /* bit v: verdict v chosen */
	uint32_t findings; /* enum diag_finding bits chosen */
	struct select_endpoint conns[SELECT_MAX_CONNS];
	unsigned nconns;
};

/* --only: a verdict or finding id, or several joined by ','. false with a
 * one-line reason in err. */
bool select_add_only(struct report_select *s, const char *spec, char *err,
                     size_t errlen);
/* --conn: "198.18.1.2:51234", "[2001:db8::5]:993", or an address alone
 * (any port); matches the client's or the server's end. */
bool select_add_conn(struct report_select *s, const char *spec, char *err,
                     size_t errlen);
/* Was anything chosen at all? */
bool select_active(const struct report_select *s);
/* Does the connection pass? (Every connection passes an empty select.) */
bool select_match(const struct report_select *s, const struct conn *c,
                  const struct diag_result *d);
/* Would a healthy connection be shown by it? ("--only ok", "--conn") */
bool select_wants_healthy(const struct report_select *s);

#endif
