/*
 * tls_hs.h: TLS handshake message parsers (RFC 5246 7.4, RFC 8446 4) into
 * caller-owned, fixed-size structs; SSLv2-compatible ClientHello (RFC 6101
 * appendix E.2, RFC 5246 appendix E.2); the ServerHello and
 * HelloRetryRequest of TLS 1.3 drafts before 22
 * (draft-ietf-tls-tls13-18 4.1.3, -19 4.1.4); the SSL 2.0 SERVER-HELLO,
 * CLIENT-MASTER-KEY and ERROR messages (draft-hickman-netscape-ssl-00).
 *
 * Each parser takes the body of one complete handshake message (the record
 * layer, tls_record.h, has already cut it out and decided SHORT versus
 * complete), so running out of bytes inside it is DIS_MALFORMED. Every
 * vector is read as a child reader that must be consumed exactly.
 *
 * tls_client_hello and tls_server_hello are plain data: they hold no
 * pointer into the input (SNI and ALPN are copied into bounded fields), so
 * they can be copied and kept after the input is gone. Lists keep the wire
 * order and include GREASE values (RFC 8701), which tls_hs_is_grease()
 * recognises; they have a fixed capacity, with `count` kept and `dropped`
 * counting what did not fit (never dropped silently, and TLS_ANOM_DROPPED
 * is raised).
 *
 * tls_certificate is the exception: its DER entries are views into the
 * message and live only as long as the bytes given to the parser.
 */
#ifndef TLS_HS_H
#define TLS_HS_H

#include <stdbool.h>

#include "ta.h"

/* Handshake message types (RFC 8446 4, RFC 5246 7.4, RFC 6066 8). */
#define TLS_HS_HELLO_REQUEST 0
#define TLS_HS_CLIENT_HELLO 1
#define TLS_HS_SERVER_HELLO 2
#define TLS_HS_NEW_SESSION_TICKET 4
/* hello_retry_request(6) of TLS 1.3 drafts up to 21; draft 22 made it a
 * ServerHello with a special random. */
#define TLS_HS_HELLO_RETRY_REQUEST_DRAFT 6
#define TLS_HS_END_OF_EARLY_DATA 5
#define TLS_HS_ENCRYPTED_EXTENSIONS 8
#define TLS_HS_CERTIFICATE 11
#define TLS_HS_SERVER_KEY_EXCHANGE 12
#define TLS_HS_CERTIFICATE_REQUEST 13
#define TLS_HS_SERVER_HELLO_DONE 14
#define TLS_HS_CERTIFICATE_VERIFY 15
#define TLS_HS_CLIENT_KEY_EXCHANGE 16
#define TLS_HS_FINISHED 20
#define TLS_HS_CERTIFICATE_STATUS 22
#define TLS_HS_KEY_UPDATE 24

/* msg_type (1) and length (3) before every handshake message body. */
#define TLS_HS_HDR_LEN 4

/* Protocol versions as they appear on the wire. */
#define TLS_V_SSL2 0x0002
#define TLS_V_SSL3 0x0300
#define TLS_V_TLS10 0x0301
#define TLS_V_TLS11 0x0302
#define TLS_V_TLS12 0x0303
#define TLS_V_TLS13 0x0304
/* TLS 1.3 drafts are 0x7f00 + N; before draft 22 the ServerHello had no
 * session id echo nor compression method and carried the draft version
 * itself (draft-ietf-tls-tls13-18 4.1.3). */
#define TLS_V_DRAFT(n) (0x7f00 + (n))

/* SSL 2.0 message types (draft-hickman-netscape-ssl-00, appendix A). */
#define TLS_SSL2_MT_ERROR 0
#define TLS_SSL2_MT_CLIENT_HELLO 1
#define TLS_SSL2_MT_CLIENT_MASTER_KEY 2
#define TLS_SSL2_MT_SERVER_HELLO 4
/* SSL 2.0 certificate type X.509 (SSL_X509_CERTIFICATE). */
#define TLS_SSL2_CT_X509 1
/*
 * tls_server_hello.cipher of an SSL 2.0 SERVER-HELLO: SSL 2.0 cipher
 * specs are 24-bit and have no TLS suite number; the spec the client
 * chose is in ssl2_cipher. 0xffff is in the private-use range of the
 * cipher-suite registry, so no name or class is ever found for it.
 */
