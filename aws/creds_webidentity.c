/* creds_webidentity.c: web identity credentials (EKS IRSA, GitHub OIDC, any OIDC provider): an
 * OIDC token read from a file, exchanged for role credentials by an unsigned STS
 * AssumeRoleWithWebIdentity, as botocore's AssumeRoleWithWebIdentityProvider does.
 *
 * Each setting comes from the environment first (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN,
 * AWS_ROLE_SESSION_NAME; only for the active profile and only when --profile was not given),
 * then from the profile (web_identity_token_file, role_arn, role_session_name). The token file
 * is read on every call, so a refresh picks up the rotated token. Owns nothing between calls and
 * never caches; creds.c decides when to call again. The token is a secret: wiped after use and
 * never put in a message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "aws/client.h"
#include "aws/creds_internal.h"
#include "aws/dynbuf.h"
#include "aws/sts.h"

/* STS takes tokens of 4 to 20,000 characters. */
#define WEB_IDENTITY_TOKEN_MAX 20000

struct web_identity_setting {
    const char *env_var;
    const char *profile_key;
};

static const struct web_identity_setting token_file_setting = {"AWS_WEB_IDENTITY_TOKEN_FILE",
                                                               "web_identity_token_file"};
static const struct web_identity_setting role_setting = {"AWS_ROLE_ARN", "role_arn"};
static const struct web_identity_setting session_setting = {"AWS_ROLE_SESSION_NAME",
                                                            "role_session_name"};

static const char *setting(const struct aws_config *cfg, const char *profile, bool use_env,
                           const struct web_identity_setting *s)
{
    const char *v = use_env ? getenv(s->env_var) : NULL;

    if (v != NULL && v[0] != '\0')
        return v;
    v = profile != NULL ? aws_config_profile_get(cfg, profile, s->profile_key) : NULL;
    return v != NULL && v[0] != '\0' ? v : NULL;
}

bool creds_web_identity_configured(const struct aws_config *cfg, const char *profile,
                                   bool use_env)
{
    return setting(cfg, profile, use_env, &token_file_setting) != NULL;
}

static int read_token(const char *path, struct dynbuf *token, struct err *e)
{
    int rc = aws_config_read_file(path, WEB_IDENTITY_TOKEN_MAX, token, e);

    if (rc == ERR_NOTFOUND)
        rc = err_set(e, ERR_AUTH, "web identity token file %.200s does not exist", path);
    if (rc == 0 && token->len == 0)
        rc = err_set(e, ERR_AUTH, "web identity token file %.200s is empty", path);
    if (rc != 0)
        dynbuf_free_wipe(token);
    return rc;
}

int creds_from_web_identity(const struct aws_config *cfg, const char *profile, bool use_env,
                            struct aws_creds *out, struct err *e)
{
    const char *path = setting(cfg, profile, use_env, &token_file_setting);
    struct sts_web_identity_params params;
    struct aws_client *client = NULL;
    struct dynbuf token;
    char session[64];
    int rc;

    if (path == NULL)
        return ERR_NOTFOUND;
    params.role_arn = setting(cfg, profile, use_env, &role_setting);
    if (params.role_arn == NULL)
        return err_set(e, ERR_CONFIG, "a web identity token file is configured (%s) but no "
                                      "role: set AWS_ROLE_ARN or the profile's role_arn",
                       use_env && getenv(token_file_setting.env_var) != NULL
                           ? token_file_setting.env_var : token_file_setting.profile_key);
    params.session_name = setting(cfg, profile, use_env, &session_setting);
    if (params.session_name == NULL) {
        snprintf(session, sizeof(session), "sagetop-%lld", (long long)time(NULL));
        params.session_name = session;
    }
    rc = read_token(path, &token, e);
    if (rc != 0)
        return rc;
    params.token = dynbuf_str(&token);
    client = aws_client_new(cfg, NULL, e);
    if (client == NULL)
        rc = e != NULL && e->code != 0 ? e->code : ERR_NOMEM;
    else
        rc = sts_assume_role_with_web_identity(client, &params, out, e);
    if (rc != 0)
        err_prefix(e, "assuming %.100s with the web identity token of %.100s", params.role_arn,
                   path);
    aws_client_free(client);
    dynbuf_free_wipe(&token);
    return rc;
}
