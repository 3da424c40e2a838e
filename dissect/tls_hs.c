/* tls_hs.c: TLS handshake message parsers (RFC 8446 4, RFC 5246 7.4; see tls_hs.h). */
#include <string.h>

#include "rd.h"
#include "tls_hs.h"

/* RFC 8446 4.1.3: the random of a HelloRetryRequest, SHA-256("HelloRetryRequest"). */
static const uint8_t hrr_random[TLS_HS_RANDOM_LEN] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
	0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* RFC 8446 4.1.3: "DOWNGRD" followed by 01 (TLS 1.2) or 00 (TLS 1.1 and below). */
static const uint8_t downgrade_prefix[7] = {
	0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44,
};

/*
 * Append to a fixed list; past the capacity count the value as dropped.
 * GREASE values are kept (fingerprints need them) and flagged.
 */
static void
add_u16(uint16_t *v, size_t cap, uint16_t *count, uint16_t *dropped,
        uint32_t *anomalies, uint16_t x)
{
	if (tls_hs_is_grease(x))
		*anomalies |= TLS_ANOM_GREASE;
	if (*count < cap) {
		v[*count] = x;
		(*count)++;
	} else {
		if (*dropped < UINT16_MAX)
			(*dropped)++;
		*anomalies |= TLS_ANOM_DROPPED;
	}
}

#define ADD_U16(list, anomalies, x) \
	add_u16((list).v, TA_ELEMENTS((list).v), &(list).count, &(list).dropped, \
	        (anomalies), (x))

/*
 * A vector of 16-bit values: an even, non-zero number of bytes (every
 * such vector in RFC 8446 has a minimum of 2), consumed exactly.
 */
static bool
u16_vec_ok(const struct rd *vec)
{
	return vec->left >= 2 && vec->left % 2 == 0;
}

/* The same as add_u16 for each value in turn, in one tight loop: every
 * hello has several such lists, the cipher suites dozens long. */
static bool
read_u16_vec(struct rd *vec, uint16_t *v, size_t cap, uint16_t *count,
             uint16_t *dropped, uint32_t *anomalies)
{
	const uint8_t *p = vec->p;
	size_t n = vec->left / 2;
	uint16_t c = *count, d = *dropped;
	uint32_t anom = 0;

	if (!u16_vec_ok(vec))
		return false;
	for (size_t i = 0; i < n; i++) {
		uint16_t x = (uint16_t)((unsigned)p[2 * i] << 8 | p[2 * i + 1]);

		if (tls_hs_is_grease(x))
			anom |= TLS_ANOM_GREASE;
		if (c < cap) {
			v[c++] = x;
		} else {
			if (d < UINT16_MAX)
				d++;
			anom |= TLS_ANOM_DROPPED;
		}
	}
	*count = c;
	*dropped = d;
	*anomalies |= anom;
	vec->p += vec->left;
	vec->left = 0;
	return true;
}

#define READ_U16_VEC(vec, list, anomalies) \
	read_u16_vec((vec), (list).v, TA_ELEMENTS((list).v), &(list).count, \
	             &(list).dropped, (anomalies))

/* The whole extension body is one vec8 / vec16 and nothing else. */
static bool
only_vec8(struct rd *d, struct rd *vec)
{
	return rd_vec8(d, vec) && rd_empty(d);
}

static bool
only_vec16(struct rd *d, struct rd *vec)
{
	return rd_vec16(d, vec) && rd_empty(d);
}

static void
copy_alpn_name(struct tls_alpn *a, const struct rd *name, uint32_t *anomalies)
{
	struct tls_alpn_name *dst;
	size_t keep;

	if (a->count >= TLS_HS_MAX_ALPN) {
		if (a->dropped < UINT8_MAX)
			a->dropped++;
		*anomalies |= TLS_ANOM_DROPPED;
		return;
	}
	dst = &a->name[a->count++];
	/* name->left is 1..255: it came out of a vec8 and was checked. */
	dst->len = (uint8_t)name->left;
	keep = name->left < TLS_HS_ALPN_NAME_MAX ? name->left : TLS_HS_ALPN_NAME_MAX;
	memcpy(dst->v, name->p, keep);
	dst->last = name->p[name->left - 1];
}

/* RFC 7301 3.1: ProtocolNameList <2..2^16-1> of ProtocolName <1..2^8-1>. */
static bool
parse_alpn(struct rd *d, struct tls_alpn *a, bool exactly_one,
           uint32_t *anomalies)
{
	struct rd list, shape, name;
	size_t names = 0;

	if (!only_vec16(d, &list) || rd_empty(&list))
		return false;
	shape = list;
	while (!rd_empty(&shape)) {
		if (!rd_vec8(&shape, &name) || rd_empty(&name))
			return false;
		names++;
	}
	if (exactly_one && names != 1)
		return false;
	while (!rd_empty(&list)) {
		if (!rd_vec8(&list, &name))
			return false;
		copy_alpn_name(a, &name, anomalies);
	}
	return true;
}

/*
 * RFC 6066 3: ServerNameList <1..2^16-1> of {NameType, HostName <1..2^16-1>}.
 * Every NameType defined so far uses a 16-bit length, so an unknown type
 * is stepped over the same way (as deployed stacks do) rather than
 * rejected. The first host_name is kept, raw: whether it is a sane DNS
 * name is the report's business.
 */
static bool
parse_sni(struct rd *d, struct tls_client_hello *ch)
{
	struct rd list, shape, name;
	uint8_t type;
	size_t hosts = 0, keep;

	if (!only_vec16(d, &list) || rd_empty(&list))
		return false;
	shape = list;
	while (!rd_empty(&shape)) {
		if (!rd_u8(&shape, &type) || !rd_vec16(&shape, &name) ||
		    rd_empty(&name))
			return false;
	}
	while (!rd_empty(&list)) {
		if (!rd_u8(&list, &type) || !rd_vec16(&list, &name))
			return false;
		if (type != 0)
			continue;
		hosts++;
		if (hosts > 1) {
			ch->anomalies |= TLS_ANOM_SNI_MULTI;
			continue;
		}
		/* name.left <= 0xffff: it came out of a vec16. */
		ch->sni_len = (uint16_t)name.left;
		keep = name.left < TLS_HS_SNI_MAX ? name.left : TLS_HS_SNI_MAX;
		memcpy(ch->sni, name.p, keep);
		ch->sni[keep] = 0;
	}
	if (hosts == 0)
		ch->anomalies |= TLS_ANOM_SNI_EMPTY;
	return true;
}

