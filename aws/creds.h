/* creds.h: the credential chain, as the AWS SDKs resolve it (AWS_NOTES.md 5.6).
 *
 * Order: explicit --profile skips the environment; otherwise environment keys; then the
 * profile: role_arn (+ source_profile | credential_source) via STS AssumeRole (chained, cached
 * until expiry); web identity (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME
 * from the environment, each over the profile's web_identity_token_file, role_arn,
 * role_session_name; a profile with both role_arn and web_identity_token_file is a web identity
 * profile) via an unsigned STS AssumeRoleWithWebIdentity, the token file read on each refresh;
 * SSO (sso_session / sso_start_url: the AWS CLI's token cache under
 * ~/.aws/sso/cache/, then the portal's GetRoleCredentials), static keys in the credentials file,
 * credential_process (JSON Version 1), static keys in the config file; then container
 * credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI with
 * AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]); then EC2 IMDSv2 (token first, short timeouts,
 * AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_DISABLED).
 *
 * A provider is thread-safe (a mutex inside): aws_creds_provider_get() returns a copy of the
 * current credentials, refreshing temporary ones within 5 minutes of Expiration. The copy holds
 * secrets: the caller wipes it with aws_creds_clean(). Errors (ERR_AUTH, ERR_CONFIG) say what
 * is missing and what to run ("aws sso login --profile X"); they never contain a secret. */
#ifndef SAGETOP_CREDS_H
#define SAGETOP_CREDS_H

#include <time.h>

#include "aws/config.h"
#include "aws/err.h"

struct aws_creds {
    char access_key_id[128];
    char secret_access_key[128];
    char session_token[4096];   /* "" when none */
    time_t expiration;          /* 0: does not expire */
    char source[32];            /* "env", "shared-credentials-file", "config-file", "process",
                                   "assume-role", "web-identity", "sso", "container",
                                   "imds" */
};

/* Wipes every secret byte (OPENSSL_cleanse). */
void aws_creds_clean(struct aws_creds *c);

struct aws_creds_provider;

/* cfg is borrowed and must outlive the provider. Resolution is lazy: the first _get finds the
 * source, so a missing credential is reported when it is needed. */
struct aws_creds_provider *aws_creds_provider_new(const struct aws_config *cfg, struct err *e);
void aws_creds_provider_free(struct aws_creds_provider *p);
int aws_creds_provider_get(struct aws_creds_provider *p, struct aws_creds *out, struct err *e);
/* Drops cached temporary credentials (after ExpiredToken) so the next _get refreshes. */
void aws_creds_provider_invalidate(struct aws_creds_provider *p);

/* Addition: a provider that always returns a copy of creds (copied; the caller may wipe its
 * own). Used to sign AssumeRole with a role's source credentials, and by tests. Invalidating
 * it is a no-op: fixed credentials cannot be refreshed. */
struct aws_creds_provider *aws_creds_provider_new_static(const struct aws_config *cfg,
                                                         const struct aws_creds *creds,
                                                         struct err *e);

#endif
