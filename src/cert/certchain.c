/*
 * certchain.c: certificate chain analysis (RFC 5280 6, path validation;
 * RFC 6125 6, the name check) and TLS-interception signals, with OpenSSL 3:
 * the public entry points and the cache of analysed chains. The other
 * pieces: chain_build.c (the certificates the server sent, parsed and
 * described), chain_verify.c (trust stores, path verification),
 * chain_classify.c (what is wrong, and the evidence lines), inspection.c
 * (interception signals); certchain_int.h is what they share. The design
 * (what is cached, what is judged per connection) is in certchain.h and
 * doc/certificates.md.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509_vfy.h>

#include "cert/certchain_int.h"
#include "cert/inspection_products.h"
#include "util/fmt.h"

/* The installed data (Makefile.am defines it from $(pkgdatadir)). */
#ifndef TA_TRUST_HISTORY_DIR
#error "TA_TRUST_HISTORY_DIR must name the installed trust-history directory"
#endif

/* A proxy's clock may run a little ahead of the capture point's. */
#define FRESH_SKEW_SECS 60
/*
 * A chain whose key (see struct chain_key) is at most this long is cached
 * by those bytes, compared in full on lookup; a longer one (only a hostile
 * or absurd chain is) by their SHA-256, so that a cache entry never holds
 * more than this besides its description.
 */
#define KEY_BYTES_MAX (64u * 1024u)

/* ---- times ---- */

/* The last second of 9999: later years (and times before 1970) are left
 * to gmtime_r. */
#define FAST_TIME_MAX 253402300799LL

/*
 * "2026-11-20T14:03:22Z" by hand for the years certificates carry: every
 * certificate in a JSON line has two of these, and gmtime_r with snprintf
 * cost more than the rest of its member. The same calendar as gmtime.
 */
static bool
time_iso_fast(char buf[CERTCHAIN_TIME_LEN], int64_t t)
{
	char *p;

	if (t < 0 || t > FAST_TIME_MAX ||
	    (p = fmt_put_datetime(buf, (uint64_t)t, 'T')) == NULL)
		return false;
	*p++ = 'Z';
	*p = '\0';
	return true;
}

char *
certchain_time_iso(char buf[CERTCHAIN_TIME_LEN], int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (time_iso_fast(buf, t))
		return buf;
	if (t == TIME_UNKNOWN || gmtime_r(&tt, &tm) == NULL) {
		snprintf(buf, CERTCHAIN_TIME_LEN, "unknown");
		return buf;
	}
	/* the modulos only tell the compiler each field's width */
	snprintf(buf, CERTCHAIN_TIME_LEN, "%04u-%02u-%02uT%02u:%02u:%02uZ",
	         (unsigned)(tm.tm_year + 1900) % 10000u,
	         (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
	         (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
	         (unsigned)tm.tm_sec % 100u);
	return buf;
}

/* ---- the cache ---- */

/*
 * What a chain is judged on: the certificates as sent (their number, how
 * many were dropped, each one's length and DER), the name checked and
 * where it came from. The trust options are the context's own. Laid out
 * as bytes for an entry (key_head(), then per certificate 4 length bytes
 * and the DER); read in place from the message for a lookup.
 */
struct chain_key {
	const struct tls_certificate *certs;
	uint16_t n;                  /* certificates kept */
	const char *name;
	size_t name_len;
	bool from_sni;
	size_t len;                  /* bytes of the laid-out key */
};

#define KEY_HEAD_MAX (7 + TLS_HS_SNI_MAX + CERT_NAME_LEN)

static size_t
key_head(const struct chain_key *k, uint8_t *h)
{
	h[0] = (uint8_t)(k->n >> 8);
	h[1] = (uint8_t)k->n;
	h[2] = (uint8_t)(k->certs->dropped >> 8);
	h[3] = (uint8_t)k->certs->dropped;
	h[4] = k->from_sni ? 1 : 2;
	h[5] = (uint8_t)(k->name_len >> 8);
	h[6] = (uint8_t)k->name_len;
	memcpy(h + 7, k->name, k->name_len);
	return 7 + k->name_len;
}

static void
len4(uint8_t *h, size_t l)
{
	h[0] = (uint8_t)(l >> 24);
	h[1] = (uint8_t)(l >> 16);
	h[2] = (uint8_t)(l >> 8);
	h[3] = (uint8_t)l;
}

static void
key_init(struct chain_key *k, const struct tls_certificate *certs,
         const char *name, bool from_sni)
{
	k->certs = certs;
	k->n = certs->count < TLS_HS_MAX_CERTS ? certs->count : TLS_HS_MAX_CERTS;
	k->name = name;
	/* Names are the SNI (at most TLS_HS_SNI_MAX) or --server-name. */
	k->name_len = strnlen(name, KEY_HEAD_MAX - 7);
	k->from_sni = from_sni;
	k->len = 7 + k->name_len;
	for (uint16_t i = 0; i < k->n; i++)
		k->len += 4 + certs->der[i].n;
}

/*
 * A fast 64-bit hash (multiply and shift per 8 bytes): it only picks a
 * bucket, every match is then compared byte for byte. SHA-256 over each
 * chain, as before, cost more than all the rest of a connection.
 */
#define HASH_MUL 0x9e3779b97f4a7c15ull

static uint64_t
hash_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	uint64_t w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * HASH_MUL;
		h ^= h >> 32;
	}
	w = 0;
	if (n > 0)
		memcpy(&w, p, n);
	h = (h ^ w ^ ((uint64_t)n << 59)) * HASH_MUL;
	return h ^ (h >> 32);
}

