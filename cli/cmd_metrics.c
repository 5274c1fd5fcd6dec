/* cmd_metrics.c: `sagetop metrics JOB... [--metric NAME|NAME=REGEX]... [--instance NAME|all]
 * [--rank N|all] [--format table|csv|json]`. The default series is what global rank 0 printed
 * on algo-1 (and its lines without launcher prefix); --instance and --rank select others.
 * Extracts the metrics of each job from its cached log with every
 * definition source merged (the job's MetricDefinitions, the config file, --metric NAME=REGEX,
 * the Hugging Face preset), so the figures include step, epoch and unparsed counts and follow a
 * changed definition at once. When the merged definitions are the ones sync extracts with, the
 * points sync stored are read instead (same points, no regex work). Reads the cache only (run
 * `sagetop sync JOB` to fill it); never the network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/userconfig.h"
#include "cache/cache.h"
#include "cache/tuning.h"
#include "cache/session.h"
#include "cli/cli.h"
#include "metrics/metrics.h"
#include "metrics/procprefix.h"
#include "metrics/report.h"

enum fmt { FMT_TABLE, FMT_CSV, FMT_JSON };

#define MT_INSTANCES_MAX 64

struct mt_run {
    const char *job;
    enum fmt fmt;
    struct procsel sel;   /* which hosts and ranks */
    bool label_procs;     /* several processes: each is its own series (its label) */
    char **only;          /* --metric NAME filters */
    int nonly;
    struct mreport *rep;
    struct err *e;
    int failed;
};

static int write_stdout(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    return fwrite(s, 1, n, stdout) == n ? 0 : -1;
}

static int mt_point(const struct mpoint *p, void *ctx)
{
    struct mt_run *r = ctx;
    struct mpoint lp;
    char label[MINSTANCE_MAX];
    int i;

    if (!procsel_match(&r->sel, p->rank, p->rank_local, p->instance))
        return 0;
    if (r->label_procs) {
        lp = *p;
        procsel_label(&r->sel, p->rank, p->rank_local, p->instance, label, sizeof(label));
        lp.instance = label;
        p = &lp;
    }
    if (r->nonly > 0) {
        for (i = 0; i < r->nonly; i++)
            if (strcmp(r->only[i], p->name) == 0)
                break;
        if (i == r->nonly)
            return 0;
    }
    if (r->fmt == FMT_CSV)
        return mreport_csv_point(r->job, p, write_stdout, NULL) != 0;
    if (mreport_add(r->rep, r->job, p, r->e) != 0) {
        r->failed = 1;
        return 1;
    }
    return 0;
}

/* Every definition of one job, merged. Definition errors are reported on stderr (and counted in
 * *bad_defs) and the others keep working. *same_as_sync says whether the merged set is what
 * sagetop sync extracts with (the job's own definitions and the preset: no config definition for
 * this job, no --metric NAME=REGEX), so that the points already stored in the cache are the
 * points this set would extract. */
static struct mset *job_set(struct cache *c, const char *job, const char *cfg, size_t cfg_len,
                            char **defs, int ndefs, int *bad_defs, bool *same_as_sync,
                            struct err *e)
{
    struct mdef_list l;
    struct cache_kv_list kv;
    struct mset *ms;
    size_t i;
    char msg[512];

