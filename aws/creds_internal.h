/* creds_internal.h: the pieces the credential chain is built from, shared between creds.c,
 * creds_process.c, creds_http.c, creds_webidentity.c and sts.c, and exported to the unit tests.
 * Not a public contract: nothing outside aws/ and tests/ includes it.
 *
 * Every fetcher fills out only on success and returns ERR_NOTFOUND when its source is simply not
 * configured (so the chain moves on); any other error stops the chain and is reported. */
#ifndef SAGETOP_CREDS_INTERNAL_H
#define SAGETOP_CREDS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws/config.h"
#include "aws/creds.h"
#include "aws/err.h"

/* Refresh temporary credentials this long before they expire. */
#define CREDS_REFRESH_WINDOW_S 300

/* "2030-01-02T03:04:05Z", with optional fraction, "+hh:mm"/"-hh:mm" offset or "UTC" suffix.
 * Returns 0 or ERR_PARSE. */
int creds_parse_time(const char *s, time_t *out);

/* Copies the four values into out (token and source may be NULL); ERR_AUTH when one is too
 * long, naming `what`. */
int creds_set(struct aws_creds *out, const char *id, const char *secret, const char *token,
              time_t expiration, const char *source, const char *what, struct err *e);

/* credential_process */
/* Shell-style split without a shell: blanks separate words; '...' is literal; "..." keeps
 * \" \\ \$ \` escapes; a backslash outside quotes escapes the next byte. *argv is a NULL-ended
 * array the caller frees with creds_argv_free(). ERR_CONFIG on an unterminated quote or an
 * empty command. */
int creds_shell_split(const char *cmd, char ***argv, struct err *e);
void creds_argv_free(char **argv);
/* Parses the process's JSON (Version 1). */
int creds_parse_process_output(const char *json, size_t len, const char *profile,
                               struct aws_creds *out, struct err *e);
int creds_from_process(const char *profile, const char *command, struct aws_creds *out,
                       struct err *e);

/* SSO: ~/.aws/sso/cache/<sha1 hex of the session name, else of the start URL>.json */
int creds_sso_cache_path(const char *home, const char *session_name, const char *start_url,
                         char *out, size_t n);
int creds_from_sso(const struct aws_config *cfg, const char *profile, struct aws_creds *out,
                   struct err *e);

/* Container: the URL from AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (against 169.254.170.2) or
 * _FULL_URI (http only to loopback and the ECS/EKS link-local hosts). ERR_NOTFOUND when
 * neither is set, ERR_CONFIG for a refused FULL_URI. */
int creds_container_url(char *out, size_t n, struct err *e);
int creds_from_container(const struct aws_config *cfg, struct aws_creds *out, struct err *e);

/* Web identity (creds_webidentity.c): each setting from the environment when use_env, else the
 * profile (NULL: none). ERR_NOTFOUND when no token file is configured, ERR_CONFIG when there is
 * one but no role ARN. */
bool creds_web_identity_configured(const struct aws_config *cfg, const char *profile,
                                   bool use_env);
int creds_from_web_identity(const struct aws_config *cfg, const char *profile, bool use_env,
                            struct aws_creds *out, struct err *e);

/* EC2 IMDSv2; ERR_NOTFOUND when disabled or unreachable (a laptop). */
int creds_from_imds(const struct aws_config *cfg, struct aws_creds *out, struct err *e);

/* Parses the JSON both the container endpoint and IMDS answer (AccessKeyId, SecretAccessKey,
 * Token, Expiration). */
int creds_parse_metadata_json(const char *json, size_t len, const char *source,
                              struct aws_creds *out, struct err *e);

#endif
