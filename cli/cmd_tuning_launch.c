/* cmd_tuning_launch.c: `sagetop tuning launch --from JOB|TUNINGJOB --tune hp.NAME=RANGE...
 * --objective METRIC:min|max [--strategy S] [--max-jobs N] [--parallel N] [--early-stopping
 * Auto] [--warm-start PARENT[,PARENT]] [--warm-start-type T] [--set KEY=VALUE]... [--name NAME]
 * [--dry-run] [--yes]` and `sagetop tuning stop NAME [--yes]`.
 *
 * The launch builds the CreateHyperParameterTuningJob request the SDK's HyperparameterTuner
 * would send (launch/tuning.h) through launch_run(); every check runs first and a problem
 * prints one line per field and creates nothing. --dry-run prints the request. Otherwise the
 * request is shown for review and, after a confirmation on a terminal (or --yes), created.
 * The stop asks as `sagetop stop` does. --read-only and --offline refuse both.
 *
 * Owns: the arguments, the review and confirmation, the printing. Must not: build or check the
 * request itself (launch/), or touch the cache (tuning jobs are cached by the sync). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "aws/sagemaker_tuning_launch.h"
#include "cli/cli.h"
#include "launch/launch.h"

#define MAX_SETS 64

struct tuning_opts {
    const char *from, *name;
    const char *sets[MAX_SETS];
    size_t n_sets;
    bool dry_run, yes;
    struct tuning_spec spec;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sagetop tuning launch --from JOB|TUNINGJOB --tune hp.NAME=RANGE...\n"
            "                             --objective METRIC[:min|:max] [options]\n"
            "  --from NAME            a past training job (its request is the estimator) or a\n"
            "                         past tuning job (its definition and settings)\n"
            "  --tune hp.NAME=RANGE   MIN:MAX[:SCALING] continuous, int:MIN:MAX[:SCALING],\n"
            "                         cat:A,B,... (SCALING: auto, linear, log, reverselog)\n"
            "  --objective M[:min|:max]  the metric to optimise (default: max)\n"
            "  --strategy S           Bayesian (default), Random, Hyperband or Grid\n"
            "  --max-jobs N           training jobs in all (default 1)\n"
            "  --parallel N           training jobs at a time (default 1)\n"
            "  --early-stopping Off|Auto\n"
            "  --warm-start P[,P]     parent tuning jobs (at most 5)\n"
            "  --warm-start-type T    IdenticalDataAndAlgorithm (default) or TransferLearning\n"
            "  --set KEY=VALUE        change the training job definition as `launch --set` does\n"
            "  --name NAME            the tuning job's name (default: image base + timestamp)\n"
            "  --dry-run              print the request; create nothing\n"
            "  --yes                  do not ask for confirmation\n");
}

/* Options that set a member of the spec: the option, the spec's key. */
static const struct {
    const char *opt;
    const char *key;
} spec_options[] = {
    { "--tune", "tune" }, { "--objective", "objective" }, { "--strategy", "strategy" },
    { "--max-jobs", "max_jobs" }, { "--parallel", "parallel" },
    { "--early-stopping", "early_stopping" }, { "--warm-start", "warm_start" },
    { "--warm-start-type", "warm_start_type" },
};