static uint64_t
key_hash(const struct chain_key *k)
{
	uint8_t head[KEY_HEAD_MAX], l[4];
	uint64_t h = hash_bytes(0, head, key_head(k, head));

	for (uint16_t i = 0; i < k->n; i++) {
		len4(l, k->certs->der[i].n);
		h = hash_bytes(h, l, sizeof l);
		h = hash_bytes(h, k->certs->der[i].p, k->certs->der[i].n);
	}
	/* Mix the high bits down: the bucket is the low ones. */
	h ^= h >> 29;
	h *= HASH_MUL;
	return h ^ (h >> 32);
}

/* The key laid out for an entry (k->len bytes). */
static uint8_t *
key_copy(const struct chain_key *k)
{
	uint8_t *b = malloc(k->len);
	size_t o;

	if (b == NULL)
		return NULL;
	o = key_head(k, b);
	for (uint16_t i = 0; i < k->n; i++) {
		len4(b + o, k->certs->der[i].n);
		o += 4;
		if (k->certs->der[i].n > 0)
			memcpy(b + o, k->certs->der[i].p, k->certs->der[i].n);
		o += k->certs->der[i].n;
	}
	return b;
}

static bool
key_equal(const struct certchain_entry *e, const struct chain_key *k)
{
	uint8_t head[KEY_HEAD_MAX], l[4];
	const uint8_t *b = e->key;
	size_t o;

	if (b == NULL || e->key_len != k->len)
		return false;
	o = key_head(k, head);
	if (memcmp(b, head, o) != 0)
		return false;
	for (uint16_t i = 0; i < k->n; i++) {
		size_t n = k->certs->der[i].n;

		len4(l, n);
		if (memcmp(b + o, l, 4) != 0 ||
		    (n > 0 && memcmp(b + o + 4, k->certs->der[i].p, n) != 0))
			return false;
		o += 4 + n;
	}
	return true;
}

/* SHA-256 over the key, for a key too long to keep. */
static bool
key_digest(struct certchain *ctx, const struct chain_key *k, uint8_t d[32])
{
	uint8_t head[KEY_HEAD_MAX], l[4];
	unsigned int len = 0;

	if (EVP_DigestInit_ex(ctx->md, ctx->sha256, NULL) != 1 ||
	    EVP_DigestUpdate(ctx->md, head, key_head(k, head)) != 1)
		return false;
	for (uint16_t i = 0; i < k->n; i++) {
		len4(l, k->certs->der[i].n);
		if (EVP_DigestUpdate(ctx->md, l, sizeof l) != 1 ||
		    (k->certs->der[i].n > 0 &&
		     EVP_DigestUpdate(ctx->md, k->certs->der[i].p,
		                      k->certs->der[i].n) != 1))
			return false;
	}
	return EVP_DigestFinal_ex(ctx->md, d, &len) == 1 && len == 32;
}

static size_t
bucket_of(const struct certchain *ctx, uint64_t hash)
{
	return (size_t)hash & (ctx->nbuckets - 1);
}

static void
lru_unlink(struct certchain *ctx, struct certchain_entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		ctx->lru_head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		ctx->lru_tail = e->prev;
	e->prev = e->next = NULL;
}

static void
lru_push(struct certchain *ctx, struct certchain_entry *e)
{
	e->prev = NULL;
	e->next = ctx->lru_head;
	if (ctx->lru_head != NULL)
		ctx->lru_head->prev = e;
	ctx->lru_head = e;
	if (ctx->lru_tail == NULL)
		ctx->lru_tail = e;
}