/* RFC 8446 4.2.8: KeyShareClientHello: client_shares <0..2^16-1> of
 * {group, key_exchange <1..2^16-1>}; an empty list asks for an HRR. */
static bool
parse_ch_key_share(struct rd *d, struct tls_client_hello *ch)
{
	struct rd list, shape, key;
	uint16_t group;

	if (!only_vec16(d, &list))
		return false;
	shape = list;
	while (!rd_empty(&shape)) {
		if (!rd_u16(&shape, &group) || !rd_vec16(&shape, &key) ||
		    rd_empty(&key))
			return false;
	}
	while (!rd_empty(&list)) {
		if (!rd_u16(&list, &group) || !rd_vec16(&list, &key))
			return false;
		ADD_U16(ch->key_shares, &ch->anomalies, group);
	}
	return true;
}

/* RFC 8446 4.2.11: identities <7..2^16-1> of {identity <1..2^16-1>,
 * uint32 age}; binders <33..2^16-1> of PskBinderEntry <32..255>, one per
 * identity. */
static bool
parse_ch_psk(struct rd *d)
{
	struct rd ids, binders, id, binder;
	uint32_t age;
	size_t n_ids = 0, n_binders = 0;

	if (!rd_vec16(d, &ids) || !rd_vec16(d, &binders) || !rd_empty(d))
		return false;
	while (!rd_empty(&ids)) {
		if (!rd_vec16(&ids, &id) || rd_empty(&id) || !rd_u32(&ids, &age))
			return false;
		n_ids++;
	}
	while (!rd_empty(&binders)) {
		if (!rd_vec8(&binders, &binder) || binder.left < 32)
			return false;
		n_binders++;
	}
	return n_ids > 0 && n_ids == n_binders;
}

/* RFC 6066 8: CertificateStatusRequest; ocsp(1) carries two vectors. Other
 * status types have no defined layout here: their bytes are accepted. */
static bool
parse_ch_status_request(struct rd *d)
{
	struct rd ids, exts;
	uint8_t type;

	if (!rd_u8(d, &type))
		return false;
	if (type != 1)
		return true;
	return rd_vec16(d, &ids) && rd_vec16(d, &exts) && rd_empty(d);
}

static bool
all_zero(const struct rd *d)
{
	/* Each byte equal to the next and the first zero: memcmp compares
	 * word by word, and padding runs to hundreds of bytes. */
	return d->left == 0 ||
	       (d->p[0] == 0 && memcmp(d->p, d->p + 1, d->left - 1) == 0);
}

/* One ClientHello extension body (first occurrence); false: it contradicts
 * its own lengths. */
static bool
ch_ext(struct tls_client_hello *ch, uint16_t type, struct rd *d)
{
	struct rd vec;
	uint8_t u8v;
	uint16_t u16v;

	switch (type) {
	case TLS_EXT_SERVER_NAME:
		ch->has_sni = true;
		return parse_sni(d, ch);
	case TLS_EXT_SUPPORTED_VERSIONS:
		/* RFC 8446 4.2.1: versions <2..254>. */
		ch->has_supported_versions = true;
		return only_vec8(d, &vec) && READ_U16_VEC(&vec, ch->versions, &ch->anomalies);
	case TLS_EXT_SUPPORTED_GROUPS:
		/* RFC 8446 4.2.7: named_group_list <2..2^16-1>. */
		return only_vec16(d, &vec) && READ_U16_VEC(&vec, ch->groups, &ch->anomalies);
	case TLS_EXT_SIGNATURE_ALGORITHMS:
		/* RFC 8446 4.2.3: supported_signature_algorithms <2..2^16-2>. */
		return only_vec16(d, &vec) && READ_U16_VEC(&vec, ch->sig_algs, &ch->anomalies);
	case TLS_EXT_EC_POINT_FORMATS:
		/* RFC 8422 5.1.2: ec_point_format_list <1..2^8-1>. */
		if (!only_vec8(d, &vec) || rd_empty(&vec))
			return false;
		while (rd_u8(&vec, &u8v)) {
			if (ch->point_formats.count < TLS_HS_MAX_POINT_FORMATS) {
				ch->point_formats.v[ch->point_formats.count++] = u8v;
			} else {
				if (ch->point_formats.dropped < UINT8_MAX)
					ch->point_formats.dropped++;
				ch->anomalies |= TLS_ANOM_DROPPED;
			}
		}
		return true;
	case TLS_EXT_ALPN:
		ch->has_alpn = true;
		return parse_alpn(d, &ch->alpn, false, &ch->anomalies);
	case TLS_EXT_KEY_SHARE:
		return parse_ch_key_share(d, ch);
	case TLS_EXT_RENEGOTIATION_INFO:
		/* RFC 5746 3.2: renegotiated_connection <0..255>. */
		ch->renegotiation_info = true;
		return only_vec8(d, &vec);
	case TLS_EXT_EXTENDED_MASTER_SECRET:
		ch->extended_master_secret = true;
		return rd_empty(d);
	case TLS_EXT_SESSION_TICKET:
		/* RFC 5077 3.2: the ticket itself, possibly empty. */
		ch->session_ticket = true;
		ch->session_ticket_len = (uint16_t)d->left;
		return true;
	case TLS_EXT_PRE_SHARED_KEY:
		ch->pre_shared_key = true;
		return parse_ch_psk(d);
	case TLS_EXT_PSK_KEY_EXCHANGE_MODES:
		/* RFC 8446 4.2.9: ke_modes <1..255>. */
		ch->psk_key_exchange_modes = true;
		return only_vec8(d, &vec) && !rd_empty(&vec);
	case TLS_EXT_EARLY_DATA:
		ch->early_data = true;
		return rd_empty(d);
	case TLS_EXT_STATUS_REQUEST:
		ch->status_request = true;
		return parse_ch_status_request(d);
	case TLS_EXT_PADDING:
		/* RFC 7685 3: zero bytes; other values are tolerated, noted. */
		ch->padding = true;
		ch->padding_len = (uint16_t)d->left;
		if (!all_zero(d))
			ch->anomalies |= TLS_ANOM_PADDING_NONZERO;
		return true;
	case TLS_EXT_ENCRYPT_THEN_MAC:
		ch->encrypt_then_mac = true;
		return rd_empty(d);
	case TLS_EXT_RECORD_SIZE_LIMIT:
		/* RFC 8449 4: a value below 64 is illegal. */
		ch->record_size_limit = true;
		if (!rd_u16(d, &u16v) || !rd_empty(d) || u16v < 64)
			return false;
		ch->record_size_limit_value = u16v;
		return true;
	case TLS_EXT_POST_HANDSHAKE_AUTH:
		ch->post_handshake_auth = true;
		return rd_empty(d);
	case TLS_EXT_COMPRESS_CERTIFICATE:
		/* RFC 8879 3: algorithms <2..2^8-2>. */
		ch->compress_certificate = true;
		return only_vec8(d, &vec) &&
		       READ_U16_VEC(&vec, ch->cert_compress, &ch->anomalies);
	case TLS_EXT_ENCRYPTED_CLIENT_HELLO:
		/* Presence only: its content is for the real server's eyes. */
		ch->encrypted_client_hello = true;
		return true;
	case TLS_EXT_COOKIE:
		/* RFC 8446 4.2.2: cookie <1..2^16-1>. */
		ch->cookie = true;
		return only_vec16(d, &vec) && !rd_empty(&vec);
	case TLS_EXT_MAX_FRAGMENT_LENGTH:
		/* RFC 6066 4: one byte, 1..4. */
		ch->max_fragment_length = true;
		return rd_u8(d, &u8v) && rd_empty(d) && u8v >= 1 && u8v <= 4;
	default:
		/* Kept by number in exts; the body is not ours to judge. */
		return true;
	}
}

