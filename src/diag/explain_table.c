/* explain_table.c: the matching order of the --explain entries, whose text lives in explain_table_{tls,cert,mail,net}.c. */
#include "diag/explain_table.h"

/*
 * Ordered from the most specific entry to the most generic: matching keeps
 * this order, so a line that names both a precise cause and a generic
 * failure ("certificate verify failed: unable to get local issuer
 * certificate") shows the precise one first, and an entry whose phrase
 * holds a generic one ("Cannot start TLS: handshake failure") comes before
 * the entry of that generic phrase.
 */
const struct explain_entry *const explain_entries[] = {
	/* The mail servers' own lines, read from the server's side. Some hold
	 * words a client prints too ("wrong version number" after SSL_accept,
	 * "Connection reset by peer" after Dovecot's syscall failure, Postfix's
	 * "Cannot start TLS: handshake failure"), so they come before the
	 * client's reading of those words. */
	&explain_e_srv_not_tls,
	&explain_e_srv_no_shared_cipher,
	&explain_e_srv_client_left,
	&explain_e_srv_timeout,
	&explain_e_srv_no_cert,
	&explain_e_srv_plaintext_auth,
	&explain_e_out_cannot_start_tls,

	/* Versions and cipher suites. */
	&explain_e_not_tls,
	&explain_e_version_refused,
	&explain_e_alert_protocol_version,
	&explain_e_unsupported_protocol,
	&explain_e_client_no_config,
	&explain_e_no_common_algorithm,
	&explain_e_no_cypher_overlap,
	&explain_e_legacy_reneg,
	&explain_e_weak_kex,
	&explain_e_weak_cert,
	&explain_e_alert_handshake_failure,
	&explain_e_unrecognized_name,
	&explain_e_decode_error,
	&explain_e_bad_message,

	/* Certificates, the generic verification failure last. */
	&explain_e_self_signed_in_chain,
	&explain_e_self_signed,
	&explain_e_issuer_not_found,
	&explain_e_root_untrusted,
	&explain_e_expired,
	&explain_e_name_mismatch,
	&explain_e_alert_unknown_ca,
	&explain_e_cert_rejected,
	&explain_e_client_cert_required,
	&explain_e_cert_verify_failed,

	/* STARTTLS and mail clients; Cyrus's "STARTTLS negotiation failed"
	 * holds the clients' "TLS negotiation failed". */
	&explain_e_srv_cyrus_tls,
	&explain_e_starttls_not_offered,
	&explain_e_starttls_handshake,
	&explain_e_starttls_refused,
	&explain_e_imap_bad,
	&explain_e_outlook_encryption,

	/* The connection. */
	&explain_e_handshake_timeout,
	&explain_e_refused,
	&explain_e_connect_timeout,
	&explain_e_outlook_connect,
	&explain_e_reset,
	&explain_e_outlook_interrupted,
	&explain_e_peer_closed,

	/* Generic lines: they often carry one of the reasons above. */
	&explain_e_fatal_alert,
	/* "SSL_connect error to" holds curl's "SSL connect error". */
	&explain_e_out_tls_failed,
	&explain_e_tls_failed,
	&explain_e_srv_lost_after_starttls,
	&explain_e_srv_tls_failed,
	&explain_e_dovecot_no_auth,
	&explain_e_receive_failure,
	&explain_e_timed_out,
};

#define NENTRIES (sizeof explain_entries / sizeof explain_entries[0])

const size_t explain_nentries = NENTRIES;

_Static_assert(NENTRIES <= EXPLAIN_ENTRIES_MAX,
               "raise EXPLAIN_ENTRIES_MAX in explain_table.h");
