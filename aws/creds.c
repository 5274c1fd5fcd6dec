/* creds.c: the credential provider and the chain that feeds it (creds.h has the order).
 *
 * Owns the cached credentials of a provider, behind its mutex, and the walk through a profile's
 * settings: environment keys, role_arn (recursively through source_profile, with loop
 * detection), web identity, SSO, static keys and credential_process. The network, process and
 * web identity sources live in creds_http.c, creds_process.c and creds_webidentity.c. Must not print, and never puts a secret in a message: every
 * buffer that held one is wiped with OPENSSL_cleanse before it goes out of scope. */
#include "aws/creds.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "aws/client.h"
#include "aws/creds_internal.h"
#include "aws/sts.h"

#define CREDS_MAX_CHAIN 8

static const char no_creds_msg[] =
    "no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, configure a profile "
    "(aws configure), or run 'aws sso login'";

enum provider_kind {
    PROVIDER_CHAIN,
    PROVIDER_STATIC,
};

struct aws_creds_provider {
    const struct aws_config *cfg;
    enum provider_kind kind;
    pthread_mutex_t mu;
    struct aws_creds cur;
    bool have;
};

void aws_creds_clean(struct aws_creds *c)
{
    if (c != NULL)
        OPENSSL_cleanse(c, sizeof(*c));
}

static const char *env(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

static int two_digits(const char *s)
{
    if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

int creds_parse_time(const char *s, time_t *out)
{
    struct tm tm;
    long off = 0;
    int y, mo, d, h, mi, sec, oh, om;
    time_t t;

    if (s == NULL || strlen(s) < 19)
        return ERR_PARSE;
    for (y = 0; y < 4; y++)
        if (!isdigit((unsigned char)s[y]))
            return ERR_PARSE;
    y = atoi(s);
    if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':')
        return ERR_PARSE;
    mo = two_digits(s + 5);
    d = two_digits(s + 8);
    h = two_digits(s + 11);
    mi = two_digits(s + 14);
    sec = two_digits(s + 17);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        sec < 0 || sec > 60)
        return ERR_PARSE;
    s += 19;
    if (*s == '.') {
        s++;
        if (!isdigit((unsigned char)*s))
            return ERR_PARSE;
        while (isdigit((unsigned char)*s))
            s++;
    }
    if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0 || strcmp(s, "UTC") == 0) {
        off = 0;
    } else if ((s[0] == '+' || s[0] == '-') && strlen(s) == 6 && s[3] == ':') {
        oh = two_digits(s + 1);
        om = two_digits(s + 4);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return ERR_PARSE;
        off = (oh * 3600L + om * 60L) * (s[0] == '+' ? 1 : -1);
    } else {
        return ERR_PARSE;
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    t = timegm(&tm);
    if (t == (time_t)-1)
        return ERR_PARSE;
    *out = t - off;
    return 0;
}

static int copy_field(char *dst, size_t n, const char *v, const char *field, const char *what,
                      struct err *e)
{
    size_t l = v != NULL ? strlen(v) : 0;

    if (l >= n)
        return err_set(e, ERR_AUTH, "%s: %s is too long (%zu bytes)", what, field, l);
    if (l > 0)
        memcpy(dst, v, l);
    dst[l] = '\0';
    return 0;
}

int creds_set(struct aws_creds *out, const char *id, const char *secret, const char *token,
              time_t expiration, const char *source, const char *what, struct err *e)
{
    struct aws_creds c;
    int rc;

    if (id == NULL || id[0] == '\0' || secret == NULL || secret[0] == '\0')
        return err_set(e, ERR_AUTH, "%s: missing access key id or secret access key", what);
    memset(&c, 0, sizeof(c));
    rc = copy_field(c.access_key_id, sizeof(c.access_key_id), id, "access key id", what, e);
    if (rc == 0)
        rc = copy_field(c.secret_access_key, sizeof(c.secret_access_key), secret,
                        "secret access key", what, e);
    if (rc == 0)
        rc = copy_field(c.session_token, sizeof(c.session_token), token, "session token", what,
                        e);
    if (rc == 0) {
        c.expiration = expiration;
        snprintf(c.source, sizeof(c.source), "%s", source != NULL ? source : "");
        *out = c;
    }
    aws_creds_clean(&c);
    return rc;
}