/* Is type already in the list? (Values past the capacity are not seen.) */
static bool
seen_before(const uint16_t *v, uint16_t count, uint16_t type)
{
	for (uint16_t i = 0; i < count; i++)
		if (v[i] == type)
			return true;
	return false;
}

static void
note_bad_ext(uint32_t *anomalies, uint16_t *bad, uint16_t *first, uint16_t type)
{
	*anomalies |= TLS_ANOM_BAD_EXT;
	if (*bad == 0)
		*first = type;
	if (*bad < UINT16_MAX)
		(*bad)++;
}

/*
 * RFC 8446 4.2: extensions <8..2^16-1> (RFC 5246: <0..2^16-1>) of {type,
 * extension_data <0..2^16-1>}. The list's framing must hold or the hello
 * is malformed. An extension whose body contradicts its own lengths is
 * kept by number and counted in bad_exts, and the rest is still read: a
 * server would answer decode_error, and the report must still show what
 * was offered. A duplicate is counted and not interpreted again.
 */
static enum dis_status
ch_extensions(struct rd *r, struct tls_client_hello *ch)
{
	struct rd list, shape, data;
	uint16_t type;
	/* Types below 64 (nearly all) already kept in exts, as bits: the
	 * duplicate check is then one test, not a scan per extension. */
	uint64_t low = 0;
	bool seen;

	if (!rd_vec16(r, &list) || !rd_empty(r))
		return DIS_MALFORMED;
	ch->has_extensions = true;
	shape = list;
	while (!rd_empty(&shape))
		if (!rd_u16(&shape, &type) || !rd_vec16(&shape, &data))
			return DIS_MALFORMED;
	while (!rd_empty(&list)) {
		if (!rd_u16(&list, &type) || !rd_vec16(&list, &data))
			return DIS_MALFORMED;
		/* RFC 8446 4.2.11: pre_shared_key MUST be the last one. */
		if (type == TLS_EXT_PRE_SHARED_KEY && !rd_empty(&list))
			ch->anomalies |= TLS_ANOM_PSK_NOT_LAST;
		seen = type < 64 ? (low >> type & 1u) != 0 :
		       seen_before(ch->exts.v, ch->exts.count, type);
		if (seen) {
			ch->anomalies |= TLS_ANOM_DUP_EXT;
			if (ch->dup_exts < UINT16_MAX)
				ch->dup_exts++;
			ADD_U16(ch->exts, &ch->anomalies, type);
			continue;
		}
		/* Only a kept value is "seen" later, as seen_before() has it. */
		if (type < 64 && ch->exts.count < TLS_HS_MAX_EXTS)
			low |= (uint64_t)1 << type;
		ADD_U16(ch->exts, &ch->anomalies, type);
		if (!ch_ext(ch, type, &data))
			note_bad_ext(&ch->anomalies, &ch->bad_exts,
			             &ch->first_bad_ext, type);
	}
	return DIS_OK;
}

enum dis_status
tls_hs_split(const uint8_t *p, size_t n, uint8_t *type, struct ta_bytes *body,
             size_t *msg_len)
{
	struct rd r, b;
	uint32_t len;

	*type = 0;
	body->p = NULL;
	body->n = 0;
	*msg_len = 0;
	rd_init(&r, p, n);
	if (!rd_u8(&r, type) || !rd_u24(&r, &len) || !rd_take(&r, len, &b)) {
		*type = 0;
		return DIS_SHORT;
	}
	body->p = b.p;
	body->n = b.left;
	*msg_len = TLS_HS_HDR_LEN + (size_t)len;
	return DIS_OK;
}

