/* config.h: who we are and where we talk: profile, region, endpoints, retry settings.
 *
 * aws_config_load() resolves everything the AWS SDKs resolve from the command line, the
 * environment and the shared files (AWS_CONFIG_FILE / ~/.aws/config, AWS_SHARED_CREDENTIALS_FILE /
 * ~/.aws/credentials), once, and keeps the parsed profiles for the credential chain (creds.c).
 * The result is immutable after load and may be read from any thread.
 *
 * Precedence (see ../shared/AWS_NOTES.md 5.6, 5.7):
 *   profile:  --profile, AWS_PROFILE, AWS_DEFAULT_PROFILE, "default"
 *   region:   --region, AWS_REGION, AWS_DEFAULT_REGION, profile "region"
 *   endpoint: --endpoint-url, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, [services X] section,
 *             profile endpoint_url (all but --endpoint-url ignored under
 *             AWS_IGNORE_CONFIGURED_ENDPOINT_URLS / ignore_configured_endpoint_urls), else the
 *             regional default <prefix>.<region>.<partition suffix> as botocore resolves
 *             it (amazonaws.com, .com.cn for cn-*, c2s.ic.gov for us-iso-*, sc2s.sgov.gov for
 *             us-isob-*, ...), S3 in us-east-1 at s3.amazonaws.com unless
 *             AWS_S3_US_EAST_1_REGIONAL_ENDPOINT / s3_us_east_1_regional_endpoint = regional.
 * Fails with ERR_CONFIG (no region: says how to set one; unknown explicit profile) or ERR_PARSE
 * (a malformed file: names the file and line). */
#ifndef SAGETOP_CONFIG_H
#define SAGETOP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/err.h"

enum aws_service {
    AWS_SAGEMAKER,
    AWS_LOGS,
    AWS_S3,
    AWS_STS,
    AWS_SSO,          /* the SSO portal (GetRoleCredentials) */
    AWS_CLOUDWATCH,   /* CloudWatch metrics (monitoring): GetMetricData, ListMetrics */
    AWS_SERVICE_COUNT
};

/* What the command line said; NULL members were not given. Borrowed during load only. */
struct aws_options {
    const char *profile;
    const char *region;
    const char *endpoint_url;
};

struct aws_endpoint {
    char url[512];          /* scheme://host[:port][/path], no trailing slash */
    char host[256];         /* host[:port] as the Host header and SigV4 want it */
    bool custom;            /* configured by the user (path-style S3, no host prefixes) */
    char signing_name[32];  /* "sagemaker", "logs", "s3", "sts", "awsssoportal" */
    char signing_region[32];
};

struct aws_config;

struct aws_config *aws_config_load(const struct aws_options *opts, struct err *e);
void aws_config_free(struct aws_config *cfg);

const char *aws_config_profile(const struct aws_config *cfg);   /* never NULL */
bool aws_config_profile_explicit(const struct aws_config *cfg); /* --profile given */
const char *aws_config_region(const struct aws_config *cfg);    /* never NULL after load */
/* A key of the active profile (credentials file over config file), or NULL. */
const char *aws_config_get(const struct aws_config *cfg, const char *key);
/* A key of another profile (for source_profile chains), or NULL. */
const char *aws_config_profile_get(const struct aws_config *cfg, const char *profile,
                                   const char *key);
/* A key of [sso-session NAME], or NULL. */
const char *aws_config_sso_session_get(const struct aws_config *cfg, const char *session,
                                       const char *key);
int aws_config_endpoint(const struct aws_config *cfg, enum aws_service svc,
                        struct aws_endpoint *out, struct err *e);
int aws_config_max_attempts(const struct aws_config *cfg);     /* AWS_MAX_ATTEMPTS, max_attempts, 3 */
/* A region's partition DNS suffix (botocore's partitions.json): amazonaws.com, amazonaws.com.cn,
 * c2s.ic.gov, sc2s.sgov.gov, ... Pure; never NULL. */
const char *aws_config_dns_suffix(const char *region);
const char *aws_config_ca_bundle(const struct aws_config *cfg); /* AWS_CA_BUNDLE, ca_bundle, NULL */
const char *aws_service_name(enum aws_service svc);            /* "SageMaker", "CloudWatch Logs" */

/* Additions for the credential chain (creds.c, sts.c). */

/* Which shared file a key came from: the chain ranks credentials-file keys above
 * credential_process, and config-file keys below it. */
enum aws_config_file {
    AWS_FILE_CONFIG,
    AWS_FILE_CREDENTIALS,
};
/* A key of `profile` in one file only, or NULL. */
const char *aws_config_file_get(const struct aws_config *cfg, enum aws_config_file which,
                                const char *profile, const char *key);
/* Whether either file defines the profile. */
bool aws_config_has_profile(const struct aws_config *cfg, const char *profile);
/* aws_config_endpoint() for another region (the SSO portal lives in sso_region). The same
 * override precedence applies; region must look like a region ("eu-west-1"), else ERR_CONFIG. */
int aws_config_endpoint_in_region(const struct aws_config *cfg, enum aws_service svc,
                                  const char *region, struct aws_endpoint *out, struct err *e);
/* Reads a whole file into out (initialised here; the caller frees it with dynbuf_free_wipe):
 * a regular file, FIFO or character device (/dev/null reads as empty), at most max_bytes
 * (ERR_TOOBIG beyond). ERR_NOTFOUND when it does not exist, ERR_IO when it cannot be read or is
 * a directory; out is left empty on every failure. Used for the shared files and token files. */
struct dynbuf;
int aws_config_read_file(const char *path, size_t max_bytes, struct dynbuf *out, struct err *e);
/* The home directory the shared files were resolved against (HOME, else the passwd entry). */
const char *aws_config_home(const struct aws_config *cfg);

/* Profile and region lists, for pickers and completion. */

/* The known region names, NULL-terminated. */
extern const char *const aws_config_regions[];
/* Profile names from the shared config ("[profile x]", "[default]") and credentials ("[x]")
 * files, without duplicates, at most max; "default" when there are none. Reads the files on
 * each call; an unreadable file is skipped. */
size_t aws_config_list_profiles(char (*out)[128], size_t max);

#endif