static void
entry_free(struct certchain_entry *e)
{
	free(e->key);
	free(e);
}

static void
evict(struct certchain *ctx, struct certchain_entry *e)
{
	struct certchain_entry **pp = &ctx->buckets[bucket_of(ctx, e->hash)];

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp == e)
		*pp = e->hnext;
	lru_unlink(ctx, e);
	e->cached = false;
	ctx->nentries--;
	/* facts still holding it free it when they are released */
	if (e->refs == 0)
		entry_free(e);
}

/* The entry for the key: by its bytes, or (digest non-NULL) its SHA-256. */
static struct certchain_entry *
lookup(struct certchain *ctx, const struct chain_key *k, uint64_t hash,
       const uint8_t *digest)
{
	struct certchain_entry *e = ctx->buckets[bucket_of(ctx, hash)];

	for (; e != NULL; e = e->hnext) {
		if (e->hash != hash)
			continue;
		if (digest != NULL ? e->key == NULL &&
		                     memcmp(e->digest, digest, sizeof e->digest) == 0
		                   : key_equal(e, k))
			return e;
	}
	return NULL;
}

static void
insert(struct certchain *ctx, struct certchain_entry *e)
{
	size_t b;

	if (ctx->nentries >= ctx->cache_max && ctx->lru_tail != NULL) {
		evict(ctx, ctx->lru_tail);
		ctx->stats.evictions++;
	}
	b = bucket_of(ctx, e->hash);
	e->hnext = ctx->buckets[b];
	ctx->buckets[b] = e;
	lru_push(ctx, e);
	e->cached = true;
	ctx->nentries++;
}

/* ---- per connection ---- */

/*
 * Capture-time trust: the chain failed here for want of a root; try it
 * against the roots Mozilla's store held on the capture's date. A verdict
 * then rests on what was true for the client then: the problem becomes the
 * one along that path (its validity windows, and the name).
 */
static void
judge_then(struct certchain *ctx, struct certchain_entry *e,
           const struct tls_certificate *certs, int64_t now,
           struct cert_facts *out)
{
	char err[TH_ERR_LEN];
	bool first;
	X509_STORE *store;
	uint32_t id;
	const struct th_interval *iv;
	enum cert_problem tp;
	int tcode;

	out->history_tried = true;
	if (!trust_history_load(ctx->history, err, &first)) {
		if (first) {
			snprintf(ctx->history_err, sizeof ctx->history_err, "%s",
			         err);
			if (ctx->warn != NULL) {
				char msg[TH_ERR_LEN + 96];

				snprintf(msg, sizeof msg, "trust history: %s; chains "
				         "are judged against this machine's store only",
				         err);
				ctx->warn(ctx->warn_arg, msg);
			}
		}
		out->history_error = ctx->history_err;
		return;
	}
	if (!e->hist_cand_known) {
		const uint8_t *der[TLS_HS_MAX_CERTS];
		size_t len[TLS_HS_MAX_CERTS];
		unsigned n = certs->count < TLS_HS_MAX_CERTS ? certs->count :
		             TLS_HS_MAX_CERTS;

		for (unsigned i = 0; i < n; i++) {
			der[i] = certs->der[i].p;
			len[i] = certs->der[i].n;
		}
		trust_history_candidates(ctx->history, der, len, n,
		                         e->hist_cand);
		e->hist_cand_known = true;
	}
	store = trust_history_store_at(ctx->history, now, e->hist_cand, &id);
	if (store == NULL)
		return;
	if (e->hist_id != id)
		chain_verify_history(e, certs, store, id, ctx->history);
	if (!e->hist_ok || e->hist_root == NULL)
		return;
	iv = trust_history_interval(e->hist_root, now);
	if (iv == NULL)
		return;
	out->trusted_then = true;
	out->then_root = e->hist_root->label;
	out->then_from = iv->from;
	out->then_to = iv->to;
	out->then_since_start = iv->since_start;
	out->problem_cert = -1;
	out->problem_time = 0;
	chain_judge_path(e->hist_path, e->nhist_path, &e->chain, now, out, &tp,
	                 &tcode);
	if (e->chain.name[0] != '\0' && !e->chain.name_covered) {
		out->problem = CERT_PROBLEM_NAME_MISMATCH;
		out->problem_cert = 0;
		out->problem_time = 0;
	} else {
		out->problem = tp;
	}
	/* the windows of the path that verified are the ones that count */
	out->time_problem = tp == CERT_PROBLEM_EXPIRED ||
	                    tp == CERT_PROBLEM_NOT_YET_VALID ? tp :
	                    CERT_PROBLEM_NONE;
	out->time_cert = out->problem_cert;
	out->time_at = out->problem_time;
}