    mdef_list_init(&l);
    memset(&kv, 0, sizeof(kv));
    if (cache_job_metric_definitions(c, job, &kv, NULL) == 0) {
        for (i = 0; i < kv.n; i++)
            if (mdef_list_add(&l, kv.items[i].key, kv.items[i].value, MDEF_JOB, e) != 0)
                fprintf(stderr, "sagetop metrics: %s: %s\n", job, e->msg);
        cache_kv_list_clean(&kv);
    }
    /* a trial of a tuning job: the tuning job's definitions too (the objective) */
    cache_tuning_trial_defs(c, job, &l);
    if (cfg != NULL && mdef_list_parse_config(&l, cfg, cfg_len, job, e) != 0)
        fprintf(stderr, "sagetop metrics: config: %s\n", e->msg);
    *same_as_sync = l.preset_hf;
    for (i = 0; i < l.n; i++)
        if (l.v[i].source != MDEF_JOB)
            *same_as_sync = false;
    for (i = 0; i < (size_t)ndefs; i++)
        mdef_list_add_cli(&l, defs[i], NULL); /* checked when parsing the options */
    if (ndefs > 0)
        *same_as_sync = false;
    ms = mset_new(&l, e);
    mdef_list_clean(&l);
    if (ms == NULL)
        return NULL;
    for (i = 0; i < mset_error_count(ms); i++) {
        mdef_error_format(mset_error(ms, i), msg, sizeof(msg));
        fprintf(stderr, "sagetop metrics: %s: %s (skipped)\n", job, msg);
        (*bad_defs)++;
    }
    return ms;
}

struct mt_instance {
    char name[MINSTANCE_MAX];
    struct mextract_state st;
};

static int extract_job(struct cache *c, struct mset *ms, struct mt_run *r, struct err *e)
{
    struct mt_instance *inst = calloc(MT_INSTANCES_MAX, sizeof(*inst));
    struct cache_log_pos pos;
    size_t ninst = 0, i, k;
    int rc = 0, first = 1;

    if (inst == NULL)
        return ERR_NOMEM;
    for (;;) {
        struct cache_log_batch b;

        memset(&b, 0, sizeof(b));
        rc = cache_logs_after(c, r->job, first ? NULL : &pos, 8192, NULL, &b, e);
        if (rc != 0)
            break;
        first = 0;
        for (i = 0; i < b.n && !r->failed; i++) {
            const struct cache_log_line *l = &b.lines[i];
            const char *name = l->instance != NULL ? l->instance : "";
            struct mextract_state *st = NULL;

            for (k = 0; k < ninst; k++)
                if (strcmp(inst[k].name, name) == 0)
                    st = &inst[k].st;
            if (st == NULL) {
                k = ninst < MT_INSTANCES_MAX ? ninst++ : MT_INSTANCES_MAX - 1;
                snprintf(inst[k].name, sizeof(inst[k].name), "%s", name);
                mextract_state_init(&inst[k].st, inst[k].name);
                st = &inst[k].st;
            }
            mset_extract(ms, st, l->text, l->len, l->pos.ts_ms, mt_point, r);
            pos = l->pos;
        }
        cache_log_batch_clean(&b);
        if (r->failed) {
            rc = e->code ? e->code : ERR_NOMEM;
            break;
        }
        if (b.at_end || b.n == 0 || cli_interrupted)
            break;
    }
    free(inst);
    return rc;
}

/* The points sagetop sync stored for the job, merged back into log order (time, stream, event),
 * through the same callback as extraction. Sets *found to whether any point was stored. */
