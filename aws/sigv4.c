/* sigv4.c: AWS Signature Version 4, stage by stage (see sigv4.h for the rules).
 *
 * Owns nothing beyond the call: every buffer is built in a capped dynbuf (dynbuf.h) and either
 * handed to the caller or freed on the one cleanup path. Must not do I/O (except hashing a
 * file for S3 uploads), log, or keep any state; secrets and derived keys live on the stack
 * and are wiped with OPENSSL_cleanse() before returning. */
#include "aws/sigv4.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "aws/dynbuf.h"
#include "aws/hexdigit.h"

/* ---- the growing strings ------------------------------------------------------------------ */

/* Every string built here is a struct dynbuf capped at SIGV4_MAX_CANONICAL bytes (NUL
 * included). None holds a secret: the keys live in fixed arrays wiped below. */
static void buf_init(struct dynbuf *b)
{
    dynbuf_init(b, SIGV4_MAX_CANONICAL);
}

/* Frees b and says why it failed. */
static int buf_fail(struct dynbuf *b, struct err *e, const char *what)
{
    int code = b->err;

    dynbuf_free(b);
    if (code == ERR_NOMEM)
        return err_set(e, ERR_NOMEM, "sigv4: out of memory building the %s", what);
    return err_set(e, ERR_INVAL, "sigv4: the %s is over %d bytes", what, SIGV4_MAX_CANONICAL);
}

/* ---- hashing ------------------------------------------------------------------------------ */

static void hex_encode(const unsigned char *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

void sigv4_payload_hash(const void *data, size_t len, char out[SIGV4_HEX_LEN + 1])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    static const unsigned char empty[1];

    SHA256(data != NULL ? data : empty, len, md);
    hex_encode(md, sizeof(md), out);
}

int sigv4_file_hash(const char *path, char out[SIGV4_HEX_LEN + 1], struct err *e)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    unsigned char buf[64 * 1024];
    EVP_MD_CTX *ctx = NULL;
    FILE *f = NULL;
    size_t n;
    int rc = 0;

    f = fopen(path, "rb");
    if (f == NULL) {
        rc = err_set(e, ERR_IO, "cannot read %s: %s", path, strerror(errno));
        goto out;
    }
    ctx = EVP_MD_CTX_new();
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        rc = err_set(e, ERR_NOMEM, "sigv4: cannot start SHA-256");
        goto out;
    }
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        EVP_DigestUpdate(ctx, buf, n);
    if (ferror(f)) {
        rc = err_set(e, ERR_IO, "cannot read %s: %s", path, strerror(errno));
        goto out;
    }
    EVP_DigestFinal_ex(ctx, md, &md_len);
    hex_encode(md, md_len, out);
out:
    EVP_MD_CTX_free(ctx);
    if (f != NULL)
        fclose(f);
    return rc;
}

static void hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                        unsigned char out[SIGV4_KEY_LEN])
{
    unsigned int out_len = SIGV4_KEY_LEN;

    HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, out, &out_len);
}

/* ---- encoding ----------------------------------------------------------------------------- */

static bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '~';
}

size_t sigv4_uri_encode(const char *in, size_t len, unsigned flags, char *out, size_t outlen)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        char tmp[3];
        size_t k = 1;

        if (is_unreserved(c) || (c == '/' && (flags & SIGV4_ENC_KEEP_SLASH))) {
            tmp[0] = (char)c;
        } else {
            tmp[0] = '%';
            tmp[1] = digits[c >> 4];
            tmp[2] = digits[c & 15];
            k = 3;
        }
        for (size_t j = 0; j < k; j++, n++) {
            if (out != NULL && n + 1 < outlen)
                out[n] = tmp[j];
        }
    }
    if (out != NULL && outlen > 0)
        out[n < outlen ? n : outlen - 1] = '\0';
    return n;
}

char *sigv4_uri_encode_dup(const char *in, size_t len, unsigned flags)
{
    size_t need = sigv4_uri_encode(in, len, flags, NULL, 0);
    char *out = malloc(need + 1);

    if (out != NULL)
        sigv4_uri_encode(in, len, flags, out, need + 1);
    return out;
}

