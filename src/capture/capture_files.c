/* capture_files.c: offline inputs opened: capture files and standard input,
 * compressed ones through decomp.c, read by savefile.c where it can,
 * by libpcap otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#ifdef HAVE_STDIO_EXT_H
#include <stdio_ext.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture/capture_int.h"
#include "capture/decomp.h"
#include "capture/savefile.h"

/* libpcap's messages for a non-capture are terse; say what it means. */
static void
open_error(const char *name, const char *perr, char *err, size_t errlen)
{
	if (strstr(perr, "file header bytes, only got 0") != NULL)
		snprintf(err, errlen, "%s: empty, not a capture", name);
	else if (strstr(perr, "unknown file format") != NULL ||
	    strstr(perr, "truncated dump file") != NULL)
		snprintf(err, errlen, "%s: not a pcap or pcapng capture (%s)",
		         name, perr);
	else
		snprintf(err, errlen, "%s: %s", name, perr);
}

static ssize_t
fd_read(void *ctx, void *buf, size_t n)
{
	return read(*(const int *)ctx, buf, n);
}

/* Up to n bytes from the start of a stream that cannot be read again. */
static size_t
peek(int fd, uint8_t *b, size_t n, int *eno)
{
	size_t got = 0;

	*eno = 0;
	while (got < n) {
		ssize_t r = read(fd, b + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			*eno = errno;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

/*
 * libpcap opens f from its first bytes. A regular file that is not
 * compressed is handed to it as it is (and read by savefile at offsets);
 * anything else goes through a decomp stream, which keeps what stdio took
 * so that savefile can read on from there.
 */
static bool
open_input(struct cap_file *f, const char *name, char *err, size_t errlen)
{
	uint8_t magic[DECOMP_MAGIC_LEN];
	char perr[PCAP_ERRBUF_SIZE];
	bool stdin_in = strcmp(name, "-") == 0;
	enum decomp_format fmt;
	struct stat st;
	bool regular;
	size_t got;
	int eno = 0, fd;
	FILE *fp;

	fd = stdin_in ? STDIN_FILENO : open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", name,
		         strerror(errno));
		return false;
	}
	if (!stdin_in)
		f->fd = fd;
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: cannot read: %s", name,
		         strerror(errno));
		return false;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: cannot read: %s", name,
		         strerror(EISDIR));
		return false;
	}
	/* Standard input is read as a stream even when it is a file: it
	 * starts where its offset is, not at the file's first byte. */
	regular = S_ISREG(st.st_mode) && !stdin_in;
	if (regular) {
		ssize_t r = pread(fd, magic, sizeof magic, 0);
		got = r > 0 ? (size_t)r : 0;
		eno = r < 0 ? errno : 0;
	} else {
		got = peek(fd, magic, sizeof magic, &eno);
	}
	if (eno != 0) {
		snprintf(err, errlen, "%s: cannot read: %s", name,
		         strerror(eno));
		return false;
	}
	fmt = decomp_detect(magic, got);
	perr[0] = '\0';
	if (regular && fmt == DECOMP_NONE) {
		f->size = (uint64_t)st.st_size;
		fp = fdopen(fd, "rb");
		if (fp == NULL) {
			snprintf(err, errlen, "%s: cannot open: %s", name,
			         strerror(errno));
			return false;
		}
		f->fd = -1; /* the FILE has it now */
		f->pcap = pcap_fopen_offline_with_tstamp_precision(
		    fp, PCAP_TSTAMP_PRECISION_NANO, perr);
		if (f->pcap == NULL) {
			fclose(fp);
			open_error(name, perr, err, errlen);
			return false;
		}
		return true;
	}
	if (regular)
		f->size = (uint64_t)st.st_size;
	/* A regular file is read from its start; a stream's first bytes
	 * were taken already. */
	f->rfd = fd;
	f->dc = decomp_new(fmt, fd_read, &f->rfd, regular ? NULL : magic,
	                   regular ? 0 : got);
	fp = f->dc != NULL ? decomp_fopen(f->dc) : NULL;
	if (fp == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return false;
	}
	f->pcap = pcap_fopen_offline_with_tstamp_precision(
	    fp, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (f->pcap == NULL) {
		fclose(fp);
		if (decomp_failed(f->dc))
			snprintf(err, errlen, "%s: %s", name,
			         decomp_error(f->dc));
		else
			open_error(name, perr, err, errlen);
		return false;
	}
	return true;
}

/* savefile takes over where it can; the first interface must be one
 * pkt_decode knows unless savefile reads every interface of a pcapng. */
static bool
take_over(struct cap_file *f, char *err, size_t errlen)
{
	if (f->dc == NULL) {
		f->sf = savefile_open(f->pcap);
	} else {
		const uint8_t *head;
		size_t n;

		if (decomp_recorded(f->dc, &head, &n)) {
			f->stream.head = head;
			f->stream.head_len = n;
			f->stream.read = decomp_read_cb;
			f->stream.error = decomp_error_cb;
			f->stream.ctx = f->dc;
			f->sf = savefile_open_stream(f->pcap, &f->stream);
		}
	}
	if (f->sf != NULL && savefile_is_pcapng(f->sf)) {
		f->ng = true;
		if (!cap_map_link(pcap_datalink(f->pcap), &f->link))
			f->link = CAP_LINK_OTHER;
		f->ifs = calloc(IF_CHUNKS, sizeof *f->ifs);
		if (f->ifs == NULL) {
			snprintf(err, errlen, "%s: out of memory", f->name);
			return false;
		}
		return true;
	}
	return cap_link_check(f->pcap, f->name, &f->link, err, errlen);
}

struct capture *
capture_open_files(const char *const *files, unsigned n, const char *filter,
                   char *err, size_t errlen)
{
	struct capture *c;
	unsigned stdin_uses = 0;

	c = calloc(1, sizeof *c);
	if (c == NULL || n == 0) {
		snprintf(err, errlen, "no input");
		free(c);
		return NULL;
	}
	c->files = calloc(n, sizeof *c->files);
	if (c->files == NULL) {
		snprintf(err, errlen, "out of memory");
		free(c);
		return NULL;
	}
	c->last = -1;
	for (unsigned i = 0; i < n; i++) {
		c->files[i].fd = -1;
		if (strcmp(files[i], "-") == 0 && ++stdin_uses > 1) {
			snprintf(err, errlen, "-: standard input given twice");
			free(c->files);
			free(c);
			return NULL;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		struct cap_file *f = &c->files[i];

		f->name = files[i];
		c->nfiles = i + 1;
		if (!open_input(f, files[i], err, errlen))
			goto fail;
#ifdef HAVE___FSETLOCKING
		/* Only the reader thread (src/capture/reader.c) reads the file: stdio
		 * need not lock it twice per frame. */
		if (pcap_file(f->pcap) != NULL)
			__fsetlocking(pcap_file(f->pcap), FSETLOCKING_BYCALLER);
#endif
		if (!take_over(f, err, errlen))
			goto fail;
		/* Offline the filter runs here, not in libpcap, so that
		 * frames it rejects are still counted: frame numbers must be
		 * the file's own, as Wireshark shows them. */
		if (filter != NULL) {
			if (pcap_compile(f->pcap, &f->prog, filter, 1,
			                 PCAP_NETMASK_UNKNOWN) != 0) {
				snprintf(err, errlen, "%s: bad filter '%s': %s",
				         f->name, filter, pcap_geterr(f->pcap));
				goto fail;
			}
			f->has_filter = true;
			f->filter_expr = filter;
		}
	}
	return c;
fail:
	capture_close(c);
	return NULL;
}
