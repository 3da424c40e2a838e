/*
 * server_summary.h: verdict counts per server (IP:port and SNI), because a
 * migration engineer thinks in source servers. Bounded: past
 * SERVER_SUMMARY_MAX distinct servers the rest are counted together.
 */
#ifndef SERVER_SUMMARY_H
#define SERVER_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>

#include "analyzer.h"
#include "diag/diag.h"

#define SERVER_SUMMARY_MAX 4096
#define SERVER_SUMMARY_SNI 128

struct server_summary;

struct server_summary *server_summary_new(void);
void server_summary_add(struct server_summary *s, const struct conn_facts *f,
                        const struct diag_result *d);
/* One server's counts, as server_summary_each() hands them out. */
struct server_row {
	const struct pkt_addr *addr;   /* NULL for the others */
	uint16_t port;
	const uint8_t *sni;            /* raw bytes from the ClientHello */
	size_t sni_len;                /* 0: no SNI */
	uint64_t total, problems;
	const uint64_t *by_verdict;    /* DIAG_VERDICT_COUNT counts */
};

/* Each server in the order server_summary_print() lists them, then the
 * servers past SERVER_SUMMARY_MAX together (addr NULL); false when out
 * of memory. */
bool server_summary_each(const struct server_summary *s,
                         void (*fn)(void *ctx, const struct server_row *r),
                         void *ctx);
/* One block per server, problems first (most connections first). */
void server_summary_print(const struct server_summary *s, FILE *out);
void server_summary_free(struct server_summary *s);

#endif
