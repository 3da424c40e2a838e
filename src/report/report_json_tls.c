/* report_json_tls.c: the TLS and STARTTLS parts of a connection object
 * (client_hello, server_hello, alerts, handshake_complete, starttls). */
#include "tls/fingerprint.h"
#include "iana_tables.h"
#include "report/json.h"
#include "report/report.h"
#include "tls/tls_names.h"

static const char *
side_str(enum tls_side s)
{
	return s == TLS_SIDE_CLIENT ? "client" : "server";
}

static void
frame_or_null(struct json *j, const char *key, bool known, ta_frame f)
{
	if (known)
		json_uint(j, key, TA_FRAME_NO(f));
	else
		json_null(j, key);
}

/* A 16-bit list with GREASE dropped, as names (or hex). */
static void
u16_names(struct json *j, const char *key, const uint16_t *v, uint16_t n,
          const char *(*name)(uint16_t, char[TLS_NAMES_HEX_LEN]))
{
	char hex[TLS_NAMES_HEX_LEN];

	json_arr(j, key);
	for (uint16_t i = 0; i < n; i++)
		if (!iana_is_grease(v[i]))
			json_str(j, NULL, name(v[i], hex));
	json_close(j);
}

static void
client_hello(struct json *j, const struct capture *cap, const struct conn *c,
             const char *key, const struct tls_client_hello *ch,
             ta_frame frame)
{
	char hex[TLS_NAMES_HEX_LEN], fp[FINGERPRINT_JA4_LEN];

	json_obj(j, key);
	json_uint(j, "frame", TA_FRAME_NO(frame));
	report_json_frame_file(j, "file", cap, c, frame);
	json_str(j, "record_version", tls_version_str(ch->record_version, hex));
	json_str(j, "legacy_version", tls_version_str(ch->legacy_version, hex));
	json_bool(j, "sslv2", ch->sslv2);
	if (ch->has_supported_versions) {
		u16_names(j, "versions", ch->versions.v, ch->versions.count,
		          tls_version_str);
	} else {
		json_arr(j, "versions");
		json_str(j, NULL, tls_version_str(ch->legacy_version, hex));
		json_close(j);
	}
	u16_names(j, "cipher_ids", ch->ciphers.v, ch->ciphers.count, tls_hex16);
	json_arr(j, "cipher_names");
	for (uint16_t i = 0; i < ch->ciphers.count; i++) {
		uint16_t id = ch->ciphers.v[i];
		if (iana_is_grease(id))
			continue;
		json_str(j, NULL, iana_cipher_name(id));
	}
	json_close(j);
	if (ch->ciphers.dropped > 0)
		json_uint(j, "ciphers_not_kept", ch->ciphers.dropped);
	if (ch->has_sni)
		json_strn(j, "sni", ch->sni,
		          ch->sni_len < TLS_HS_SNI_MAX ? ch->sni_len : TLS_HS_SNI_MAX);
	else
		json_null(j, "sni");
	json_arr(j, "alpn");
	for (uint8_t i = 0; i < ch->alpn.count && i < TLS_HS_MAX_ALPN; i++) {
		const struct tls_alpn_name *a = &ch->alpn.name[i];
		json_strn(j, NULL, a->v,
		          a->len < TLS_HS_ALPN_NAME_MAX ? a->len : TLS_HS_ALPN_NAME_MAX);
	}
	json_close(j);
	u16_names(j, "groups", ch->groups.v, ch->groups.count, tls_group_str);
	u16_names(j, "key_shares", ch->key_shares.v, ch->key_shares.count,
	          tls_group_str);
	u16_names(j, "sig_algs", ch->sig_algs.v, ch->sig_algs.count,
	          tls_sigalg_str);
	u16_names(j, "extensions", ch->exts.v, ch->exts.count, tls_ext_str);
	if (fingerprint_ja3(ch, fp))
		json_str(j, "ja3", fp);
	else
		json_null(j, "ja3");
	if (fingerprint_ja4(ch, fp))
		json_str(j, "ja4", fp);
	else
		json_null(j, "ja4");
	json_close(j);
}

void
report_tls_cipher(const struct tls_server_hello *sh,
                  char hex[TLS_NAMES_HEX_LEN], const char **id,
                  const char **name)
{
	if (sh->sslv2 && sh->ssl2_cipher == 0) {
		/* SSL 2.0: the client chooses in its CLIENT-MASTER-KEY,
		 * which was not read. */
		*id = *name = NULL;
	} else if (sh->sslv2) {
		*id = tls_hex24(sh->ssl2_cipher, hex);
		*name = tls_ssl2_cipher_name(sh->ssl2_cipher);
	} else {
		*id = tls_hex16(sh->cipher, hex);
		*name = iana_cipher_name(sh->cipher);
	}
}

