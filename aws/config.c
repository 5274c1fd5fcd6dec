/* config.c: profile, region, endpoints and retry settings, resolved once from the command line,
 * the environment and the two shared files (config.h has the precedence rules).
 *
 * Owns the parsed files (through ini.c) and a snapshot of the environment taken at load, so the
 * result is immutable and readable from any thread. Must not fetch credentials or talk to the
 * network: creds.c reads the profiles through the getters here. */
#include "aws/config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "aws/dynbuf.h"
#include "aws/ini.h"

struct aws_config {
    char profile[256];
    bool profile_explicit;
    char region[64];
    char home[PATH_MAX];
    char config_path[PATH_MAX];
    char creds_path[PATH_MAX];
    struct ini *cfg_ini;
    struct ini *cred_ini;
    char *endpoint_opt;                    /* --endpoint-url */
    char *env_endpoint[AWS_SERVICE_COUNT]; /* AWS_ENDPOINT_URL_<SERVICE> */
    char *env_endpoint_all;                /* AWS_ENDPOINT_URL */
    bool ignore_configured;
    bool s3_regional_us_east_1;            /* s3_us_east_1_regional_endpoint = regional */
    int max_attempts;
    char *ca_bundle;
};

struct service_info {
    const char *name;          /* human, as in messages */
    const char *env_suffix;    /* AWS_ENDPOINT_URL_<this> */
    const char *config_key;    /* key inside [services X] */
    const char *host_prefix;   /* <prefix>.<region>.<domain> */
    const char *signing_name;
};

static const struct service_info services[AWS_SERVICE_COUNT] = {
    [AWS_SAGEMAKER] = {"SageMaker", "SAGEMAKER", "sagemaker", "api.sagemaker", "sagemaker"},
    [AWS_LOGS] = {"CloudWatch Logs", "CLOUDWATCH_LOGS", "cloudwatch_logs", "logs", "logs"},
    [AWS_S3] = {"S3", "S3", "s3", "s3", "s3"},
    [AWS_STS] = {"STS", "STS", "sts", "sts", "sts"},
    [AWS_SSO] = {"SSO", "SSO", "sso", "portal.sso", "awsssoportal"},
    [AWS_CLOUDWATCH] = {"CloudWatch", "CLOUDWATCH", "cloudwatch", "monitoring", "monitoring"},
};

const char *aws_service_name(enum aws_service svc)
{
    if ((unsigned)svc >= AWS_SERVICE_COUNT)
        return "AWS";
    return services[svc].name;
}

