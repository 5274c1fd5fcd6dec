/* creds_http.c: credentials fetched over plain HTTP: the SSO portal (with the AWS CLI's cached
 * token), the container credentials endpoint and EC2 instance metadata (IMDSv2).
 *
 * Owns a short-lived http_client per fetch (the provider's mutex serialises them). Must not
 * hang a laptop: IMDS gets 1 s timeouts and one attempt, the container endpoint 2 s and three.
 * Tokens and keys are wiped from every buffer, and no URL that carries a secret is reported. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "aws/creds_internal.h"
#include "aws/http.h"

#define META_MAX_BYTES (64 * 1024)
#define TOKEN_FILE_MAX 16384

static const char *env(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

static void wipe_json_string(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    if (json_is_string(v))
        OPENSSL_cleanse((void *)json_string_value(v), json_string_length(v));
}

static void response_wipe(struct http_response *r)
{
    if (r->body != NULL)
        OPENSSL_cleanse(r->body, r->body_len);
    http_response_clean(r);
    memset(r, 0, sizeof(*r));
}

/* One GET/PUT with the given headers and timeouts. */
static int fetch(const struct aws_config *cfg, const char *method, const char *url,
                 const struct http_header *h, size_t nh, long timeout_ms,
                 struct http_response *resp, struct err *e)
{
    struct http_request req = {
        .method = method, .url = url, .headers = h, .n_headers = nh,
        .connect_timeout_ms = timeout_ms, .timeout_ms = timeout_ms,
        .max_response_bytes = META_MAX_BYTES,
    };
    struct http_client *c;
    int rc;

    memset(resp, 0, sizeof(*resp));
    c = http_client_new(aws_config_ca_bundle(cfg), e);
    if (c == NULL)
        return e != NULL && e->code != 0 ? e->code : ERR_NOMEM;
    rc = http_perform(c, &req, resp, e);
    http_client_free(c);
    return rc;
}

int creds_parse_metadata_json(const char *text, size_t len, const char *source,
                              struct aws_creds *out, struct err *e)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    const char *code, *exp;
    time_t t = 0;
    int rc;

    if (root == NULL || !json_is_object(root)) {
        json_decref(root);
        return err_set(e, ERR_AUTH, "%s credentials: answer is not a JSON object", source);
    }
    code = json_string_value(json_object_get(root, "Code"));
    exp = json_string_value(json_object_get(root, "Expiration"));
    if (code != NULL && strcmp(code, "Success") != 0)
        rc = err_set(e, ERR_AUTH, "%s credentials: the endpoint answered Code %.40s", source,
                     code);
    else if (exp != NULL && creds_parse_time(exp, &t) != 0)
        rc = err_set(e, ERR_AUTH, "%s credentials: bad Expiration '%.40s'", source, exp);
    else
        rc = creds_set(out, json_string_value(json_object_get(root, "AccessKeyId")),
                       json_string_value(json_object_get(root, "SecretAccessKey")),
                       json_string_value(json_object_get(root, "Token")), t, source, source, e);
    wipe_json_string(root, "SecretAccessKey");
    wipe_json_string(root, "Token");
    json_decref(root);
    return rc;
}

/* ---- SSO ------------------------------------------------------------------------------------ */

int creds_sso_cache_path(const char *home, const char *session_name, const char *start_url,
                         char *out, size_t n)
{
    const char *key = session_name != NULL ? session_name : start_url;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    int w;

    if (key == NULL || EVP_Digest(key, strlen(key), md, &mdlen, EVP_sha1(), NULL) != 1)
        return ERR_INVAL;
    for (i = 0; i < mdlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    hex[2 * mdlen] = '\0';
    w = snprintf(out, n, "%s/.aws/sso/cache/%s.json", home, hex);
    return w < 0 || (size_t)w >= n ? ERR_TOOBIG : 0;
}

static int sso_expired(const char *profile, struct err *e)
{
    return err_set(e, ERR_AUTH, "the SSO session for profile %.64s has expired or is missing: "
                                "run 'aws sso login --profile %.64s'", profile, profile);
}

static void url_encode(const char *in, char *out, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t l = 0;

    for (; *in && l + 4 < n; in++) {
        unsigned char ch = (unsigned char)*in;

        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            out[l++] = (char)ch;
        } else {
            out[l++] = '%';
            out[l++] = hex[ch >> 4];
            out[l++] = hex[ch & 15];
        }
    }
    out[l] = '\0';
}