void
certchain_analyse(struct certchain *ctx, const struct tls_certificate *certs,
                  const char *sni, ta_time capture_time, struct cert_facts *out)
{
	ta_frame frame = out->frame;
	const char *name = "";
	bool from_sni = false;
	struct chain_key k;
	uint64_t hash = 0;
	uint8_t digest[32];
	bool by_digest, keyed = true;
	struct certchain_entry *e = NULL;
	int64_t now = (int64_t)(capture_time / TA_NS_PER_SEC);
	enum cert_problem tp;
	int tcode;

	memset(out, 0, sizeof *out);
	out->frame = frame;
	out->time = capture_time;
	out->time_unknown = now < CERTCHAIN_TIME_FLOOR;
	out->visible = true;
	out->problem_cert = -1;
	out->expiring_cert = -1;
	out->time_cert = -1;
	if (sni != NULL && sni[0] != '\0') {
		name = sni;
		from_sni = true;
	} else if (ctx->server_name[0] != '\0') {
		name = ctx->server_name;
	}

	ctx->stats.lookups++;
	key_init(&k, certs, name, from_sni);
	by_digest = k.len > KEY_BYTES_MAX;
	if (by_digest) {
		keyed = key_digest(ctx, &k, digest);
		memcpy(&hash, digest, sizeof hash);
	} else {
		hash = key_hash(&k);
	}
	if (keyed)
		e = lookup(ctx, &k, hash, by_digest ? digest : NULL);
	if (e != NULL) {
		ctx->stats.hits++;
		lru_unlink(ctx, e);
		lru_push(ctx, e);
	} else {
		e = chain_build_entry(ctx, certs, name, from_sni);
		if (e == NULL) {
			out->problem = CERT_PROBLEM_OTHER;
			out->verify_code = X509_V_ERR_OUT_OF_MEM;
			out->verify_reason =
			    chain_own_reason(X509_V_ERR_OUT_OF_MEM);
			return;
		}
		ctx->stats.verifications++;
		e->hash = hash;
		e->key_len = k.len;
		if (by_digest)
			memcpy(e->digest, digest, sizeof digest);
		else
			e->key = key_copy(&k);
		/* Without its key an entry could never be found again: it
		 * lives as long as these facts only. */
		if (keyed && (by_digest || e->key != NULL))
			insert(ctx, e);
	}
	e->refs++;
	out->entry = e;
	out->chain = &e->chain;
	out->findings = e->findings;

	tp = CERT_PROBLEM_NONE;
	tcode = 0;
	if (!out->time_unknown)
		chain_judge_time(e, now, out, &tp, &tcode);
	if (tp == CERT_PROBLEM_EXPIRED || tp == CERT_PROBLEM_NOT_YET_VALID) {
		out->time_problem = tp;
		out->time_cert = out->problem_cert;
		out->time_at = out->problem_time;
	}
	if (e->problem == CERT_PROBLEM_UNPARSEABLE ||
	    (e->problem != CERT_PROBLEM_NONE && (tp == CERT_PROBLEM_NONE || e->problem < tp))) {
		out->problem = e->problem;
		out->problem_cert = e->problem_cert;
		out->problem_time = 0;
	} else {
		out->problem = tp;
	}
	/* OpenSSL reports path and name errors before time errors */
	out->verify_code = e->code != 0 ? e->code : tcode;
	out->verify_ok = out->verify_code == 0 && out->problem == CERT_PROBLEM_NONE;
	if (e->problem == CERT_PROBLEM_UNPARSEABLE)
		out->verify_reason = "the server's certificate does not parse (DER)";
	else if (e->chain.count == 0)
		out->verify_reason = "the server sent no certificate";
	else
		out->verify_reason = chain_own_reason(out->verify_code);
	out->here_problem = out->problem;
	if (ctx->history != NULL && e->trust_failed && !e->leaf_self_signed &&
	    e->problem != CERT_PROBLEM_UNPARSEABLE && !out->time_unknown)
		judge_then(ctx, e, certs, now, out);

	if (!out->time_unknown && e->chain.nchain > 0 &&
	    e->chain.chain[0].parsed &&
	    e->chain.chain[0].not_before != TIME_UNKNOWN) {
		const struct cert_chain *c = &e->chain;

		out->leaf_age = now - c->chain[0].not_before;
		out->leaf_fresh = out->leaf_age >= -FRESH_SKEW_SECS &&
		                  out->leaf_age <= CERTCHAIN_FRESH_SECS;
	}
	/* A leaf forged for this very connection: only under an issuer that is
	 * not public, for the name asked, not a self-signed one (a server
	 * that made itself a certificate at start-up), and not a proxy
	 * certificate (made by its user just before use, RFC 3820). */
	out->intercepted = e->chain.interception.suspected ||
	                   (out->leaf_fresh && !e->chain.public_issuer &&
	                    !e->public_unknown && !e->leaf_self_signed &&
	                    !e->leaf_proxy &&
	                    (e->chain.name[0] == '\0' || e->chain.name_covered));
}