/* An empty variable counts as unset, as in the SDKs. */
static const char *env(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

static bool is_true(const char *v)
{
    return v != NULL && strcasecmp(v, "true") == 0;
}

static bool region_valid(const char *r)
{
    size_t n = strlen(r);

    if (n == 0 || n > 63 || r[0] == '-' || r[n - 1] == '-')
        return false;
    for (; *r; r++)
        if (!(islower((unsigned char)*r) || isdigit((unsigned char)*r) || *r == '-'))
            return false;
    return true;
}

/* The partition's DNS suffix, from botocore's partitions.json (regionRegex -> dnsSuffix). */
const char *aws_config_dns_suffix(const char *region)
{
    static const struct {
        const char *prefix;
        const char *suffix;
    } parts[] = {
        {"cn-", "amazonaws.com.cn"},      {"us-iso-", "c2s.ic.gov"},
        {"us-isob-", "sc2s.sgov.gov"},    {"us-isof-", "csp.hci.ic.gov"},
        {"eu-isoe-", "cloud.adc-e.uk"},   {"eusc-", "amazonaws.eu"},
    };

    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        if (strncmp(region, parts[i].prefix, strlen(parts[i].prefix)) == 0)
            return parts[i].suffix;
    return "amazonaws.com";     /* aws and aws-us-gov */
}

/* "profile NAME" -> NAME (whitespace-separated, as botocore splits); NULL when the section is
 * of another kind. "default" is a profile too. */
static const char *section_arg(const char *section, const char *kind, char *buf, size_t n)
{
    size_t kl = strlen(kind);
    const char *p;
    size_t len;

    if (strncmp(section, kind, kl) != 0 || !isspace((unsigned char)section[kl]))
        return NULL;
    p = section + kl;
    while (isspace((unsigned char)*p))
        p++;
    len = strlen(p);
    while (len > 0 && isspace((unsigned char)p[len - 1]))
        len--;
    if (len == 0 || len >= n)
        return NULL;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return buf;
}

static const struct ini_section *find_kind(const struct ini *ini, const char *kind,
                                           const char *name)
{
    char buf[512];
    const char *arg;
    size_t i;

    if (ini == NULL || name == NULL)
        return NULL;
    for (i = 0; i < ini->n_sections; i++) {
        arg = section_arg(ini->sections[i].name, kind, buf, sizeof(buf));
        if (arg != NULL && strcmp(arg, name) == 0)
            return &ini->sections[i];
    }
    return NULL;
}

const char *aws_config_file_get(const struct aws_config *cfg, enum aws_config_file which,
                                const char *profile, const char *key)
{
    const char *v;

    if (cfg == NULL || profile == NULL || key == NULL)
        return NULL;
    if (which == AWS_FILE_CREDENTIALS)
        return ini_get(ini_section(cfg->cred_ini, profile), key);
    v = ini_get(find_kind(cfg->cfg_ini, "profile", profile), key);
    if (v == NULL && strcmp(profile, "default") == 0)
        v = ini_get(ini_section(cfg->cfg_ini, "default"), key);
    return v;
}

const char *aws_config_profile_get(const struct aws_config *cfg, const char *profile,
                                   const char *key)
{
    const char *v = aws_config_file_get(cfg, AWS_FILE_CREDENTIALS, profile, key);

    return v != NULL ? v : aws_config_file_get(cfg, AWS_FILE_CONFIG, profile, key);
}

const char *aws_config_get(const struct aws_config *cfg, const char *key)
{
    return cfg != NULL ? aws_config_profile_get(cfg, cfg->profile, key) : NULL;
}

const char *aws_config_sso_session_get(const struct aws_config *cfg, const char *session,
                                       const char *key)
{
    if (cfg == NULL)
        return NULL;
    return ini_get(find_kind(cfg->cfg_ini, "sso-session", session), key);
}

bool aws_config_has_profile(const struct aws_config *cfg, const char *profile)
{
    if (cfg == NULL || profile == NULL)
        return false;
    if (ini_section(cfg->cred_ini, profile) != NULL)
        return true;
    if (find_kind(cfg->cfg_ini, "profile", profile) != NULL)
        return true;
    return strcmp(profile, "default") == 0 && ini_section(cfg->cfg_ini, "default") != NULL;
}

const char *aws_config_profile(const struct aws_config *cfg)
{
    return cfg->profile;
}

bool aws_config_profile_explicit(const struct aws_config *cfg)
{
    return cfg->profile_explicit;
}

const char *aws_config_region(const struct aws_config *cfg)
{
    return cfg->region;
}

int aws_config_max_attempts(const struct aws_config *cfg)
{
    return cfg->max_attempts;
}

const char *aws_config_ca_bundle(const struct aws_config *cfg)
{
    return cfg->ca_bundle;
}

const char *aws_config_home(const struct aws_config *cfg)
{
    return cfg->home;
}

/* Checks an endpoint URL and splits it into url and host (default ports dropped, as curl's
 * Host header and botocore's canonical host do). */
static int endpoint_parse(const char *url, const char *origin, struct aws_endpoint *out,
                          struct err *e)
{
    const char *auth, *end, *p;
    size_t n, hn;

    for (p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return err_set(e, ERR_CONFIG, "endpoint URL from %s contains a space or control "
                                          "character", origin);
    if (strncmp(url, "https://", 8) == 0)
        auth = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        auth = url + 7;
    else
        return err_set(e, ERR_CONFIG, "endpoint URL '%.200s' from %s must start with https:// "
                                      "or http://", url, origin);
    end = auth + strcspn(auth, "/?#");
    if (*end == '?' || *end == '#' || strchr(end, '?') != NULL || strchr(end, '#') != NULL)
        return err_set(e, ERR_CONFIG, "endpoint URL '%.200s' from %s must not have a query or "
                                      "fragment", url, origin);
    hn = (size_t)(end - auth);
    if (hn == 0 || memchr(auth, '@', hn) != NULL || auth[0] == ':')
        return err_set(e, ERR_CONFIG, "endpoint URL '%.200s' from %s has no valid host", url,
                       origin);
    n = strlen(url);
    while (n > (size_t)(end - url) && url[n - 1] == '/')
        n--;
    if (n >= sizeof(out->url) || hn >= sizeof(out->host))
        return err_set(e, ERR_CONFIG, "endpoint URL from %s is too long", origin);
    memcpy(out->url, url, n);
    out->url[n] = '\0';
    memcpy(out->host, auth, hn);
    out->host[hn] = '\0';
    if ((auth == url + 8 && hn > 4 && strcmp(out->host + hn - 4, ":443") == 0) ||
        (auth == url + 7 && hn > 3 && strcmp(out->host + hn - 3, ":80") == 0))
        *strrchr(out->host, ':') = '\0';
    return 0;
}

int aws_config_endpoint_in_region(const struct aws_config *cfg, enum aws_service svc,
                                  const char *region, struct aws_endpoint *out, struct err *e)
{
    const struct service_info *si;
    struct aws_endpoint ep;
    const char *url = NULL, *origin = NULL, *group;
    char origin_buf[128], def[512];
    int rc;

    if (cfg == NULL || (unsigned)svc >= AWS_SERVICE_COUNT || region == NULL)
        return err_set(e, ERR_INVAL, "aws_config_endpoint: bad arguments");
    if (!region_valid(region))
        return err_set(e, ERR_CONFIG, "invalid region '%.64s': expected a name like "
                                      "'eu-west-1'", region);
    si = &services[svc];
    memset(&ep, 0, sizeof(ep));
    if (cfg->endpoint_opt != NULL) {
        url = cfg->endpoint_opt;
        origin = "--endpoint-url";
    } else if (!cfg->ignore_configured) {
        snprintf(origin_buf, sizeof(origin_buf), "AWS_ENDPOINT_URL_%s", si->env_suffix);
        if (cfg->env_endpoint[svc] != NULL) {
            url = cfg->env_endpoint[svc];
            origin = origin_buf;
        } else if (cfg->env_endpoint_all != NULL) {
            url = cfg->env_endpoint_all;
            origin = "AWS_ENDPOINT_URL";
        } else {
            group = aws_config_get(cfg, "services");
            url = group != NULL ? ini_get_nested(find_kind(cfg->cfg_ini, "services", group),
                                                 si->config_key, "endpoint_url")
                                : NULL;
            if (url != NULL) {
                snprintf(origin_buf, sizeof(origin_buf), "[services %.64s] %s", group,
                         si->config_key);
                origin = origin_buf;
            } else if ((url = aws_config_get(cfg, "endpoint_url")) != NULL) {
                origin = "the profile's endpoint_url";
            }
        }
    }
    if (url != NULL) {
        rc = endpoint_parse(url, origin, &ep, e);
        if (rc != 0)
            return rc;
        ep.custom = true;
    } else {
        /* botocore keeps S3's legacy global endpoint in us-east-1 unless
         * s3_us_east_1_regional_endpoint = regional; it still signs for us-east-1 */
        if (svc == AWS_S3 && strcmp(region, "us-east-1") == 0 && !cfg->s3_regional_us_east_1)
            snprintf(def, sizeof(def), "https://s3.amazonaws.com");
        else
            snprintf(def, sizeof(def), "https://%s.%s.%s", si->host_prefix, region,
                     aws_config_dns_suffix(region));
        rc = endpoint_parse(def, "the regional default", &ep, e);
        if (rc != 0)
            return rc;
    }
    snprintf(ep.signing_name, sizeof(ep.signing_name), "%s", si->signing_name);
    snprintf(ep.signing_region, sizeof(ep.signing_region), "%s", region);
    *out = ep;
    return 0;
}

int aws_config_endpoint(const struct aws_config *cfg, enum aws_service svc,
                        struct aws_endpoint *out, struct err *e)
{
    if (cfg == NULL)
        return err_set(e, ERR_INVAL, "aws_config_endpoint: no config");
    return aws_config_endpoint_in_region(cfg, svc, cfg->region, out, e);
}

static int resolve_home(char *out, size_t n, struct err *e)
{
    const char *h = env("HOME");
    struct passwd pw, *res = NULL;
    char buf[4096];

    if (h == NULL && getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
        h = res->pw_dir;
    if (h == NULL)
        h = "";
    if ((size_t)snprintf(out, n, "%s", h) >= n)
        return err_set(e, ERR_CONFIG, "home directory path too long");
    return 0;
}

/* $VAR or ~/.aws/<name>, with a leading "~/" expanded as botocore does. */
static int file_path(const char *home, const char *var, const char *name, char *out, size_t n,
                     struct err *e)
{
    const char *v = env(var);
    int len;

    if (v == NULL)
        len = snprintf(out, n, "%s/.aws/%s", home, name);
    else if (strncmp(v, "~/", 2) == 0)
        len = snprintf(out, n, "%s%s", home, v + 1);
    else
        len = snprintf(out, n, "%s", v);
    if (len < 0 || (size_t)len >= n)
        return err_set(e, ERR_CONFIG, "path of the %s file is too long", name);
    return 0;
}

int aws_config_read_file(const char *path, size_t max_bytes, struct dynbuf *out, struct err *e)
{
    struct stat st;
    char chunk[4096];
    ssize_t r;
    int fd, rc = 0;

    dynbuf_init(out, max_bytes + 1);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return ERR_NOTFOUND;
        return err_set(e, ERR_IO, "cannot open %s: %s", path, strerror(errno));
    }
    /* botocore reads /dev/null as empty: a FIFO or a character device is read to its end like
     * a file, under the same cap; a directory, socket or block device is no text file */
    if (fstat(fd, &st) != 0 ||
        !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
        rc = err_set(e, ERR_IO, "%s is not a file that can be read (a directory?)", path);
        goto out;
    }
    for (;;) {
        r = read(fd, chunk, sizeof(chunk));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = err_set(e, ERR_IO, "cannot read %s: %s", path, strerror(errno));
            break;
        }
        if (r == 0)
            break;
        if (dynbuf_add(out, chunk, (size_t)r) != 0) {
            rc = out->err == ERR_TOOBIG
                     ? err_set(e, ERR_TOOBIG, "%s is larger than %zu bytes", path, max_bytes)
                     : err_set(e, ERR_NOMEM, "out of memory reading %s", path);
            break;
        }
    }
    OPENSSL_cleanse(chunk, sizeof(chunk));
    if (rc != 0)
        dynbuf_free_wipe(out);
out:
    close(fd);
    return rc;
}

/* A missing file is no error (*out stays NULL); an unreadable or malformed one is. */
static int load_ini(const char *path, struct ini **out, struct err *e)
{
    struct dynbuf buf;
    int rc;

    *out = NULL;
    rc = aws_config_read_file(path, INI_MAX_BYTES, &buf, e);
    if (rc == ERR_NOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    *out = ini_parse(dynbuf_str(&buf), buf.len, path, e);
    if (*out == NULL)
        rc = e != NULL && e->code != 0 ? e->code : ERR_PARSE;
    dynbuf_free_wipe(&buf);
    return rc;
}

static int dup_opt(const char *v, char **out, struct err *e)
{
    *out = NULL;
    if (v == NULL)
        return 0;
    *out = strdup(v);
    return *out != NULL ? 0 : err_set(e, ERR_NOMEM, "out of memory loading the AWS config");
}

static int pick_profile(struct aws_config *cfg, const struct aws_options *opts, struct err *e)
{
    const char *name = NULL, *origin = NULL;

    if (opts != NULL && opts->profile != NULL && opts->profile[0] != '\0') {
        name = opts->profile;
        origin = "--profile";
        cfg->profile_explicit = true;
    } else if ((name = env("AWS_PROFILE")) != NULL) {
        origin = "AWS_PROFILE";
    } else if ((name = env("AWS_DEFAULT_PROFILE")) != NULL) {
        origin = "AWS_DEFAULT_PROFILE";
    } else {
        name = "default";
    }
    if (strlen(name) >= sizeof(cfg->profile))
        return err_set(e, ERR_CONFIG, "profile name from %s is too long", origin);
    strcpy(cfg->profile, name);
    /* a profile the user named must exist; "default" may be absent (env keys, IMDS) */
    if (origin != NULL && strcmp(name, "default") != 0 && !aws_config_has_profile(cfg, name))
        return err_set(e, ERR_CONFIG, "profile '%.64s' (from %s) not found in %.70s or %.70s",
                       name, origin, cfg->config_path, cfg->creds_path);
    return 0;
}

static int pick_region(struct aws_config *cfg, const struct aws_options *opts, struct err *e)
{
    const char *r = NULL, *origin = NULL;

    if (opts != NULL && opts->region != NULL && opts->region[0] != '\0') {
        r = opts->region;
        origin = "--region";
    } else if ((r = env("AWS_REGION")) != NULL) {
        origin = "AWS_REGION";
    } else if ((r = env("AWS_DEFAULT_REGION")) != NULL) {
        origin = "AWS_DEFAULT_REGION";
    } else if ((r = aws_config_get(cfg, "region")) != NULL && r[0] != '\0') {
        origin = "the profile's region";
    } else {
        return err_set(e, ERR_CONFIG, "no region: set AWS_REGION, pass --region, or add "
                                      "'region = ...' to profile %.64s in ~/.aws/config",
                       cfg->profile);
    }
    if (!region_valid(r))
        return err_set(e, ERR_CONFIG, "invalid region '%.64s' (from %s): expected a name like "
                                      "'eu-west-1'", r, origin);
    snprintf(cfg->region, sizeof(cfg->region), "%s", r);
    return 0;
}

static int pick_settings(struct aws_config *cfg, const struct aws_options *opts, struct err *e)
{
    const char *v, *origin;
    char var[64], *end;
    long n;
    int i, rc;

    rc = dup_opt(opts != NULL && opts->endpoint_url != NULL && opts->endpoint_url[0] != '\0'
                     ? opts->endpoint_url : NULL, &cfg->endpoint_opt, e);
    for (i = 0; rc == 0 && i < AWS_SERVICE_COUNT; i++) {
        snprintf(var, sizeof(var), "AWS_ENDPOINT_URL_%s", services[i].env_suffix);
        rc = dup_opt(env(var), &cfg->env_endpoint[i], e);
    }
    if (rc == 0)
        rc = dup_opt(env("AWS_ENDPOINT_URL"), &cfg->env_endpoint_all, e);
    if (rc != 0)
        return rc;

    v = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    if (v == NULL)
        v = aws_config_get(cfg, "ignore_configured_endpoint_urls");
    cfg->ignore_configured = is_true(v);
    origin = "AWS_S3_US_EAST_1_REGIONAL_ENDPOINT";
    if ((v = env(origin)) == NULL) {
        v = aws_config_get(cfg, "s3_us_east_1_regional_endpoint");
        origin = "s3_us_east_1_regional_endpoint";
    }
    if (v != NULL && strcasecmp(v, "regional") != 0 && strcasecmp(v, "legacy") != 0)
        return err_set(e, ERR_CONFIG, "%s must be 'regional' or 'legacy', not '%.32s'", origin,
                       v);
    cfg->s3_regional_us_east_1 = v != NULL && strcasecmp(v, "regional") == 0;

    cfg->max_attempts = 3;
    origin = "AWS_MAX_ATTEMPTS";
    if ((v = env("AWS_MAX_ATTEMPTS")) == NULL) {
        v = aws_config_get(cfg, "max_attempts");
        origin = "max_attempts";
    }
    if (v != NULL) {
        errno = 0;
        n = strtol(v, &end, 10);
        if (errno != 0 || end == v || *end != '\0' || n < 1 || n > 100)
            return err_set(e, ERR_CONFIG, "%s must be a whole number from 1 to 100, not "
                                          "'%.32s'", origin, v);
        cfg->max_attempts = (int)n;
    }
    v = env("AWS_CA_BUNDLE");
    if (v == NULL)
        v = aws_config_get(cfg, "ca_bundle");
    return dup_opt(v != NULL && v[0] != '\0' ? v : NULL, &cfg->ca_bundle, e);
}

struct aws_config *aws_config_load(const struct aws_options *opts, struct err *e)
{
    struct aws_config *cfg = calloc(1, sizeof(*cfg));
    int rc;

    if (cfg == NULL) {
        err_set(e, ERR_NOMEM, "out of memory loading the AWS config");
        return NULL;
    }
    rc = resolve_home(cfg->home, sizeof(cfg->home), e);
    if (rc == 0)
        rc = file_path(cfg->home, "AWS_CONFIG_FILE", "config", cfg->config_path,
                       sizeof(cfg->config_path), e);
    if (rc == 0)
        rc = file_path(cfg->home, "AWS_SHARED_CREDENTIALS_FILE", "credentials",
                       cfg->creds_path, sizeof(cfg->creds_path), e);
    if (rc == 0)
        rc = load_ini(cfg->config_path, &cfg->cfg_ini, e);
    if (rc == 0)
        rc = load_ini(cfg->creds_path, &cfg->cred_ini, e);
    if (rc == 0)
        rc = pick_profile(cfg, opts, e);
    if (rc == 0)
        rc = pick_region(cfg, opts, e);
    if (rc == 0)
        rc = pick_settings(cfg, opts, e);
    if (rc != 0) {
        aws_config_free(cfg);
        return NULL;
    }
    return cfg;
}

void aws_config_free(struct aws_config *cfg)
{
    int i;

    if (cfg == NULL)
        return;
    ini_free(cfg->cfg_ini);
    ini_free(cfg->cred_ini);
    free(cfg->endpoint_opt);
    for (i = 0; i < AWS_SERVICE_COUNT; i++)
        free(cfg->env_endpoint[i]);
    free(cfg->env_endpoint_all);
    free(cfg->ca_bundle);
    free(cfg);
}

/* ---- profile and region lists (for pickers and completion) ----------------------------------
 * Read straight from the files named by AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE (else
 * ~/.aws/config, ~/.aws/credentials), without loading a config: a picker wants every name even
 * when one of the files would not parse. */

const char *const aws_config_regions[] = {
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1",
    "eu-south-1", "eu-south-2", "ap-south-1", "ap-south-2", "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
    "ap-east-1", "me-south-1", "me-central-1", "af-south-1", "il-central-1", "cn-north-1",
    "cn-northwest-1", "us-gov-west-1", "us-gov-east-1", NULL
};

size_t aws_config_list_profiles(char (*out)[128], size_t max)
{
    const char *files[2];
    char paths[2][1024];
    const char *home = getenv("HOME");
    size_t n = 0, f;

    files[0] = getenv("AWS_CONFIG_FILE");
    files[1] = getenv("AWS_SHARED_CREDENTIALS_FILE");
    snprintf(paths[0], sizeof(paths[0]), "%s/.aws/config", home ? home : "");
    snprintf(paths[1], sizeof(paths[1]), "%s/.aws/credentials", home ? home : "");
    for (f = 0; f < 2; f++) {
        FILE *fp = fopen(files[f] ? files[f] : paths[f], "r");
        char line[512];

        if (!fp)
            continue;
        while (fgets(line, sizeof(line), fp) && n < max) {
            char *s = line, *e;
            size_t i;
            bool dup = false;

            while (*s == ' ' || *s == '\t')
                s++;
            if (*s != '[' || !(e = strchr(s, ']')))
                continue;
            *e = '\0';
            s++;
            if (strncmp(s, "profile ", 8) == 0)
                s += 8;
            else if (f == 0 && strcmp(s, "default") != 0)
                continue;       /* [sso-session x], [services x] */
            while (*s == ' ')
                s++;
            for (i = 0; i < n; i++)
                dup |= strcmp(out[i], s) == 0;
            if (!dup && *s)
                snprintf(out[n++], 128, "%s", s);
        }
        fclose(fp);
    }
    if (n == 0 && max > 0)
        snprintf(out[n++], 128, "default");
    return n;
}