/* The cached access token, or the "run aws sso login" error. */
static int sso_token(const struct aws_config *cfg, const char *profile, const char *session,
                     const char *start_url, char *token, size_t n, struct err *e)
{
    char path[4096];
    json_error_t jerr;
    json_t *root;
    const char *tok, *exp;
    struct stat st;
    time_t t;
    int rc = 0;

    if (creds_sso_cache_path(aws_config_home(cfg), session, start_url, path, sizeof(path)) != 0)
        return err_set(e, ERR_CONFIG, "profile %.64s: SSO cache path too long", profile);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > META_MAX_BYTES)
        return sso_expired(profile, e);
    root = json_load_file(path, 0, &jerr);
    if (root == NULL)
        return sso_expired(profile, e);
    tok = json_string_value(json_object_get(root, "accessToken"));
    exp = json_string_value(json_object_get(root, "expiresAt"));
    if (tok == NULL || exp == NULL || creds_parse_time(exp, &t) != 0 || t <= time(NULL) ||
        strlen(tok) >= n || strpbrk(tok, "\r\n") != NULL)
        rc = sso_expired(profile, e);
    else
        memcpy(token, tok, strlen(tok) + 1);
    wipe_json_string(root, "accessToken");
    wipe_json_string(root, "refreshToken");
    json_decref(root);
    return rc;
}

int creds_from_sso(const struct aws_config *cfg, const char *profile, struct aws_creds *out,
                   struct err *e)
{
    const char *session = aws_config_profile_get(cfg, profile, "sso_session");
    const char *start_url, *region, *account, *role;
    struct aws_endpoint ep;
    struct http_response resp = {0};
    char token[8192], header[8300], url[1024], er[256], ea[64];
    struct http_header h[1];
    json_error_t jerr;
    json_t *root = NULL, *rcred;
    json_int_t exp_ms;
    int rc;

    if (session != NULL) {
        start_url = aws_config_sso_session_get(cfg, session, "sso_start_url");
        region = aws_config_sso_session_get(cfg, session, "sso_region");
        if (start_url == NULL || region == NULL)
            return err_set(e, ERR_CONFIG, "profile %.64s: [sso-session %.64s] needs "
                                          "sso_start_url and sso_region", profile, session);
    } else {
        start_url = aws_config_profile_get(cfg, profile, "sso_start_url");
        region = aws_config_profile_get(cfg, profile, "sso_region");
        if (region == NULL)
            return err_set(e, ERR_CONFIG, "profile %.64s: sso_start_url needs sso_region",
                           profile);
    }
    account = aws_config_profile_get(cfg, profile, "sso_account_id");
    role = aws_config_profile_get(cfg, profile, "sso_role_name");
    if (account == NULL || role == NULL)
        return err_set(e, ERR_CONFIG, "profile %.64s: an SSO profile needs sso_account_id and "
                                      "sso_role_name", profile);
    rc = aws_config_endpoint_in_region(cfg, AWS_SSO, region, &ep, e);
    if (rc != 0)
        return rc;
    rc = sso_token(cfg, profile, session, start_url, token, sizeof(token), e);
    if (rc != 0)
        return rc;
    url_encode(role, er, sizeof(er));
    url_encode(account, ea, sizeof(ea));
    snprintf(url, sizeof(url), "%s/federation/credentials?role_name=%s&account_id=%s", ep.url,
             er, ea);
    snprintf(header, sizeof(header), "%s", token);
    h[0].name = "x-amz-sso_bearer_token";
    h[0].value = header;
    rc = fetch(cfg, "GET", url, h, 1, 10000, &resp, e);
    OPENSSL_cleanse(token, sizeof(token));
    OPENSSL_cleanse(header, sizeof(header));
    if (rc != 0) {
        err_prefix(e, "SSO GetRoleCredentials for profile %.64s", profile);
        goto out;
    }
    if (resp.status == 401 || resp.status == 403) {
        rc = sso_expired(profile, e);
        goto out;
    }
    if (resp.status != 200) {
        rc = err_set(e, ERR_AUTH, "SSO GetRoleCredentials for profile %.64s: HTTP %ld from %s",
                     profile, resp.status, ep.host);
        goto out;
    }
    root = json_loadb(resp.body, resp.body_len, 0, &jerr);
    rcred = json_object_get(root, "roleCredentials");
    if (!json_is_object(rcred)) {
        rc = err_set(e, ERR_AUTH, "SSO GetRoleCredentials for profile %.64s: answer lacks "
                                  "roleCredentials", profile);
        goto out;
    }
    exp_ms = json_integer_value(json_object_get(rcred, "expiration"));
    rc = creds_set(out, json_string_value(json_object_get(rcred, "accessKeyId")),
                   json_string_value(json_object_get(rcred, "secretAccessKey")),
                   json_string_value(json_object_get(rcred, "sessionToken")),
                   (time_t)(exp_ms / 1000), "sso", "SSO GetRoleCredentials", e);
    wipe_json_string(rcred, "secretAccessKey");
    wipe_json_string(rcred, "sessionToken");
out:
    json_decref(root);
    response_wipe(&resp);
    return rc;
}

