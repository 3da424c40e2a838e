/* export_out.c: the -w file, pcapng (pcapng_write.h) or classic pcap. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <pcap/pcap.h>

#include "report/export_out.h"
#include "report/pcapng_write.h"
#include "util/utf8.h"

/* Names in comments and IDBs are cut to this (with "..."): a comment
 * stays one short line whatever a path or an interface is called. */
#define SHOWN_MAX 128

/* An input interface that has an IDB in the file. */
struct iface_ent {
	bool used;
	uint16_t linktype;
	uint32_t file;
	uint32_t iface;
	uint32_t idb;        /* its interface id in the file */
};

struct export_out {
	enum export_format fmt;
	char *name;          /* for messages */
	bool nano;
	/* classic pcap */
	pcap_t *dead;
	pcap_dumper_t *dump;
	/* pcapng */
	FILE *f;
	bool own_f;          /* not standard output */
	struct iface_ent *ifs; /* open addressing, a power of 2 slots */
	size_t ifslots;
	uint32_t nidb;       /* IDBs written */
	struct export_names names;
	char **bases;        /* inputs' base names, by index, made on use */
	size_t nbases;
};

/* One line, naming the file once: libpcap's messages usually name it. */
static void
set_msg(char *dst, size_t dstlen, const char *name, const char *msg)
{
	if (dst == NULL || dstlen == 0)
		return;
	if (strstr(msg, name) != NULL)
		snprintf(dst, dstlen, "%s", msg);
	else
		snprintf(dst, dstlen, "%s: %s", name, msg);
	for (char *q = dst; *q != '\0'; q++)
		if (*q == '\n' || *q == '\r')
			*q = ' ';
}