static void add_encoded(struct dynbuf *b, const char *s, size_t len, unsigned flags)
{
    enum { SLICE = 32 };
    char tmp[3 * SLICE + 1];

    /* in slices so that one stack buffer does: each input byte is at most 3 output bytes,
     * plus the NUL sigv4_uri_encode() always writes (found by fuzz_sigv4) */
    while (len > 0) {
        size_t take = len < SLICE ? len : SLICE;
        size_t n = sigv4_uri_encode(s, take, flags, tmp, sizeof(tmp));
        dynbuf_add(b, tmp, n);
        s += take;
        len -= take;
    }
}

/* Decodes %XX (valid escapes only; anything else stays literal) and re-encodes, so that
 * "%7e", "~" and "%7E" all sign as the server canonicalises them: "~". */
static void add_reencoded(struct dynbuf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%' && i + 2 < len && hex_digit_value(s[i + 1]) >= 0 && hex_digit_value(s[i + 2]) >= 0) {
            c = (char)(hex_digit_value(s[i + 1]) * 16 + hex_digit_value(s[i + 2]));
            i += 2;
        }
        add_encoded(b, &c, 1, 0);
    }
}

/* ---- canonical URI ------------------------------------------------------------------------ */

/* botocore's remove_dot_segments(): drops empty and "." segments, ".." pops one, keeps the
 * leading slash and a trailing slash when anything is left. */
static void normalize_path(struct dynbuf *b, const char *path)
{
    size_t len = strlen(path);
    size_t starts[256], lens[256], n = 0;
    bool overflow = false;

    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && path[j] != '/')
            j++;
        size_t seg = j - i;
        if (seg == 0 || (seg == 1 && path[i] == '.')) {
            /* skipped */
        } else if (seg == 2 && path[i] == '.' && path[i + 1] == '.') {
            if (n > 0)
                n--;
        } else if (n < sizeof(starts) / sizeof(starts[0])) {
            starts[n] = i;
            lens[n] = seg;
            n++;
        } else {
            overflow = true;
        }
        i = j + 1;
    }
    if (overflow) {
        b->err = ERR_INVAL;
        return;
    }
    if (path[0] == '/')
        dynbuf_addc(b, '/');
    for (size_t k = 0; k < n; k++) {
        if (k > 0)
            dynbuf_addc(b, '/');
        add_encoded(b, path + starts[k], lens[k], SIGV4_ENC_KEEP_SLASH);
    }
    if (len > 0 && path[len - 1] == '/' && n > 0)
        dynbuf_addc(b, '/');
}

static void canonical_uri(struct dynbuf *b, const char *path, unsigned flags)
{
    if (path == NULL || path[0] == '\0') {
        dynbuf_addc(b, '/');
    } else if (flags & SIGV4_S3) {
        dynbuf_addstr(b, path);
    } else {
        size_t before = b->len;
        normalize_path(b, path);
        if (b->err == 0 && b->len == before)
            dynbuf_addc(b, '/');
    }
}

/* ---- canonical query ---------------------------------------------------------------------- */

struct qpair {
    char *key;
    char *value;
};

static int qpair_cmp(const void *a, const void *b)
{
    const struct qpair *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c != 0 ? c : strcmp(x->value, y->value);
}

static char *reencode_dup(const char *s, size_t len, int *err)
{
    struct dynbuf b;
    char *out;

    buf_init(&b);
    add_reencoded(&b, s, len);
    if (b.err != 0) {
        *err = b.err;
        dynbuf_free(&b);
        return NULL;
    }
    if ((out = dynbuf_take(&b)) == NULL)
        *err = ERR_NOMEM;
    return out;
}

static size_t count_pairs(const char *q)
{
    size_t n = 1;

    for (; *q; q++)
        n += (*q == '&');
    return n;
}