static int stored_job(struct cache *c, struct mt_run *r, bool *found, struct err *e)
{
    struct cache_metric_stat_list stats;
    struct cache_point_list *lists = NULL;
    const char **names = NULL;
    size_t *at = NULL, n = 0, i;
    struct cache_point_query q = { NULL, true, 0, 0, &r->sel };
    int rc;

    *found = false;
    memset(&stats, 0, sizeof(stats));
    if ((rc = cache_job_metric_stats(c, r->job, &stats, e)) != 0)
        return rc == ERR_NOTFOUND ? 0 : rc;
    lists = calloc(stats.n + 1, sizeof(*lists));
    at = calloc(stats.n + 1, sizeof(*at));
    names = calloc(stats.n + 1, sizeof(*names));
    if (lists == NULL || at == NULL || names == NULL) {
        rc = ERR_NOMEM;
        goto out;
    }
    for (i = 0; i < stats.n; i++) {
        if (stats.items[i].count == 0 && stats.items[i].unparsed == 0)
            continue; /* only a final metric from SageMaker: nothing was extracted */
        *found = true;
        if (r->nonly > 0) {
            int k;
            for (k = 0; k < r->nonly && strcmp(r->only[k], stats.items[i].name) != 0; k++)
                ;
            if (k == r->nonly)
                continue;
        }
        rc = cache_job_metric_points_query(c, r->job, stats.items[i].name, &q, &lists[n], e);
        if (rc != 0)
            goto out;
        names[n++] = stats.items[i].name;
    }
    for (;;) {
        const struct cache_point *best = NULL;
        size_t bi = 0;
        struct mpoint mp;

        for (i = 0; i < n; i++) {
            const struct cache_point *p = at[i] < lists[i].n ? &lists[i].items[at[i]] : NULL;
            if (p != NULL && (best == NULL || p->ts_ms < best->ts_ms ||
                              (p->ts_ms == best->ts_ms && (p->stream < best->stream ||
                                                           (p->stream == best->stream &&
                                                            p->seq < best->seq))))) {
                best = p;
                bi = i;
            }
        }
        if (best == NULL || r->failed || cli_interrupted)
            break;
        at[bi]++;
        memset(&mp, 0, sizeof(mp));
        mp.name = names[bi];
        mp.name_id = -1;
        mp.value = best->value;
        mp.sagemaker_value = best->sagemaker_value;
        mp.ts_ms = best->ts_ms;
        mp.step = best->step;
        mp.epoch = best->epoch;
        mp.flags = best->flags;
        mp.source = (best->flags & MPOINT_PRESET) ? MDEF_PRESET : MDEF_JOB;
        mp.def_index = -1;
        mp.instance = best->instance >= 0 && (size_t)best->instance < lists[bi].n_instances
                          ? lists[bi].instances[best->instance]
                          : "";
        mp.rank = best->rank;
        mp.rank_local = best->rank_local;
        mt_point(&mp, r); /* sets r->failed on out-of-memory */
    }
    rc = r->failed ? (e->code ? e->code : ERR_NOMEM) : 0;
out:
    for (i = 0; lists != NULL && i < n; i++)
        cache_point_list_clean(&lists[i]);
    free(lists);
    free(names);
    free(at);
    cache_metric_stat_list_clean(&stats);
    return rc;
}

static void usage(FILE *f)
{
    fputs("usage: sagetop metrics JOB... [--metric NAME|NAME=REGEX]... [--instance NAME|all]\n"
          "                       [--rank N|all] [--reextract] [--format table|csv|json]\n"
          "  Extracts metrics from each job's cached log (sagetop sync JOB fills it) with the\n"
          "  job's MetricDefinitions, the config file, the Hugging Face preset and --metric.\n"
          "  --metric NAME        show only NAME (repeatable)\n"
          "  --metric NAME=REGEX  add a definition (takes precedence over the config file)\n"
          "  --instance NAME|all  which host's points (default: algo-1 when present, else all)\n"
          "  --rank N|all         which process of a launcher (mpirun, torchrun) by global rank\n"
          "                       (default: each host's first, i.e. rank 0 on algo-1)\n"
          "  --reextract          extract again from the cached log even when the definitions\n"
          "                       are those sync stored points with\n"
          "  --format             table (last, min, max, count, unparsed), csv (long form:\n"
          "                       job,metric,timestamp,step,epoch,value) or json\n",
          f);
}

/* What the command line asks for; the arrays (room for argc each) hold argv entries. */
struct metrics_args {
    char **jobs, **only, **defs;    /* JOBs, --metric NAME, --metric NAME=REGEX */
    int njobs, nonly, ndefs;
    const char *instance;
    bool all_instances, reextract;
    int rank;                       /* PROCSEL_FIRST, PROCSEL_ALL or a global rank */
    enum fmt fmt;
};

/* parse_args: --help was printed; exit 0. */
enum { METRICS_HELP_SHOWN = -1 };

/* Fills ma (its arrays allocated by the caller). Returns 0, METRICS_HELP_SHOWN, or EXIT_USAGE
 * after printing why. */
