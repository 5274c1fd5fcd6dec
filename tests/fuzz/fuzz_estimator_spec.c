/* fuzz_estimator_spec.c: launch/'s user-facing parsers on arbitrary bytes, picked by the first
 * byte: a spec file (estimator_from_spec, then estimator_build and its checks), and a describe
 * document for a re-launch (estimator_relaunch, a --set change, the checks and the diff). Each
 * fails with a filled struct err or returns a request. Built by tests/fuzz/run.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "launch/estimator.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(int rc, const struct err *e)
{
    if (rc != 0 && (e->code != rc || e->msg[0] == '\0'))
        abort();
}

static void spec(const char *doc, size_t len)
{
    struct estimator est;
    struct estimator_context ctx = { "us-east-1", "123456789012", 1700000000.5 };
    struct estimator_plan plan;
    struct estimator_issues is = { .n = 0 };
    struct err e = { 0 };
    json_t *req = NULL;
    int rc;

    estimator_init(&est);
    rc = estimator_from_spec(&est, doc, len, &e);
    check_err(rc, &e);
    if (rc == 0) {
        rc = estimator_build(&est, &ctx, &req, &plan, &is, &e);
        check_err(rc, &e);
        if (rc == 0 && (req == NULL || is.n != 0 || strlen(plan.job_name) == 0))
            abort();
        json_decref(req);
    }
    estimator_clean(&est);
}

static void relaunch(const char *doc, size_t len)
{
    struct estimator_issues is = { .n = 0 };
    struct err e = { 0 };
    json_t *src = NULL, *req = NULL;
    char diff[2048];
    int rc = estimator_relaunch(doc, len, "fuzz-source", &src, &e);

    check_err(rc, &e);
    if (rc == 0) {
        rc = estimator_relaunch(doc, len, "fuzz-new", &req, &e);
        check_err(rc, &e);
        if (rc == 0) {
            check_err(estimator_request_set(req, "hp.epochs", "5", &e), &e);
            check_err(estimator_request_set(req, "spot", "true", &e), &e);
            estimator_check_request(req, &is);
            estimator_request_diff(src, req, diff, sizeof(diff));
            if (memchr(diff, '\0', sizeof(diff)) == NULL)
                abort();
        }
    }
    json_decref(src);
    json_decref(req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] % 2)
        relaunch((const char *)data + 1, size - 1);
    else
        spec((const char *)data + 1, size - 1);
    return 0;
}