/* 0, 1 for --help, or an exit status. */
static int parse_one(int argc, char **argv, int *i, struct tuning_opts *o)
{
    const char *v = NULL;
    struct err e = { 0 };
    int r;

    for (size_t k = 0; k < sizeof(spec_options) / sizeof(spec_options[0]); k++) {
        if ((r = cli_take_value(argc, argv, i, spec_options[k].opt, &v)) < 0)
            return cli_usage_error("tuning launch", "%s needs a value", spec_options[k].opt);
        if (r > 0)
            return tuning_spec_set(&o->spec, spec_options[k].key, v, &e) == 0
                       ? 0 : cli_usage_error("tuning launch", "%s", e.msg);
    }
    if ((r = cli_take_value(argc, argv, i, "--set", &v)) != 0) {
        if (r < 0 || strchr(v, '=') == NULL)
            return cli_usage_error("tuning launch", "--set needs KEY=VALUE");
        if (o->n_sets == MAX_SETS)
            return cli_usage_error("tuning launch", "at most %d --set options", MAX_SETS);
        o->sets[o->n_sets++] = v;
        return 0;
    }
    if ((r = cli_take_value(argc, argv, i, "--from", &o->from)) != 0 ||
        (r = cli_take_value(argc, argv, i, "--name", &o->name)) != 0)
        return r < 0 ? cli_usage_error("tuning launch", "%s needs a value", argv[*i]) : 0;
    if (strcmp(argv[*i], "--dry-run") == 0)
        o->dry_run = true;
    else if (strcmp(argv[*i], "--yes") == 0 || strcmp(argv[*i], "-y") == 0)
        o->yes = true;
    else if (strcmp(argv[*i], "--help") == 0 || strcmp(argv[*i], "-h") == 0)
        return 1;
    else
        return cli_usage_error("tuning launch", "unknown argument '%s'", argv[*i]);
    return 0;
}

static int parse_args(int argc, char **argv, struct tuning_opts *o)
{
    int rc;

    tuning_spec_init(&o->spec);
    for (int i = 1; i < argc; i++) {
        if ((rc = parse_one(argc, argv, &i, o)) == 1)
            usage(stdout);
        if (rc != 0)
            return rc;
    }
    if (o->from == NULL)
        return cli_usage_error("tuning launch", "which job to start from? --from JOB|TUNINGJOB");
    return 0;
}