static int parse_args(int argc, char **argv, struct metrics_args *ma)
{
    struct err e = { 0 };
    int i;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return METRICS_HELP_SHOWN;
        } else if (strcmp(a, "--metric") == 0 && i + 1 < argc) {
            const char *m = argv[++i];

            if (strchr(m, '=') != NULL) {
                struct mdef_list probe;
                mdef_list_init(&probe);
                if (mdef_list_add_cli(&probe, m, &e) != 0) {
                    mdef_list_clean(&probe);
                    return cli_usage_error("metrics", "%s", e.msg);
                }
                mdef_list_clean(&probe);
                ma->defs[ma->ndefs++] = argv[i];
            } else {
                ma->only[ma->nonly++] = argv[i];
            }
        } else if (strcmp(a, "--reextract") == 0) {
            ma->reextract = true;
        } else if (strcmp(a, "--instance") == 0 && i + 1 < argc) {
            ma->instance = argv[++i];
            ma->all_instances = strcmp(ma->instance, "all") == 0;
        } else if (strcmp(a, "--rank") == 0 && i + 1 < argc) {
            if ((ma->rank = procsel_parse_rank(argv[++i])) == PROCSEL_FIRST)
                return cli_usage_error("metrics", "--rank is a rank (0, 1, ...) or all, not '%s'",
                                       argv[i]);
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "table") == 0)
                ma->fmt = FMT_TABLE;
            else if (strcmp(f, "csv") == 0)
                ma->fmt = FMT_CSV;
            else if (strcmp(f, "json") == 0)
                ma->fmt = FMT_JSON;
            else {
                return cli_usage_error("metrics", "--format is table, csv or json, not '%s'",
                                       f);
            }
        } else if (a[0] == '-') {
            return cli_usage_error("metrics", "unknown option '%s'", a);
        } else {
            ma->jobs[ma->njobs++] = argv[i];
        }
    }
    if (ma->njobs == 0)
        return cli_usage_error("metrics", "name at least one JOB");
    return 0;
}

/* Which host a job's points come from: --instance NAME; else, for the default rank, algo-1
 * when its cached log has one; else every host (NULL). */
static const char *job_host(struct cache *c, const struct metrics_args *ma, const char *job)
{
    struct cache_kv_list inst;
    const char *host = NULL;
    size_t k;

    if (ma->all_instances)
        return NULL;
    if (ma->instance != NULL)
        return ma->instance;
    memset(&inst, 0, sizeof(inst));
    if (ma->rank == PROCSEL_FIRST && cache_logs_instances(c, job, &inst, NULL) == 0)
        for (k = 0; k < inst.n; k++)
            if (strcmp(inst.items[k].key, "algo-1") == 0)
                host = "algo-1";
    cache_kv_list_clean(&inst);
    return host;
}

/* What every job of one command shares: the cache, the options, the config file's text and the
 * report the points go to. */
struct metrics_ctx {
    struct cache *c;
    const struct metrics_args *ma;
    const char *config;
    size_t config_len;
    struct mreport *rep;
    int bad_defs;                   /* definitions skipped as invalid, over all jobs */
    struct err *e;
};

/* One job's points into the report (csv: onto stdout). Returns EXIT_OK, or EXIT_ERROR after
 * saying why on stderr; sets *stop when the next jobs cannot run either. */