#define TLS_CIPHER_SSL2 0xffff

/* Extension types the parsers interpret (IANA TLS ExtensionType). */
#define TLS_EXT_SERVER_NAME 0
#define TLS_EXT_MAX_FRAGMENT_LENGTH 1
#define TLS_EXT_STATUS_REQUEST 5
#define TLS_EXT_SUPPORTED_GROUPS 10
#define TLS_EXT_EC_POINT_FORMATS 11
#define TLS_EXT_SIGNATURE_ALGORITHMS 13
#define TLS_EXT_ALPN 16
#define TLS_EXT_PADDING 21
#define TLS_EXT_ENCRYPT_THEN_MAC 22
#define TLS_EXT_EXTENDED_MASTER_SECRET 23
#define TLS_EXT_COMPRESS_CERTIFICATE 27
#define TLS_EXT_RECORD_SIZE_LIMIT 28
#define TLS_EXT_SESSION_TICKET 35
#define TLS_EXT_PRE_SHARED_KEY 41
#define TLS_EXT_EARLY_DATA 42
#define TLS_EXT_SUPPORTED_VERSIONS 43
#define TLS_EXT_COOKIE 44
#define TLS_EXT_PSK_KEY_EXCHANGE_MODES 45
#define TLS_EXT_POST_HANDSHAKE_AUTH 49
#define TLS_EXT_SIGNATURE_ALGORITHMS_CERT 50
#define TLS_EXT_KEY_SHARE 51
#define TLS_EXT_ENCRYPTED_CLIENT_HELLO 0xfe0d
#define TLS_EXT_RENEGOTIATION_INFO 0xff01

/* Capacities of the fixed lists. Real hellos stay well below them. */
#define TLS_HS_MAX_CIPHERS 128
#define TLS_HS_MAX_EXTS 48
#define TLS_HS_MAX_VERSIONS 16
#define TLS_HS_MAX_GROUPS 32
#define TLS_HS_MAX_SIGALGS 64
#define TLS_HS_MAX_POINT_FORMATS 8
#define TLS_HS_MAX_COMPRESSION 8
#define TLS_HS_MAX_KEY_SHARES 8
#define TLS_HS_MAX_CERT_COMPRESS 8
#define TLS_HS_MAX_ALPN 8
#define TLS_HS_ALPN_NAME_MAX 32
#define TLS_HS_MAX_SSL2_SPECS 16
#define TLS_HS_MAX_CERTS 16
#define TLS_HS_SNI_MAX 255
#define TLS_HS_SESSION_ID_MAX 32
#define TLS_HS_RANDOM_LEN 32

/*
 * Anomalies: things that break a rule but leave the message readable.
 * Parsing goes on; the bits accumulate in `anomalies`.
 */
#define TLS_ANOM_DUP_EXT 0x0001u       /* an extension type appears twice */
#define TLS_ANOM_BAD_EXT 0x0002u       /* an extension body contradicts itself */
#define TLS_ANOM_GREASE 0x0004u        /* GREASE values present (informative) */
#define TLS_ANOM_DROPPED 0x0008u       /* a list exceeded its capacity */
#define TLS_ANOM_SNI_MULTI 0x0010u     /* more than one host_name */
#define TLS_ANOM_SNI_EMPTY 0x0020u     /* server_name with no usable host_name */
#define TLS_ANOM_PSK_NOT_LAST 0x0040u  /* pre_shared_key is not the last extension */
#define TLS_ANOM_NO_NULL_COMP 0x0080u  /* ClientHello lacks null compression */
#define TLS_ANOM_COMPRESSION 0x0100u   /* ServerHello chose a compression method */
#define TLS_ANOM_DOWNGRADE 0x0200u     /* ServerHello random carries RFC 8446
                                        * 4.1.3's sentinel: the server can do
                                        * TLS 1.3 but chose an older version
                                        * (normal when the client asked for
                                        * that; informative) */
#define TLS_ANOM_PADDING_NONZERO 0x0400u /* padding extension with non-zero bytes */
#define TLS_ANOM_EXT_UNEXPECTED 0x0800u /* an extension not allowed in this message */

/* A fixed list of 16-bit values in wire order. */
#define TLS_U16_LIST(cap)  \
	struct {           \
		uint16_t v[cap];   \
		uint16_t count;    \
		uint16_t dropped;  \
	}

