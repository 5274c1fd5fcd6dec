/* aws_call.c: a tiny driver over aws/ for the integration tests (tests/integration/test_s3.sh):
 * one S3 or SageMaker Search call through the real client (config, credentials chain, SigV4,
 * retries) per run. Built by the test script against build/libaws.a; not part of sagetop.
 *
 *   aws_call create-bucket BUCKET [REGION]
 *   aws_call bucket-exists BUCKET          prints yes|no
 *   aws_call put BUCKET KEY FILE           prints "<etag> <size>"
 *   aws_call head BUCKET KEY               prints "<etag> <size>"
 *   aws_call search [--or] [--sort-by P] [--order Ascending|Descending] [--page N] FILTER...
 *                                          FILTER is "Name|Operator|Value" (Value optional);
 *                                          prints every matching job name (all pages), then
 *                                          "pages N"
 * Exit: 0 ok, 1 an error (one line on stderr), 3 not found, 2 bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/creds.h"
#include "aws/s3.h"
#include "aws/sagemaker.h"

static int fail(const struct err *e, int rc)
{
    fprintf(stderr, "aws_call: %s\n", e->msg);
    return rc == ERR_NOTFOUND ? 3 : 1;
}

static int do_search(struct aws_client *c, int argc, char **argv, struct err *e)
{
    struct sagemaker_search_filter f[16];
    struct sagemaker_search_query q = { 0 };
    char *tok = NULL;
    size_t n = 0, i, pages = 0;
    int a, rc = 0;

    for (a = 0; a < argc; a++) {
        if (strcmp(argv[a], "--or") == 0) {
            q.boolean_operator = "Or";
        } else if (strcmp(argv[a], "--sort-by") == 0 && a + 1 < argc) {
            q.sort_by = argv[++a];
        } else if (strcmp(argv[a], "--order") == 0 && a + 1 < argc) {
            q.sort_order = argv[++a];
        } else if (strcmp(argv[a], "--page") == 0 && a + 1 < argc) {
            q.max_results = atoi(argv[++a]);
        } else if (n < 16) {
            char *name = argv[a], *op = strchr(name, '|'), *value = NULL;

            if (op == NULL)
                return 2;
            *op++ = '\0';
            if ((value = strchr(op, '|')) != NULL)
                *value++ = '\0';
            f[n].name = name;
            f[n].op = op;
            f[n].value = value;
            n++;
        }
    }
    q.filters = f;
    q.n_filters = n;
    do {
        struct sagemaker_search_page p = { 0 };

        q.next_token = tok;
        if ((rc = sagemaker_search(c, &q, &p, e)) != 0)
            break;
        pages++;
        for (i = 0; i < p.count; i++)
            printf("%s\n", p.jobs[i].name);
        free(tok);
        tok = p.next_token;
        p.next_token = NULL;
        sagemaker_search_page_clean(&p);
    } while (tok != NULL);
    free(tok);
    if (rc == 0)
        printf("pages %zu\n", pages);
    return rc;
}

int main(int argc, char **argv)
{
    struct aws_options opts = { 0 };
    struct err e = { 0 };
    struct aws_config *cfg = NULL;
    struct aws_creds_provider *creds = NULL;
    struct aws_client *c = NULL;
    struct s3_object_info info;
    int rc = 2;

    if (argc < 2)
        return 2;
    if ((cfg = aws_config_load(&opts, &e)) == NULL ||
        (creds = aws_creds_provider_new(cfg, &e)) == NULL ||
        (c = aws_client_new(cfg, creds, &e)) == NULL) {
        rc = fail(&e, 1);
        goto out;
    }
    memset(&info, 0, sizeof(info));
    if (strcmp(argv[1], "create-bucket") == 0 && argc >= 3) {
        rc = s3_create_bucket(c, argv[2], argc > 3 ? argv[3] : aws_config_region(cfg), &e);
    } else if (strcmp(argv[1], "bucket-exists") == 0 && argc == 3) {
        bool exists = false;

        if ((rc = s3_bucket_exists(c, argv[2], &exists, &e)) == 0)
            printf("%s\n", exists ? "yes" : "no");
    } else if (strcmp(argv[1], "put") == 0 && argc == 5) {
        if ((rc = s3_put_object_file(c, argv[2], argv[3], argv[4], NULL, NULL, &info, &e)) == 0)
            printf("%s %lld\n", info.etag, info.size_bytes);
    } else if (strcmp(argv[1], "head") == 0 && argc == 4) {
        if ((rc = s3_head_object(c, argv[2], argv[3], &info, &e)) == 0)
            printf("%s %lld\n", info.etag, info.size_bytes);
    } else if (strcmp(argv[1], "search") == 0) {
        rc = do_search(c, argc - 2, argv + 2, &e);
    } else {
        rc = 2;
        goto out;
    }
    rc = rc == 2 ? 2 : rc != 0 ? fail(&e, rc) : 0;
out:
    aws_client_free(c);
    aws_creds_provider_free(creds);
    aws_config_free(cfg);
    return rc;
}