static void canonical_query(struct dynbuf *b, const char *query)
{
    struct qpair *pairs = NULL;
    size_t n = 0;
    int err = 0;

    if (query == NULL || query[0] == '\0')
        return;
    pairs = calloc(count_pairs(query), sizeof(*pairs));
    if (pairs == NULL) {
        b->err = ERR_NOMEM;
        return;
    }
    for (const char *p = query; err == 0;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;

        if (len > 0) {     /* "a&&b": the empty piece is not a parameter */
            pairs[n].key = reencode_dup(p, klen, &err);
            pairs[n].value = eq ? reencode_dup(eq + 1, len - klen - 1, &err)
                                : reencode_dup("", 0, &err);
            n++;
        }
        if (amp == NULL)
            break;
        p = amp + 1;
    }
    if (err == 0) {
        qsort(pairs, n, sizeof(*pairs), qpair_cmp);
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                dynbuf_addc(b, '&');
            dynbuf_addstr(b, pairs[i].key);
            dynbuf_addc(b, '=');
            dynbuf_addstr(b, pairs[i].value);
        }
    } else {
        b->err = err;
    }
    for (size_t i = 0; i < n; i++) {
        free(pairs[i].key);
        free(pairs[i].value);
    }
    free(pairs);
}

/* ---- canonical headers -------------------------------------------------------------------- */

struct chdr {
    char name[128];
    const char *value;
    size_t order;                            /* keeps repeated names in the order given */
};

static int chdr_cmp(const void *a, const void *b)
{
    const struct chdr *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c != 0)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static bool is_unsigned_header(const char *lname)
{
    /* botocore's SIGNED_HEADERS_BLACKLIST */
    static const char *const skip[] = {
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
        "authorization",
    };
    for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
        if (strcmp(lname, skip[i]) == 0)
            return true;
    }
    return false;
}

/* Python's str.split() whitespace, restricted to ASCII. */
static bool is_ws(unsigned char c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
}

static void add_trimmed(struct dynbuf *b, const char *v)
{
    bool first = true;

    while (*v) {
        while (*v && is_ws((unsigned char)*v))
            v++;
        if (*v == '\0')
            break;
        const char *start = v;
        while (*v && !is_ws((unsigned char)*v))
            v++;
        if (!first)
            dynbuf_addc(b, ' ');
        dynbuf_add(b, start, (size_t)(v - start));
        first = false;
    }
}

static int lower_name(const char *name, char out[128])
{
    size_t n = strlen(name);

    if (n == 0 || n >= 128)
        return ERR_INVAL;
    for (size_t i = 0; i <= n; i++)
        out[i] = (char)tolower((unsigned char)name[i]);
    return 0;
}

/* Collects the headers to sign, sorted; returns the count or a negative error. */
static int collect_headers(const struct sigv4_request *req, struct chdr *h, struct err *e)
{
    size_t n = 0;
    bool have_host = false;

    for (size_t i = 0; i < req->n_headers; i++) {
        char lname[128];
        const struct http_header *src = &req->headers[i];

        if (src->name == NULL || src->value == NULL || lower_name(src->name, lname) != 0)
            return err_set(e, ERR_INVAL, "sigv4: header %zu has no name or value", i);
        if (is_unsigned_header(lname))
            continue;
        if (n >= SIGV4_MAX_HEADERS)
            return err_set(e, ERR_INVAL, "sigv4: more than %d headers", SIGV4_MAX_HEADERS);
        memcpy(h[n].name, lname, sizeof(lname));
        h[n].value = src->value;
        h[n].order = n;
        have_host = have_host || strcmp(lname, "host") == 0;
        n++;
    }
    if (!have_host) {
        if (req->host == NULL || req->host[0] == '\0')
            return err_set(e, ERR_INVAL, "sigv4: no host");
        if (n >= SIGV4_MAX_HEADERS)
            return err_set(e, ERR_INVAL, "sigv4: more than %d headers", SIGV4_MAX_HEADERS);
        strcpy(h[n].name, "host");
        h[n].value = req->host;
        h[n].order = n;
        n++;
    }
    qsort(h, n, sizeof(*h), chdr_cmp);
    return (int)n;
}

static void canonical_headers(struct dynbuf *b, struct dynbuf *signed_list, const struct chdr *h,
                              size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool repeat = i > 0 && strcmp(h[i].name, h[i - 1].name) == 0;
        if (repeat) {
            dynbuf_addc(b, ',');
        } else {
            if (i > 0) {
                dynbuf_addc(b, '\n');
                dynbuf_addc(signed_list, ';');
            }
            dynbuf_addstr(b, h[i].name);
            dynbuf_addc(b, ':');
            dynbuf_addstr(signed_list, h[i].name);
        }
        add_trimmed(b, h[i].value);
    }
    dynbuf_addc(b, '\n');
}

