/* http.c: one HTTP exchange through libcurl; the only file that includes <curl/curl.h>.
 *
 * Owns one curl easy handle per http_client (so its connection cache, TLS sessions and DNS
 * cache are reused from one call to the next), the response it builds and one body buffer
 * handed back for the next response (http_client_keep_body). Must not retry,
 * sign, parse AWS errors or print: that is client.c's. Not thread-safe per client; the
 * process-wide curl_global_init() runs once under pthread_once. */
#include "aws/http.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <curl/curl.h>

#define HTTP_DEFAULT_CONNECT_MS 5000L
#define HTTP_DEFAULT_TIMEOUT_MS 60000L
#define HTTP_DEFAULT_MAX_BYTES (64u * 1024u * 1024u)
#define HTTP_HEADER_LINE_MAX 8192

struct http_client {
    CURL *easy;
    char *ca_bundle;
    volatile sig_atomic_t *cancel;
    char *spare;                /* a body handed back (http_client_keep_body), spare_cap bytes */
    size_t spare_cap;
};

/* The state of one exchange, shared with curl's callbacks. */
struct exchange {
    struct http_response *resp;
    size_t cap;                 /* allocated bytes of resp->body */
    size_t max_bytes;
    bool too_big;
    FILE *upload;
    bool upload_failed;
    volatile sig_atomic_t *cancel;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct http_client *http_client_new(const char *ca_bundle, struct err *e)
{
    struct http_client *c;

    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK) {
        err_set(e, ERR_NET, "cannot start libcurl: %s", curl_easy_strerror(global_rc));
        return NULL;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        goto nomem;
    c->easy = curl_easy_init();
    if (c->easy == NULL)
        goto nomem;
    if (ca_bundle != NULL && ca_bundle[0] != '\0') {
        c->ca_bundle = strdup(ca_bundle);
        if (c->ca_bundle == NULL)
            goto nomem;
    }
    return c;
nomem:
    http_client_free(c);
    err_set(e, ERR_NOMEM, "out of memory starting an HTTP client");
    return NULL;
}

void http_client_free(struct http_client *c)
{
    if (c == NULL)
        return;
    if (c->easy != NULL)
        curl_easy_cleanup(c->easy);
    free(c->ca_bundle);
    free(c->spare);
    free(c);
}

void http_client_set_cancel(struct http_client *c, volatile sig_atomic_t *cancel)
{
    if (c != NULL)
        c->cancel = cancel;
}

static void keep_spare(struct http_client *c, char *body, size_t cap)
{
    if (c->spare == NULL && cap > 0 && cap <= HTTP_KEEP_BODY_MAX) {
        c->spare = body;
        c->spare_cap = cap;
    } else {
        free(body);
    }
}

void http_client_keep_body(struct http_client *c, struct http_response *resp)
{
    if (c == NULL || resp == NULL) {
        http_response_clean(resp);
        return;
    }
    keep_spare(c, resp->body, resp->body_cap);
    resp->body = NULL;
    resp->body_len = 0;
    resp->body_cap = 0;
}

void http_response_clean(struct http_response *resp)
{
    if (resp == NULL)
        return;
    free(resp->body);
    memset(resp, 0, sizeof(*resp));
    resp->content_length = -1;
}

/* ---- callbacks ---------------------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct exchange *x = userp;
    struct http_response *r = x->resp;
    size_t n = size * nmemb;

    if (n > x->max_bytes - r->body_len) {
        x->too_big = true;
        return 0;           /* curl stops with CURLE_WRITE_ERROR */
    }
    if (r->body_len + n + 1 > x->cap) {
        size_t ncap = x->cap ? x->cap : 4096;
        char *nb;
        while (ncap < r->body_len + n + 1)
            ncap *= 2;
        nb = realloc(r->body, ncap);
        if (nb == NULL)
            return 0;
        r->body = nb;
        x->cap = ncap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return n;
}

static void copy_value(char *dst, size_t dst_size, const char *v, size_t len)
{
    while (len > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        len--;
    }
    while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r' ||
                       v[len - 1] == '\n'))
        len--;
    if (len >= dst_size)
        len = dst_size - 1;
    memcpy(dst, v, len);
    dst[len] = '\0';
}

/* A new status line (a redirect or an interim 100 answer) forgets the previous headers. */
static void forget_headers(struct http_response *r)
{
    r->request_id[0] = r->date[0] = r->content_type[0] = r->query_error[0] = '\0';
    r->error_type[0] = r->etag[0] = r->retry_after[0] = '\0';
    r->content_length = -1;
}

