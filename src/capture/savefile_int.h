/*
 * savefile_int.h: what the two halves of the reader share, private to
 * src/capture/ (the public interface is savefile.h): the reader's state,
 * an interface, the byte-order readers, and the calls between savefile.c
 * (opening, the buffer, classic pcap) and savefile_pcapng.c (pcapng).
 */
#ifndef SAVEFILE_INT_H
#define SAVEFILE_INT_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "capture/savefile.h"

/* The first block of a pcapng file (its Section Header Block): the magic
 * that tells it from a classic pcap file. */
#define NG_SHB 0x0a0d0d0au

/* libpcap's largest frame for most link types (MAXIMUM_SNAPLEN): a longer
 * caplen in a classic file makes it damaged. */
#define MAX_CAPLEN 262144u

/* How an interface's timestamps become nanoseconds (libpcap's scaling). */
enum scale { PASS, UP_DEC, DOWN_DEC, UP_BIN, DOWN_BIN };

struct sf_if {
	uint64_t tsresol;   /* units per second */
	uint64_t factor;    /* for UP_DEC, DOWN_DEC */
	int64_t tsoffset;   /* seconds */
	uint32_t snapshot;  /* as libpcap adjusts it */
	uint32_t global;    /* its number in the file */
	int dlt;
	uint8_t scale;      /* enum scale */
	char name[SAVEFILE_IFNAME_MAX];
};

struct savefile {
	pcap_t *p;
	int fd;             /* pread source, or -1: the stream */
	const struct savefile_stream *src;
	bool ng;
	bool swapped;
	bool usec;          /* classic: microsecond timestamps, scaled up */
	bool eof;
	bool failed;        /* damaged: every later call says so again */
	uint32_t snapshot;  /* classic: libpcap's snapshot length */
	uint64_t file_pos;  /* file (stream) offset of buf[have] */
	uint8_t *buf;
	size_t cap, have, pos;
	/* pcapng: the interfaces of the current section, and what libpcap
	 * took from the first interface of the file. */
	struct sf_if *ifs;
	uint32_t nifs, ifs_cap;
	uint32_t nglobal;   /* interfaces described in the file so far */
	bool seen_idb;
	int first_dlt;
	uint32_t first_snapshot;
	const struct sf_if *cur; /* the interface of the last frame */
	bool cur_no_time;        /* and it came without a time stamp */
	struct sf_if classic;    /* classic pcap's one interface */
	char stop[PCAP_ERRBUF_SIZE]; /* where libpcap would have stopped */
	char err[PCAP_ERRBUF_SIZE];
};

static inline uint32_t
get32(bool swapped, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return swapped ? __builtin_bswap32(v) : v;
}

static inline uint16_t
get16(bool swapped, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof v);
	return swapped ? __builtin_bswap16(v) : v;
}

static inline uint64_t
get64(bool swapped, const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return swapped ? __builtin_bswap64(v) : v;
}

/* Damage: every later call says so again. */
static inline int
damaged(struct savefile *s)
{
	s->failed = true;
	return PCAP_ERROR;
}

/* savefile.c */
/* Make need bytes readable from pos on, or all the file has left. False
 * on a read error (err set). */
bool sf_fill(struct savefile *s, size_t need);

/* savefile_pcapng.c */
/* s reads the pcapng file whose first bytes are hdr; NULL when it is
 * not one read here. */
struct savefile *sf_open_pcapng(struct savefile *s, const uint8_t *hdr);
/* The next packet, as savefile_next() says it. */
int sf_next_pcapng(struct savefile *s, struct pcap_pkthdr *hdr,
                   const uint8_t **data);

#endif