/* ---- container ------------------------------------------------------------------------------ */

static bool full_uri_host_allowed(const char *url)
{
    static const char *const hosts[] = {"localhost", "169.254.170.2", "169.254.170.23",
                                        "[::1]", "[fd00:ec2::23]"};
    const char *h = url + 7;
    size_t n, i;

    if (h[0] == '[')
        n = strcspn(h, "]") + 1;
    else
        n = strcspn(h, ":/");
    for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
        if (strlen(hosts[i]) == n && strncasecmp(h, hosts[i], n) == 0)
            return true;
    return n > 4 && strncmp(h, "127.", 4) == 0 && strspn(h, "0123456789.") >= n;
}

int creds_container_url(char *out, size_t n, struct err *e)
{
    const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    int w;

    if (rel != NULL) {
        if (rel[0] != '/' || strpbrk(rel, " \r\n") != NULL)
            return err_set(e, ERR_CONFIG, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path "
                                          "starting with '/'");
        w = snprintf(out, n, "http://169.254.170.2%s", rel);
    } else if (full != NULL) {
        if (strpbrk(full, " \r\n") != NULL ||
            (strncmp(full, "https://", 8) != 0 &&
             (strncmp(full, "http://", 7) != 0 || !full_uri_host_allowed(full))))
            return err_set(e, ERR_CONFIG, "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https://, "
                                          "or http:// to a loopback or the ECS/EKS agent host");
        w = snprintf(out, n, "%s", full);
    } else {
        return ERR_NOTFOUND;
    }
    if (w < 0 || (size_t)w >= n)
        return err_set(e, ERR_CONFIG, "container credentials URI too long");
    return 0;
}

/* AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE wins over AWS_CONTAINER_AUTHORIZATION_TOKEN. */
static int container_token(char *out, size_t n, struct err *e)
{
    const char *file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *tok = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    size_t len = 0;
    ssize_t r;
    int fd;

    out[0] = '\0';
    if (file != NULL) {
        fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return err_set(e, ERR_IO, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %.100s:"
                                      " %s", file, strerror(errno));
        while (len + 1 < n && (r = read(fd, out + len, n - 1 - len)) > 0)
            len += (size_t)r;
        close(fd);
        out[len] = '\0';
        while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r' || out[len - 1] == ' '))
            out[--len] = '\0';
    } else if (tok != NULL) {
        if (strlen(tok) >= n)
            return err_set(e, ERR_CONFIG, "AWS_CONTAINER_AUTHORIZATION_TOKEN is too long");
        snprintf(out, n, "%s", tok);
    }
    if (strpbrk(out, "\r\n") != NULL)
        return err_set(e, ERR_CONFIG, "the container authorization token contains a line break");
    return 0;
}

int creds_from_container(const struct aws_config *cfg, struct aws_creds *out, struct err *e)
{
    char url[2048], token[TOKEN_FILE_MAX];
    struct http_header h[1] = {{"Authorization", token}};
    struct http_response resp = {0};
    int rc, attempt;

    rc = creds_container_url(url, sizeof(url), e);
    if (rc != 0)
        return rc;
    rc = container_token(token, sizeof(token), e);
    if (rc != 0)
        return rc;
    for (attempt = 0; attempt < 3; attempt++) {
        rc = fetch(cfg, "GET", url, h, token[0] != '\0' ? 1 : 0, 2000, &resp, e);
        if (rc == 0 && resp.status >= 500) {
            long status = resp.status;

            response_wipe(&resp);
            rc = err_set(e, ERR_NET, "HTTP %ld", status);
            continue;
        }
        if (rc != ERR_NET)
            break;
        response_wipe(&resp);
    }
    OPENSSL_cleanse(token, sizeof(token));
    if (rc != 0) {
        response_wipe(&resp);
        err_prefix(e, "container credentials endpoint");
        return rc == ERR_NET ? (e != NULL ? (e->code = ERR_AUTH) : ERR_AUTH) : rc;
    }
    if (resp.status != 200)
        rc = err_set(e, ERR_AUTH, "container credentials endpoint answered HTTP %ld",
                     resp.status);
    else
        rc = creds_parse_metadata_json(resp.body, resp.body_len, "container", out, e);
    response_wipe(&resp);
    return rc;
}

