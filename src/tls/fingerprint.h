/*
 * fingerprint.h: JA3 and JA3S (MD5 of the salesforce/ja3 strings) and JA4
 * (FoxIO JA4 spec: a_b_c with truncated SHA-256) of parsed hellos
 * (RFC 8446 4.1.2, 4.1.3), hashed with OpenSSL.
 *
 * dissect/tls_fp.h builds the strings; this module hashes them and writes
 * the final value, lowercase, NUL-terminated, into a caller array of the
 * size given below. Each function returns false and leaves an empty string
 * when no true fingerprint exists (an SSLv2 hello, a list that overflowed
 * the parser's capacity) or the digest is unavailable (an OpenSSL
 * configuration without MD5, say). The digests of recent strings are
 * kept (a fixed-size memo, allocated once) and reused for the same string.
 */
#ifndef FINGERPRINT_H
#define FINGERPRINT_H

#include <stdbool.h>

#include "ta.h"
#include "tls_hs.h"

/* 32 hex digits of MD5, plus NUL. */
#define FINGERPRINT_JA3_LEN 33
/* "t13d1516h2_8daaf6152771_e5627efa2ab1": 10 + 1 + 12 + 1 + 12, plus NUL. */
#define FINGERPRINT_JA4_LEN 37

bool fingerprint_ja3(const struct tls_client_hello *ch,
    char out[FINGERPRINT_JA3_LEN]) TA_MUST_CHECK;
bool fingerprint_ja3s(const struct tls_server_hello *sh,
    char out[FINGERPRINT_JA3_LEN]) TA_MUST_CHECK;
bool fingerprint_ja4(const struct tls_client_hello *ch,
    char out[FINGERPRINT_JA4_LEN]) TA_MUST_CHECK;

#endif