static const char *payload_line(const struct sigv4_request *req, const struct chdr *h, size_t n)
{
    /* botocore: an x-amz-content-sha256 header is what the payload line says */
    for (size_t i = 0; i < n; i++) {
        if (strcmp(h[i].name, "x-amz-content-sha256") == 0)
            return h[i].value;
    }
    return req->payload_hash != NULL ? req->payload_hash : SIGV4_EMPTY_SHA256;
}

int sigv4_canonical_request(const struct sigv4_request *req, unsigned flags, char **out,
                            char **signed_headers, struct err *e)
{
    struct chdr *h = NULL;
    struct dynbuf b, sl;
    int n, rc = 0;

    buf_init(&b);
    buf_init(&sl);

    if (req == NULL || req->method == NULL || req->method[0] == '\0')
        return err_set(e, ERR_INVAL, "sigv4: no method");
    h = calloc(SIGV4_MAX_HEADERS, sizeof(*h));
    if (h == NULL)
        return err_set(e, ERR_NOMEM, "sigv4: out of memory");
    n = collect_headers(req, h, e);
    if (n < 0) {
        rc = n;
        goto out;
    }
    dynbuf_addstr(&b, req->method);
    dynbuf_addc(&b, '\n');
    canonical_uri(&b, req->path, flags);
    dynbuf_addc(&b, '\n');
    canonical_query(&b, req->query);
    dynbuf_addc(&b, '\n');
    canonical_headers(&b, &sl, h, (size_t)n);
    dynbuf_addc(&b, '\n');
    dynbuf_add(&b, dynbuf_str(&sl), sl.len);
    dynbuf_addc(&b, '\n');
    dynbuf_addstr(&b, payload_line(req, h, (size_t)n));
    if (b.err != 0 || sl.err != 0) {
        if (b.err == 0)
            b.err = sl.err;
        rc = buf_fail(&b, e, "canonical request");
        goto out;
    }
    *out = dynbuf_take(&b);
    *signed_headers = dynbuf_take(&sl);
    if (*out == NULL || *signed_headers == NULL) {
        free(*out);
        free(*signed_headers);
        rc = err_set(e, ERR_NOMEM, "sigv4: out of memory");
    }
out:
    dynbuf_free(&b);
    dynbuf_free(&sl);
    free(h);
    return rc;
}

/* ---- string to sign, key, signature -------------------------------------------------------- */

static void scope(struct dynbuf *b, const char *amz_date, const char *region, const char *service)
{
    dynbuf_add(b, amz_date, 8);
    dynbuf_addc(b, '/');
    dynbuf_addstr(b, region);
    dynbuf_addc(b, '/');
    dynbuf_addstr(b, service);
    dynbuf_addstr(b, "/aws4_request");
}

int sigv4_string_to_sign(const char *amz_date, const char *region, const char *service,
                         const char *canonical_request, size_t creq_len, char **out,
                         struct err *e)
{
    struct dynbuf b;
    char hex[SIGV4_HEX_LEN + 1];

    if (amz_date == NULL || strlen(amz_date) != SIGV4_DATE_LEN || region == NULL ||
        service == NULL || canonical_request == NULL)
        return err_set(e, ERR_INVAL, "sigv4: bad date, region or service");
    sigv4_payload_hash(canonical_request, creq_len, hex);
    buf_init(&b);
    dynbuf_addstr(&b, "AWS4-HMAC-SHA256\n");
    dynbuf_addstr(&b, amz_date);
    dynbuf_addc(&b, '\n');
    scope(&b, amz_date, region, service);
    dynbuf_addc(&b, '\n');
    dynbuf_addstr(&b, hex);
    if (b.err != 0)
        return buf_fail(&b, e, "string to sign");
    if ((*out = dynbuf_take(&b)) == NULL)
        return err_set(e, ERR_NOMEM, "sigv4: out of memory");
    return 0;
}

