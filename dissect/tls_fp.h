/*
 * tls_fp.h: the strings that JA3/JA3S (salesforce/ja3 README) and JA4
 * (FoxIO JA4 specification, technical_details/JA4.md) hash, built from a
 * parsed ClientHello or ServerHello (RFC 8446 4.1.2, 4.1.3).
 *
 * dissect/ does no hashing: these functions only write the exact bytes
 * that are fed to MD5 (JA3, JA3S) or to SHA-256 (JA4 parts b and c) into a
 * caller buffer, NUL-terminated. src/tls/fingerprint.h hashes them.
 *
 * Every function returns false, leaving buf as an empty string (when cap
 * allows), if
 *  - the buffer is too small (the *_MAX sizes below always suffice), or
 *  - the hello cannot give the true fingerprint: a list it depends on
 *    overflowed its capacity (`dropped` non-zero), or the ClientHello came
 *    in SSLv2 form, for which neither JA3 nor JA4 is defined. A made-up
 *    fingerprint would be worse than none.
 * GREASE values (RFC 8701) are left out of every list, as both specs say.
 */
#ifndef TLS_FP_H
#define TLS_FP_H

#include <stdbool.h>
#include <stddef.h>

#include "ta.h"
#include "tls_hs.h"

/*
 * Worst-case lengths, NUL included: a 16-bit value is at most 5 decimal
 * digits plus a separator, a hex value 4 digits plus a separator.
 */
#define TLS_FP_JA3_MAX \
	(6 + 6 * TLS_HS_MAX_CIPHERS + 6 * TLS_HS_MAX_EXTS + \
	 6 * TLS_HS_MAX_GROUPS + 4 * TLS_HS_MAX_POINT_FORMATS + 1)
#define TLS_FP_JA3S_MAX (6 + 6 + 6 * TLS_HS_MAX_EXTS + 1)
#define TLS_FP_JA4_A_MAX 11
#define TLS_FP_JA4_B_MAX (5 * TLS_HS_MAX_CIPHERS + 1)
#define TLS_FP_JA4_C_MAX (5 * TLS_HS_MAX_EXTS + 5 * TLS_HS_MAX_SIGALGS + 1)

/*
 * JA3: "SSLVersion,Ciphers,Extensions,EllipticCurves,PointFormats" in
 * decimal, list items joined by '-', wire order, e.g.
 * "769,47-53-5-10,0-10-11,23-24-25,0". Absent lists are empty fields.
 */
bool tls_fp_ja3(const struct tls_client_hello *ch, char *buf, size_t cap)
    TA_MUST_CHECK;

/*
 * JA3S: "SSLVersion,Cipher,Extensions" of a ServerHello, e.g.
 * "771,49199,65281-0-11"; the version is the ServerHello's own field.
 */
bool tls_fp_ja3s(const struct tls_server_hello *sh, char *buf, size_t cap)
    TA_MUST_CHECK;

/*
 * JA4 part a, 10 characters: "t" (TLS over TCP), the version ("13", "12",
 * "11", "10", "s3", "s2", else "00": the highest supported_versions entry,
 * else the legacy version), "d" or "i" (server_name present or not), the
 * cipher and extension counts (two digits each, capped at 99), and two
 * characters from the first ALPN value ("00" without one).
 */
bool tls_fp_ja4_a(const struct tls_client_hello *ch, char *buf, size_t cap)
    TA_MUST_CHECK;

/*
 * JA4 part b input: the cipher suites as 4-digit lowercase hex, sorted,
 * joined by ','. An empty string means "no ciphers": the caller then writes
 * "000000000000" instead of a hash.
 */
bool tls_fp_ja4_b(const struct tls_client_hello *ch, char *buf, size_t cap)
    TA_MUST_CHECK;

/*
 * JA4 part c input: the extension types without server_name (0x0000) and
 * ALPN (0x0010), sorted, then '_' and the signature algorithms in wire
 * order (no '_' when there are none). An empty string means "no
 * extensions": the caller writes "000000000000".
 */
bool tls_fp_ja4_c(const struct tls_client_hello *ch, char *buf, size_t cap)
    TA_MUST_CHECK;

#endif
