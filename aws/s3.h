/* s3.h: the few S3 calls sagetop makes: upload a file (the launch's sourcedir.tar.gz), look at
 * an object, make sure a bucket exists.
 *
 * Every call goes through aws_rest_call() on the client's thread (signing with
 * x-amz-content-sha256, retries, error mapping: client.h). Keys are URI-encoded here, once, as
 * S3's SigV4 wants (every byte but unreserved ones and '/'). Virtual-host or path style is the
 * client's choice (path style on a custom endpoint). Out-parameters are written only on
 * success. A missing object or bucket is ERR_NOTFOUND. */
#ifndef SAGETOP_S3_H
#define SAGETOP_S3_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/client.h"
#include "aws/err.h"

#define S3_KEY_MAX 1024
#define S3_BUCKET_MAX 64

struct s3_object_info {
    char etag[HTTP_HEADER_VALUE_MAX];   /* ETag as sent, quotes included */
    long long size_bytes;               /* Content-Length; -1 when not sent */
};

/* Encodes key for a path: unreserved bytes (A-Z a-z 0-9 - . _ ~) and '/' kept, the rest %XX
 * (upper-case hex). ERR_TOOBIG when out is too small. Exposed for tests. */
int s3_encode_key(const char *key, char *out, size_t outlen, struct err *e);

/* Streams the file at path into s3://bucket/key (single PUT; files over 5 GB are ERR_TOOBIG).
 * The payload hash is the file's SHA-256 (computed by the client while signing). content_type
 * may be NULL (application/octet-stream). sse, when not NULL, is sent as
 * x-amz-server-side-encryption ("aws:kms", "AES256"). info (optional) gets the ETag and size. */
int s3_put_object_file(struct aws_client *c, const char *bucket, const char *key,
                       const char *path, const char *content_type, const char *sse,
                       struct s3_object_info *info, struct err *e);

/* HEAD s3://bucket/key. ERR_NOTFOUND when there is no such object (or bucket). */
int s3_head_object(struct aws_client *c, const char *bucket, const char *key,
                   struct s3_object_info *out, struct err *e);

/* CreateBucket in region (LocationConstraint sent for every region but us-east-1). Already
 * owned by you is success. */
int s3_create_bucket(struct aws_client *c, const char *bucket, const char *region,
                     struct err *e);

/* HeadBucket: *exists true on 200, false on 404; 403 (someone else's bucket) is ERR_AUTH. */
int s3_bucket_exists(struct aws_client *c, const char *bucket, bool *exists, struct err *e);

#endif
