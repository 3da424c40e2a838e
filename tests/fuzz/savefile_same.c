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

/* libpcap rewrites the pseudo-headers of these (pcap_post_process):
 * savefile hands frames out as the file has them. */
static bool
post_processed(int dlt, bool swapped)
{
	switch (dlt) {
	case 220: /* DLT_USB_LINUX_MMAPPED: its length is fixed up */
		return true;
	case 117: /* DLT_PFLOG */
	case 113: /* DLT_LINUX_SLL */
	case 276: /* DLT_LINUX_SLL2 */
	case 189: /* DLT_USB_LINUX */
	case 239: /* DLT_NFLOG */
		return swapped;
	default:
		return false;
	}
}

bool
savefile_same(const uint8_t *bytes, size_t n, struct savefile_same *r,
              char *why, size_t whylen)
{
	char ebuf_a[PCAP_ERRBUF_SIZE], ebuf_b[PCAP_ERRBUF_SIZE];
	pcap_t *a = open_copy(bytes, n, ebuf_a);
	pcap_t *b = open_copy(bytes, n, ebuf_b);
	struct savefile *s = NULL;
	bool same = true, whole;

	memset(r, 0, sizeof *r);
	why[0] = '\0';
	if (a == NULL || b == NULL)
		goto out;
	s = savefile_open(b);
	r->taken = s != NULL;
	if (s == NULL)
		goto out;
	whole = !post_processed(pcap_datalink(a), pcap_is_swapped(a) != 0);
	for (;;) {
		struct pcap_pkthdr *ha, hb;
		const u_char *da;
		const uint8_t *db;
		bool stop_before = savefile_libpcap_stop(s) != NULL;
		int ra = pcap_next_ex(a, &ha, &da);
		int rb = savefile_next(s, &hb, &db);
		const char *stop = savefile_libpcap_stop(s);

		if (stop != NULL && !stop_before) {
			/* libpcap must stop here, in these words. */
			if (ra != PCAP_ERROR || strcmp(pcap_geterr(a), stop) != 0) {
				snprintf(why, whylen,
				         "after frame %lu: savefile says libpcap "
				         "stops (%s), libpcap %d (%s)", r->frames,
				         stop, ra,
				         ra == PCAP_ERROR ? pcap_geterr(a) : "");
				same = false;
				break;
			}
			r->libpcap_stopped = true;
			/* savefile reads on alone: it must end, and say
			 * where each frame came from. */
			while (rb == 1) {
				if (savefile_iface(s) >= savefile_nifaces(s)) {
					snprintf(why, whylen,
					         "frame %lu beyond libpcap: "
					         "interface %u of %u",
					         r->frames + r->beyond + 1,
					         savefile_iface(s),
					         savefile_nifaces(s));
					same = false;
					break;
				}
				r->beyond++;
				rb = savefile_next(s, &hb, &db);
			}
			break;
		}
		if (ra == 1 && rb == 1) {
			if (ha->caplen != hb.caplen ||
			    ha->ts.tv_sec != hb.ts.tv_sec ||
			    ha->ts.tv_usec != hb.ts.tv_usec ||
			    (whole && (ha->len != hb.len ||
			               memcmp(da, db, ha->caplen) != 0)) ||
			    savefile_dlt(s) != pcap_datalink(a) ||
			    savefile_iface(s) >= savefile_nifaces(s)) {
				snprintf(why, whylen,
				         "frame %lu: libpcap caplen %u len %u ts "
				         "%lld.%09ld dlt %d, savefile caplen %u len "
				         "%u ts %lld.%09ld dlt %d interface %u of "
				         "%u%s", r->frames + 1, ha->caplen,
				         ha->len, (long long)ha->ts.tv_sec,
				         (long)ha->ts.tv_usec, pcap_datalink(a),
				         hb.caplen, hb.len,
				         (long long)hb.ts.tv_sec, (long)hb.ts.tv_usec,
				         savefile_dlt(s), savefile_iface(s),
				         savefile_nifaces(s),
				         ha->caplen == hb.caplen ? " (or bytes)" : "");
				same = false;
				break;
			}
			r->frames++;
			continue;
		}
		if (ra == PCAP_ERROR_BREAK && rb == PCAP_ERROR_BREAK)
			break;
		if (ra == PCAP_ERROR && rb == PCAP_ERROR &&
		    strcmp(pcap_geterr(a), savefile_geterr(s)) == 0)
			break;
		snprintf(why, whylen,
		         "after frame %lu: libpcap %d (%s), savefile %d (%s)",
		         r->frames, ra, ra == PCAP_ERROR ? pcap_geterr(a) : "",
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
