/* sts.c: GetCallerIdentity, AssumeRole and AssumeRoleWithWebIdentity over STS's query protocol
 * (sts.h).
 *
 * Builds form bodies and reads XML answers; the signed, retried exchange is aws_rest_call's.
 * Must not cache anything: creds.c decides how long assumed-role credentials live. Secrets read
 * from an answer are wiped from every temporary buffer. */
#include "aws/sts.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "aws/creds_internal.h"
#include "aws/dynbuf.h"
#include "aws/xml.h"

static const char form_type[] = "application/x-www-form-urlencoded; charset=utf-8";

/* Appends "&key=<percent-encoded value>" (no '&' when at the start); b's error sticks. */
static void form_add(struct dynbuf *b, const char *key, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *v = (const unsigned char *)value;

    dynbuf_printf(b, "%s%s=", b->len > 0 ? "&" : "", key);
    for (; *v; v++) {
        bool plain = (*v >= 'A' && *v <= 'Z') || (*v >= 'a' && *v <= 'z') ||
                     (*v >= '0' && *v <= '9') || *v == '-' || *v == '_' || *v == '.' ||
                     *v == '~';
        char esc[3] = {'%', hex[*v >> 4], hex[*v & 15]};

        if (plain)
            dynbuf_addc(b, (char)*v);
        else
            dynbuf_add(b, esc, sizeof(esc));
    }
}

/* The parameters both AssumeRole calls start with. */
static void form_role(struct dynbuf *b, const char *action, const char *role_arn,
                      const char *session_name)
{
    form_add(b, "Action", action);
    form_add(b, "Version", "2011-06-15");
    form_add(b, "RoleArn", role_arn);
    form_add(b, "RoleSessionName", session_name);
}

static bool missing(const char *s)
{
    return s == NULL || s[0] == '\0';
}

int sts_assume_role_body(const struct sts_assume_role_params *p, char *out, size_t n,
                         struct err *e)
{
    struct dynbuf b;
    int rc;

    if (p == NULL || missing(p->role_arn) || missing(p->session_name) || out == NULL || n == 0)
        return err_set(e, ERR_INVAL, "STS AssumeRole: a role ARN and a session name are needed");
    dynbuf_init(&b, n);
    form_role(&b, "AssumeRole", p->role_arn, p->session_name);
    if (p->external_id != NULL)
        form_add(&b, "ExternalId", p->external_id);
    if (p->duration_seconds > 0)
        dynbuf_printf(&b, "&DurationSeconds=%d", p->duration_seconds);
    if (p->serial_number != NULL)
        form_add(&b, "SerialNumber", p->serial_number);
    if (p->token_code != NULL)
        form_add(&b, "TokenCode", p->token_code);
    rc = b.err;
    if (rc == 0)
        memcpy(out, dynbuf_str(&b), b.len + 1);
    dynbuf_free_wipe(&b);
    if (rc != 0)
        return err_set(e, rc, "STS AssumeRole: request parameters too long");
    return 0;
}

int sts_web_identity_body(const struct sts_web_identity_params *p, struct dynbuf *out,
                          struct err *e)
{
    if (p == NULL || missing(p->role_arn) || missing(p->session_name) || missing(p->token))
        return err_set(e, ERR_INVAL, "STS AssumeRoleWithWebIdentity: a role ARN, a session "
                                     "name and a token are needed");
    dynbuf_init(out, STS_WEB_IDENTITY_BODY_MAX);
    form_role(out, "AssumeRoleWithWebIdentity", p->role_arn, p->session_name);
    form_add(out, "WebIdentityToken", p->token);
    if (out->err != 0) {
        int rc = out->err;

        dynbuf_free_wipe(out);
        return err_set(e, rc, "STS AssumeRoleWithWebIdentity: request parameters too long");
    }
    return 0;
}

int sts_parse_caller_identity(const char *xml, size_t len, struct sts_identity *out,
                              struct err *e)
{
    struct sts_identity id;
    int rc;

    memset(&id, 0, sizeof(id));
    rc = xml_text(xml, len, "Account", id.account, sizeof(id.account), e);
    if (rc == 0)
        rc = xml_text(xml, len, "Arn", id.arn, sizeof(id.arn), e);
    if (rc == 0)
        rc = xml_text(xml, len, "UserId", id.user_id, sizeof(id.user_id), e);
    if (rc != 0) {
        err_prefix(e, "STS GetCallerIdentity");
        return e != NULL ? (e->code = ERR_PARSE) : ERR_PARSE;
    }
    *out = id;
    return 0;
}