struct tls_alpn_name {
	uint8_t len;                     /* length on the wire, 1..255 */
	uint8_t v[TLS_HS_ALPN_NAME_MAX]; /* its first min(len, MAX) bytes */
	uint8_t last;                    /* its last byte, even when v is cut (JA4) */
};

struct tls_alpn {
	struct tls_alpn_name name[TLS_HS_MAX_ALPN];
	uint8_t count;
	uint8_t dropped;
};

/* ClientHello (RFC 8446 4.1.2, RFC 5246 7.4.1.2), or an SSLv2 CLIENT-HELLO. */
struct tls_client_hello {
	bool sslv2;              /* came in an SSLv2-compatible record */
	uint16_t record_version; /* of the record that carried its first byte
	                          * (filled by the record layer; TLS_V_SSL2 for
	                          * an SSLv2 record) */
	uint16_t legacy_version; /* client_version */
	uint8_t random[TLS_HS_RANDOM_LEN]; /* SSLv2: the challenge, right-aligned */
	uint8_t session_id_len;
	uint8_t session_id[TLS_HS_SESSION_ID_MAX];

	TLS_U16_LIST(TLS_HS_MAX_CIPHERS) ciphers; /* GREASE included */
	/* SSLv2 cipher specs whose first byte is not 0 (the others are in
	 * `ciphers`), as 24-bit values in wire order. */
	struct {
		uint32_t v[TLS_HS_MAX_SSL2_SPECS];
		uint16_t count;
		uint16_t dropped;
	} ssl2_specs;
	struct {
		uint8_t v[TLS_HS_MAX_COMPRESSION];
		uint8_t count;
		uint8_t dropped;
	} compression;

	bool has_extensions;     /* the extensions block is present (even empty) */
	TLS_U16_LIST(TLS_HS_MAX_EXTS) exts; /* types in wire order, GREASE included */

	bool has_supported_versions;
	TLS_U16_LIST(TLS_HS_MAX_VERSIONS) versions;  /* supported_versions */
	TLS_U16_LIST(TLS_HS_MAX_GROUPS) groups;      /* supported_groups */
	TLS_U16_LIST(TLS_HS_MAX_SIGALGS) sig_algs;   /* signature_algorithms */
	TLS_U16_LIST(TLS_HS_MAX_KEY_SHARES) key_shares; /* key_share groups offered */
	TLS_U16_LIST(TLS_HS_MAX_CERT_COMPRESS) cert_compress; /* compress_certificate */
	struct {
		uint8_t v[TLS_HS_MAX_POINT_FORMATS];
		uint8_t count;
		uint8_t dropped;
	} point_formats;         /* ec_point_formats */

	bool has_sni;            /* a server_name extension is present */
	uint16_t sni_len;        /* length of the first host_name on the wire */
	uint8_t sni[TLS_HS_SNI_MAX + 1]; /* its first min(sni_len, MAX) bytes,
	                          * raw (not validated, NUL-terminated for
	                          * convenience only) */

	bool has_alpn;
	struct tls_alpn alpn;

	/* Presence of the other interpreted extensions. */
	bool renegotiation_info;
	bool extended_master_secret;
	bool session_ticket;
	uint16_t session_ticket_len;  /* non-zero: resumption attempt */
	bool pre_shared_key;
	bool psk_key_exchange_modes;
	bool early_data;
	bool status_request;
	bool padding;
	uint16_t padding_len;
	bool encrypt_then_mac;
	bool record_size_limit;
	uint16_t record_size_limit_value;
	bool post_handshake_auth;
	bool compress_certificate;
	bool encrypted_client_hello;
	bool cookie;
	bool max_fragment_length;

	uint32_t anomalies;      /* TLS_ANOM_* */
	uint16_t dup_exts;       /* duplicate extensions seen */
	uint16_t bad_exts;       /* extensions whose body did not parse */
	uint16_t first_bad_ext;  /* type of the first of them */
};

/* ServerHello (RFC 8446 4.1.3, RFC 5246 7.4.1.3), HelloRetryRequest
 * included; also a TLS 1.3 draft's (see TLS_V_DRAFT) and an SSL 2.0
 * SERVER-HELLO (sslv2). */