int sigv4_signing_key(const char *secret, const char *yyyymmdd, const char *region,
                      const char *service, uint8_t key[SIGV4_KEY_LEN], struct err *e)
{
    char k_secret[4 + 256];
    unsigned char k[SIGV4_KEY_LEN];
    size_t slen;

    if (secret == NULL || yyyymmdd == NULL || region == NULL || service == NULL)
        return err_set(e, ERR_INVAL, "sigv4: no secret key, date, region or service");
    slen = strlen(secret);
    if (slen == 0 || slen > 256)
        return err_set(e, ERR_INVAL, "sigv4: the secret access key is empty or too long");
    memcpy(k_secret, "AWS4", 4);
    memcpy(k_secret + 4, secret, slen);
    hmac_sha256(k_secret, 4 + slen, yyyymmdd, 8, k);
    hmac_sha256(k, sizeof(k), region, strlen(region), k);
    hmac_sha256(k, sizeof(k), service, strlen(service), k);
    hmac_sha256(k, sizeof(k), "aws4_request", 12, key);
    OPENSSL_cleanse(k_secret, sizeof(k_secret));
    OPENSSL_cleanse(k, sizeof(k));
    return 0;
}

void sigv4_signature(const uint8_t key[SIGV4_KEY_LEN], const char *string_to_sign, size_t len,
                     char out[SIGV4_HEX_LEN + 1])
{
    unsigned char mac[SIGV4_KEY_LEN];

    hmac_sha256(key, SIGV4_KEY_LEN, string_to_sign, len, mac);
    hex_encode(mac, sizeof(mac), out);
}

/* ---- the whole signature ------------------------------------------------------------------ */

void sigv4_format_date(time_t now, char out[SIGV4_DATE_LEN + 1])
{
    struct tm tm;

    if (gmtime_r(&now, &tm) == NULL ||
        strftime(out, SIGV4_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm) != SIGV4_DATE_LEN)
        memcpy(out, "19700101T000000Z", SIGV4_DATE_LEN + 1);
}

void sigv4_trace_clean(struct sigv4_trace *t)
{
    if (t == NULL)
        return;
    free(t->canonical_request);
    free(t->string_to_sign);
    t->canonical_request = NULL;
    t->string_to_sign = NULL;
    t->signature[0] = '\0';
}

static bool has_token(const struct sigv4_credentials *cr)
{
    return cr->session_token != NULL && cr->session_token[0] != '\0';
}

/* The headers the signer sets replace any the caller gave under the same name. */
static bool replaced_by_signer(const char *name, const struct sigv4_credentials *cr,
                               unsigned flags)
{
    return strcasecmp(name, "x-amz-date") == 0 || strcasecmp(name, "authorization") == 0 ||
           (has_token(cr) && strcasecmp(name, "x-amz-security-token") == 0) ||
           ((flags & SIGV4_S3) && strcasecmp(name, "x-amz-content-sha256") == 0);
}

static int check_inputs(const struct sigv4_credentials *cr, const struct sigv4_request *req,
                        struct err *e)
{
    if (cr == NULL || cr->access_key_id == NULL || cr->access_key_id[0] == '\0' ||
        cr->secret_access_key == NULL || cr->secret_access_key[0] == '\0')
        return err_set(e, ERR_AUTH, "sigv4: no access key id or secret access key");
    if (cr->region == NULL || cr->region[0] == '\0' || cr->service == NULL ||
        cr->service[0] == '\0')
        return err_set(e, ERR_INVAL, "sigv4: no signing region or service");
    if (req == NULL || req->method == NULL)
        return err_set(e, ERR_INVAL, "sigv4: no request");
    if (req->n_headers > SIGV4_MAX_HEADERS - 4)
        return err_set(e, ERR_INVAL, "sigv4: more than %d headers", SIGV4_MAX_HEADERS - 4);
    return 0;
}

/* Fills sig's own header list (the ones the signer adds, Authorization left for later) and
 * appends them to all[], after the caller's headers. */
static size_t add_signer_headers(const struct sigv4_credentials *cr,
                                 const struct sigv4_request *req, unsigned flags,
                                 struct sigv4_signed *sig, struct http_header *all)
{
    size_t n = 0;

