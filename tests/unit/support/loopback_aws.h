/* loopback_aws.h: an AWS client pointed at a loopback_http server, for unit tests of the
 * calls (sagemaker, logs, s3, sts, launch): static test credentials, us-east-1, no profile or
 * instance metadata from the machine, one attempt per call, AWS_ENDPOINT_URL = the server.
 * Sets those environment variables for the whole process. Test support only. */
#ifndef SAGETOP_TEST_LOOPBACK_AWS_H
#define SAGETOP_TEST_LOOPBACK_AWS_H

#include <stddef.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/creds.h"
#include "aws/err.h"
#include "loopback_http.h"

struct loopback_aws {
    struct loopback_http *srv;
    struct aws_config *cfg;
    struct aws_creds_provider *creds;
    struct aws_client *client;
};

/* 0, or a negative ERR_* with e saying which part failed (then nothing is left open). */
int loopback_aws_open(struct loopback_aws *l, struct err *e);
void loopback_aws_close(struct loopback_aws *l);

/* tests/unit/data/<name> under $SAGETOP_TOP (else "."), NUL-terminated; free() it. NULL when
 * it cannot be read. */
char *loopback_aws_read_data(const char *name, size_t *len);

#endif