static void
server_hello(struct json *j, const struct capture *cap, const struct conn *c,
             const struct tls_facts *t)
{
	const struct tls_server_hello *sh = &t->server_hello;
	char hex[TLS_NAMES_HEX_LEN], fp[FINGERPRINT_JA3_LEN];
	const char *id, *name;

	if (!t->server_hello_seen && !t->hello_retry) {
		json_null(j, "server_hello");
		return;
	}
	json_obj(j, "server_hello");
	frame_or_null(j, "frame", t->server_hello_seen, t->server_hello_frame);
	if (t->server_hello_seen)
		report_json_frame_file(j, "file", cap, c, t->server_hello_frame);
	if (t->server_hello_seen) {
		json_str(j, "version", tls_version_str(sh->version, hex));
		json_str(j, "legacy_version",
		         tls_version_str(sh->legacy_version, hex));
		report_tls_cipher(sh, hex, &id, &name);
		json_str(j, "cipher_id", id);
		json_str(j, "cipher_name", name);
		u16_names(j, "extensions", sh->exts.v, sh->exts.count,
		          tls_ext_str);
		if (fingerprint_ja3s(sh, fp))
			json_str(j, "ja3s", fp);
		else
			json_null(j, "ja3s");
	}
	json_bool(j, "hello_retry", t->hello_retry);
	if (t->hello_retry) {
		json_uint(j, "hello_retry_frame", TA_FRAME_NO(t->hello_retry_frame));
		if (t->hello_retry_group != 0)
			json_str(j, "hello_retry_group",
			         tls_group_str(t->hello_retry_group, hex));
	}
	json_close(j);
}

static void
alerts(struct json *j, const struct capture *cap, const struct conn *c,
       const struct tls_facts *t)
{
	char hex[TLS_NAMES_HEX_LEN];

	json_arr(j, "alerts");
	for (uint8_t i = 0; i < t->alert_count && i < TLS_FACTS_MAX_ALERTS; i++) {
		const struct tls_facts_alert *a = &t->alerts[i];

		json_obj(j, NULL);
		json_uint(j, "frame", TA_FRAME_NO(a->frame));
		report_json_frame_file(j, "file", cap, c, a->frame);
		json_str(j, "from", side_str(a->from));
		if (a->level == TLS_ALERT_FATAL)
			json_str(j, "level", "fatal");
		else if (a->level == TLS_ALERT_WARNING)
			json_str(j, "level", "warning");
		else
			json_null(j, "level");
		if (a->encrypted) {
			json_null(j, "description");
			json_null(j, "code");
		} else {
			json_str(j, "description", tls_alert_str(a->description, hex));
			json_uint(j, "code", a->description);
		}
		json_bool(j, "encrypted", a->encrypted);
		json_bool(j, "inferred", a->inferred);
		if (a->encrypted)
			json_uint(j, "record_len", a->record_len);
		json_close(j);
	}
	json_close(j);
}

static const char *
stop_str(enum tls_stop s)
{
	return tls_rec_stop_str(s);
}

/* How far each side's TLS stream could be read. */
static void
streams(struct json *j, const struct tls_facts *t)
{
	json_obj(j, "tls_stream");
	for (int s = 0; s < 2; s++) {
		const struct tls_facts_side *sd = &t->side[s];

		json_obj(j, side_str((enum tls_side)s));
		json_uint(j, "bytes", sd->bytes);
		json_uint(j, "encrypted_records", sd->opaque_records);
		if (sd->stopped) {
			json_str(j, "stopped", stop_str(sd->stop));
			json_uint(j, "stop_frame", TA_FRAME_NO(sd->stop_frame));
			json_strn(j, "excerpt", sd->stop_excerpt,
			          sd->stop_excerpt_len);
		} else {
			json_null(j, "stopped");
		}
		if (sd->malformed > 0) {
			json_uint(j, "malformed", sd->malformed);
			json_str(j, "first_malformed", tls_rec_bad_str(sd->first_bad));
			json_uint(j, "first_malformed_frame",
			          TA_FRAME_NO(sd->first_bad_frame));
		}
		if (sd->bad_headers > 0) {
			json_uint(j, "invalid_headers", sd->bad_headers);
			json_str(j, "first_invalid_header",
			         stop_str(sd->bad_header_reason));
			json_uint(j, "first_invalid_header_frame",
			          TA_FRAME_NO(sd->bad_header_frame));
			json_strn(j, "invalid_header_excerpt",
			          sd->bad_header_excerpt,
			          sd->bad_header_excerpt_len);
			if (sd->bad_header_resynced)
				json_uint(j, "read_again_frame",
				          TA_FRAME_NO(sd->bad_header_resync_frame));
			else
				json_null(j, "read_again_frame");
		}
		json_close(j);
	}
	json_close(j);
}