static void capture_header(struct http_response *r, const char *name, size_t nlen,
                           const char *v, size_t vlen)
{
    static const struct {
        const char *name;
        size_t off;
    } wanted[] = {
        {"x-amzn-requestid", offsetof(struct http_response, request_id)},
        {"x-amz-request-id", offsetof(struct http_response, request_id)},
        {"date", offsetof(struct http_response, date)},
        {"content-type", offsetof(struct http_response, content_type)},
        {"x-amzn-query-error", offsetof(struct http_response, query_error)},
        {"x-amzn-errortype", offsetof(struct http_response, error_type)},
        {"etag", offsetof(struct http_response, etag)},
        {"retry-after", offsetof(struct http_response, retry_after)},
    };

    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
        if (strlen(wanted[i].name) == nlen && strncasecmp(wanted[i].name, name, nlen) == 0) {
            copy_value((char *)r + wanted[i].off, HTTP_HEADER_VALUE_MAX, v, vlen);
            return;
        }
    }
    if (nlen == 14 && strncasecmp(name, "content-length", 14) == 0) {
        char tmp[32];
        copy_value(tmp, sizeof(tmp), v, vlen);
        r->content_length = strtoll(tmp, NULL, 10);
    }
}

static size_t on_header(char *data, size_t size, size_t nitems, void *userp)
{
    struct exchange *x = userp;
    size_t n = size * nitems;
    const char *colon;

    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        forget_headers(x->resp);
        return n;
    }
    colon = memchr(data, ':', n);
    if (colon != NULL && n < HTTP_HEADER_LINE_MAX)
        capture_header(x->resp, data, (size_t)(colon - data), colon + 1,
                       n - (size_t)(colon - data) - 1);
    return n;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *userp)
{
    struct exchange *x = userp;
    size_t n = fread(buf, 1, size * nitems, x->upload);

    if (n == 0 && ferror(x->upload)) {
        x->upload_failed = true;
        return CURL_READFUNC_ABORT;
    }
    return n;
}

static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    struct exchange *x = userp;

    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return x->cancel != NULL && *x->cancel != 0;
}

/* ---- one exchange ------------------------------------------------------------------------- */

static bool has_header(const struct http_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++) {
        if (strcasecmp(req->headers[i].name, name) == 0)
            return true;
    }
    return false;
}

static int build_headers(const struct http_request *req, struct curl_slist **out, struct err *e)
{
    struct curl_slist *list = NULL, *next;
    char line[HTTP_HEADER_LINE_MAX];

    /* no "Expect: 100-continue" round trip, no default "Accept: * / *" */
    list = curl_slist_append(list, "Expect:");
    if (list != NULL)
        list = (next = curl_slist_append(list, "Accept:")) ? next : list;
    /* curl would label a POST body as a form when the caller gives no type */
    if (list != NULL && !has_header(req, "Content-Type"))
        list = (next = curl_slist_append(list, "Content-Type:")) ? next : list;
    for (size_t i = 0; list != NULL && i < req->n_headers; i++) {
        const struct http_header *h = &req->headers[i];
        int n = h->value[0] == '\0' ? snprintf(line, sizeof(line), "%s;", h->name)
                                    : snprintf(line, sizeof(line), "%s: %s", h->name, h->value);
        if (n < 0 || (size_t)n >= sizeof(line)) {
            curl_slist_free_all(list);
            return err_set(e, ERR_INVAL, "HTTP header %s is over %d bytes", h->name,
                           HTTP_HEADER_LINE_MAX);
        }
        next = curl_slist_append(list, line);
        if (next == NULL) {
            curl_slist_free_all(list);
            list = NULL;
        } else {
            list = next;
        }
    }
    if (list == NULL)
        return err_set(e, ERR_NOMEM, "out of memory building HTTP headers");
    *out = list;
    return 0;
}

static int open_upload(const struct http_request *req, struct exchange *x, curl_off_t *size,
                       struct err *e)
{
    struct stat st;