static double now_s(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void print_request(FILE *f, const json_t *req)
{
    char *out = json_dumps(req, JSON_INDENT(1));

    if (out)
        fprintf(f, "%s\n", out);
    free(out);
}

/* launch_run()'s confirm step: the request for review, then the question (a terminal only). */
static bool confirm(const struct launch_result *r, void *ctx)
{
    const struct tuning_opts *o = ctx;
    const json_t *cfg = json_object_get(r->request, "HyperParameterTuningJobConfig");
    const json_t *lim = json_object_get(cfg, "ResourceLimits");
    const json_t *res = json_object_get(json_object_get(r->request, "TrainingJobDefinition"),
                                        "HyperParameterTuningResourceConfig");
    char action[128], question[512];

    if (o->yes)
        return true;
    if (isatty(STDIN_FILENO) && isatty(STDERR_FILENO)) {
        print_request(stderr, r->request);
        if (o->n_sets > 0)
            fprintf(stderr, "changes against %s:\n%s", o->from, r->diff);
    }
    snprintf(action, sizeof(action), "create %s", r->job_name);
    snprintf(question, sizeof(question), "Create tuning job %s: up to %lld training jobs, %lld "
             "at a time, each on %lld x %s?", r->job_name,
             (long long)json_integer_value(json_object_get(lim, "MaxNumberOfTrainingJobs")),
             (long long)json_integer_value(json_object_get(lim, "MaxParallelTrainingJobs")),
             (long long)json_integer_value(json_object_get(res, "InstanceCount")),
             json_string_value(json_object_get(res, "InstanceType")));
    return cli_confirm("tuning launch", action, question);
}

static void print_failure(const struct launch_result *r, const struct err *e)
{
    if (r->issues.n > 0) {
        for (size_t i = 0; i < r->issues.n; i++)
            fprintf(stderr, "sagetop tuning launch: %s: %s\n", r->issues.v[i].field,
                    r->issues.v[i].msg);
        fprintf(stderr, "sagetop tuning launch: nothing was created (%zu problem%s)\n",
                r->issues.n, r->issues.n == 1 ? "" : "s");
    } else if (r->stage == LAUNCH_CONFIRM && e->code == ERR_CANCELLED) {
        ;   /* the confirmation said why */
    } else {
        cli_fail(e);
    }
}

/* --read-only and --offline refuse every change; EXIT_OK when allowed. */
static int refused(const struct globals *g, const char *what)
{
    if (g->read_only) {
        fprintf(stderr, "sagetop tuning %s: refused: --read-only disables launching and "
                "stopping jobs\n", what);
        return EXIT_ERROR;
    }
    if (g->offline) {
        fprintf(stderr, "sagetop tuning %s: refused: --offline cannot change jobs\n", what);
        return EXIT_ERROR;
    }
    return EXIT_OK;
}

int cmd_tuning_launch(const struct globals *g, int argc, char **argv)
{
    struct tuning_opts *o = calloc(1, sizeof(*o));
    struct cli_aws a = { 0 };
    struct launch_result r;
    struct launch_callbacks cb = { .confirm = confirm, .ctx = o };
    struct err e = { 0 };
    int rc, status = EXIT_ERROR;

    memset(&r, 0, sizeof(r));
    if (o == NULL)
        return cli_fail(&(struct err){ ERR_NOMEM, "out of memory" });
    if ((rc = parse_args(argc, argv, o)) != 0) {
        status = rc == 1 ? EXIT_OK : rc;
        goto out;
    }
    if ((status = refused(g, "launch")) != EXIT_OK)
        goto out;
    status = EXIT_ERROR;
    if (cli_aws_open(g, &a, &e) != 0) {
        cli_fail(&e);
        goto out;
    }
    struct launch_request req = {
        .client = a.client, .region = aws_config_region(a.cfg), .now = now_s(),
        .from = o->from, .sets = o->sets, .n_sets = o->n_sets, .name = o->name,
        .dry_run = o->dry_run, .tuning = &o->spec,
    };

    if (launch_run(&req, &cb, &r, &e) != 0) {
        print_failure(&r, &e);
        goto out;
    }
    if (o->dry_run) {
        print_request(stdout, r.request);
        if (o->n_sets > 0)
            fprintf(stderr, "changes against %s (%zu):\n%s", o->from, r.n_changed, r.diff);
        fprintf(stderr, "dry run: nothing was created\n");
    } else {
        printf("created %s\n  %s\n", r.job_name, r.arn);
        if (r.describe_json == NULL)
            fprintf(stderr, "sagetop tuning launch: note: %s\n", r.note);
    }
    status = EXIT_OK;
out:
    launch_result_clean(&r);
    cli_aws_close(&a);
    free(o);
    return status;
}

int cmd_tuning_stop(const struct globals *g, int argc, char **argv)
{
    const char *name = NULL;
    bool yes = false;
    struct cli_aws a = { 0 };
    struct err e = { 0 };
    int rc;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: sagetop tuning stop NAME [--yes]\n");
            return EXIT_OK;
        } else if (strcmp(argv[i], "--yes") == 0 || strcmp(argv[i], "-y") == 0) {
            yes = true;
        } else if (argv[i][0] == '-' || name != NULL) {
            return cli_usage_error("tuning stop", "unexpected '%s'", argv[i]);
        } else {
            name = argv[i];
        }
    }
    if (name == NULL)
        return cli_usage_error("tuning stop", "which tuning job? sagetop tuning stop NAME");
    if ((rc = refused(g, "stop")) != EXIT_OK)
        return rc;
    if (!yes) {
        char action[300], question[300];

        snprintf(action, sizeof(action), "stop %s", name);
        snprintf(question, sizeof(question), "Stop tuning job %s and its running training jobs?",
                 name);
        if (!cli_confirm("tuning stop", action, question))
            return EXIT_ERROR;
    }
    if (cli_aws_open(g, &a, &e) != 0)
        return cli_fail(&e);
    rc = sagemaker_stop_tuning_job(a.client, name, &e);
    cli_aws_close(&a);
    if (rc != 0)
        return cli_fail(&e);
    printf("stopping %s\n", name);
    return EXIT_OK;
}