void
report_json_tls(struct json *j, const struct capture *cap,
                const struct conn_facts *f)
{
	const struct tls_facts *t = f->tls;

	if (t == NULL) {
		json_null(j, "client_hello");
		json_null(j, "server_hello");
		json_arr(j, "alerts");
		json_close(j);
		json_bool(j, "handshake_complete", false);
		return;
	}
	if (t->client_hello_seen)
		client_hello(j, cap, f->conn, "client_hello", &t->client_hello,
		             t->client_hello_frame);
	else
		json_null(j, "client_hello");
	/* The answer to a HelloRetryRequest. */
	if (t->client_hello2 != NULL)
		client_hello(j, cap, f->conn, "client_hello_retry",
		             t->client_hello2, t->client_hello2_frame);
	server_hello(j, cap, f->conn, t);
	alerts(j, cap, f->conn, t);
	json_bool(j, "handshake_complete", t->handshake_complete);
	frame_or_null(j, "handshake_complete_frame", t->handshake_complete,
	              t->handshake_complete_frame);
	json_bool(j, "app_data", t->app_data);
	json_bool(j, "client_app_data", t->client_app_data);
	streams(j, t);
}

static const char *
resp_str(enum starttls_resp r)
{
	switch (r) {
	case STARTTLS_RESP_OK:
		return "OK";
	case STARTTLS_RESP_NO:
		return "NO";
	case STARTTLS_RESP_BAD:
		return "BAD";
	case STARTTLS_RESP_ERR:
		return "ERR";
	case STARTTLS_RESP_TEMPFAIL:
		return "temporary";
	case STARTTLS_RESP_PERMFAIL:
		return "permanent";
	case STARTTLS_RESP_NONE:
		break;
	}
	return NULL;
}

static const char *
greeting_str(enum starttls_greeting g)
{
	switch (g) {
	case STARTTLS_GREETING_OK:
		return "OK";
	case STARTTLS_GREETING_PREAUTH:
		return "PREAUTH";
	case STARTTLS_GREETING_BYE:
		return "BYE";
	case STARTTLS_GREETING_REFUSED:
		return "refused";
	case STARTTLS_GREETING_OTHER:
		return "other";
	case STARTTLS_GREETING_NONE:
		break;
	}
	return NULL;
}

/* SMTP's reply codes and its two signals (RFC 3207 4 530, RFC 5321 421). */
static void
smtp_fields(struct json *j, const struct starttls_facts *st)
{
	if (st->greeting_code != 0)
		json_uint(j, "greeting_code", st->greeting_code);
	else
		json_null(j, "greeting_code");
	if (st->response_code != 0)
		json_uint(j, "response_code", st->response_code);
	else
		json_null(j, "response_code");
	json_bool(j, "tls_required", st->tls_required);
	frame_or_null(j, "tls_required_frame", st->tls_required,
	              st->tls_required_frame);
	if (st->closing) {
		json_obj(j, "closing");
		json_uint(j, "frame", TA_FRAME_NO(st->closing_frame));
		json_strn(j, "text", st->closing_text, st->closing_text_len);
		json_close(j);
	}
}

void
report_json_starttls(struct json *j, const struct conn_facts *f)
{
	const struct starttls_facts *st = f->starttls;

	if (st == NULL)
		return;
	json_obj(j, "starttls");
	json_str(j, "protocol", starttls_proto(st->protocol)->name);
	json_str(j, "greeting", greeting_str(st->greeting));
	frame_or_null(j, "greeting_frame", st->greeting != STARTTLS_GREETING_NONE,
	              st->greeting_frame);
	if (st->caps_known)
		json_bool(j, "offered", st->offered);
	else
		json_null(j, "offered");
	json_bool(j, "requested", st->requested);
	frame_or_null(j, "request_frame", st->requested, st->request_frame);
	json_str(j, "response", resp_str(st->response));
	frame_or_null(j, "response_frame", st->response != STARTTLS_RESP_NONE,
	              st->response_frame);
	if (st->response != STARTTLS_RESP_NONE)
		json_strn(j, "response_text", st->response_text,
		          st->response_text_len);
	json_bool(j, "logindisabled", st->logindisabled);
	json_bool(j, "plaintext_auth", st->plaintext_auth);
	frame_or_null(j, "plaintext_auth_frame", st->plaintext_auth,
	              st->plaintext_auth_frame);
	json_uint(j, "client_pipelined", st->client_pipelined);
	json_uint(j, "server_pipelined", st->server_pipelined);
	json_bool(j, "tls_without_starttls", st->tls_without_starttls);
	if (st->unparsed) {
		json_obj(j, "unparsed");
		json_str(j, "from", st->unparsed_dir == TCP_DIR_C2S ? "client"
		                                                    : "server");
		json_uint(j, "frame", TA_FRAME_NO(st->unparsed_frame));
		json_strn(j, "excerpt", st->unparsed_excerpt, st->unparsed_len);
		json_close(j);
	}
	json_bool(j, "gap", st->gap);
	if (st->protocol != STARTTLS_PROTO_IMAP) {
		json_bool(j, "plaintext_mail", st->plaintext_mail);
		frame_or_null(j, "plaintext_mail_frame", st->plaintext_mail,
		              st->plaintext_mail_frame);
	}
	if (st->protocol == STARTTLS_PROTO_SMTP)
		smtp_fields(j, st);
	json_close(j);
}