enum dis_status
tls_hs_parse_client_hello(const uint8_t *p, size_t n, struct tls_client_hello *ch)
{
	struct rd r, sid, suites, comp;
	uint8_t method;
	bool null_comp = false;

	memset(ch, 0, sizeof *ch);
	rd_init(&r, p, n);
	/* RFC 8446 4.1.2 / RFC 5246 7.4.1.2. */
	if (!rd_u16(&r, &ch->legacy_version))
		return DIS_MALFORMED;
	if (r.left < TLS_HS_RANDOM_LEN)
		return DIS_MALFORMED;
	memcpy(ch->random, r.p, TLS_HS_RANDOM_LEN);
	if (!rd_skip(&r, TLS_HS_RANDOM_LEN))
		return DIS_MALFORMED;
	/* legacy_session_id <0..32>. */
	if (!rd_vec8(&r, &sid) || sid.left > TLS_HS_SESSION_ID_MAX)
		return DIS_MALFORMED;
	ch->session_id_len = (uint8_t)sid.left;
	if (sid.left > 0)
		memcpy(ch->session_id, sid.p, sid.left);
	/* cipher_suites <2..2^16-2>. */
	if (!rd_vec16(&r, &suites) ||
	    !READ_U16_VEC(&suites, ch->ciphers, &ch->anomalies))
		return DIS_MALFORMED;
	/* legacy_compression_methods <1..2^8-1>. */
	if (!rd_vec8(&r, &comp) || rd_empty(&comp))
		return DIS_MALFORMED;
	while (rd_u8(&comp, &method)) {
		if (method == 0)
			null_comp = true;
		if (ch->compression.count < TLS_HS_MAX_COMPRESSION) {
			ch->compression.v[ch->compression.count++] = method;
		} else {
			if (ch->compression.dropped < UINT8_MAX)
				ch->compression.dropped++;
			ch->anomalies |= TLS_ANOM_DROPPED;
		}
	}
	if (!null_comp)
		ch->anomalies |= TLS_ANOM_NO_NULL_COMP;
	/* RFC 5246 7.4.1.2: the extensions may be absent altogether. */
	if (rd_empty(&r))
		return DIS_OK;
	return ch_extensions(&r, ch);
}

enum dis_status
tls_hs_parse_ssl2_client_hello(const uint8_t *p, size_t n,
                               struct tls_client_hello *ch)
{
	struct rd r, specs, sid, challenge;
	uint8_t msg_type, s0, s1, s2;
	uint16_t spec_len, sid_len, ch_len;

	memset(ch, 0, sizeof *ch);
	ch->sslv2 = true;
	ch->record_version = TLS_V_SSL2;
	rd_init(&r, p, n);
	/* RFC 5246 E.2 (and the SSL 2.0 draft): msg_type, version, three
	 * lengths, then the three vectors in that order. */
	if (!rd_u8(&r, &msg_type) || msg_type != TLS_HS_CLIENT_HELLO)
		return DIS_MALFORMED;
	if (!rd_u16(&r, &ch->legacy_version) || !rd_u16(&r, &spec_len) ||
	    !rd_u16(&r, &sid_len) || !rd_u16(&r, &ch_len))
		return DIS_MALFORMED;
	if (spec_len == 0 || spec_len % 3 != 0)
		return DIS_MALFORMED;
	/* The session id is 0 or 16 bytes in SSL 2.0; up to 32 is tolerated. */
	if (sid_len > TLS_HS_SESSION_ID_MAX)
		return DIS_MALFORMED;
	/* challenge 16..32 bytes (RFC 5246 E.2). */
	if (ch_len < 16 || ch_len > TLS_HS_RANDOM_LEN)
		return DIS_MALFORMED;
	if (!rd_take(&r, spec_len, &specs) || !rd_take(&r, sid_len, &sid) ||
	    !rd_take(&r, ch_len, &challenge) || !rd_empty(&r))
		return DIS_MALFORMED;
	while (rd_u8(&specs, &s0) && rd_u8(&specs, &s1) && rd_u8(&specs, &s2)) {
		if (s0 == 0) {
			ADD_U16(ch->ciphers, &ch->anomalies,
			        (uint16_t)((unsigned)s1 << 8 | s2));
		} else if (ch->ssl2_specs.count < TLS_HS_MAX_SSL2_SPECS) {
			ch->ssl2_specs.v[ch->ssl2_specs.count++] =
			    (uint32_t)s0 << 16 | (uint32_t)s1 << 8 | s2;
		} else {
			if (ch->ssl2_specs.dropped < UINT16_MAX)
				ch->ssl2_specs.dropped++;
			ch->anomalies |= TLS_ANOM_DROPPED;
		}
	}
	ch->session_id_len = (uint8_t)sid_len;
	if (sid_len > 0)
		memcpy(ch->session_id, sid.p, sid_len);
	/* RFC 5246 E.2: the challenge, right-aligned in the random. */
	memcpy(ch->random + (TLS_HS_RANDOM_LEN - ch_len), challenge.p, ch_len);
	/* An SSLv2 hello has no compression field: null is implied. */
	ch->compression.v[0] = 0;
	ch->compression.count = 1;
	return DIS_OK;
}