    for (size_t i = 0; i < req->n_headers; i++) {
        if (req->headers[i].name != NULL && !replaced_by_signer(req->headers[i].name, cr, flags))
            all[n++] = req->headers[i];
        else if (req->headers[i].name == NULL)
            all[n++] = req->headers[i];      /* collect_headers() reports it */
    }
    sig->n_headers = 0;
    sig->headers[sig->n_headers++] = (struct http_header){"X-Amz-Date", sig->amz_date};
    if (has_token(cr))
        sig->headers[sig->n_headers++] =
            (struct http_header){"X-Amz-Security-Token", cr->session_token};
    if (flags & SIGV4_S3)
        sig->headers[sig->n_headers++] =
            (struct http_header){"X-Amz-Content-SHA256", sig->content_sha256};
    for (size_t i = 0; i < sig->n_headers; i++)
        all[n++] = sig->headers[i];
    return n;
}

static int build_authorization(const struct sigv4_credentials *cr, struct sigv4_signed *sig,
                               const char *signed_headers, const char *signature, struct err *e)
{
    int n = snprintf(sig->authorization, sizeof(sig->authorization),
                     "AWS4-HMAC-SHA256 Credential=%s/%.8s/%s/%s/aws4_request, "
                     "SignedHeaders=%s, Signature=%s",
                     cr->access_key_id, sig->amz_date, cr->region, cr->service, signed_headers,
                     signature);
    if (n < 0 || (size_t)n >= sizeof(sig->authorization))
        return err_set(e, ERR_INVAL, "sigv4: the Authorization header is over %d bytes",
                       SIGV4_AUTH_MAX);
    sig->headers[sig->n_headers++] = (struct http_header){"Authorization", sig->authorization};
    return 0;
}

int sigv4_sign(const struct sigv4_credentials *cr, const struct sigv4_request *req, time_t now,
               unsigned flags, struct sigv4_signed *out, struct sigv4_trace *trace,
               struct err *e)
{
    struct http_header all[SIGV4_MAX_HEADERS];
    struct sigv4_request full;
    struct sigv4_signed *sig = NULL;
    uint8_t key[SIGV4_KEY_LEN];
    char signature[SIGV4_HEX_LEN + 1];
    char *creq = NULL, *signed_headers = NULL, *sts = NULL;
    int rc;

    rc = check_inputs(cr, req, e);
    if (rc != 0)
        return rc;
    sig = calloc(1, sizeof(*sig));
    if (sig == NULL)
        return err_set(e, ERR_NOMEM, "sigv4: out of memory");
    sigv4_format_date(now, sig->amz_date);
    snprintf(sig->content_sha256, sizeof(sig->content_sha256), "%s",
             req->payload_hash != NULL ? req->payload_hash : SIGV4_EMPTY_SHA256);
    full = *req;
    full.headers = all;
    full.n_headers = add_signer_headers(cr, req, flags, sig, all);
    full.payload_hash = sig->content_sha256;

    rc = sigv4_canonical_request(&full, flags, &creq, &signed_headers, e);
    if (rc == 0)
        rc = sigv4_string_to_sign(sig->amz_date, cr->region, cr->service, creq, strlen(creq),
                                  &sts, e);
    if (rc == 0)
        rc = sigv4_signing_key(cr->secret_access_key, sig->amz_date, cr->region, cr->service,
                               key, e);
    if (rc != 0)
        goto out;
    sigv4_signature(key, sts, strlen(sts), signature);
    rc = build_authorization(cr, sig, signed_headers, signature, e);
    if (rc != 0)
        goto out;
    *out = *sig;
    /* the copied headers must point into *out, not into the scratch copy */
    for (size_t i = 0; i < out->n_headers; i++) {
        if (out->headers[i].value == sig->amz_date)
            out->headers[i].value = out->amz_date;
        else if (out->headers[i].value == sig->content_sha256)
            out->headers[i].value = out->content_sha256;
        else if (out->headers[i].value == sig->authorization)
            out->headers[i].value = out->authorization;
    }
    if (trace != NULL) {
        trace->canonical_request = creq;
        trace->string_to_sign = sts;
        memcpy(trace->signature, signature, sizeof(signature));
        creq = NULL;
        sts = NULL;
    }
out:
    OPENSSL_cleanse(key, sizeof(key));
    free(creq);
    free(sts);
    free(signed_headers);
    free(sig);
    return rc;
}
