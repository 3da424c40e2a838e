/* tls_names.c: names of TLS numbers for reports (IANA registries). */
#include <stdio.h>

#include "iana_tables.h"
#include "tls/tls_names.h"

const char *
tls_hex16(uint16_t v, char hex[TLS_NAMES_HEX_LEN])
{
	static const char dig[] = "0123456789abcdef";

	/* By hand: a JSON line writes dozens of these (every offered suite). */
	hex[0] = '0';
	hex[1] = 'x';
	hex[2] = dig[(v >> 12) & 0xfu];
	hex[3] = dig[(v >> 8) & 0xfu];
	hex[4] = dig[(v >> 4) & 0xfu];
	hex[5] = dig[v & 0xfu];
	hex[6] = '\0';
	return hex;
}

static const char *
or_hex(const char *name, uint16_t v, char hex[TLS_NAMES_HEX_LEN])
{
	return name != NULL ? name : tls_hex16(v, hex);
}

const char *
tls_version_str(uint16_t v, char hex[TLS_NAMES_HEX_LEN])
{
	/* draft-ietf-tls-tls13-28 (and every draft since -00) numbers
	 * itself 0x7f00 + the draft number. */
	if ((v & 0xff00u) == 0x7f00u) {
		snprintf(hex, TLS_NAMES_HEX_LEN, "TLS 1.3 (draft %u)",
		         (unsigned)(v & 0xffu));
		return hex;
	}
	return or_hex(iana_version_name(v), v, hex);
}

const char *
tls_hex24(uint32_t v, char hex[TLS_NAMES_HEX_LEN])
{
	snprintf(hex, TLS_NAMES_HEX_LEN, "0x%06x", (unsigned)(v & 0xffffffu));
	return hex;
}

const char *
tls_ssl2_cipher_name(uint32_t spec)
{
	/* draft-hickman-netscape-ssl-00, appendix C. */
	switch (spec) {
	case 0x010080:
		return "SSL_CK_RC4_128_WITH_MD5";
	case 0x020080:
		return "SSL_CK_RC4_128_EXPORT40_WITH_MD5";
	case 0x030080:
		return "SSL_CK_RC2_128_CBC_WITH_MD5";
	case 0x040080:
		return "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5";
	case 0x050080:
		return "SSL_CK_IDEA_128_CBC_WITH_MD5";
	case 0x060040:
		return "SSL_CK_DES_64_CBC_WITH_MD5";
	case 0x0700c0:
		return "SSL_CK_DES_192_EDE3_CBC_WITH_MD5";
	default:
		return NULL;
	}
}

const char *
tls_cipher_str(uint16_t v, char hex[TLS_NAMES_HEX_LEN])
{
	return or_hex(iana_cipher_name(v), v, hex);
}

const char *
tls_group_str(uint16_t v, char hex[TLS_NAMES_HEX_LEN])
{
	return or_hex(iana_group_name(v), v, hex);
}

const char *
tls_sigalg_str(uint16_t v, char hex[TLS_NAMES_HEX_LEN])
{
	return or_hex(iana_sigalg_name(v), v, hex);
}

const char *
tls_ext_str(uint16_t v, char hex[TLS_NAMES_HEX_LEN])
{
	return or_hex(iana_ext_name(v), v, hex);
}

const char *
tls_alert_str(uint8_t v, char hex[TLS_NAMES_HEX_LEN])
{
	const char *n = iana_alert_name(v);

	if (n != NULL)
		return n;
	snprintf(hex, TLS_NAMES_HEX_LEN, "alert%u", (unsigned)v);
	return hex;
}