/* One ServerHello extension body (first occurrence). */
static bool
sh_ext(struct tls_server_hello *sh, uint16_t type, struct rd *d)
{
	struct rd vec;
	uint16_t u16v;
	uint8_t u8v;

	switch (type) {
	case TLS_EXT_SUPPORTED_VERSIONS:
		/* RFC 8446 4.2.1: selected_version. */
		return rd_u16(d, &sh->selected_version) && rd_empty(d);
	case TLS_EXT_KEY_SHARE:
		/* RFC 8446 4.2.8: KeyShareServerHello {group, key_exchange
		 * <1..2^16-1>}, or in an HRR only selected_group. */
		sh->has_key_share = true;
		if (!rd_u16(d, &sh->key_share_group))
			return false;
		if (sh->hello_retry)
			return rd_empty(d);
		return only_vec16(d, &vec) && !rd_empty(&vec);
	case TLS_EXT_ALPN:
		sh->has_alpn = true;
		return parse_alpn(d, &sh->alpn, true, &sh->anomalies);
	case TLS_EXT_SERVER_NAME:
		/* RFC 6066 3: the server's acknowledgement is empty. */
		sh->server_name = true;
		return rd_empty(d);
	case TLS_EXT_RENEGOTIATION_INFO:
		sh->renegotiation_info = true;
		return only_vec8(d, &vec);
	case TLS_EXT_EXTENDED_MASTER_SECRET:
		sh->extended_master_secret = true;
		return rd_empty(d);
	case TLS_EXT_ENCRYPT_THEN_MAC:
		sh->encrypt_then_mac = true;
		return rd_empty(d);
	case TLS_EXT_SESSION_TICKET:
		sh->session_ticket = true;
		return rd_empty(d);
	case TLS_EXT_STATUS_REQUEST:
		sh->status_request = true;
		return rd_empty(d);
	case TLS_EXT_PRE_SHARED_KEY:
		sh->pre_shared_key = true;
		return rd_u16(d, &sh->psk_identity) && rd_empty(d);
	case TLS_EXT_RECORD_SIZE_LIMIT:
		sh->record_size_limit = true;
		if (!rd_u16(d, &u16v) || !rd_empty(d) || u16v < 64)
			return false;
		sh->record_size_limit_value = u16v;
		return true;
	case TLS_EXT_MAX_FRAGMENT_LENGTH:
		sh->max_fragment_length = true;
		return rd_u8(d, &u8v) && rd_empty(d) && u8v >= 1 && u8v <= 4;
	case TLS_EXT_COOKIE:
		sh->cookie = true;
		return only_vec16(d, &vec) && !rd_empty(&vec);
	case TLS_EXT_EC_POINT_FORMATS:
		return only_vec8(d, &vec) && !rd_empty(&vec);
	case TLS_EXT_SUPPORTED_GROUPS:
	case TLS_EXT_SIGNATURE_ALGORITHMS:
	case TLS_EXT_PADDING:
	case TLS_EXT_PSK_KEY_EXCHANGE_MODES:
	case TLS_EXT_POST_HANDSHAKE_AUTH:
		/* Only a client sends these (RFC 8446 4.2 table). */
		sh->anomalies |= TLS_ANOM_EXT_UNEXPECTED;
		return true;
	default:
		return true;
	}
}

static enum dis_status
sh_extensions(struct rd *r, struct tls_server_hello *sh)
{
	struct rd list, shape, data;
	uint16_t type;

	if (!rd_vec16(r, &list) || !rd_empty(r))
		return DIS_MALFORMED;
	sh->has_extensions = true;
	shape = list;
	while (!rd_empty(&shape))
		if (!rd_u16(&shape, &type) || !rd_vec16(&shape, &data))
			return DIS_MALFORMED;
	while (!rd_empty(&list)) {
		if (!rd_u16(&list, &type) || !rd_vec16(&list, &data))
			return DIS_MALFORMED;
		if (seen_before(sh->exts.v, sh->exts.count, type)) {
			sh->anomalies |= TLS_ANOM_DUP_EXT;
			if (sh->dup_exts < UINT16_MAX)
				sh->dup_exts++;
			ADD_U16(sh->exts, &sh->anomalies, type);
			continue;
		}
		ADD_U16(sh->exts, &sh->anomalies, type);
		if (!sh_ext(sh, type, &data))
			note_bad_ext(&sh->anomalies, &sh->bad_exts,
			             &sh->first_bad_ext, type);
	}
	return DIS_OK;
}

/*
 * The rest of a ServerHello of a TLS 1.3 draft before 22, after version
 * and random (draft-ietf-tls-tls13-18 4.1.3): cipher_suite, then the
 * extensions. The version field is the draft's own and in force; there is
 * no session id, no compression, and no HelloRetryRequest random (the HRR
 * was a message of its own).
 */
static enum dis_status
draft_server_hello(struct rd *r, struct tls_server_hello *sh)
{
	enum dis_status st;

	sh->draft_layout = true;
	if (!rd_u16(r, &sh->cipher))
		return DIS_MALFORMED;
	if (!rd_empty(r)) {
		st = sh_extensions(r, sh);
		if (st != DIS_OK)
			return st;
	}
	sh->version = sh->selected_version != 0 ? sh->selected_version
	                                        : sh->legacy_version;
	return DIS_OK;
}

enum dis_status
tls_hs_parse_server_hello(const uint8_t *p, size_t n, struct tls_server_hello *sh)
{
	struct rd r, sid;
	enum dis_status st;
	const uint8_t *tail;

	memset(sh, 0, sizeof *sh);
	rd_init(&r, p, n);
	/* RFC 8446 4.1.3 / RFC 5246 7.4.1.3. */
	if (!rd_u16(&r, &sh->legacy_version))
		return DIS_MALFORMED;
	if (r.left < TLS_HS_RANDOM_LEN)
		return DIS_MALFORMED;
	memcpy(sh->random, r.p, TLS_HS_RANDOM_LEN);
	if (!rd_skip(&r, TLS_HS_RANDOM_LEN))
		return DIS_MALFORMED;
	if (tls_hs_is_old_draft(sh->legacy_version))
		return draft_server_hello(&r, sh);
	sh->hello_retry = memcmp(sh->random, hrr_random, TLS_HS_RANDOM_LEN) == 0;
	tail = sh->random + TLS_HS_RANDOM_LEN - 8;
	if (memcmp(tail, downgrade_prefix, sizeof downgrade_prefix) == 0 &&
	    (tail[7] == 0 || tail[7] == 1))
		sh->anomalies |= TLS_ANOM_DOWNGRADE;
	if (!rd_vec8(&r, &sid) || sid.left > TLS_HS_SESSION_ID_MAX)
		return DIS_MALFORMED;
	sh->session_id_len = (uint8_t)sid.left;
	if (sid.left > 0)
		memcpy(sh->session_id, sid.p, sid.left);
	if (!rd_u16(&r, &sh->cipher) || !rd_u8(&r, &sh->compression))
		return DIS_MALFORMED;
	if (sh->compression != 0)
		sh->anomalies |= TLS_ANOM_COMPRESSION;
	if (!rd_empty(&r)) {
		st = sh_extensions(&r, sh);
		if (st != DIS_OK)
			return st;
	}
	sh->version = sh->selected_version != 0 ? sh->selected_version
	                                        : sh->legacy_version;
	return DIS_OK;
}

