/*
 * fuzz_cert.c: certificate chain analysis (RFC 5280 6) on arbitrary bytes
 * as the server's Certificate list (RFC 5246 7.4.2), with a small fixed
 * trust store (tests/pki: Test Root CA; the corporate proxy root as the
 * inspection CA; the pins and names fixtures), then every report of it.
 *
 * Input: one flags byte (bits 0-1: the SNI; bits 2-4: the capture time),
 * then certificates as [2-byte big-endian length][DER], at most
 * TLS_HS_MAX_CERTS. Each input is analysed twice: the second answer comes
 * from the cache and must be the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert/certchain.h"
#include "report/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct certchain *ctx;

static void
fixture(char *buf, size_t len, const char *name)
{
	const char *top = getenv("top_srcdir");

	snprintf(buf, len, "%s/tests/pki/%s", top ? top : ".", name);
}

static struct certchain *
setup(void)
{
	struct certchain_cfg cfg;
	char bundle[4096], insp[4096], names[4096], pins[4096];
	char err[CERTCHAIN_ERR_LEN];
	struct certchain *c;

	memset(&cfg, 0, sizeof cfg);
	fixture(bundle, sizeof bundle, "root.pem");
	fixture(insp, sizeof insp, "corp.pem");
	fixture(names, sizeof names, "inspection-names.txt");
	fixture(pins, sizeof pins, "pins.txt");
	cfg.no_system_ca = true;
	cfg.ca_bundle = bundle;
	cfg.inspection_ca = insp;
	cfg.inspection_names = names;
	cfg.pin_file = pins;
	cfg.cache_size = 16;
	c = certchain_new(&cfg, err);
	if (c != NULL)
		return c;
	/* without the fixtures: an empty store still exercises everything */
	fprintf(stderr, "fuzz_cert: %s; going on without fixtures\n", err);
	memset(&cfg, 0, sizeof cfg);
	cfg.no_system_ca = true;
	cfg.cache_size = 16;
	c = certchain_new(&cfg, err);
	if (c == NULL)
		abort();
	return c;
}

static void
reports(const struct cert_facts *f, ta_time t)
{
	char lines[16][CERT_EVIDENCE_LEN];
	unsigned n = certchain_evidence(f, t, lines, 16);
	struct json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	if (n > 16)
		abort();
	for (unsigned i = 0; i < n; i++)
		if (memchr(lines[i], '\0', CERT_EVIDENCE_LEN) == NULL)
			abort();
	json_init(&j, 1 << 20);
	json_begin(&j);
	report_json_cert(&j, f, t);
	(void)json_end(&j);
	json_free(&j);
	out = open_memstream(&buf, &len);
	if (out != NULL) {
		report_text_cert(out, f, t, 1);
		fclose(out);
	}
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const snis[] = {
		NULL, "imap.test.example", "198.51.100.7", "mail.other.example",
	};
	static const int64_t times[] = {
		1735689600, /* 2025-01-01 */
		1740830600, /* 2025-03-01 12:03:20, just after the forged leaf */
		1577836800, /* 2020-01-01 */
		2019686400, /* 2034-01-01 */
		0, 4102444800, 1795825199, 253402300799,
	};
	struct tls_certificate tc;
	uint8_t *copy;
	size_t off = 1;
	struct cert_facts a, b;
	ta_time t;
	const char *sni;

	if (ctx == NULL)
		ctx = setup();
	if (size < 1)
		return 0;
	sni = snis[data[0] & 3];
	t = (ta_time)times[(data[0] >> 2) & 7] * TA_NS_PER_SEC;
	/* one exact-size copy, so that ASan sees any overread */
	copy = malloc(size);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	memset(&tc, 0, sizeof tc);
	while (off + 2 <= size && tc.count < TLS_HS_MAX_CERTS) {
		size_t n = (size_t)copy[off] << 8 | copy[off + 1];

		off += 2;
		if (n > size - off)
			n = size - off;
		tc.der[tc.count].p = copy + off;
		tc.der[tc.count].n = n;
		tc.count++;
		tc.total += n;
		off += n;
	}
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	a.frame = b.frame = TA_FRAME(0, 7);
	certchain_analyse(ctx, &tc, sni, t, &a);
	certchain_analyse(ctx, &tc, sni, t, &b);
	if (a.chain != b.chain || a.problem != b.problem ||
	    a.verify_code != b.verify_code || a.findings != b.findings ||
	    a.intercepted != b.intercepted)
		abort();
	if (a.chain != NULL && (a.chain->nchain > CERT_MAX_CHAIN ||
	                        a.chain->nchain > tc.count))
		abort();
	if (a.verify_ok && a.problem != CERT_PROBLEM_NONE)
		abort();
	reports(&a, t);
	certchain_release(ctx, &a);
	certchain_release(ctx, &b);
	free(copy);
	return 0;
}
