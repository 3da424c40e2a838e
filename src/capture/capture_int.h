/*
 * capture_int.h: what the files of the capture share, private to
 * src/capture/ (the public interface is capture.h): an input and the
 * capture of them all (capture.c hands out their frames in time order,
 * capture_files.c opens offline inputs, capture_live.c an interface).
 */
#ifndef CAPTURE_INT_H
#define CAPTURE_INT_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"
#include "capture/decomp.h"
#include "capture/savefile.h"

/*
 * What is known of a pcapng file's interfaces, in chunks that never move:
 * the analysis thread reads the name of a frame's interface while the
 * reader thread describes the next ones. Interfaces past the last chunk
 * get no description (their frames still get their link).
 */
#define IF_CHUNK 64u
#define IF_CHUNKS 1024u

struct cap_if {
	bool known;
	enum pkt_link link;
	char name[SAVEFILE_IFNAME_MAX];
};

/* -f compiled for one link type (pcapng interfaces may differ). */
struct link_filter {
	int dlt;
	bool ok;
	bool warned;
	struct bpf_program prog;
};

struct cap_file {
	pcap_t *pcap;
	struct savefile *sf;       /* reads a plain pcap or pcapng file */
	struct decomp *dc;         /* a compressed file or standard input */
	struct savefile_stream stream; /* savefile's view of dc */
	int fd;                    /* ours to close, or -1 */
	int rfd;                   /* what dc reads */
	struct pcap_pkthdr sf_hdr;
	const char *name;
	enum pkt_link link;        /* the (first) interface's */
	uint64_t frames;           /* frames read from this file */
	ta_time last_good_ts;      /* its latest time within range (file_time) */
	bool no_ts;                /* the frame in hdr/data has no time stamp */
	uint64_t size;             /* file size, 0 if unknown */
	bool has_pkt;              /* a packet is waiting in hdr/data */
	bool has_filter;           /* prog filters what we hand out (offline;
	                            * live after capture_filter_inner) */
	struct bpf_program prog;
	/* For the packet inside a tunnel (capture_filter_inner): the port
	 * filter on it as raw IP, -f on the frame and on it. */
	bool has_inner, has_user, has_user_inner;
	struct bpf_program ports_inner, user_outer, user_inner;
	bool done;
	struct pcap_pkthdr *hdr;
	const u_char *data;
	/* pcapng read by savefile: frames come on several interfaces. */
	bool ng;
	bool several_told;         /* reader side: said it has several */
	bool several;              /* reporting side: knows it has several */
	uint32_t cur_if;           /* interface of the frame in hdr/data */
	bool cur_known;
	enum pkt_link cur_link;
	const struct bpf_program *cur_prog; /* NULL: its frames are left out */
	struct cap_if **ifs;       /* IF_CHUNKS chunk pointers */
	struct link_filter *filters;
	unsigned nfilters;
	const char *filter_expr;
};

struct capture {
	struct cap_file *files;
	unsigned nfiles;
	bool live;
	volatile int stop;
	int last;                  /* file whose packet was handed out, -1 */
	struct cap_stats st;
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
	const struct pkt_decap *decap; /* tunnel ports, for the inner test */
	void (*several)(void *ctx, unsigned file);
	void *several_ctx;
};

/* capture.c */
/* Map libpcap's DLT to the link layers pkt_decode knows. */
bool cap_map_link(int dlt, enum pkt_link *out);
/* The link of p, or false and a message naming the ones supported. */
bool cap_link_check(pcap_t *p, const char *name, enum pkt_link *link,
                    char *err, size_t errlen);

#endif
