/*
 * explain_table.h: the table of error phrases behind --explain, private to
 * explain.c (the matcher and printer) and explain_table*.c (the entries).
 * Other callers read it through explain_table() in explain.h.
 *
 * Entries are defined by family, one file each; explain_table.c puts them
 * in matching order. A new entry is declared here, defined in its family's
 * file and placed in that order.
 */
#ifndef EXPLAIN_TABLE_H
#define EXPLAIN_TABLE_H

#include <stddef.h>

#include "diag/explain.h"

/* Entries the table may hold: the matcher keeps one span per entry on its
 * stack. explain_table.c does not compile when the table outgrows it. */
#define EXPLAIN_ENTRIES_MAX 64

/* explain_table_tls.c: versions, cipher suites, handshake alerts. */
extern const struct explain_entry explain_e_not_tls,
    explain_e_version_refused, explain_e_alert_protocol_version,
    explain_e_unsupported_protocol, explain_e_client_no_config,
    explain_e_no_common_algorithm, explain_e_no_cypher_overlap,
    explain_e_legacy_reneg, explain_e_weak_kex,
    explain_e_alert_handshake_failure, explain_e_unrecognized_name,
    explain_e_decode_error, explain_e_bad_message, explain_e_fatal_alert,
    explain_e_tls_failed;

/* explain_table_cert.c: chains, trust, dates and names. */
extern const struct explain_entry explain_e_weak_cert,
    explain_e_self_signed_in_chain, explain_e_self_signed,
    explain_e_issuer_not_found, explain_e_root_untrusted, explain_e_expired,
    explain_e_name_mismatch, explain_e_alert_unknown_ca,
    explain_e_cert_rejected, explain_e_client_cert_required,
    explain_e_cert_verify_failed;

/* explain_table_mail.c: STARTTLS, Outlook, the mail servers' logs. */
extern const struct explain_entry explain_e_srv_not_tls,
    explain_e_srv_no_shared_cipher, explain_e_srv_client_left,
    explain_e_srv_timeout, explain_e_srv_no_cert,
    explain_e_srv_plaintext_auth, explain_e_srv_cyrus_tls,
    explain_e_out_cannot_start_tls,
    explain_e_starttls_not_offered, explain_e_starttls_handshake,
    explain_e_starttls_refused, explain_e_imap_bad,
    explain_e_outlook_encryption, explain_e_outlook_connect,
    explain_e_outlook_interrupted, explain_e_srv_lost_after_starttls,
    explain_e_srv_tls_failed, explain_e_out_tls_failed,
    explain_e_dovecot_no_auth;

/* explain_table_net.c: refusals, resets, closes, timeouts. */
extern const struct explain_entry explain_e_handshake_timeout,
    explain_e_refused, explain_e_connect_timeout, explain_e_reset,
    explain_e_peer_closed, explain_e_receive_failure, explain_e_timed_out;

/* In matching order, from the most specific entry to the most generic. */
extern const struct explain_entry *const explain_entries[];
extern const size_t explain_nentries;

#endif
