/* starttls.c: which module reads which service's plaintext phase, and how each protocol names things (RFC 9051 6.2.1, RFC 2595 4, RFC 3207). */
#include "session/starttls.h"

/* The one table of services with a plaintext phase. */
static const struct {
	enum service svc;
	const struct starttls_ops *ops;
} modules[] = {
	{ SVC_IMAP, &starttls_imap_ops },
	{ SVC_POP3, &starttls_pop3_ops },
	{ SVC_SMTP, &starttls_smtp_ops },
	{ SVC_SUBMISSION, &starttls_smtp_ops },
};

static const struct starttls_proto_info protos[STARTTLS_PROTO_COUNT] = {
	[STARTTLS_PROTO_IMAP] = { "imap", "IMAP", "STARTTLS", "capabilities" },
	[STARTTLS_PROTO_POP3] = { "pop3", "POP3", "STLS", "CAPA answer" },
	[STARTTLS_PROTO_SMTP] = { "smtp", "SMTP", "STARTTLS", "EHLO answer" },
};

const struct starttls_ops *
starttls_ops_for(enum service svc)
{
	for (size_t i = 0; i < TA_ELEMENTS(modules); i++)
		if (modules[i].svc == svc)
			return modules[i].ops;
	return NULL;
}

size_t
starttls_state_max(void)
{
	size_t m = 0;

	for (size_t i = 0; i < TA_ELEMENTS(modules); i++)
		if (modules[i].ops->state_size > m)
			m = modules[i].ops->state_size;
	return m;
}

const struct starttls_proto_info *
starttls_proto(enum starttls_protocol p)
{
	if ((unsigned)p >= STARTTLS_PROTO_COUNT)
		p = STARTTLS_PROTO_IMAP;
	return &protos[p];
}
