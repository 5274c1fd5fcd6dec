/* s3.c: the S3 calls sagetop makes (PutObject from a file, HeadObject, CreateBucket,
 * HeadBucket), built on aws_rest_call().
 *
 * Owns key encoding and the request shapes; addressing style, payload hashing, signing and
 * error mapping belong to client.c. Paths are handed over within the bucket ("/key", "/" for
 * the bucket itself) with the bucket named separately: the client puts the bucket in the host
 * (virtual-host style on AWS) or in front of the path (path style on a custom endpoint).
 * Must not print or exit. */
#include "aws/s3.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define S3_PUT_MAX_BYTES (5LL * 1024 * 1024 * 1024)   /* single PUT limit */

int s3_encode_key(const char *key, char *out, size_t outlen, struct err *e)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p;
    size_t n = 0;

    for (p = (const unsigned char *)key; *p != '\0'; p++) {
        bool keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
                    *p == '~' || *p == '/';

        if (n + (keep ? 1 : 3) >= outlen)
            return err_set(e, ERR_TOOBIG, "S3 key is too long (over %zu encoded bytes)",
                           outlen);
        if (keep) {
            out[n++] = (char)*p;
        } else {
            out[n++] = '%';
            out[n++] = hex[*p >> 4];
            out[n++] = hex[*p & 15];
        }
    }
    if (outlen == 0)
        return err_set(e, ERR_TOOBIG, "S3 key: no room");
    out[n] = '\0';
    return 0;
}