enum dis_status
tls_hs_parse_draft_hello_retry(const uint8_t *p, size_t n,
                               struct tls_server_hello *sh)
{
	struct rd r;
	enum dis_status st;

	memset(sh, 0, sizeof *sh);
	rd_init(&r, p, n);
	if (!rd_u16(&r, &sh->legacy_version))
		return DIS_MALFORMED;
	if (!tls_hs_is_old_draft(sh->legacy_version))
		return DIS_UNSUPPORTED;
	sh->draft_layout = true;
	sh->hello_retry = true;
	/* draft-ietf-tls-tls13-19 4.1.4 added cipher_suite; -18 has none. */
	if (sh->legacy_version >= TLS_V_DRAFT(19) && !rd_u16(&r, &sh->cipher))
		return DIS_MALFORMED;
	/* extensions<2..2^16-1>: the reason for the retry is in them. */
	st = sh_extensions(&r, sh);
	if (st != DIS_OK)
		return st;
	if (sh->exts.count == 0 && sh->exts.dropped == 0)
		return DIS_MALFORMED;
	sh->version = sh->legacy_version;
	return DIS_OK;
}

/* SSL 2.0 cipher specs: 3 bytes each, in wire order. */
static void
add_ssl2_specs(struct rd *specs, uint32_t *v, size_t cap, uint16_t *count,
               uint16_t *dropped, uint32_t *anomalies)
{
	uint8_t s0, s1, s2;

	while (rd_u8(specs, &s0) && rd_u8(specs, &s1) && rd_u8(specs, &s2)) {
		if (*count < cap) {
			v[(*count)++] = (uint32_t)s0 << 16 | (uint32_t)s1 << 8 | s2;
		} else {
			if (*dropped < UINT16_MAX)
				(*dropped)++;
			*anomalies |= TLS_ANOM_DROPPED;
		}
	}
}

enum dis_status
tls_hs_parse_ssl2_server_hello(const uint8_t *p, size_t n,
                               struct tls_server_hello *sh,
                               struct tls_certificate *cert)
{
	struct rd r, der, specs, conn_id;
	uint8_t msg_type;
	uint16_t cert_len, specs_len, id_len;

	memset(sh, 0, sizeof *sh);
	memset(cert, 0, sizeof *cert);
	sh->sslv2 = true;
	sh->cipher = TLS_CIPHER_SSL2;
	rd_init(&r, p, n);
	/*
	 * draft-hickman-netscape-ssl-00, "Server Only Protocol Messages":
	 * MSG-SERVER-HELLO, SESSION-ID-HIT, CERTIFICATE-TYPE,
	 * SERVER-VERSION, then the lengths of CERTIFICATE-DATA,
	 * CIPHER-SPECS-DATA and CONNECTION-ID-DATA, then the three in that
	 * order.
	 */
	if (!rd_u8(&r, &msg_type) || msg_type != TLS_SSL2_MT_SERVER_HELLO)
		return DIS_MALFORMED;
	if (!rd_u8(&r, &sh->ssl2_session_id_hit) ||
	    !rd_u8(&r, &sh->ssl2_cert_type) ||
	    !rd_u16(&r, &sh->legacy_version) || !rd_u16(&r, &cert_len) ||
	    !rd_u16(&r, &specs_len) || !rd_u16(&r, &id_len))
		return DIS_MALFORMED;
	if (specs_len % 3 != 0)
		return DIS_MALFORMED;
	/* "The CONNECTION-ID-DATA ... from 16 to 32 bytes." */
	if (id_len < 16 || id_len > 32)
		return DIS_MALFORMED;
	/* Without a session hit the server must send its certificate and
	 * the specs it shares with the client. */
	if (sh->ssl2_session_id_hit == 0 && (cert_len == 0 || specs_len == 0))
		return DIS_MALFORMED;
	if (!rd_take(&r, cert_len, &der) || !rd_take(&r, specs_len, &specs) ||
	    !rd_take(&r, id_len, &conn_id) || !rd_empty(&r))
		return DIS_MALFORMED;
	sh->version = sh->legacy_version;
	sh->ssl2_conn_id_len = id_len;
	add_ssl2_specs(&specs, sh->ssl2_specs.v, TLS_HS_MAX_SSL2_SPECS,
	               &sh->ssl2_specs.count, &sh->ssl2_specs.dropped,
	               &sh->anomalies);
	if (cert_len > 0 && sh->ssl2_cert_type == TLS_SSL2_CT_X509) {
		cert->der[0].p = der.p;
		cert->der[0].n = der.left;
		cert->count = 1;
		cert->total = der.left;
	}
	return DIS_OK;
}

enum dis_status
tls_hs_parse_ssl2_client_master_key(const uint8_t *p, size_t n,
                                    uint32_t *cipher)
{
	struct rd r;
	uint8_t msg_type, s0, s1, s2;
	uint16_t clear_len, enc_len, arg_len;

	*cipher = 0;
	rd_init(&r, p, n);
	/* MSG-CLIENT-MASTER-KEY, CIPHER-KIND[3], the lengths of the clear key,
	 * the encrypted key and the key argument, then the three. */
	if (!rd_u8(&r, &msg_type) || msg_type != TLS_SSL2_MT_CLIENT_MASTER_KEY)
		return DIS_MALFORMED;
	if (!rd_u8(&r, &s0) || !rd_u8(&r, &s1) || !rd_u8(&r, &s2) ||
	    !rd_u16(&r, &clear_len) || !rd_u16(&r, &enc_len) ||
	    !rd_u16(&r, &arg_len))
		return DIS_MALFORMED;
	/* The master key is encrypted with the server's public key: never
	 * empty. */
	if (enc_len == 0)
		return DIS_MALFORMED;
	if (!rd_skip(&r, clear_len) || !rd_skip(&r, enc_len) ||
	    !rd_skip(&r, arg_len) || !rd_empty(&r))
		return DIS_MALFORMED;
	*cipher = (uint32_t)s0 << 16 | (uint32_t)s1 << 8 | s2;
	return DIS_OK;
}