int sts_parse_assume_role(const char *xml, size_t len, struct aws_creds *out, struct err *e)
{
    struct aws_creds c;
    char exp[64];
    time_t t;
    int rc;

    memset(&c, 0, sizeof(c));
    rc = xml_text(xml, len, "AccessKeyId", c.access_key_id, sizeof(c.access_key_id), e);
    if (rc == 0)
        rc = xml_text(xml, len, "SecretAccessKey", c.secret_access_key,
                      sizeof(c.secret_access_key), e);
    if (rc == 0)
        rc = xml_text(xml, len, "SessionToken", c.session_token, sizeof(c.session_token), e);
    if (rc == 0)
        rc = xml_text(xml, len, "Expiration", exp, sizeof(exp), e);
    if (rc == 0 && creds_parse_time(exp, &t) != 0)
        rc = err_set(e, ERR_PARSE, "bad Expiration '%.40s'", exp);
    if (rc == 0 && (c.access_key_id[0] == '\0' || c.secret_access_key[0] == '\0'))
        rc = err_set(e, ERR_PARSE, "empty AccessKeyId or SecretAccessKey");
    if (rc != 0) {
        aws_creds_clean(&c);
        err_prefix(e, "STS AssumeRole");
        return e != NULL ? (e->code = ERR_PARSE) : ERR_PARSE;
    }
    c.expiration = t;
    snprintf(c.source, sizeof(c.source), "assume-role");
    *out = c;
    aws_creds_clean(&c);
    return 0;
}

static int sts_post(struct aws_client *c, const char *operation, const char *body,
                    struct http_response *resp, struct err *e)
{
    const struct http_header headers[] = {{"Content-Type", form_type}};
    struct aws_rest_request req = {
        .method = "POST",
        .path = "/",
        .headers = headers,
        .n_headers = 1,
        .body = body,
        .body_len = strlen(body),
        .operation = operation,
    };

    memset(resp, 0, sizeof(*resp));
    return aws_rest_call(c, AWS_STS, &req, resp, e);
}

int sts_get_caller_identity(struct aws_client *c, struct sts_identity *out, struct err *e)
{
    struct http_response resp;
    int rc;

    rc = sts_post(c, "GetCallerIdentity", "Action=GetCallerIdentity&Version=2011-06-15", &resp,
                  e);
    if (rc == 0)
        rc = sts_parse_caller_identity(resp.body != NULL ? resp.body : "", resp.body_len, out, e);
    http_response_clean(&resp);
    return rc;
}

int sts_assume_role(struct aws_client *c, const struct sts_assume_role_params *p,
                    struct aws_creds *out, struct err *e)
{
    struct http_response resp;
    char body[4096];
    int rc;

    rc = sts_assume_role_body(p, body, sizeof(body), e);
    if (rc != 0)
        return rc;
    rc = sts_post(c, "AssumeRole", body, &resp, e);
    if (rc == 0)
        rc = sts_parse_assume_role(resp.body != NULL ? resp.body : "", resp.body_len, out, e);
    if (resp.body != NULL)
        OPENSSL_cleanse(resp.body, resp.body_len);
    http_response_clean(&resp);
    return rc;
}

int sts_assume_role_with_web_identity(struct aws_client *c,
                                      const struct sts_web_identity_params *p,
                                      struct aws_creds *out, struct err *e)
{
    struct http_response resp;
    struct dynbuf body;
    int rc;

    rc = sts_web_identity_body(p, &body, e);
    if (rc != 0)
        return rc;
    rc = sts_post(c, "AssumeRoleWithWebIdentity", dynbuf_str(&body), &resp, e);
    dynbuf_free_wipe(&body);
    if (rc == 0)
        rc = sts_parse_assume_role(resp.body != NULL ? resp.body : "", resp.body_len, out, e);
    if (rc == 0)
        snprintf(out->source, sizeof(out->source), "web-identity");
    if (resp.body != NULL)
        OPENSSL_cleanse(resp.body, resp.body_len);
    http_response_clean(&resp);
    return rc;
}
