/*
 * html_esc.c: text into HTML (the WHATWG HTML standard, 13.1.2.6 and
 * 13.2.5, "escaping a string"): whatever bytes a capture holds become
 * inert text, never markup, never a character that is a parse error, and
 * never one that hides or reorders what a person reads.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "report/html_int.h"
#include "util/fmt.h"
#include "util/utf8.h"

/*
 * Valid UTF-8 that must still not reach the page as it is: C1 controls,
 * the noncharacters (parse errors in HTML), and the characters that
 * change what a reader sees without showing themselves: zero-width
 * spaces and joiners, the bidi marks, embeddings, overrides and isolates
 * (a name "gro<RLO>moc.evil" reads as another name), the line and
 * paragraph separators, the byte order mark.
 */
static bool
hidden(uint32_t cp)
{
	return (cp >= 0x80 && cp < 0xa0) || cp == 0xad ||
	       (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff ||
	       (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
}

static void
hex_bytes(FILE *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		char e[4] = {'\\', 'x', digits[p[i] >> 4], digits[p[i] & 15]};

		fwrite(e, 1, sizeof e, out);
	}
}

void
html_esc(FILE *out, const char *s, size_t n, size_t max)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0, run = 0, shown = 0;

	while (i < n) {
		uint32_t cp;
		size_t len, w;
		const char *ref = NULL;

		/* Plain ASCII goes out in runs. */
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '&' && p[i] != '<' &&
		    p[i] != '>' && p[i] != '"' && p[i] != '\'' && p[i] != '\\') {
			if (shown + 1 > max)
				break;
			shown++;
			run++;
			i++;
			continue;
		}
		if (run > 0)
			fwrite(p + i - run, 1, run, out);
		run = 0;
		switch (p[i]) {
		case '&':
			ref = "&amp;";
			break;
		case '<':
			ref = "&lt;";
			break;
		case '>':
			ref = "&gt;";
			break;
		case '"':
			ref = "&quot;";
			break;
		case '\'':
			ref = "&#39;";
			break;
		case '\\':
			ref = "\\\\";
			break;
		default:
			break;
		}
		if (ref != NULL) {
			w = p[i] == '\\' ? 2 : 1;
			if (shown + w > max)
				break;
			fputs(ref, out);
			shown += w;
			i++;
			continue;
		}
		len = utf8_seq(p + i, n - i, &cp);
		if (len == 0 || cp < 0x20 || cp == 0x7f)
			len = 1;
		w = len == 1 || hidden(cp) ? 4 * len : 1;
		if (shown + w > max)
			break;
		shown += w;
		if (w > 1)
			hex_bytes(out, p + i, len);
		else
			fwrite(p + i, 1, len, out);
		i += len;
	}
	if (run > 0)
		fwrite(p + i - run, 1, run, out);
	if (i < n)
		fputs("\xe2\x80\xa6", out); /* U+2026 */
}

void
html_puts(FILE *out, const char *s)
{
	html_esc(out, s, strlen(s), SIZE_MAX);
}

bool
html_csp_hash(const char *s, char *out, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];

	if (EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL) != 1)
		return false;
	EVP_EncodeBlock(b64, md, (int)mdlen);
	return (size_t)snprintf(out, len, "sha256-%s", (const char *)b64) < len;
}

void
html_endpoint(char *buf, size_t len, const struct pkt_addr *a, uint16_t port)
{
	char ip[FMT_ADDR_LEN];

	fmt_addr(ip, sizeof ip, a);
	snprintf(buf, len, a->family == 6 ? "[%s]:%u" : "%s:%u", ip, port);
}

const char *
html_sev_class(enum diag_severity s)
{
	switch (s) {
	case DIAG_SEV_ERROR:
		return "error";
	case DIAG_SEV_WARNING:
		return "warning";
	case DIAG_SEV_OK:
		break;
	}
	return "ok";
}