enum dis_status
tls_hs_parse_ssl2_error(const uint8_t *p, size_t n, uint16_t *code)
{
	struct rd r;
	uint8_t msg_type;

	*code = 0;
	rd_init(&r, p, n);
	/* MSG-ERROR, ERROR-CODE-MSB, ERROR-CODE-LSB. */
	if (!rd_u8(&r, &msg_type) || msg_type != TLS_SSL2_MT_ERROR ||
	    !rd_u16(&r, code) || !rd_empty(&r)) {
		*code = 0;
		return DIS_MALFORMED;
	}
	return DIS_OK;
}

/*
 * The smallest and largest body a known handshake type can have (largest
 * UINT32_MAX: no bound but the caller's); false for a type no TLS version
 * sends.
 */
static bool
hs_bounds(uint8_t type, uint32_t *min, uint32_t *max)
{
	*min = 1;
	*max = UINT32_MAX;
	switch (type) {
	case TLS_HS_HELLO_REQUEST:
	case TLS_HS_END_OF_EARLY_DATA:
	case TLS_HS_SERVER_HELLO_DONE:
		/* RFC 5246 7.4.1.1, 7.4.5; RFC 8446 4.5: empty. */
		*min = 0;
		*max = 0;
		return true;
	case TLS_HS_CLIENT_HELLO:
	case TLS_HS_SERVER_HELLO:
		/* version, random, and at least a cipher suite. */
		*min = 2 + TLS_HS_RANDOM_LEN + 2;
		return true;
	case TLS_HS_FINISHED:
		/* 12 bytes in TLS <= 1.2 (RFC 5246 7.4.9), 36 in SSL 3.0, the
		 * hash length (32..64) in TLS 1.3. */
		*min = 12;
		*max = 64;
		return true;
	case TLS_HS_KEY_UPDATE:
		/* RFC 8446 4.6.3: one byte. */
		*max = 1;
		return true;
	case TLS_HS_NEW_SESSION_TICKET:
	case TLS_HS_HELLO_RETRY_REQUEST_DRAFT:
	case TLS_HS_ENCRYPTED_EXTENSIONS:
	case TLS_HS_CERTIFICATE:
	case TLS_HS_SERVER_KEY_EXCHANGE:
	case TLS_HS_CERTIFICATE_REQUEST:
	case TLS_HS_CERTIFICATE_VERIFY:
	case TLS_HS_CLIENT_KEY_EXCHANGE:
	case TLS_HS_CERTIFICATE_STATUS:
	case 21:  /* certificate_url, RFC 6066 5 */
	case 23:  /* supplemental_data, RFC 4680 */
	case 25:  /* compressed_certificate, RFC 8879 */
	case 67:  /* next_protocol (NPN draft) */
	case 254: /* message_hash, RFC 8446 4.4.1 */
		return true;
	default:
		return false;
	}
}

bool
tls_hs_plausible(const uint8_t *p, size_t n, size_t max_len)
{
	struct rd r;
	uint8_t type;
	uint32_t len, min, max;

	rd_init(&r, p, n);
	while (!rd_empty(&r)) {
		if (!rd_u8(&r, &type) || !hs_bounds(type, &min, &max))
			return false;
		/* A header cut by the record's end: only the type can be
		 * judged. */
		if (!rd_u24(&r, &len))
			return true;
		if (len < min || len > max || len > max_len)
			return false;
		if (len >= r.left)
			return true;
		if (!rd_skip(&r, len))
			return false;
	}
	return true;
}

enum dis_status
tls_hs_parse_certificate(const uint8_t *p, size_t n, bool tls13,
                         struct tls_certificate *out)
{
	struct rd r, ctx, list, shape, cert, exts;

	memset(out, 0, sizeof *out);
	rd_init(&r, p, n);
	/* RFC 8446 4.4.2: certificate_request_context <0..255> first. */
	if (tls13 && !rd_vec8(&r, &ctx))
		return DIS_MALFORMED;
	/* certificate_list <0..2^24-1> of ASN.1Cert <1..2^24-1>. */
	if (!rd_vec24(&r, &list) || !rd_empty(&r))
		return DIS_MALFORMED;
	shape = list;
	while (!rd_empty(&shape)) {
		if (!rd_vec24(&shape, &cert) || rd_empty(&cert))
			return DIS_MALFORMED;
		if (tls13 && !rd_vec16(&shape, &exts))
			return DIS_MALFORMED;
	}
	while (!rd_empty(&list)) {
		if (!rd_vec24(&list, &cert))
			return DIS_MALFORMED;
		if (tls13 && !rd_vec16(&list, &exts))
			return DIS_MALFORMED;
		out->total += cert.left;
		if (out->count < TLS_HS_MAX_CERTS) {
			out->der[out->count].p = cert.p;
			out->der[out->count].n = cert.left;
			out->count++;
		} else if (out->dropped < UINT16_MAX) {
			out->dropped++;
		}
	}
	return DIS_OK;
}

bool
tls_hs_certificate_list_len(const uint8_t *p, size_t n, bool tls13,
                            uint32_t *len)
{
	struct rd r, ctx;

	*len = 0;
	rd_init(&r, p, n);
	if (tls13 && !rd_vec8(&r, &ctx))
		return false;
	return rd_u24(&r, len);
}