static int metrics_job(struct metrics_ctx *x, const char *job, bool *stop)
{
    const struct metrics_args *ma = x->ma;
    struct mt_run r = { job, ma->fmt, { ma->rank, NULL, 0 }, false, ma->only, ma->nonly, x->rep,
                        x->e, 0 };
    struct cache_job cj;
    struct mset *ms;
    bool same = false, found = false;
    int rc = EXIT_OK;

    r.sel.host = job_host(x->c, ma, job);
    r.sel.per_host = cache_job_procs_per_host(x->c, job);
    r.label_procs = ma->rank == PROCSEL_ALL || ma->all_instances;
    /* a job the cache never saw is an error, as in show and logs, not an empty report */
    if (cache_job_get(x->c, job, &cj, x->e) == ERR_NOTFOUND) {
        fprintf(stderr, "sagetop metrics: no training job named %s in the cache (run "
                        "'sagetop sync %s' first)\n", job, job);
        return EXIT_ERROR;
    }
    ms = job_set(x->c, job, x->config, x->config_len, ma->defs, ma->ndefs, &x->bad_defs, &same,
                 x->e);
    if (ms == NULL) {
        *stop = true;
        return cli_fail(x->e);
    }
    /* unchanged definitions: what sync stored is the answer; otherwise (or when nothing
     * was stored) extract again from the cached log, still without the network */
    if (same && !ma->reextract && stored_job(x->c, &r, &found, x->e) != 0) {
        fprintf(stderr, "sagetop metrics: %s: %s\n", job, x->e->msg);
        rc = EXIT_ERROR;
    } else if (!found && extract_job(x->c, ms, &r, x->e) != 0) {
        fprintf(stderr, "sagetop metrics: %s: %s\n", job, x->e->msg);
        rc = EXIT_ERROR;
    }
    mset_free(ms);
    return rc;
}

/* The table or the JSON document of every job's points (csv was written point by point). */
static void write_report(const struct mreport *rep, const struct metrics_args *ma)
{
    if (ma->fmt == FMT_TABLE) {
        if (rep->n == 0)
            fprintf(stderr, "sagetop metrics: no metrics found in the cached logs (run 'sagetop "
                            "sync JOB' first, or check the definitions with regex-test)\n");
        else
            mreport_write_table(rep, ma->all_instances || ma->rank == PROCSEL_ALL, write_stdout,
                                NULL);
    } else if (ma->fmt == FMT_JSON) {
        mreport_write_json(rep, write_stdout, NULL);
    }
}

int cmd_metrics(const struct globals *g, int argc, char **argv)
{
    struct aws_options opts = { g->profile, g->region, g->endpoint_url };
    struct aws_config *cfg = NULL;
    struct mreport rep;
    struct metrics_args ma = { .rank = PROCSEL_FIRST };
    struct err e = { 0 };
    struct metrics_ctx x = { NULL, &ma, NULL, 0, &rep, 0, &e };
    char *config = NULL;
    bool stop = false;
    int i, rc = EXIT_OK;

    mreport_init(&rep, true);
    ma.jobs = calloc((size_t)argc, sizeof(char *));
    ma.only = calloc((size_t)argc, sizeof(char *));
    ma.defs = calloc((size_t)argc, sizeof(char *));
    if (ma.jobs == NULL || ma.only == NULL || ma.defs == NULL) {
        rc = EXIT_ERROR;
        goto out;
    }
    if ((rc = parse_args(argc, argv, &ma)) != 0) {
        rc = rc == METRICS_HELP_SHOWN ? EXIT_OK : rc;
        goto out;
    }
    rep.keep_points = ma.fmt == FMT_JSON;
    cfg = aws_config_load(&opts, &e);
    if (cfg == NULL) {
        rc = cli_fail(&e);
        goto out;
    }
    if (cache_session_open(cfg, NULL, g->cache_path, CACHE_READ_ONLY, &x.c, NULL, 0, &e) != 0) {
        rc = cli_fail(&e);
        goto out;
    }
    config = userconfig_read_text(&x.config_len);
    x.config = config;
    if (ma.fmt == FMT_CSV && mreport_csv_header(write_stdout, NULL) != 0) {
        rc = EXIT_ERROR;
        goto out;
    }
    for (i = 0; i < ma.njobs && !cli_interrupted && !stop; i++) {
        int jrc = metrics_job(&x, ma.jobs[i], &stop);

        rc = jrc != EXIT_OK ? jrc : rc;
    }
    write_report(&rep, &ma);
    if (x.bad_defs > 0 && rc == EXIT_OK)
        rc = EXIT_ERROR; /* the output is complete for the other definitions; say it failed */
out:
    mreport_clean(&rep);
    free(config);
    cache_close(x.c);
    aws_config_free(cfg);
    free(ma.jobs);
    free(ma.only);
    free(ma.defs);
    return rc;
}
