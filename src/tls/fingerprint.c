/* fingerprint.c: JA3/JA3S (MD5) and JA4 (truncated SHA-256) values with OpenSSL 3 EVP (JA3 README, JA4 spec). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "tls/fingerprint.h"
#include "tls_fp.h"

/* JA4 parts b and c: the first 12 hex digits of SHA-256. */
#define JA4_HASH_HEX 12

static const char hexdig[] = "0123456789abcdef";

/*
 * Digests of recent fingerprint strings. Clients of one kind send the same
 * hello again and again, and hashing its three strings cost more than
 * writing the rest of its JSON line. A slot holds one string (short ones
 * only) and its digest, compared in full before it is used.
 */
#define MEMO_SLOTS 64
#define MEMO_MAX 1024

struct memo {
	size_t len;                  /* 0: empty slot */
	unsigned which;
	unsigned dlen;
	unsigned char dig[EVP_MAX_MD_SIZE];
	char s[MEMO_MAX];
};

/*
 * The digests, fetched once and kept for the life of the process, one
 * context reused by every call, and the memo. EVP_md5() and EVP_sha256()
 * fetch the algorithm (taking the provider locks) on each use, and a JSON
 * line hashes three times. This is the module's only state, set up on
 * first use (the analyser is single-threaded).
 */
enum { FP_MD5, FP_SHA256, FP_NMD };

static struct {
	bool tried;
	EVP_MD *md[FP_NMD];
	EVP_MD_CTX *ctx;
	struct memo *memo;           /* MEMO_SLOTS, or NULL */
} fp_cache;

static void
fp_init(void)
{
	if (fp_cache.tried)
		return;
	fp_cache.tried = true;
	fp_cache.md[FP_MD5] = EVP_MD_fetch(NULL, "MD5", NULL);
	fp_cache.md[FP_SHA256] = EVP_MD_fetch(NULL, "SHA256", NULL);
	fp_cache.ctx = EVP_MD_CTX_new();
	fp_cache.memo = calloc(MEMO_SLOTS, sizeof *fp_cache.memo);
}

/* The memo slot for a string: a multiply-and-shift hash, 8 bytes a step,
 * over it and the digest's kind. */
static struct memo *
memo_slot(unsigned which, const char *s, size_t n)
{
	uint64_t h = which, w;
	size_t i;

	if (fp_cache.memo == NULL || n == 0 || n > MEMO_MAX)
		return NULL;
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s + i, n - i);
	h = (h ^ w ^ n) * 0x9e3779b97f4a7c15ull;
	return &fp_cache.memo[(h >> 40) % MEMO_SLOTS];
}

static bool
digest(unsigned which, const char *s, size_t n, unsigned char *dig,
       unsigned int *dlen)
{
	const EVP_MD *md = fp_cache.md[which];
	EVP_MD_CTX *ctx = fp_cache.ctx;
	struct memo *m = memo_slot(which, s, n);

	if (m != NULL && m->len == n && m->which == which &&
	    memcmp(m->s, s, n) == 0) {
		memcpy(dig, m->dig, m->dlen);
		*dlen = m->dlen;
		return true;
	}
	if (md == NULL || ctx == NULL)
		return false;
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, s, n) != 1 ||
	    EVP_DigestFinal_ex(ctx, dig, dlen) != 1)
		return false;
	if (m != NULL) {
		m->len = n;
		m->which = which;
		m->dlen = *dlen;
		memcpy(m->dig, dig, *dlen);
		memcpy(m->s, s, n);
	}
	return true;
}

/*
 * Hash s with the digest and write the first nhex lowercase hex digits of
 * it, NUL-terminated, into out (which holds nhex + 1 bytes).
 */
static bool
hash_hex(unsigned which, const char *s, char *out, size_t nhex)
{
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	size_t i;

	out[0] = '\0';
	fp_init();
	if (!digest(which, s, strlen(s), dig, &dlen))
		return false;
	if ((size_t)dlen * 2 < nhex)
		return false;
	for (i = 0; i < nhex; i++) {
		uint8_t byte = dig[i / 2];

		out[i] = hexdig[(i % 2 == 0) ? (byte >> 4) : (byte & 0xfu)];
	}
	out[nhex] = '\0';
	return true;
}

bool
fingerprint_ja3(const struct tls_client_hello *ch,
    char out[FINGERPRINT_JA3_LEN])
{
	char s[TLS_FP_JA3_MAX];

	out[0] = '\0';
	if (!tls_fp_ja3(ch, s, sizeof(s)))
		return false;
	return hash_hex(FP_MD5, s, out, FINGERPRINT_JA3_LEN - 1);
}

bool
fingerprint_ja3s(const struct tls_server_hello *sh,
    char out[FINGERPRINT_JA3_LEN])
{
	char s[TLS_FP_JA3S_MAX];

	out[0] = '\0';
	if (!tls_fp_ja3s(sh, s, sizeof(s)))
		return false;
	return hash_hex(FP_MD5, s, out, FINGERPRINT_JA3_LEN - 1);
}

/* A JA4 hash part; the spec writes twelve zeros for an empty list. */
static bool
ja4_part(const char *s, char *out)
{
	if (s[0] == '\0') {
		memset(out, '0', JA4_HASH_HEX);
		out[JA4_HASH_HEX] = '\0';
		return true;
	}
	return hash_hex(FP_SHA256, s, out, JA4_HASH_HEX);
}

bool
fingerprint_ja4(const struct tls_client_hello *ch,
    char out[FINGERPRINT_JA4_LEN])
{
	char a[TLS_FP_JA4_A_MAX];
	char b[TLS_FP_JA4_B_MAX];
	char c[TLS_FP_JA4_C_MAX];
	char hb[JA4_HASH_HEX + 1];
	char hc[JA4_HASH_HEX + 1];
	size_t alen;

	out[0] = '\0';
	if (!tls_fp_ja4_a(ch, a, sizeof(a)) ||
	    !tls_fp_ja4_b(ch, b, sizeof(b)) ||
	    !tls_fp_ja4_c(ch, c, sizeof(c)))
		return false;
	if (!ja4_part(b, hb) || !ja4_part(c, hc))
		return false;
	alen = strlen(a);
	if (alen + 2 + 2 * JA4_HASH_HEX + 1 > FINGERPRINT_JA4_LEN)
		return false;
	memcpy(out, a, alen);
	out[alen] = '_';
	memcpy(out + alen + 1, hb, JA4_HASH_HEX);
	out[alen + 1 + JA4_HASH_HEX] = '_';
	memcpy(out + alen + 2 + JA4_HASH_HEX, hc, JA4_HASH_HEX);
	out[alen + 2 + 2 * JA4_HASH_HEX] = '\0';
	return true;
}
