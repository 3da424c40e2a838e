/*
 * tls_names.h: TLS numbers as reports write them. Versions are "TLS 1.2"
 * and the like, the IETF drafts of TLS 1.3 (0x7f00 + N) "TLS 1.3 (draft
 * N)", anything else lowercase hex ("0xfb1a", "0x7e01"); suites, groups,
 * signature schemes and extensions have their IANA name where one exists
 * and the 4-digit lowercase hex id otherwise. Callers give the buffer for
 * the hex form; the result is either a constant or that buffer.
 */
#ifndef TLS_NAMES_H
#define TLS_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* Room for "TLS 1.3 (draft 255)" and "alert255". */
#define TLS_NAMES_HEX_LEN 24

const char *tls_version_str(uint16_t v, char hex[TLS_NAMES_HEX_LEN]);
/* "0x002f" */
const char *tls_hex16(uint16_t v, char hex[TLS_NAMES_HEX_LEN]);
const char *tls_cipher_str(uint16_t v, char hex[TLS_NAMES_HEX_LEN]);
const char *tls_group_str(uint16_t v, char hex[TLS_NAMES_HEX_LEN]);
const char *tls_sigalg_str(uint16_t v, char hex[TLS_NAMES_HEX_LEN]);
const char *tls_ext_str(uint16_t v, char hex[TLS_NAMES_HEX_LEN]);
/* Alert description name, or "alert 123" style into hex when unknown. */
const char *tls_alert_str(uint8_t v, char hex[TLS_NAMES_HEX_LEN]);
/* An SSL 2.0 cipher spec (24 bits): its name in the SSL 2.0 draft
 * ("SSL_CK_RC4_128_WITH_MD5"), or NULL. */
const char *tls_ssl2_cipher_name(uint32_t spec);
/* The same as "0x010080". */
const char *tls_hex24(uint32_t v, char hex[TLS_NAMES_HEX_LEN]);

#endif
