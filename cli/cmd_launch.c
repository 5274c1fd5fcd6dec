/* cmd_launch.c: `sagetop launch [--from JOB] [--spec FILE.json] [--request FILE.json]
 * [--set KEY=VALUE]... [--name NAME] [--dry-run] [--yes]`.
 *
 * A new estimator (spec file and --set fields) or a re-launch of a described job (--from, with
 * --set changing the request) becomes a CreateTrainingJob request (aws/estimator.h); every check
 * runs before anything is created: a problem prints one line per field and creates nothing (no
 * clone, no bucket, no upload, no job). --dry-run prints the request (and for --from what
 * changed) and uploads nothing. Otherwise, after a confirmation on a terminal (or --yes), the
 * source is packed, the default bucket made when missing, the tarball uploaded and the job
 * created, then described into the cache so the job list shows it at once. The tarball is
 * uploaded as the SDK uploads it: PutObject with x-amz-server-side-encryption: aws:kms.
 * --request sends an edited request as is (the UI's $EDITOR step); with --spec the source is
 * still packed and uploaded for it. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "launch/estimator.h"
#include "aws/s3.h"
#include "aws/sagemaker.h"
#include "launch/sourcedir.h"
#include "aws/sts.h"
#include "cache/session.h"
#include "cli/cli.h"

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

static char *read_file(const char *path, size_t *len, struct err *e)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (f == NULL) {
        err_set(e, ERR_IO, "cannot open %s", path);
        return NULL;
    }
    for (;;) {
        if (n + 4096 + 1 > cap) {
            char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);

            if (nb == NULL) {
                free(buf);
                fclose(f);
                err_set(e, ERR_NOMEM, "out of memory");
                return NULL;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, 4096, f);

        n += r;
        if (r < 4096)
            break;
        if (n > 16u * 1024 * 1024) {
            free(buf);
            fclose(f);
            err_set(e, ERR_TOOBIG, "%s is larger than 16 MB", path);
            return NULL;
        }
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
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

static bool confirm(const char *question)
{
    char line[16];

    fprintf(stderr, "%s [y/N] ", question);
    fflush(stderr);
    if (fgets(line, sizeof(line), stdin) == NULL)
        return false;
    return line[0] == 'y' || line[0] == 'Y';
}

/* Packs the estimator's source into tarball (a temporary file path). */
static int pack_source(const struct estimator *est, char *tarball, size_t size, size_t *n_files,
                       char *what, size_t what_size, struct err *e)
{
    char clone[1024] = "", path[2048];
    int fd, rc;

    if (est->git_repo) {
        if ((rc = sourcedir_git_clone(est->git_repo, est->git_branch, est->git_commit, clone,
                                      sizeof(clone), e)) != 0)
            return rc;
        snprintf(path, sizeof(path), "%s/%s", clone,
                 est->source_dir ? est->source_dir : est->entry_point);
        snprintf(what, what_size, "%s%s%s", est->git_repo, est->source_dir ? ":" : "",
                 est->source_dir ? est->source_dir : "");
    } else {
        snprintf(path, sizeof(path), "%s", est->source_dir ? est->source_dir : est->entry_point);
        snprintf(what, what_size, "%s", path);
    }
    snprintf(tarball, size, "%s/sagetop-sourcedir-XXXXXX.tar.gz",
             getenv("TMPDIR") && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp");
    fd = mkstemps(tarball, 7);
    if (fd < 0) {
        rc = err_set(e, ERR_IO, "cannot make a temporary file for sourcedir.tar.gz");
    } else {
        close(fd);
        rc = sourcedir_pack(path, tarball, n_files, e);
        if (rc != 0) {
            unlink(tarball);
            err_prefix(e, "source");
        }
    }
    if (clone[0])
        sourcedir_remove_tree(clone);
    return rc;
}

/* HeadBucket, then CreateBucket when missing (the SDK's default bucket). */
static int ensure_bucket(struct cli_aws *a, const char *bucket, const char *region,
                         struct err *e)
{
    bool exists = false;
    int rc = s3_bucket_exists(a->client, bucket, &exists, e);

    if (rc != 0 || exists)
        return rc;
    return s3_create_bucket(a->client, bucket, region, e);
}

/* The new job goes into the cache so that the list shows it at once (best effort). */
static void cache_new_job(const struct globals *g, struct cli_aws *a, const char *name)
{
    struct sagemaker_job job = { 0 };
    struct cache *c = NULL;
    struct err e = { 0 };

    if (sagemaker_describe_training_job(a->client, name, false, &job, &e) == 0 &&
        cache_session_open(a->cfg, a->client, g->cache_path, 0, &c, NULL, 0, &e) == 0 &&
        cache_job_store_describe(c, job.raw_json, job.raw_json_len, &e) == 0) {
        cache_close(c);
        sagemaker_job_clean(&job);
        return;
    }
    fprintf(stderr, "sagetop launch: note: the job was created but not cached yet: %s\n", e.msg);
    cache_close(c);
    sagemaker_job_clean(&job);
}

int cmd_launch(const struct globals *g, int argc, char **argv)
{
    struct launch_opts o = { 0 };
    struct cli_aws a = { 0 };
    struct estimator est;
    struct estimator_issues is = { .n = 0 };
    struct estimator_plan plan = { .upload = false };
    struct sts_identity id = { 0 };
    struct err e = { 0 };
    json_t *req = NULL, *src = NULL;
    char *text = NULL, *spec = NULL;
    char tarball[1024] = "", what[2100] = "", arn[SAGEMAKER_ARN_MAX], diff[8192] = "";
    size_t len = 0, n_files = 0, n_changed = 0;
    const char *job_name;
    int rc, status = EXIT_ERROR;

    estimator_init(&est);
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
    struct estimator_context ctx = { aws_config_region(a.cfg), NULL, now_s() };

    if (o.from) {
        struct sagemaker_job job = { 0 };
        char name[64];

        if (sagemaker_describe_training_job(a.client, o.from, false, &job, &e) != 0) {
            cli_fail(&e);
            goto out;
        }
        if (o.name)
            snprintf(name, sizeof(name), "%s", o.name);
        else
            estimator_relaunch_name(o.from, ctx.now, name, sizeof(name));
        rc = estimator_relaunch(job.raw_json, job.raw_json_len, o.name ? o.name : name, &req,
                                &e);
        if (rc == 0)
            rc = estimator_relaunch(job.raw_json, job.raw_json_len, o.from, &src, &e);
        sagemaker_job_clean(&job);
        if (rc != 0) {
            cli_fail(&e);
            goto out;
        }
        if (o.name && strlen(o.name) > 63)
            estimator_issue_add(&is, "name", "%zu characters; at most 63", strlen(o.name));
        for (size_t i = 0; i < o.n_sets; i++) {
            char key[128];
            const char *v = split_set(o.sets[i], key, sizeof(key));

            if (estimator_request_set(req, key, v, &e) != 0) {
                fprintf(stderr, "sagetop launch: %s\nsagetop launch: nothing was created\n",
                        e.msg);
                goto out;
            }
        }
        estimator_check_request(req, &is);
    } else {
        if (o.spec) {
            if ((spec = read_file(o.spec, &len, &e)) == NULL ||
                estimator_from_spec(&est, spec, len, &e) != 0) {
                fprintf(stderr, "sagetop launch: %s: %s\n", o.spec, e.msg);
                goto out;
            }
        }
        for (size_t i = 0; i < o.n_sets; i++) {
            char key[128];
            const char *v = split_set(o.sets[i], key, sizeof(key));

            if (estimator_set(&est, key, v, &e) != 0) {
                fprintf(stderr, "sagetop launch: %s\nsagetop launch: nothing was created\n",
                        e.msg);
                goto out;
            }
        }
        if (o.request) {
            json_error_t je;

            if ((text = read_file(o.request, &len, &e)) == NULL) {
                cli_fail(&e);
                goto out;
            }
            src = json_loadb(text, len, 0, &je);
            if (!json_is_object(src)) {
                fprintf(stderr, "sagetop launch: %s: %s at line %d\n", o.request,
                        src ? "not a JSON object" : je.text, je.line);
                goto out;
            }
            /* the source (if a spec gives one) is uploaded under the request's own name */
            if (json_is_string(json_object_get(src, "TrainingJobName")))
                estimator_set(&est, "name",
                              json_string_value(json_object_get(src, "TrainingJobName")), NULL);
        } else if (o.name && estimator_set(&est, "name", o.name, &e) != 0) {
            fprintf(stderr, "sagetop launch: %s\n", e.msg);
            goto out;
        }
        /* the default bucket needs the account; its absence is reported per field */
        if (sts_get_caller_identity(a.client, &id, &e) == 0)
            ctx.account = id.account;
        if (o.request && !o.spec && o.n_sets == 0) {
            req = src;
            src = NULL;
            estimator_check_request(req, &is);
        } else if (estimator_build(&est, &ctx, &req, &plan, &is, &e) != 0 && is.n == 0) {
            cli_fail(&e);
            goto out;
        } else if (o.request && req) {
            json_decref(req);
            req = src;
            src = NULL;
            is.n = 0;
            estimator_check_request(req, &is);
        }
    }
    if (is.n > 0) {
        print_issues(&is);
        goto out;
    }
    job_name = json_string_value(json_object_get(req, "TrainingJobName"));
    if (src)
        n_changed = estimator_request_diff(src, req, diff, sizeof(diff));

    if (plan.upload && (rc = pack_source(&est, tarball, sizeof(tarball), &n_files, what,
                                         sizeof(what), &e)) != 0) {
        fprintf(stderr, "sagetop launch: %s\nsagetop launch: nothing was created\n", e.msg);
        goto out;
    }

    if (o.dry_run) {
        char *out = json_dumps(req, JSON_INDENT(1));

        if (out)
            printf("%s\n", out);
        free(out);
        if (o.from)
            fprintf(stderr, "changes against %s (%zu):\n%s", o.from, n_changed, diff);
        if (plan.upload)
            fprintf(stderr, "would upload %s (%zu files) to s3://%s/%s%s\n", what, n_files,
                    plan.bucket, plan.key, plan.default_bucket ? " (bucket made if missing)" : "");
        fprintf(stderr, "dry run: nothing was created\n");
        status = EXIT_OK;
        goto out;
    }

    if (!o.yes) {
        char q[256];

        if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
            fprintf(stderr, "sagetop launch: not a terminal: pass --yes to launch %s without "
                    "confirmation (or --dry-run to see the request)\n", job_name);
            goto out;
        }
        if (o.from)
            fprintf(stderr, "changes against %s:\n%s", o.from, diff);
        if (plan.upload)
            fprintf(stderr, "source: %s (%zu files) -> s3://%s/%s\n", what, n_files, plan.bucket,
                    plan.key);
        snprintf(q, sizeof(q), "Create training job %s on %lld x %s?", job_name,
                 (long long)json_integer_value(json_object_get(json_object_get(req,
                     "ResourceConfig"), "InstanceCount")),
                 json_string_value(json_object_get(json_object_get(req, "ResourceConfig"),
                                                   "InstanceType")));
        if (!confirm(q)) {
            fprintf(stderr, "sagetop launch: cancelled; nothing was created\n");
            goto out;
        }
    }

    if (plan.upload) {
        if (plan.default_bucket && ensure_bucket(&a, plan.bucket, ctx.region, &e) != 0) {
            cli_fail(&e);
            goto out;
        }
        /* tar_and_upload_dir's default (SessionSettings.encrypt_repacked_artifacts, True
           unless the user turns it off): ServerSideEncryption aws:kms with the AWS managed key
           (a kms_key would add SSEKMSKeyId: no such field here). AWS_NOTES §4.2. */
        if (s3_put_object_file(a.client, plan.bucket, plan.key, tarball, "application/x-tar",
                               "aws:kms", NULL, &e) != 0) {
            cli_fail(&e);
            goto out;
        }
    }
    if (sagemaker_create_training_job(a.client, req, arn, sizeof(arn), &e) != 0) {
        cli_fail(&e);
        goto out;
    }
    printf("created %s\n  %s\n", job_name, arn);
    fflush(stdout);
    cache_new_job(g, &a, job_name);
    status = EXIT_OK;
out:
    if (tarball[0])
        unlink(tarball);
    json_decref(req);
    json_decref(src);
    free(text);
    free(spec);
    estimator_clean(&est);
    cli_aws_close(&a);
    return status;
}