struct tls_server_hello {
	bool sslv2;                /* an SSL 2.0 SERVER-HELLO: version is the
	                            * server's (0x0002), cipher is
	                            * TLS_CIPHER_SSL2, no extensions */
	bool draft_layout;         /* the layout of TLS 1.3 drafts before 22:
	                            * version, random, cipher_suite,
	                            * extensions (no session id, no
	                            * compression) */
	uint16_t legacy_version;
	uint16_t selected_version; /* supported_versions, 0 when absent */
	uint16_t version;          /* the one in force: selected or legacy */
	bool hello_retry;          /* random is RFC 8446 4.1.3's HRR value */
	uint8_t random[TLS_HS_RANDOM_LEN];
	uint8_t session_id_len;
	uint8_t session_id[TLS_HS_SESSION_ID_MAX];
	uint16_t cipher;
	uint8_t compression;

	bool has_extensions;
	TLS_U16_LIST(TLS_HS_MAX_EXTS) exts; /* types in wire order */

	bool has_key_share;
	uint16_t key_share_group;  /* chosen (or, in an HRR, requested) group */
	bool has_alpn;
	struct tls_alpn alpn;      /* the chosen protocol: count is 1 */

	bool renegotiation_info;
	bool extended_master_secret;
	bool encrypt_then_mac;
	bool session_ticket;
	bool status_request;
	bool server_name;          /* the server acknowledged SNI */
	bool pre_shared_key;
	uint16_t psk_identity;     /* selected_identity */
	bool record_size_limit;
	uint16_t record_size_limit_value;
	bool max_fragment_length;
	bool cookie;               /* HRR cookie */

	uint32_t anomalies;
	uint16_t dup_exts;
	uint16_t bad_exts;
	uint16_t first_bad_ext;

	/* SSL 2.0 only. */
	uint8_t ssl2_session_id_hit; /* non-zero: the session is resumed */
	uint8_t ssl2_cert_type;    /* TLS_SSL2_CT_X509 when a certificate came */
	uint16_t ssl2_conn_id_len;
	struct {
		uint32_t v[TLS_HS_MAX_SSL2_SPECS]; /* the server's cipher specs */
		uint16_t count;
		uint16_t dropped;
	} ssl2_specs;
	uint32_t ssl2_cipher;      /* the spec the client chose in its
	                            * CLIENT-MASTER-KEY (filled by the record
	                            * layer's caller); 0 until then */
};

/* Certificate (RFC 5246 7.4.2; RFC 8446 4.4.2 when tls13). */
struct tls_certificate {
	struct ta_bytes der[TLS_HS_MAX_CERTS]; /* views into the message, in
	                                        * the sender's order (leaf first) */
	uint16_t count;
	uint16_t dropped;
	size_t total;                /* bytes of all certificates, dropped too */
};

/* CertificateStatus (RFC 6066 8). */
struct tls_cert_status {
	uint8_t status_type;         /* 1: ocsp */
	uint32_t response_len;
};

enum tls_kx {
	TLS_KX_UNKNOWN = 0,          /* no layout fits; only the length is known */
	TLS_KX_ECDHE,                /* RFC 8422 5.4 */
	TLS_KX_DHE,                  /* RFC 5246 7.4.3 */
};

/* ServerKeyExchange: the layout is recognised by shape (the parser is
 * not told the cipher suite). */
struct tls_server_key_exchange {
	enum tls_kx kx;
	uint16_t group;              /* ECDHE named curve */
	uint32_t dh_p_bits;          /* DHE prime size (leading zeros stripped) */
	uint16_t sig_alg;            /* TLS 1.2 SignatureAndHashAlgorithm, or 0 */
	uint32_t len;
};

/* CertificateRequest (RFC 5246 7.4.4; RFC 4346 7.4.4 before TLS 1.2). */
struct tls_cert_request {
	uint8_t cert_types;          /* number of certificate types */
	uint16_t sig_algs;           /* number of signature algorithms (1.2) */
	uint16_t ca_names;           /* number of acceptable CA names */
};

/* A TLS 1.3 draft before 22, whose ServerHello has the draft layout. */
static inline bool
tls_hs_is_old_draft(uint16_t v)
{
	return v > TLS_V_DRAFT(0) && v < TLS_V_DRAFT(22);
}

/* RFC 8701: 0x?a?a with both bytes equal. */
static inline bool
tls_hs_is_grease(uint16_t v)
{
	return (v & 0x0f0fu) == 0x0a0au && (v >> 8) == (v & 0xffu);
}

