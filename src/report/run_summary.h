/*
 * run_summary.h: the choices the run summaries make beyond the counters,
 * made here once so that the text summary and the JSON summary line say
 * the same: which probe sources come first, which streams on unwatched
 * ports are listed, and the -p options that analyse them.
 */
#ifndef RUN_SUMMARY_H
#define RUN_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer.h"

/* Probe sources and unwatched ports a person is shown (the JSON line
 * lists every one). */
#define RUN_SUMMARY_TOP 5

/*
 * The probe sources with probes, most first (ties in table order), at
 * most max of them into out; returns how many went there, *listed how
 * many there are in all.
 */
unsigned run_probe_sources(const struct probes *pr,
                           const struct probe_source **out, unsigned max,
                           unsigned *listed);

/*
 * The streams seen starting on unwatched ports, busiest first (ties in
 * table order), at most max of them into out; a ServerHello from a port
 * whose ClientHellos are counted is left out (the same streams seen from
 * the other side). Returns how many went there, *listed how many there
 * are in all.
 */
unsigned run_census_ports(const struct port_census *pc,
                          const struct port_census_entry **out, unsigned max,
                          unsigned *listed);

/* The service a -p would give the port of e: "imaps", "imap", "tls", ... */
const char *run_census_service(const struct port_census_entry *e);
/* The kind of stream start, as the JSON line names it: "tls-client-hello",
 * "tls-server-hello", "imap-greeting", "pop3-greeting", "smtp-greeting". */
const char *run_census_kind(const struct port_census_entry *e);
/* "-p 993/imaps -p 143/imap": the options that analyse the first n of
 * top (RUN_SUMMARY_TOP at most in the summaries); with add, "-p +993/imaps"
 * (something was analysed: the ports that found it stay). Returns buf. */
char *run_census_rerun(char *buf, size_t len,
                       const struct port_census_entry *const *top,
                       unsigned n, bool add);

#endif