static int check_bucket(const char *bucket, struct err *e)
{
    size_t i, n = bucket != NULL ? strlen(bucket) : 0;

    if (n < 3 || n >= S3_BUCKET_MAX)
        return err_set(e, ERR_INVAL, "S3 bucket name \"%s\" must be 3 to 63 characters",
                       bucket != NULL ? bucket : "");
    for (i = 0; i < n; i++) {
        char c = bucket[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
            return err_set(e, ERR_INVAL, "S3 bucket name \"%s\": only lower-case letters, "
                           "digits, '-' and '.' are allowed", bucket);
    }
    return 0;
}

/* "/encoded-key" within the bucket (key NULL: "/", the bucket itself); checks the bucket. */
static int object_path(const char *bucket, const char *key, char *out, size_t outlen,
                       struct err *e)
{
    char enc[3 * S3_KEY_MAX + 1];
    int rc = check_bucket(bucket, e);

    if (rc != 0)
        return rc;
    if (key == NULL) {
        snprintf(out, outlen, "/");
        return 0;
    }
    if (key[0] == '\0' || strlen(key) > S3_KEY_MAX)
        return err_set(e, ERR_INVAL, "S3 key must be 1 to %d bytes", S3_KEY_MAX);
    if ((rc = s3_encode_key(key, enc, sizeof(enc), e)) != 0)
        return rc;
    if ((size_t)snprintf(out, outlen, "/%s", enc) >= outlen)
        return err_set(e, ERR_TOOBIG, "S3 path too long");
    return 0;
}

static void fill_info(const struct http_response *r, struct s3_object_info *info)
{
    if (info == NULL)
        return;
    snprintf(info->etag, sizeof(info->etag), "%s", r->etag);
    info->size_bytes = r->content_length;
}

int s3_put_object_file(struct aws_client *c, const char *bucket, const char *key,
                       const char *path, const char *content_type, const char *sse,
                       struct s3_object_info *info, struct err *e)
{
    char upath[4 * S3_KEY_MAX];
    struct http_header hdr[2];
    struct aws_rest_request req;
    struct http_response resp;
    struct stat st;
    int rc;

    if ((rc = object_path(bucket, key, upath, sizeof(upath), e)) != 0)
        return rc;
    if (path == NULL || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return err_set(e, ERR_IO, "S3 PutObject: cannot read %s", path != NULL ? path : "");
    if ((long long)st.st_size > S3_PUT_MAX_BYTES)
        return err_set(e, ERR_TOOBIG, "S3 PutObject: %s is %lld bytes, over the 5 GB single "
                       "upload limit", path, (long long)st.st_size);
    hdr[0].name = "Content-Type";
    hdr[0].value = content_type != NULL ? content_type : "application/octet-stream";
    memset(&req, 0, sizeof(req));
    req.method = "PUT";
    req.path = upath;
    req.bucket = bucket;
    hdr[1].name = "x-amz-server-side-encryption";
    hdr[1].value = sse;
    req.headers = hdr;
    req.n_headers = sse != NULL ? 2 : 1;
    req.body_path = path;
    req.operation = "PutObject";
    memset(&resp, 0, sizeof(resp));
    rc = aws_rest_call(c, AWS_S3, &req, &resp, e);
    if (rc == 0) {
        fill_info(&resp, info);
        if (info != NULL)
            info->size_bytes = (long long)st.st_size;
    }
    http_response_clean(&resp);
    return rc;
}

/* One HEAD request (HeadObject, HeadBucket) on an encoded path; resp is always filled. */
static int head_call(struct aws_client *c, const char *bucket, const char *upath,
                     const char *operation, struct http_response *resp, struct err *e)
{
    struct aws_rest_request req;

    memset(&req, 0, sizeof(req));
    req.method = "HEAD";
    req.path = upath;
    req.bucket = bucket;
    req.operation = operation;
    memset(resp, 0, sizeof(*resp));
    return aws_rest_call(c, AWS_S3, &req, resp, e);
}

int s3_head_object(struct aws_client *c, const char *bucket, const char *key,
                   struct s3_object_info *out, struct err *e)
{
    char upath[4 * S3_KEY_MAX];
    struct http_response resp;
    int rc;

    if ((rc = object_path(bucket, key, upath, sizeof(upath), e)) != 0)
        return rc;
    rc = head_call(c, bucket, upath, "HeadObject", &resp, e);
    if (rc == 0)
        fill_info(&resp, out);
    http_response_clean(&resp);
    return rc;
}

int s3_create_bucket(struct aws_client *c, const char *bucket, const char *region,
                     struct err *e)
{
    char upath[S3_BUCKET_MAX + 2], body[512];
    struct http_header hdr[1] = { { "Content-Type", "application/xml" } };
    struct aws_rest_request req;
    struct http_response resp;
    int rc;

    if ((rc = object_path(bucket, NULL, upath, sizeof(upath), e)) != 0)
        return rc;
    memset(&req, 0, sizeof(req));
    req.method = "PUT";
    req.path = upath;
    req.bucket = bucket;
    req.operation = "CreateBucket";
    /* us-east-1 is the one region that refuses its own name as a LocationConstraint */
    if (region != NULL && region[0] != '\0' && strcmp(region, "us-east-1") != 0) {
        if (strlen(region) > 64)
            return err_set(e, ERR_INVAL, "S3 CreateBucket: bad region");
        snprintf(body, sizeof(body),
                 "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                 "<LocationConstraint>%s</LocationConstraint></CreateBucketConfiguration>",
                 region);
        req.body = body;
        req.body_len = strlen(body);
        req.headers = hdr;
        req.n_headers = 1;
    }
    memset(&resp, 0, sizeof(resp));
    rc = aws_rest_call(c, AWS_S3, &req, &resp, e);
    http_response_clean(&resp);
    if (rc != 0 && strcmp(aws_client_last_error_code(c), "BucketAlreadyOwnedByYou") == 0) {
        err_clear(e);
        rc = 0;
    }
    return rc;
}

int s3_bucket_exists(struct aws_client *c, const char *bucket, bool *exists, struct err *e)
{
    char upath[S3_BUCKET_MAX + 2];
    struct http_response resp;
    int rc;

    if ((rc = object_path(bucket, NULL, upath, sizeof(upath), e)) != 0)
        return rc;
    rc = head_call(c, bucket, upath, "HeadBucket", &resp, e);
    http_response_clean(&resp);
    if (rc == 0) {
        *exists = true;
    } else if (rc == ERR_NOTFOUND) {
        err_clear(e);
        *exists = false;
        rc = 0;
    }
    return rc;
}
