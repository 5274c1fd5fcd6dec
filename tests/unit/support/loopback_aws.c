/* loopback_aws.c: the loopback AWS client of loopback_aws.h. Test support only: it changes the
 * process environment and must not be linked into the program. */
#include "loopback_aws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int loopback_aws_open(struct loopback_aws *l, struct err *e)
{
    struct aws_options opts = { 0 };

    memset(l, 0, sizeof(*l));
    if ((l->srv = loopback_http_start()) == NULL)
        return err_set(e, ERR_IO, "cannot start the loopback server");
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
    setenv("AWS_REGION", "us-east-1", 1);
    /* files that do not exist: no profile leaks in from the machine */
    setenv("AWS_CONFIG_FILE", "/nonexistent/sagetop-test/config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/sagetop-test/credentials", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_MAX_ATTEMPTS", "1", 1);
    setenv("AWS_ENDPOINT_URL", loopback_http_url(l->srv), 1);
    unsetenv("AWS_PROFILE");
    if ((l->cfg = aws_config_load(&opts, e)) == NULL ||
        (l->creds = aws_creds_provider_new(l->cfg, e)) == NULL ||
        (l->client = aws_client_new(l->cfg, l->creds, e)) == NULL) {
        loopback_aws_close(l);
        return e && e->code ? e->code : ERR_CONFIG;
    }
    return 0;
}

void loopback_aws_close(struct loopback_aws *l)
{
    aws_client_free(l->client);
    aws_creds_provider_free(l->creds);
    aws_config_free(l->cfg);
    loopback_http_stop(l->srv);
    memset(l, 0, sizeof(*l));
}

char *loopback_aws_read_data(const char *name, size_t *len)
{
    const char *top = getenv("SAGETOP_TOP");
    char path[1024];
    FILE *f;
    char *buf = NULL;
    long n;

    snprintf(path, sizeof(path), "%s/tests/unit/data/%s", top != NULL ? top : ".", name);
    if ((f = fopen(path, "rb")) == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
            buf[n] = '\0';
            *len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}