    x->upload = fopen(req->body_path, "rb");
    if (x->upload == NULL || fstat(fileno(x->upload), &st) != 0)
        return err_set(e, ERR_IO, "cannot read %s: %s", req->body_path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return err_set(e, ERR_IO, "cannot upload %s: not a regular file", req->body_path);
    *size = (curl_off_t)st.st_size;
    return 0;
}

/* Sets method and body. A file body or a PUT goes through the read callback with a known
 * size (Content-Length, never chunked: S3 would want aws-chunked then). */
static int set_method(CURL *h, const struct http_request *req, struct exchange *x,
                      struct err *e)
{
    const char *m = req->method ? req->method : "GET";
    curl_off_t size = (curl_off_t)req->body_len;
    int rc;

    if (req->body_path != NULL) {
        rc = open_upload(req, x, &size, e);
        if (rc != 0)
            return rc;
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(h, CURLOPT_READDATA, x);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, size);
        if (strcmp(m, "PUT") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
    } else if (strcmp(m, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(m, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        /* POST, PUT and the rest send the memory body as is (curl copies nothing) */
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, size);
        if (strcmp(m, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
    }
    return 0;
}

static void set_transport(struct http_client *c, const struct http_request *req,
                          struct exchange *x, char *errbuf)
{
    CURL *h = c->easy;

    curl_easy_setopt(h, CURLOPT_URL, req->url);
    /* the path was signed as given: S3 keys like a/../b.txt must not lose their dot segments */
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     req->connect_timeout_ms > 0 ? req->connect_timeout_ms
                                                 : HTTP_DEFAULT_CONNECT_MS);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     req->timeout_ms > 0 ? req->timeout_ms : HTTP_DEFAULT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->ca_bundle != NULL)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_bundle);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
}

static int map_failure(CURLcode cc, const struct exchange *x, const struct http_request *req,
                       const char *errbuf, struct err *e)
{
    const char *why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc);

    if (x->cancel != NULL && *x->cancel != 0)
        return err_set(e, ERR_CANCELLED, "%s %s: cancelled", req->method, req->url);
    if (x->too_big)
        return err_set(e, ERR_TOOBIG, "%s %s: the response is over %zu bytes", req->method,
                       req->url, x->max_bytes);
    if (x->upload_failed)
        return err_set(e, ERR_IO, "cannot read %s while uploading it", req->body_path);
    if (cc == CURLE_OUT_OF_MEMORY || cc == CURLE_WRITE_ERROR)
        return err_set(e, ERR_NOMEM, "%s %s: out of memory", req->method, req->url);
    return err_set(e, ERR_NET, "%s %s: %s", req->method, req->url, why);
}

int http_perform(struct http_client *c, const struct http_request *req,
                 struct http_response *resp, struct err *e)
{
    struct http_response r;
    struct exchange x = {0};
    struct curl_slist *hdrs = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    CURLcode cc;
    int rc;

    if (c == NULL || req == NULL || req->url == NULL || resp == NULL)
        return err_set(e, ERR_INVAL, "http_perform: no client, request or URL");
    memset(&r, 0, sizeof(r));
    r.content_length = -1;
    x.resp = &r;
    if (c->spare != NULL) {
        r.body = c->spare;
        r.body[0] = '\0';
        x.cap = c->spare_cap;
        c->spare = NULL;
    }
    x.max_bytes = req->max_response_bytes > 0 ? req->max_response_bytes : HTTP_DEFAULT_MAX_BYTES;
    x.cancel = c->cancel;
    if (x.cancel != NULL && *x.cancel != 0) {
        rc = err_set(e, ERR_CANCELLED, "%s %s: cancelled", req->method, req->url);
        goto out;
    }
    /* reset keeps the connection cache: only the options of the last call go */
    curl_easy_reset(c->easy);
    rc = build_headers(req, &hdrs, e);
    if (rc == 0)
        rc = set_method(c->easy, req, &x, e);
    if (rc != 0)
        goto out;
    set_transport(c, req, &x, errbuf);
    curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, hdrs);
    cc = curl_easy_perform(c->easy);
    if (cc != CURLE_OK) {
        rc = map_failure(cc, &x, req, errbuf, e);
        goto out;
    }
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &r.status);
    if (r.body == NULL) {
        r.body = calloc(1, 1);
        if (r.body == NULL) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        x.cap = 1;
    }
    r.body_cap = x.cap;
    *resp = r;
    r.body = NULL;
out:
    /* the handle must not keep pointers into this call's stack or headers */
    curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hdrs);
    if (x.upload != NULL)
        fclose(x.upload);
    if (r.body != NULL)
        keep_spare(c, r.body, x.cap);   /* a failed exchange's buffer serves the next one */
    return rc;
}