/* ---- IMDSv2 --------------------------------------------------------------------------------- */

#define IMDS_TIMEOUT_MS 1000
#define IMDS_CREDS_PATH "/latest/meta-data/iam/security-credentials/"

static void imds_base(const struct aws_config *cfg, char *out, size_t n)
{
    const char *ep = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    const char *mode = env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    size_t l;

    if (ep == NULL)
        ep = aws_config_get(cfg, "ec2_metadata_service_endpoint");
    if (mode == NULL)
        mode = aws_config_get(cfg, "ec2_metadata_service_endpoint_mode");
    if (ep == NULL)
        ep = mode != NULL && strcasecmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]"
                                                          : "http://169.254.169.254";
    snprintf(out, n, "%s", ep);
    l = strlen(out);
    while (l > 0 && out[l - 1] == '/')
        out[--l] = '\0';
}

int creds_from_imds(const struct aws_config *cfg, struct aws_creds *out, struct err *e)
{
    const char *dis = env("AWS_EC2_METADATA_DISABLED");
    char base[512], url[1024], token[256] = "", role[256];
    struct http_header h[1];
    struct http_response resp = {0};
    struct err sub = {0};
    size_t n;
    int rc;

    if (dis != NULL && strcasecmp(dis, "true") == 0)
        return ERR_NOTFOUND;
    imds_base(cfg, base, sizeof(base));
    snprintf(url, sizeof(url), "%s/latest/api/token", base);
    h[0].name = "x-aws-ec2-metadata-token-ttl-seconds";
    h[0].value = "21600";
    /* unreachable metadata is the normal case off EC2: not an error, just no source */
    if (fetch(cfg, "PUT", url, h, 1, IMDS_TIMEOUT_MS, &resp, &sub) != 0)
        return ERR_NOTFOUND;
    if (resp.status == 200 && resp.body_len > 0 && resp.body_len < sizeof(token)) {
        memcpy(token, resp.body, resp.body_len);
        token[resp.body_len] = '\0';
    } else if (resp.status != 404 && resp.status != 405) {
        /* 404/405: an IMDSv1-only endpoint, go on without a token */
        response_wipe(&resp);
        return ERR_NOTFOUND;
    }
    response_wipe(&resp);
    if (strpbrk(token, "\r\n") != NULL)
        return ERR_NOTFOUND;
    h[0].name = "x-aws-ec2-metadata-token";
    h[0].value = token;
    snprintf(url, sizeof(url), "%s" IMDS_CREDS_PATH, base);
    rc = fetch(cfg, "GET", url, h, token[0] != '\0' ? 1 : 0, IMDS_TIMEOUT_MS, &resp, &sub);
    if (rc != 0 || resp.status != 200 || resp.body_len == 0) {
        if (rc == 0)
            response_wipe(&resp);
        rc = ERR_NOTFOUND;   /* no role attached to this instance */
        goto out;
    }
    n = strcspn(resp.body, "\r\n");
    if (n == 0 || n >= sizeof(role) || strchr(resp.body, '/') != NULL) {
        response_wipe(&resp);
        rc = err_set(e, ERR_AUTH, "instance metadata: unexpected role list");
        goto out;
    }
    memcpy(role, resp.body, n);
    role[n] = '\0';
    response_wipe(&resp);
    snprintf(url, sizeof(url), "%s" IMDS_CREDS_PATH "%s", base, role);
    rc = fetch(cfg, "GET", url, h, token[0] != '\0' ? 1 : 0, IMDS_TIMEOUT_MS, &resp, e);
    if (rc != 0) {
        err_prefix(e, "instance metadata credentials for role %.64s", role);
        goto out;
    }
    if (resp.status != 200)
        rc = err_set(e, ERR_AUTH, "instance metadata credentials for role %.64s: HTTP %ld", role,
                     resp.status);
    else
        rc = creds_parse_metadata_json(resp.body, resp.body_len, "imds", out, e);
    response_wipe(&resp);
out:
    OPENSSL_cleanse(token, sizeof(token));
    return rc;
}