void
certchain_release(struct certchain *ctx, struct cert_facts *f)
{
	struct certchain_entry *e = f->entry;

	(void)ctx;
	f->entry = NULL;
	f->chain = NULL;
	if (e == NULL)
		return;
	if (e->refs > 0)
		e->refs--;
	if (e->refs == 0 && !e->cached)
		entry_free(e);
}

void
certchain_get_stats(const struct certchain *ctx, struct certchain_stats *st)
{
	*st = ctx->stats;
	st->entries = ctx->nentries;
}

/* ---- configuration ---- */

struct certchain *
certchain_new(const struct certchain_cfg *cfg, char err[CERTCHAIN_ERR_LEN])
{
	struct certchain *ctx = calloc(1, sizeof *ctx);

	err[0] = '\0';
	if (ctx == NULL) {
		snprintf(err, CERTCHAIN_ERR_LEN, "out of memory");
		return NULL;
	}
	ctx->cache_max = cfg->cache_size ? cfg->cache_size : CERTCHAIN_DEFAULT_CACHE;
	ctx->nbuckets = 16;
	while (ctx->nbuckets < ctx->cache_max && ctx->nbuckets < ((size_t)1 << 30))
		ctx->nbuckets <<= 1;
	ctx->buckets = calloc(ctx->nbuckets, sizeof *ctx->buckets);
	ctx->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	ctx->md = EVP_MD_CTX_new();
	ctx->patterns = calloc(inspection_nproducts + 1, sizeof *ctx->patterns);
	if (ctx->buckets == NULL || ctx->sha256 == NULL || ctx->md == NULL ||
	    ctx->patterns == NULL) {
		snprintf(err, CERTCHAIN_ERR_LEN, "out of memory (or no SHA-256)");
		goto fail;
	}
	if (cfg->server_name != NULL) {
		if (strlen(cfg->server_name) >= sizeof ctx->server_name) {
			snprintf(err, CERTCHAIN_ERR_LEN, "--server-name: too long");
			goto fail;
		}
		copy_bounded(ctx->server_name, sizeof ctx->server_name,
		             cfg->server_name, strlen(cfg->server_name));
	}
	if (!chain_inspection_setup(ctx, cfg, err))
		goto fail;
	if (!chain_setup_stores(ctx, cfg, err))
		goto fail;
	ctx->warn = cfg->warn;
	ctx->warn_arg = cfg->warn_arg;
	/* With --no-system-ca the user said what the client trusts. */
	if (!cfg->no_system_ca) {
		const char *dir = cfg->trust_history;

		if (dir == NULL)
			dir = getenv(TH_ENV);
		if (dir == NULL || dir[0] == '\0')
			dir = TA_TRUST_HISTORY_DIR;
		ctx->history = trust_history_new(dir);
		if (ctx->history == NULL) {
			snprintf(err, CERTCHAIN_ERR_LEN, "out of memory");
			goto fail;
		}
	}
	return ctx;
fail:
	certchain_free(ctx);
	return NULL;
}

void
certchain_free(struct certchain *ctx)
{
	if (ctx == NULL)
		return;
	while (ctx->lru_head != NULL) {
		struct certchain_entry *e = ctx->lru_head;

		lru_unlink(ctx, e);
		entry_free(e);
	}
	free(ctx->buckets);
	chain_inspection_free(ctx);
	trust_history_free(ctx->history);
	X509_STORE_free(ctx->trust);
	X509_STORE_free(ctx->public_store);
	X509_STORE_free(ctx->inspection);
	EVP_MD_CTX_free(ctx->md);
	EVP_MD_free(ctx->sha256);
	free(ctx);
}
