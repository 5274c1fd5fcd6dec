/* paging.c: the page-level retry (see paging.h). Owns only the retry decision and the wait;
 * the request itself is aws_json_call()'s. Must not print or keep references. */
#include "aws/paging.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "aws/client_internal.h"

static paging_sleep_fn sleep_hook;

void paging_set_sleep(paging_sleep_fn fn)
{
    sleep_hook = fn;
}

static const char *const transient_codes[] = {
    "InternalError", "InternalFailure", "InternalServerError", "InternalServerException",
    "ServiceUnavailable", "ServiceUnavailableException", "RequestTimeout",
    "RequestTimeoutException", "BadGateway", "GatewayTimeout",
};

bool paging_retryable(int rc, const char *aws_code)
{
    size_t i;

    if (rc == ERR_THROTTLED || rc == ERR_NET)
        return true;
    if (rc != ERR_AWS || aws_code == NULL || aws_code[0] == '\0')
        return false;
    /* a bare 5xx with no error code is named "HTTP 5xx" by the client */
    if (strncmp(aws_code, "HTTP 5", 6) == 0)
        return true;
    for (i = 0; i < sizeof(transient_codes) / sizeof(transient_codes[0]); i++)
        if (strcmp(aws_code, transient_codes[i]) == 0)
            return true;
    return false;
}

long paging_backoff_ms(int retry, uint64_t *rng_state)
{
    long d = PAGING_BASE_MS;
    int i;

    for (i = 1; i < retry && d < PAGING_MAX_MS; i++)
        d *= 2;
    if (d > PAGING_MAX_MS)
        d = PAGING_MAX_MS;
    return d / 2 + (long)(aws_client_random(rng_state) % (uint64_t)(d - d / 2));
}

/* Sleeps ms in short slices; the client's cancel flag (set by another thread: the signal may
 * well be delivered elsewhere) or a signal here (EINTR) ends the wait at once. */
static void wait_ms(const struct aws_client *c, long ms)
{
    struct timespec ts;

    if (sleep_hook != NULL) {
        sleep_hook(ms);
        return;
    }
    while (ms > 0 && !aws_client_cancelled(c)) {
        long slice = ms < 50 ? ms : 50;

        ts.tv_sec = 0;
        ts.tv_nsec = slice * 1000000L;
        if (nanosleep(&ts, NULL) != 0 && errno == EINTR)
            return;
        ms -= slice;
    }
}

/* The page-level retry around one call: into *json (parsed) or, json NULL, *raw. */
static int paged_call(struct aws_client *c, enum aws_service svc, const char *operation,
                      const json_t *request, json_t **json, struct http_response *raw,
                      struct err *e)
{
    struct timespec now;
    uint64_t rng;
    long waited = 0;
    int retry, rc;

    clock_gettime(CLOCK_MONOTONIC, &now);
    rng = (uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 20) ^ (uint64_t)(uintptr_t)c;
    for (retry = 1;; retry++) {
        long d;

        rc = json != NULL ? aws_json_call(c, svc, operation, request, json, e)
                          : aws_json_call_raw(c, svc, operation, request, raw, e);
        if (rc == 0 || retry > PAGING_RETRIES ||
            !paging_retryable(rc, aws_client_last_error_code(c)))
            return rc;
        d = paging_backoff_ms(retry, &rng);
        if (waited + d > PAGING_WAIT_CAP_MS)
            d = PAGING_WAIT_CAP_MS - waited;
        if (d <= 0)
            return rc;
        waited += d;
        wait_ms(c, d);
    }
}

int paging_json_call(struct aws_client *c, enum aws_service svc, const char *operation,
                     const json_t *request, json_t **out, struct err *e)
{
    if (out == NULL)
        return err_set(e, ERR_INVAL, "paging_json_call: bad arguments");
    return paged_call(c, svc, operation, request, out, NULL, e);
}

int paging_json_call_raw(struct aws_client *c, enum aws_service svc, const char *operation,
                         const json_t *request, struct http_response *out, struct err *e)
{
    return paged_call(c, svc, operation, request, NULL, out, e);
}
