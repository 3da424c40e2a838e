/*
 * server_summary.h: verdict counts per server (IP:port and SNI), because a
 * migration engineer thinks in source servers. Bounded: past
 * SERVER_SUMMARY_MAX distinct servers the rest are counted together.
 */
#ifndef SERVER_SUMMARY_H
#define SERVER_SUMMARY_H

#include <stdio.h>

#include "analyzer.h"
#include "diag/diag.h"

#define SERVER_SUMMARY_MAX 4096
#define SERVER_SUMMARY_SNI 128

struct server_summary;

struct server_summary *server_summary_new(void);
void server_summary_add(struct server_summary *s, const struct conn_facts *f,
                        const struct diag_result *d);
/* One block per server, problems first (most connections first). */
void server_summary_print(const struct server_summary *s, FILE *out);
void server_summary_free(struct server_summary *s);

#endif
