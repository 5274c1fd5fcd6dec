/* cmd_launch.c: `sagetop launch [--from JOB] [--spec FILE.json] [--request FILE.json]
 * [--set KEY=VALUE]... [--name NAME] [--dry-run] [--yes]`.
 *
 * A new estimator (spec file and --set fields) or a re-launch of a described job (--from, with
 * --set changing the request) becomes a CreateTrainingJob request (launch/estimator.h); every check
 * runs before anything is created: a problem prints one line per field and creates nothing (no
 * clone, no bucket, no upload, no job). --dry-run prints the request (and for --from what
 * changed) and uploads nothing. Otherwise, after a confirmation on a terminal (or --yes), the
 * source is packed, the default bucket made when missing, the tarball uploaded and the job
 * created, then described into the cache so the job list shows it at once. The tarball is
 * uploaded as the SDK uploads it: PutObject with x-amz-server-side-encryption: aws:kms.
 * --request sends an edited request as is (the UI's $EDITOR step); with --spec the source is
 * still packed and uploaded for it.
 *
 * The workflow itself is launch_run() (launch/launch.h); this file parses the arguments, reads
 * the files they name, asks for the confirmation and prints. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "aws/dynbuf.h"
#include "cache/session.h"
#include "cli/cli.h"
#include "launch/launch.h"

#define MAX_SETS 64

struct launch_opts {
    const char *from, *spec, *request, *name;
    const char *sets[MAX_SETS];
    size_t n_sets;
    bool dry_run, yes;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sagetop launch [--from JOB] [--spec FILE.json] [--set KEY=VALUE]...\n"
            "                      [--name NAME] [--request FILE.json] [--dry-run] [--yes]\n"
            "  --from JOB        re-launch JOB: its request, a new name, the same source\n"
            "  --spec FILE       a new estimator from a JSON file of fields\n"
            "  --set KEY=VALUE   change one field: hp.epochs=5, instance_type=ml.g5.2xlarge,\n"
            "                    spot=true, max_run=3600, input.train=s3://..., env.X=1, ...\n"
            "  --name NAME       the new job's name (default: base name + timestamp)\n"
            "  --request FILE    send this CreateTrainingJob JSON (checked first)\n"
            "  --dry-run         print the request; create and upload nothing\n"
            "  --yes             do not ask for confirmation\n"
            "Estimator fields:\n");
    for (size_t i = 0; i < estimator_n_fields; i++)
        fprintf(f, "  %-22s %s\n", estimator_fields[i].key, estimator_fields[i].help);
    fprintf(f, "  %-22s %s\n", "hp.KEY / input.NAME", "hyperparameter / channel S3 URI");
    fprintf(f, "  %-22s %s\n", "env.KEY / tag.KEY", "environment variable / tag");
    fprintf(f, "  %-22s %s\n", "metric.NAME", "metric definition regex");
}

static int parse_args(int argc, char **argv, struct launch_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 1;
        } else if (strcmp(a, "--dry-run") == 0) {
            o->dry_run = true;
            continue;
        } else if (strcmp(a, "--yes") == 0 || strcmp(a, "-y") == 0) {
            o->yes = true;
            continue;
        } else if (strncmp(a, "--set=", 6) == 0 || strcmp(a, "--set") == 0) {
            const char *v = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);

            if (v == NULL)
                return cli_usage_error("launch", "--set needs KEY=VALUE");
            if (strchr(v, '=') == NULL)
                return cli_usage_error("launch", "--set %s: expected KEY=VALUE", v);
            if (o->n_sets == MAX_SETS)
                return cli_usage_error("launch", "at most %d --set options", MAX_SETS);
            o->sets[o->n_sets++] = v;
            continue;
        } else if (strcmp(a, "--from") == 0) {
            slot = &o->from;
        } else if (strcmp(a, "--spec") == 0) {
            slot = &o->spec;
        } else if (strcmp(a, "--request") == 0) {
            slot = &o->request;
        } else if (strcmp(a, "--name") == 0) {
            slot = &o->name;
        } else {
            return cli_usage_error("launch", "unknown argument '%s'", a);
        }
        if (i + 1 >= argc)
            return cli_usage_error("launch", "%s needs a value", a);
        *slot = argv[++i];
    }
    if (o->from && (o->spec || o->request))
        return cli_usage_error("launch", "--from re-launches a job; it cannot be combined with "
                               "--spec or --request");
    return 0;
}

/* The whole file (at most 16 MB), NUL-terminated; the caller frees it. */
static char *read_file(const char *path, size_t *len, struct err *e)
{
    FILE *f = fopen(path, "rb");
    struct dynbuf b;
    char chunk[4096];
    size_t r, n;
    char *out;

    if (f == NULL) {
        err_set(e, ERR_IO, "cannot open %s", path);
        return NULL;
    }
    dynbuf_init(&b, 16u * 1024 * 1024 + 1);
    while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0 && dynbuf_add(&b, chunk, r) == 0)
        ;
    fclose(f);
    if (b.err == ERR_TOOBIG) {
        dynbuf_free(&b);
        err_set(e, ERR_TOOBIG, "%s is larger than 16 MB", path);
        return NULL;
    }
    n = b.len;
    if ((out = dynbuf_take(&b)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    *len = n;
    return out;
}

static void print_issues(const struct estimator_issues *is)
{
    for (size_t i = 0; i < is->n; i++)
        fprintf(stderr, "sagetop launch: %s: %s\n", is->v[i].field, is->v[i].msg);
    fprintf(stderr, "sagetop launch: nothing was created (%zu problem%s)\n", is->n,
            is->n == 1 ? "" : "s");
}

static double now_s(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* Splits "k=v" into key (copied into buf) and value. */
static const char *split_set(const char *kv, char *key, size_t size)
{
    const char *eq = strchr(kv, '=');

    snprintf(key, size, "%.*s", (int)(eq - kv), kv);
    return eq + 1;
}

/* What the confirmation saw, for the message after a refusal. */
struct confirm_ctx {
    const struct launch_opts *o;
    bool asked;
};

/* launch_run()'s confirm step: the question on a terminal, a refusal elsewhere. */
static bool confirm(const struct launch_result *r, void *ctx)
{
    struct confirm_ctx *cc = ctx;
    const json_t *res = json_object_get(r->request, "ResourceConfig");
    char line[16];

    if (cc->o->yes)
        return true;
    if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
        fprintf(stderr, "sagetop launch: not a terminal: pass --yes to launch %s without "
                "confirmation (or --dry-run to see the request)\n", r->job_name);
        return false;
    }
    cc->asked = true;
    if (cc->o->from)
        fprintf(stderr, "changes against %s:\n%s", cc->o->from, r->diff);
    if (r->plan.upload)
        fprintf(stderr, "source: %s (%zu files) -> s3://%s/%s\n", r->source, r->n_files,
                r->plan.bucket, r->plan.key);
    fprintf(stderr, "Create training job %s on %lld x %s? [y/N] ", r->job_name,
            (long long)json_integer_value(json_object_get(res, "InstanceCount")),
            json_string_value(json_object_get(res, "InstanceType")));
    fflush(stderr);
    if (fgets(line, sizeof(line), stdin) == NULL)
        return false;
    return line[0] == 'y' || line[0] == 'Y';
}

static void print_dry_run(const struct launch_opts *o, const struct launch_result *r)
{
    char *out = json_dumps(r->request, JSON_INDENT(1));

    if (out)
        printf("%s\n", out);
    free(out);
    if (o->from)
        fprintf(stderr, "changes against %s (%zu):\n%s", o->from, r->n_changed, r->diff);
    if (r->plan.upload)
        fprintf(stderr, "would upload %s (%zu files) to s3://%s/%s%s\n", r->source, r->n_files,
                r->plan.bucket, r->plan.key,
                r->plan.default_bucket ? " (bucket made if missing)" : "");
    fprintf(stderr, "dry run: nothing was created\n");
}

/* The new job goes into the cache so that the list shows it at once (best effort). */
static void cache_new_job(const struct globals *g, struct cli_aws *a,
                          const struct launch_result *r)
{
    struct cache *c = NULL;
    struct err e = { 0 };

    if (r->describe_json == NULL) {
        fprintf(stderr, "sagetop launch: note: %s\n", r->note);
        return;
    }
    if (cache_session_open(a->cfg, a->client, g->cache_path, 0, &c, NULL, 0, &e) != 0 ||
        cache_job_store_describe(c, r->describe_json, r->describe_len, &e) != 0)
        fprintf(stderr, "sagetop launch: note: the job was created but not cached yet: %s\n",
                e.msg);
    cache_close(c);
}

/* The new estimator of --spec and --set (not for --from, whose --set change the request). */
static int load_estimator(const struct launch_opts *o, struct estimator *est, struct err *e)
{
    char *spec = NULL;
    size_t len = 0;

    if (o->spec) {
        if ((spec = read_file(o->spec, &len, e)) == NULL ||
            estimator_from_spec(est, spec, len, e) != 0) {
            fprintf(stderr, "sagetop launch: %s: %s\n", o->spec, e->msg);
            free(spec);
            return -1;
        }
        free(spec);
    }
    for (size_t i = 0; i < o->n_sets; i++) {
        char key[128];
        const char *v = split_set(o->sets[i], key, sizeof(key));

        if (estimator_set(est, key, v, e) != 0) {
            fprintf(stderr, "sagetop launch: %s\nsagetop launch: nothing was created\n", e->msg);
            return -1;
        }
    }
    return 0;
}

/* --request FILE: a JSON object (caller frees), or NULL after saying why. */
static json_t *load_request(const char *path, struct err *e)
{
    json_error_t je;
    size_t len = 0;
    char *text = read_file(path, &len, e);
    json_t *req;

    if (text == NULL) {
        cli_fail(e);
        return NULL;
    }
    req = json_loadb(text, len, 0, &je);
    free(text);
    if (!json_is_object(req)) {
        fprintf(stderr, "sagetop launch: %s: %s at line %d\n", path,
                req ? "not a JSON object" : je.text, je.line);
        json_decref(req);
        return NULL;
    }
    return req;
}

/* Says why launch_run() stopped, in the words each stage has always used. */
static void print_failure(const struct launch_result *r, const struct err *e, bool asked)
{
    if (r->issues.n > 0)
        print_issues(&r->issues);
    else if (r->stage == LAUNCH_CONFIRM && e->code == ERR_CANCELLED && asked)
        fprintf(stderr, "sagetop launch: cancelled; nothing was created\n");
    else if (r->stage == LAUNCH_CONFIRM && e->code == ERR_CANCELLED)
        ;   /* the refusal said why */
    else if (r->stage == LAUNCH_PACK || (r->stage == LAUNCH_CHECK && e->code == ERR_INVAL))
        fprintf(stderr, "sagetop launch: %s\nsagetop launch: nothing was created\n", e->msg);
    else
        cli_fail(e);
}

int cmd_launch(const struct globals *g, int argc, char **argv)
{
    struct launch_opts o = { 0 };
    struct cli_aws a = { 0 };
    struct estimator est;
    struct launch_result r;
    struct confirm_ctx cc = { &o, false };
    struct launch_callbacks cb = { .confirm = confirm, .ctx = &cc };
    struct err e = { 0 };
    json_t *given = NULL;
    int rc, status = EXIT_ERROR;

    estimator_init(&est);
    memset(&r, 0, sizeof(r));
    if ((rc = parse_args(argc, argv, &o)) != 0)
        return rc == 1 ? EXIT_OK : rc;
    if (g->read_only) {
        fprintf(stderr, "sagetop launch: refused: --read-only disables launching jobs\n");
        return EXIT_ERROR;
    }
    if (g->offline) {
        fprintf(stderr, "sagetop launch: refused: --offline cannot create jobs\n");
        return EXIT_ERROR;
    }
    if (cli_aws_open(g, &a, &e) != 0)
        return cli_fail(&e);
    struct launch_request req = {
        .client = a.client, .region = aws_config_region(a.cfg), .now = now_s(),
        .from = o.from, .sets = o.from ? o.sets : NULL, .n_sets = o.from ? o.n_sets : 0,
        .name = o.name, .dry_run = o.dry_run,
    };

    if (!o.from && load_estimator(&o, &est, &e) != 0)
        goto out;
    if (o.request && (req.request = given = load_request(o.request, &e)) == NULL)
        goto out;
    /* a --request alone is sent as is; with --spec or --set the source is built for it */
    if (!o.from && !(o.request && !o.spec && o.n_sets == 0))
        req.est = &est;
    if (launch_run(&req, &cb, &r, &e) != 0) {
        print_failure(&r, &e, cc.asked);
        goto out;
    }
    if (o.dry_run) {
        print_dry_run(&o, &r);
    } else {
        printf("created %s\n  %s\n", r.job_name, r.arn);
        fflush(stdout);
        cache_new_job(g, &a, &r);
    }
    status = EXIT_OK;
out:
    launch_result_clean(&r);
    json_decref(given);
    estimator_clean(&est);
    cli_aws_close(&a);
    return status;
}
