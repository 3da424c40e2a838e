/* savefile_same.c: libpcap and savefile compared on one capture. */
#define _GNU_SOURCE 1 /* memfd_create */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/savefile.h"
#include "savefile_same.h"

/* A libpcap reader over an in-memory file of its own (its own offset). */
static pcap_t *
open_copy(const uint8_t *bytes, size_t n, char *errbuf)
{
	int fd = memfd_create("capture", 0);
	FILE *fp;
	size_t done = 0;
	pcap_t *p;

	if (fd < 0)
		return NULL;
	while (done < n) {
		ssize_t w = write(fd, bytes + done, n - done);
		if (w <= 0) {
			close(fd);
			return NULL;
		}
		done += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) != 0 || (fp = fdopen(fd, "rb")) == NULL) {
		close(fd);
		return NULL;
	}
	p = pcap_fopen_offline_with_tstamp_precision(
	    fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (p == NULL)
		fclose(fp);
	return p;
}

bool
savefile_same(const uint8_t *bytes, size_t n, bool *taken,
              unsigned long *frames, char *why, size_t whylen)
{
	char ebuf_a[PCAP_ERRBUF_SIZE], ebuf_b[PCAP_ERRBUF_SIZE];
	pcap_t *a = open_copy(bytes, n, ebuf_a);
	pcap_t *b = open_copy(bytes, n, ebuf_b);
	struct savefile *s = NULL;
	bool same = true;

	*taken = false;
	*frames = 0;
	why[0] = '\0';
	if (a == NULL || b == NULL)
		goto out;
	s = savefile_open(b);
	*taken = s != NULL;
	if (s == NULL)
		goto out;
	for (;;) {
		struct pcap_pkthdr *ha, hb;
		const u_char *da;
		const uint8_t *db;
		int ra = pcap_next_ex(a, &ha, &da);
		int rb = savefile_next(s, &hb, &db);

		if (ra == 1 && rb == 1) {
			if (ha->caplen != hb.caplen || ha->len != hb.len ||
			    ha->ts.tv_sec != hb.ts.tv_sec ||
			    ha->ts.tv_usec != hb.ts.tv_usec ||
			    memcmp(da, db, ha->caplen) != 0) {
				snprintf(why, whylen,
				         "frame %lu: libpcap caplen %u len %u ts "
				         "%lld.%09ld, savefile caplen %u len %u ts "
				         "%lld.%09ld%s", *frames + 1, ha->caplen,
				         ha->len, (long long)ha->ts.tv_sec,
				         (long)ha->ts.tv_usec, hb.caplen, hb.len,
				         (long long)hb.ts.tv_sec, (long)hb.ts.tv_usec,
				         ha->caplen == hb.caplen ? " (or bytes)" : "");
				same = false;
				break;
			}
			++*frames;
			continue;
		}
		if (ra == PCAP_ERROR_BREAK && rb == PCAP_ERROR_BREAK)
			break;
		if (ra == PCAP_ERROR && rb == PCAP_ERROR &&
		    strcmp(pcap_geterr(a), savefile_geterr(s)) == 0)
			break;
		snprintf(why, whylen,
		         "after frame %lu: libpcap %d (%s), savefile %d (%s)",
		         *frames, ra, ra == PCAP_ERROR ? pcap_geterr(a) : "",
		         rb, rb == PCAP_ERROR ? savefile_geterr(s) : "");
		same = false;
		break;
	}
out:
	savefile_close(s);
	if (a != NULL)
		pcap_close(a);
	if (b != NULL)
		pcap_close(b);
	return same;
}
