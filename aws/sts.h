/* sts.h: the three STS calls sagetop makes, over the query protocol (POST / with a form body
 * "Action=...&Version=2011-06-15&...", XML answers), through aws_rest_call on AWS_STS.
 *
 * Thread: the calling thread owns the aws_client, as for every service call. Errors come from
 * the client (ERR_AUTH for AccessDenied or a bad signature, ERR_AWS, ERR_NET...) or ERR_PARSE
 * when the answer lacks a field. Out-parameters are written only on success; struct aws_creds
 * results hold secrets and are wiped by the caller (aws_creds_clean). */
#ifndef SAGETOP_STS_H
#define SAGETOP_STS_H

#include <stddef.h>

#include "aws/client.h"
#include "aws/creds.h"
#include "aws/err.h"

struct sts_identity {
    char account[32];
    char arn[512];
    char user_id[256];
};

struct sts_assume_role_params {
    const char *role_arn;           /* required */
    const char *session_name;       /* required (creds.c defaults it to sagetop-<unix time>) */
    const char *external_id;        /* NULL: not sent */
    int duration_seconds;           /* 0: not sent (STS default, one hour) */
    const char *serial_number;      /* MFA device, NULL: not sent */
    const char *token_code;         /* MFA code, with serial_number */
};

/* AssumeRoleWithWebIdentity: unsigned (the client may be anonymous, aws_client_new with NULL
 * credentials); the token is a secret like a key and never appears in a message. */
struct sts_web_identity_params {
    const char *role_arn;           /* required */
    const char *session_name;       /* required */
    const char *token;              /* required: the OIDC token, as read from its file */
};
/* STS accepts tokens of up to 20,000 characters; percent-encoded they fit in this. */
#define STS_WEB_IDENTITY_BODY_MAX ((size_t)64 << 10)

int sts_get_caller_identity(struct aws_client *c, struct sts_identity *out, struct err *e);
/* out->source is "assume-role"; out->expiration from the answer's Expiration. */
int sts_assume_role(struct aws_client *c, const struct sts_assume_role_params *p,
                    struct aws_creds *out, struct err *e);

/* out->source is "web-identity". */
int sts_assume_role_with_web_identity(struct aws_client *c,
                                      const struct sts_web_identity_params *p,
                                      struct aws_creds *out, struct err *e);

/* The pure halves, exported for tests and fuzzing. */
/* The form body (values percent-encoded, RFC 3986 unreserved kept). ERR_INVAL on a missing
 * role_arn/session_name, ERR_TOOBIG when it does not fit in n. */
int sts_assume_role_body(const struct sts_assume_role_params *p, char *out, size_t n,
                         struct err *e);
/* The form body into out (initialised here; wipe it with dynbuf_free_wipe: it holds the token).
 * ERR_INVAL on a missing member, ERR_TOOBIG past STS_WEB_IDENTITY_BODY_MAX. */
struct dynbuf;
int sts_web_identity_body(const struct sts_web_identity_params *p, struct dynbuf *out,
                          struct err *e);
int sts_parse_caller_identity(const char *xml, size_t len, struct sts_identity *out,
                              struct err *e);
int sts_parse_assume_role(const char *xml, size_t len, struct aws_creds *out, struct err *e);

#endif