static bool
open_pcap(struct export_out *o, const char *path, int dlt, char *err,
          size_t errlen)
{
	if (dlt < 0) {
		set_msg(err, errlen, o->name,
		        "the input's link type has no pcap link type");
		return false;
	}
	o->dead = pcap_open_dead_with_tstamp_precision(dlt, CAP_SNAPLEN,
	    o->nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	if (o->dead == NULL) {
		set_msg(err, errlen, o->name, strerror(ENOMEM));
		return false;
	}
	/* libpcap opens the file and writes the file header now: a bad path
	 * fails before any packet is read. */
	o->dump = pcap_dump_open(o->dead, path);
	if (o->dump == NULL) {
		set_msg(err, errlen, o->name, pcap_geterr(o->dead));
		pcap_close(o->dead);
		o->dead = NULL;
		return false;
	}
	return true;
}

static bool
open_pcapng(struct export_out *o, const char *path, char *err, size_t errlen)
{
	if (strcmp(path, "-") == 0) {
		o->f = stdout;
	} else {
		o->f = fopen(path, "wb");
		if (o->f == NULL) {
			set_msg(err, errlen, o->name, strerror(errno));
			return false;
		}
		o->own_f = true;
	}
	/* No time of the run and no host in it: the same capture always
	 * gives the same file. Flushed at once: a live run's file is a valid
	 * pcapng file before its first packet, and a full disk is said
	 * before any packet is read. */
	errno = 0;
	if (!pcapng_write_shb(o->f, PACKAGE_STRING) || fflush(o->f) != 0) {
		set_msg(err, errlen, o->name,
		        errno != 0 ? strerror(errno) : "write error");
		if (o->own_f)
			fclose(o->f);
		return false;
	}
	return true;
}

struct export_out *
export_out_open(const char *path, enum export_format fmt, int dlt,
                bool nanosecond, char *err, size_t errlen)
{
	const char *shown = strcmp(path, "-") == 0 ? "standard output" : path;
	struct export_out *o = calloc(1, sizeof *o);
	bool ok;

	if (o == NULL || (o->name = strdup(shown)) == NULL) {
		set_msg(err, errlen, shown, strerror(ENOMEM));
		free(o);
		return NULL;
	}
	o->fmt = fmt;
	o->nano = nanosecond;
	if (fmt == EXPORT_PCAP)
		ok = open_pcap(o, path, dlt, err, errlen);
	else
		ok = open_pcapng(o, path, err, errlen);
	if (!ok) {
		free(o->name);
		free(o);
		return NULL;
	}
	return o;
}

const char *
export_out_name(const struct export_out *o)
{
	return o->name;
}

void
export_out_set_names(struct export_out *o, const struct export_names *n)
{
	o->names = *n;
}

/* An input's base name as comments show it, made once (into tmp when
 * memory is short). */
static const char *
base_name(struct export_out *o, unsigned file, char *tmp, size_t tmplen)
{
	const char *raw = NULL, *base;
	char **grown;
	char *copy;

	if (file < o->nbases && o->bases[file] != NULL)
		return o->bases[file];
	if (o->names.file != NULL)
		raw = o->names.file(o->names.ctx, file);
	if (raw == NULL) {
		snprintf(tmp, tmplen, "input %u", file);
	} else if (strcmp(raw, "-") == 0) {
		snprintf(tmp, tmplen, "stdin");
	} else {
		/* The path is this machine's business, not the file's. */
		base = strrchr(raw, '/');
		base = base != NULL && base[1] != '\0' ? base + 1 : raw;
		utf8_sanitize(tmp, tmplen, (const uint8_t *)base, strlen(base));
	}
	if (file >= o->nbases) {
		grown = realloc(o->bases, (file + 1) * sizeof *grown);
		if (grown == NULL)
			return tmp;
		memset(grown + o->nbases, 0,
		       (file + 1 - o->nbases) * sizeof *grown);
		o->bases = grown;
		o->nbases = file + 1;
	}
	copy = strdup(tmp);
	if (copy == NULL)
		return tmp;
	o->bases[file] = copy;
	return copy;
}

void
export_out_comment(struct export_out *o, const struct export_pkt *p,
                   char *buf, size_t len)
{
	char tmp[SHOWN_MAX];
	const char *base = base_name(o, TA_FRAME_FILE(p->frame), tmp,
	                             sizeof tmp);

	if (p->label != NULL)
		snprintf(buf, len, "%s frame %llu; %s", base,
		         (unsigned long long)TA_FRAME_NO(p->frame), p->label);
	else
		snprintf(buf, len, "%s frame %llu", base,
		         (unsigned long long)TA_FRAME_NO(p->frame));
}

static size_t
iface_slot(const struct export_out *o, uint32_t file, uint32_t iface,
           uint16_t linktype)
{
	uint64_t h = ((uint64_t)file << 32) | iface;
	size_t i;

	h = (h ^ ((uint64_t)linktype << 48)) * 0x9E3779B97F4A7C15ull;
	for (i = (size_t)(h >> 32) & (o->ifslots - 1); o->ifs[i].used;
	     i = (i + 1) & (o->ifslots - 1))
		if (o->ifs[i].file == file && o->ifs[i].iface == iface &&
		    o->ifs[i].linktype == linktype)
			break;
	return i;
}

/* Room for one more interface: the table stays at most half full. */
static bool
iface_room(struct export_out *o)
{
	struct iface_ent *old = o->ifs;
	size_t oldn = o->ifslots;

	if (o->ifslots != 0 && (size_t)o->nidb + 1 <= o->ifslots / 2)
		return true;
	o->ifslots = oldn == 0 ? 16 : oldn * 2;
	o->ifs = calloc(o->ifslots, sizeof *o->ifs);
	if (o->ifs == NULL) {
		o->ifs = old;
		o->ifslots = oldn;
		errno = ENOMEM;
		return false;
	}
	for (size_t i = 0; i < oldn; i++)
		if (old[i].used)
			o->ifs[iface_slot(o, old[i].file, old[i].iface,
			                  old[i].linktype)] = old[i];
	free(old);
	return true;
}

/* The id of the packet's interface in the file; its IDB is written before
 * its first packet. */
static bool
iface_id(struct export_out *o, const struct export_pkt *p, uint32_t *id)
{
	uint32_t file = TA_FRAME_FILE(p->frame);
	const char *raw = NULL;
	char name[SHOWN_MAX];
	struct iface_ent *e;

	if (o->ifslots != 0) {
		e = &o->ifs[iface_slot(o, file, p->iface, p->linktype)];
		if (e->used) {
			*id = e->idb;
			return true;
		}
	}
	if (!iface_room(o))
		return false;
	if (o->names.iface != NULL)
		raw = o->names.iface(o->names.ctx, file, p->iface);
	if (raw != NULL)
		utf8_sanitize(name, sizeof name, (const uint8_t *)raw,
		              strlen(raw));
	if (!pcapng_write_idb(o->f, p->linktype, CAP_SNAPLEN,
	                      raw != NULL ? name : NULL,
	                      o->nano ? PCAPNG_TSRESOL_NS : PCAPNG_TSRESOL_US))
		return false;
	e = &o->ifs[iface_slot(o, file, p->iface, p->linktype)];
	e->used = true;
	e->file = file;
	e->iface = p->iface;
	e->linktype = p->linktype;
	e->idb = o->nidb++;
	*id = e->idb;
	return true;
}

static void
put_pcap(struct export_out *o, const struct export_pkt *p)
{
	struct pcap_pkthdr ph;
	ta_time frac = p->ts % TA_NS_PER_SEC;

	/* In a nanosecond file libpcap writes this field as nanoseconds. */
	if (!o->nano)
		frac /= 1000u;
	memset(&ph, 0, sizeof ph);
	ph.ts.tv_sec = (time_t)(p->ts / TA_NS_PER_SEC);
	ph.ts.tv_usec = (suseconds_t)frac;
	ph.caplen = p->caplen;
	ph.len = p->len;
	pcap_dump((u_char *)o->dump, &ph, p->data);
}

bool
export_out_put(struct export_out *o, const struct export_pkt *p)
{
	char comment[512];
	uint32_t id;

	if (o->fmt == EXPORT_PCAP) {
		/* libpcap says nothing here: errors show at the flush. */
		put_pcap(o, p);
		return true;
	}
	if (!iface_id(o, p, &id))
		return false;
	export_out_comment(o, p, comment, sizeof comment);
	return pcapng_write_epb(o->f, id, o->nano ? p->ts : p->ts / 1000u,
	                        p->data, p->caplen, p->len, comment);
}

bool
export_out_flush(struct export_out *o)
{
	FILE *f = o->fmt == EXPORT_PCAP ? pcap_dump_file(o->dump) : o->f;

	if (o->fmt == EXPORT_PCAP)
		return pcap_dump_flush(o->dump) == 0 && !ferror(f);
	return fflush(f) == 0 && !ferror(f);
}

void
export_out_close(struct export_out *o)
{
	if (o == NULL)
		return;
	if (o->fmt == EXPORT_PCAP) {
		pcap_dump_close(o->dump);
		pcap_close(o->dead);
	} else if (o->own_f) {
		fclose(o->f);
	}
	for (size_t i = 0; i < o->nbases; i++)
		free(o->bases[i]);
	free(o->bases);
	free(o->ifs);
	free(o->name);
	free(o);
}