static int from_env(struct aws_creds *out, struct err *e)
{
    const char *id = env("AWS_ACCESS_KEY_ID"), *secret = env("AWS_SECRET_ACCESS_KEY");
    const char *token = env("AWS_SESSION_TOKEN"), *exp = env("AWS_CREDENTIAL_EXPIRATION");
    time_t t = 0;

    if (id == NULL && secret == NULL)
        return ERR_NOTFOUND;
    if (id == NULL || secret == NULL)
        return err_set(e, ERR_AUTH, "%s is set but %s is not: set both, or neither",
                       id != NULL ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                       id != NULL ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
    if (token == NULL)
        token = env("AWS_SECURITY_TOKEN");
    if (exp != NULL && creds_parse_time(exp, &t) != 0)
        return err_set(e, ERR_CONFIG, "AWS_CREDENTIAL_EXPIRATION '%.40s' is not an ISO 8601 "
                                      "time", exp);
    return creds_set(out, id, secret, token, t, "env", "environment credentials", e);
}

/* Static keys of one file of a profile; ERR_NOTFOUND when that file has no key id. */
static int from_static(const struct aws_config *cfg, enum aws_config_file which,
                       const char *profile, struct aws_creds *out, struct err *e)
{
    const char *id = aws_config_file_get(cfg, which, profile, "aws_access_key_id");
    const char *secret = aws_config_file_get(cfg, which, profile, "aws_secret_access_key");
    const char *token = aws_config_file_get(cfg, which, profile, "aws_session_token");
    const char *file = which == AWS_FILE_CREDENTIALS ? "credentials" : "config";
    char what[160];

    if (id == NULL || id[0] == '\0')
        return ERR_NOTFOUND;
    if (token == NULL)
        token = aws_config_file_get(cfg, which, profile, "aws_security_token");
    snprintf(what, sizeof(what), "profile %.64s in the %s file", profile, file);
    if (secret == NULL || secret[0] == '\0')
        return err_set(e, ERR_AUTH, "%s has aws_access_key_id but no aws_secret_access_key",
                       what);
    return creds_set(out, id, secret, token, 0,
                     which == AWS_FILE_CREDENTIALS ? "shared-credentials-file" : "config-file",
                     what, e);
}

struct profile_walk {
    const char *names[CREDS_MAX_CHAIN + 1];
    size_t n;
};

static int from_profile(const struct aws_config *cfg, const char *profile,
                        struct profile_walk *walk, struct aws_creds *out, struct err *e);

static int loop_error(const struct profile_walk *walk, const char *again, struct err *e)
{
    char path[200] = "";
    size_t i, l = 0;

    for (i = 0; i < walk->n && l < sizeof(path); i++)
        l += (size_t)snprintf(path + l, sizeof(path) - l, "%s -> ", walk->names[i]);
    if (l < sizeof(path))
        snprintf(path + l, sizeof(path) - l, "%s", again);
    return err_set(e, ERR_CONFIG, "source_profile loop: %s", path);
}

static int role_source(const struct aws_config *cfg, const char *profile,
                       struct profile_walk *walk, struct aws_creds *src, struct err *e)
{
    const char *sp = aws_config_profile_get(cfg, profile, "source_profile");
    const char *cs = aws_config_profile_get(cfg, profile, "credential_source");
    size_t i;
    int rc;

    if (sp != NULL && cs != NULL)
        return err_set(e, ERR_CONFIG, "profile %.64s sets both source_profile and "
                                      "credential_source: keep one", profile);
    if (sp == NULL && cs == NULL)
        return err_set(e, ERR_CONFIG, "profile %.64s has role_arn but neither source_profile "
                                      "nor credential_source", profile);
    if (cs != NULL) {
        if (strcmp(cs, "Environment") == 0)
            rc = from_env(src, e);
        else if (strcmp(cs, "Ec2InstanceMetadata") == 0)
            rc = creds_from_imds(cfg, src, e);
        else if (strcmp(cs, "EcsContainer") == 0)
            rc = creds_from_container(cfg, src, e);
        else
            return err_set(e, ERR_CONFIG, "profile %.64s: credential_source '%.32s' is not one "
                                          "of Environment, Ec2InstanceMetadata, EcsContainer",
                           profile, cs);
        if (rc == ERR_NOTFOUND)
            rc = err_set(e, ERR_AUTH, "profile %.64s: credential_source %s found no "
                                      "credentials", profile, cs);
        return rc;
    }
    if (strcmp(sp, profile) == 0) {
        /* a role profile may be its own source: its static keys sign AssumeRole */
        rc = from_static(cfg, AWS_FILE_CREDENTIALS, profile, src, e);
        if (rc == ERR_NOTFOUND)
            rc = from_static(cfg, AWS_FILE_CONFIG, profile, src, e);
        if (rc == ERR_NOTFOUND)
            rc = err_set(e, ERR_CONFIG, "profile %.64s is its own source_profile but has no "
                                        "static keys", profile);
        return rc;
    }
    for (i = 0; i < walk->n; i++)
        if (strcmp(walk->names[i], sp) == 0)
            return loop_error(walk, sp, e);
    if (!aws_config_has_profile(cfg, sp))
        return err_set(e, ERR_CONFIG, "source_profile '%.64s' of profile %.64s not found", sp,
                       profile);
    rc = from_profile(cfg, sp, walk, src, e);
    if (rc == ERR_NOTFOUND)
        rc = err_set(e, ERR_CONFIG, "source_profile '%.64s' of profile %.64s has no "
                                    "credentials", sp, profile);
    return rc;
}

static int assume_role(const struct aws_config *cfg, const char *profile, const char *role_arn,
                       struct profile_walk *walk, struct aws_creds *out, struct err *e)
{
    struct sts_assume_role_params params = {.role_arn = role_arn};
    struct aws_creds_provider *sp = NULL;
    struct aws_client *client = NULL;
    struct aws_creds src;
    const char *v;
    char session[64], *end;
    long n;
    int rc;

    memset(&src, 0, sizeof(src));
    if (aws_config_profile_get(cfg, profile, "mfa_serial") != NULL)
        return err_set(e, ERR_CONFIG, "profile %.64s needs an MFA code (mfa_serial), which "
                                      "sagetop cannot prompt for: use credential_process or "
                                      "export session credentials", profile);
    v = aws_config_profile_get(cfg, profile, "role_session_name");
    if (v == NULL || v[0] == '\0') {
        snprintf(session, sizeof(session), "sagetop-%lld", (long long)time(NULL));
        v = session;
    }
    params.session_name = v;
    params.external_id = aws_config_profile_get(cfg, profile, "external_id");
    v = aws_config_profile_get(cfg, profile, "duration_seconds");
    if (v != NULL) {
        errno = 0;
        n = strtol(v, &end, 10);
        if (errno != 0 || end == v || *end != '\0' || n < 900 || n > 43200)
            return err_set(e, ERR_CONFIG, "profile %.64s: duration_seconds must be 900 to "
                                          "43200, not '%.16s'", profile, v);
        params.duration_seconds = (int)n;
    }
    rc = role_source(cfg, profile, walk, &src, e);
    if (rc != 0)
        goto out;
    sp = aws_creds_provider_new_static(cfg, &src, e);
    rc = sp != NULL ? 0 : ERR_NOMEM;
    if (rc == 0) {
        client = aws_client_new(cfg, sp, e);
        if (client == NULL)
            rc = e != NULL && e->code != 0 ? e->code : ERR_NOMEM;
    }
    if (rc == 0)
        rc = sts_assume_role(client, &params, out, e);
    if (rc != 0)
        err_prefix(e, "assuming %.100s for profile %.64s", role_arn, profile);
out:
    aws_client_free(client);
    aws_creds_provider_free(sp);
    aws_creds_clean(&src);
    return rc;
}

/* The profile's own sources, in the SDKs' order; ERR_NOTFOUND when it configures none. */
static int from_profile(const struct aws_config *cfg, const char *profile,
                        struct profile_walk *walk, struct aws_creds *out, struct err *e)
{
    const char *role, *proc;
    bool use_env;
    int rc;

    if (walk->n >= CREDS_MAX_CHAIN)
        return err_set(e, ERR_CONFIG, "profile %.64s: role chain longer than %d profiles",
                       profile, CREDS_MAX_CHAIN);
    walk->names[walk->n++] = profile;
    /* the environment's web identity settings apply to the active profile only, as botocore's
     * disable_env_vars does for --profile and source profiles */
    use_env = walk->n == 1 && !aws_config_profile_explicit(cfg);
    role = aws_config_profile_get(cfg, profile, "role_arn");
    if (role != NULL && role[0] != '\0' &&
        aws_config_profile_get(cfg, profile, "web_identity_token_file") == NULL) {
        rc = assume_role(cfg, profile, role, walk, out, e);
        goto out;
    }
    if (creds_web_identity_configured(cfg, profile, use_env)) {
        rc = creds_from_web_identity(cfg, profile, use_env, out, e);
        goto out;
    }
    if (aws_config_profile_get(cfg, profile, "sso_session") != NULL ||
        aws_config_profile_get(cfg, profile, "sso_start_url") != NULL) {
        rc = creds_from_sso(cfg, profile, out, e);
        goto out;
    }
    rc = from_static(cfg, AWS_FILE_CREDENTIALS, profile, out, e);
    if (rc != ERR_NOTFOUND)
        goto out;
    proc = aws_config_profile_get(cfg, profile, "credential_process");
    if (proc != NULL && proc[0] != '\0') {
        rc = creds_from_process(profile, proc, out, e);
        goto out;
    }
    rc = from_static(cfg, AWS_FILE_CONFIG, profile, out, e);
out:
    walk->n--;
    return rc;
}

static int resolve_chain(const struct aws_config *cfg, struct aws_creds *out, struct err *e)
{
    struct profile_walk walk = {.n = 0};
    int rc;

    if (!aws_config_profile_explicit(cfg)) {
        rc = from_env(out, e);
        if (rc != ERR_NOTFOUND)
            return rc;
    }
    if (aws_config_has_profile(cfg, aws_config_profile(cfg)))
        rc = from_profile(cfg, aws_config_profile(cfg), &walk, out, e);
    else    /* no shared files at all (a pod): the environment may still name a web identity */
        rc = creds_from_web_identity(cfg, NULL, !aws_config_profile_explicit(cfg), out, e);
    if (rc != ERR_NOTFOUND)
        return rc;
    rc = creds_from_container(cfg, out, e);
    if (rc != ERR_NOTFOUND)
        return rc;
    rc = creds_from_imds(cfg, out, e);
    if (rc != ERR_NOTFOUND)
        return rc;
    return err_set(e, ERR_AUTH, "%s", no_creds_msg);
}

static struct aws_creds_provider *provider_alloc(const struct aws_config *cfg,
                                                 enum provider_kind kind, struct err *e)
{
    struct aws_creds_provider *p;

    if (cfg == NULL) {
        err_set(e, ERR_INVAL, "credentials provider: no config");
        return NULL;
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        err_set(e, ERR_NOMEM, "out of memory creating the credentials provider");
        return NULL;
    }
    p->cfg = cfg;
    p->kind = kind;
    pthread_mutex_init(&p->mu, NULL);
    return p;
}

struct aws_creds_provider *aws_creds_provider_new(const struct aws_config *cfg, struct err *e)
{
    return provider_alloc(cfg, PROVIDER_CHAIN, e);
}

struct aws_creds_provider *aws_creds_provider_new_static(const struct aws_config *cfg,
                                                         const struct aws_creds *creds,
                                                         struct err *e)
{
    struct aws_creds_provider *p;

    if (creds == NULL) {
        err_set(e, ERR_INVAL, "static credentials provider: no credentials");
        return NULL;
    }
    p = provider_alloc(cfg, PROVIDER_STATIC, e);
    if (p != NULL) {
        p->cur = *creds;
        p->have = true;
    }
    return p;
}

void aws_creds_provider_free(struct aws_creds_provider *p)
{
    if (p == NULL)
        return;
    pthread_mutex_destroy(&p->mu);
    aws_creds_clean(&p->cur);
    free(p);
}

static bool fresh(const struct aws_creds *c, time_t now)
{
    return c->expiration == 0 || now < c->expiration - CREDS_REFRESH_WINDOW_S;
}

int aws_creds_provider_get(struct aws_creds_provider *p, struct aws_creds *out, struct err *e)
{
    struct aws_creds next;
    struct err sub = {0};
    time_t now = time(NULL);
    int rc = 0;

    if (p == NULL || out == NULL)
        return err_set(e, ERR_INVAL, "aws_creds_provider_get: bad arguments");
    pthread_mutex_lock(&p->mu);
    /* a static provider always has its credentials: invalidate leaves them */
    if (p->have && (p->kind == PROVIDER_STATIC || fresh(&p->cur, now))) {
        *out = p->cur;
        goto out;
    }
    memset(&next, 0, sizeof(next));
    rc = resolve_chain(p->cfg, &next, &sub);
    if (rc == 0) {
        p->cur = next;
        p->have = true;
        *out = next;
    } else if (p->have && p->cur.expiration > now) {
        /* the refresh failed early: the old credentials are still good for a while */
        *out = p->cur;
        rc = 0;
    } else {
        if (e != NULL)
            *e = sub;
    }
    aws_creds_clean(&next);
out:
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void aws_creds_provider_invalidate(struct aws_creds_provider *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    if (p->kind == PROVIDER_CHAIN) {
        aws_creds_clean(&p->cur);
        p->have = false;
    }
    pthread_mutex_unlock(&p->mu);
}