enum dis_status
tls_hs_parse_cert_status(const uint8_t *p, size_t n, struct tls_cert_status *out)
{
	struct rd r, resp, list;

	memset(out, 0, sizeof *out);
	rd_init(&r, p, n);
	if (!rd_u8(&r, &out->status_type))
		return DIS_MALFORMED;
	switch (out->status_type) {
	case 1:
		/* RFC 6066 8: OCSPResponse <1..2^24-1>. */
		if (!rd_vec24(&r, &resp) || rd_empty(&resp) || !rd_empty(&r))
			return DIS_MALFORMED;
		out->response_len = (uint32_t)resp.left;
		return DIS_OK;
	case 2:
		/* RFC 6961 2.2: ocsp_response_list <1..2^24-1> of
		 * OCSPResponse <0..2^24-1>. */
		if (!rd_vec24(&r, &list) || rd_empty(&list) || !rd_empty(&r))
			return DIS_MALFORMED;
		out->response_len = (uint32_t)list.left;
		while (!rd_empty(&list))
			if (!rd_vec24(&list, &resp))
				return DIS_MALFORMED;
		return DIS_OK;
	default:
		return DIS_UNSUPPORTED;
	}
}

/* The signature that ends a ServerKeyExchange: TLS 1.2 prefixes the
 * algorithm (RFC 5246 7.4.3), earlier versions do not (RFC 4346 7.4.3);
 * anonymous suites have none. Tries what the version allows. */
static bool
ske_signature(struct rd *r, uint16_t version, uint16_t *sig_alg)
{
	struct rd t, sig;

	*sig_alg = 0;
	if (rd_empty(r))
		return true;
	if (version == 0 || version >= TLS_V_TLS12) {
		t = *r;
		if (rd_u16(&t, sig_alg) && rd_vec16(&t, &sig) && rd_empty(&t)) {
			*r = t;
			return true;
		}
		*sig_alg = 0;
	}
	if (version == 0 || version < TLS_V_TLS12) {
		t = *r;
		if (rd_vec16(&t, &sig) && rd_empty(&t)) {
			*r = t;
			return true;
		}
	}
	return false;
}

static uint32_t
bits_of(const struct rd *num)
{
	size_t i = 0;
	uint8_t top;
	uint32_t bits;

	while (i < num->left && num->p[i] == 0)
		i++;
	if (i == num->left)
		return 0;
	top = num->p[i];
	bits = (uint32_t)(num->left - i - 1) * 8u;
	while (top != 0) {
		bits++;
		top >>= 1;
	}
	return bits;
}

enum dis_status
tls_hs_parse_server_key_exchange(const uint8_t *p, size_t n, uint16_t version,
                                 struct tls_server_key_exchange *out)
{
	struct rd r, point, dh_p, dh_g, dh_ys;
	uint8_t curve_type;

	memset(out, 0, sizeof *out);
	out->len = (uint32_t)n;
	/* RFC 8422 5.4: ECParameters {curve_type = named_curve(3), group},
	 * ECPoint <1..2^8-1>, then the signature. */
	rd_init(&r, p, n);
	if (rd_u8(&r, &curve_type) && curve_type == 3 &&
	    rd_u16(&r, &out->group) && rd_vec8(&r, &point) && !rd_empty(&point) &&
	    ske_signature(&r, version, &out->sig_alg)) {
		out->kx = TLS_KX_ECDHE;
		return DIS_OK;
	}
	/* RFC 5246 7.4.3: ServerDHParams dh_p, dh_g, dh_Ys <1..2^16-1>. */
	rd_init(&r, p, n);
	if (rd_vec16(&r, &dh_p) && !rd_empty(&dh_p) &&
	    rd_vec16(&r, &dh_g) && !rd_empty(&dh_g) &&
	    rd_vec16(&r, &dh_ys) && !rd_empty(&dh_ys) &&
	    ske_signature(&r, version, &out->sig_alg)) {
		out->kx = TLS_KX_DHE;
		out->group = 0;
		out->dh_p_bits = bits_of(&dh_p);
		return DIS_OK;
	}
	/* PSK hints, SRP, RSA export...: the layout depends on the suite. */
	memset(out, 0, sizeof *out);
	out->len = (uint32_t)n;
	out->kx = TLS_KX_UNKNOWN;
	return DIS_OK;
}

/* DistinguishedName certificate_authorities <0..2^16-1>, each <1..2^16-1>. */
static bool
count_ca_names(struct rd *r, uint16_t *count)
{
	struct rd list, dn;

	*count = 0;
	if (!rd_vec16(r, &list))
		return false;
	while (!rd_empty(&list)) {
		if (!rd_vec16(&list, &dn) || rd_empty(&dn))
			return false;
		if (*count < UINT16_MAX)
			(*count)++;
	}
	return true;
}

static bool
cert_request_12(struct rd r, struct tls_cert_request *out)
{
	struct rd types, algs;

	if (!rd_vec8(&r, &types) || rd_empty(&types))
		return false;
	if (!rd_vec16(&r, &algs) || !u16_vec_ok(&algs))
		return false;
	if (!count_ca_names(&r, &out->ca_names) || !rd_empty(&r))
		return false;
	out->cert_types = (uint8_t)types.left;
	out->sig_algs = (uint16_t)(algs.left / 2);
	return true;
}

static bool
cert_request_11(struct rd r, struct tls_cert_request *out)
{
	struct rd types;

	if (!rd_vec8(&r, &types) || rd_empty(&types))
		return false;
	if (!count_ca_names(&r, &out->ca_names) || !rd_empty(&r))
		return false;
	out->cert_types = (uint8_t)types.left;
	out->sig_algs = 0;
	return true;
}

enum dis_status
tls_hs_parse_cert_request(const uint8_t *p, size_t n, uint16_t version,
                          struct tls_cert_request *out)
{
	struct rd r;

	memset(out, 0, sizeof *out);
	/* RFC 8446 4.3.2 has another layout, and is never in plaintext. */
	if (version != 0 && version > TLS_V_TLS12)
		return DIS_UNSUPPORTED;
	rd_init(&r, p, n);
	if ((version == 0 || version == TLS_V_TLS12) && cert_request_12(r, out))
		return DIS_OK;
	memset(out, 0, sizeof *out);
	if ((version == 0 || version < TLS_V_TLS12) && cert_request_11(r, out))
		return DIS_OK;
	memset(out, 0, sizeof *out);
	return DIS_MALFORMED;
}
