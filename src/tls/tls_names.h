/*
 * tls_names.h: TLS numbers as reports write them. Versions are "TLS 1.2"
 * and the like, anything else lowercase hex ("0x7f1c"); suites, groups,
 * signature schemes and extensions have their IANA name where one exists
 * and the 4-digit lowercase hex id otherwise. Callers give the buffer for
 * the hex form; the result is either a constant or that buffer.
 */
#ifndef TLS_NAMES_H
#define TLS_NAMES_H

#include <stddef.h>
#include <stdint.h>

#define TLS_NAMES_HEX_LEN 12

const char *tls_version_str(uint16_t v, char hex[TLS_NAMES_HEX_LEN]);
/* "0x002f" */
const char *tls_hex16(uint16_t v, char hex[TLS_NAMES_HEX_LEN]);
const char *tls_cipher_str(uint16_t v, char hex[TLS_NAMES_HEX_LEN]);
const char *tls_group_str(uint16_t v, char hex[TLS_NAMES_HEX_LEN]);
const char *tls_sigalg_str(uint16_t v, char hex[TLS_NAMES_HEX_LEN]);
const char *tls_ext_str(uint16_t v, char hex[TLS_NAMES_HEX_LEN]);
/* Alert description name, or "alert 123" style into hex when unknown. */
const char *tls_alert_str(uint8_t v, char hex[TLS_NAMES_HEX_LEN]);

#endif
