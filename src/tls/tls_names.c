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
	return or_hex(iana_version_name(v), v, hex);
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