/*
 * Split the handshake message at the start of p: its type, its body, and
 * the bytes it takes (4 + body). DIS_SHORT when the header or the body has
 * not all arrived.
 */
enum dis_status tls_hs_split(const uint8_t *p, size_t n, uint8_t *type,
                             struct ta_bytes *body, size_t *msg_len) TA_MUST_CHECK;

/*
 * Could a handshake message start at p (n bytes, the start of a record's
 * body)? Each header present must have a known type (RFC 8446 4, RFC 5246
 * 7.4, RFC 6066, drafts' hello_retry_request) and a length that message
 * can have (at most max_len; fixed sizes where the RFC fixes them), and
 * the messages must end exactly at n or the last one run past it (it goes
 * on in a later record; a header cut by the record end is judged on the
 * bytes present). Used after a gap, to tell a record that starts a
 * message from one that continues a message whose start was lost.
 */
bool tls_hs_plausible(const uint8_t *p, size_t n, size_t max_len);

/* The parsers below take one message body and fill *out (zeroed first). */
enum dis_status tls_hs_parse_client_hello(const uint8_t *p, size_t n,
                                          struct tls_client_hello *out) TA_MUST_CHECK;
/* The SSLv2 CLIENT-HELLO message (after the 2-byte record header: it starts
 * with msg type 1). */
enum dis_status tls_hs_parse_ssl2_client_hello(const uint8_t *p, size_t n,
                                               struct tls_client_hello *out) TA_MUST_CHECK;
/* RFC 8446 form, and the draft layout when the version field is a draft
 * before 22. */
enum dis_status tls_hs_parse_server_hello(const uint8_t *p, size_t n,
                                          struct tls_server_hello *out) TA_MUST_CHECK;
/* hello_retry_request(6) of drafts 18 to 21 (draft-ietf-tls-tls13-19
 * 4.1.4: server_version, cipher_suite from draft 19 on, extensions), as a
 * tls_server_hello with hello_retry set. DIS_UNSUPPORTED for a
 * server_version that is not such a draft. */
enum dis_status tls_hs_parse_draft_hello_retry(const uint8_t *p, size_t n,
                                               struct tls_server_hello *out) TA_MUST_CHECK;
/* SSL 2.0 SERVER-HELLO (after the record header: it starts with msg type
 * 4): out as described at tls_server_hello; cert gets the server's
 * certificate (one view into p, count 0 when the session was resumed or
 * the certificate is not X.509). */
enum dis_status tls_hs_parse_ssl2_server_hello(const uint8_t *p, size_t n,
                                               struct tls_server_hello *out,
                                               struct tls_certificate *cert) TA_MUST_CHECK;
/* SSL 2.0 CLIENT-MASTER-KEY (msg type 2): the chosen cipher spec. */
enum dis_status tls_hs_parse_ssl2_client_master_key(const uint8_t *p, size_t n,
                                                    uint32_t *cipher) TA_MUST_CHECK;
/* SSL 2.0 ERROR (msg type 0): the 16-bit error code. */
enum dis_status tls_hs_parse_ssl2_error(const uint8_t *p, size_t n,
                                        uint16_t *code) TA_MUST_CHECK;
enum dis_status tls_hs_parse_certificate(const uint8_t *p, size_t n, bool tls13,
                                         struct tls_certificate *out) TA_MUST_CHECK;
/* For a Certificate body that did not parse, to say why: the length its
 * certificate_list declares (RFC 5246 7.4.2; RFC 8446 4.4.2, after the
 * certificate_request_context), true when those bytes are there. */
bool tls_hs_certificate_list_len(const uint8_t *p, size_t n, bool tls13,
                                 uint32_t *len) TA_MUST_CHECK;
enum dis_status tls_hs_parse_cert_status(const uint8_t *p, size_t n,
                                         struct tls_cert_status *out) TA_MUST_CHECK;
/* version: the negotiated version (decides whether a signature algorithm
 * precedes the signature). */
enum dis_status tls_hs_parse_server_key_exchange(const uint8_t *p, size_t n,
                                                 uint16_t version,
                                                 struct tls_server_key_exchange *out) TA_MUST_CHECK;
enum dis_status tls_hs_parse_cert_request(const uint8_t *p, size_t n,
                                          uint16_t version,
                                          struct tls_cert_request *out) TA_MUST_CHECK;

#endif
