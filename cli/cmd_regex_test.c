/* cmd_regex_test.c: `sagetop regex-test REGEX [JOB] [--rank N|all] [--instance NAME|all]` — try
 * a metric regex before launching. Over a job's log it counts the processes `sagetop metrics`
 * would (by default rank 0 on algo-1, see docs/metrics.md), so the two agree.
 * Compiles the regex the way a metric definition is compiled (a bad one is shown with a caret
 * under PCRE2's offset), then applies it with the extractor's semantics to stdin or to a job's
 * cached log, printing each value (with SageMaker's value where they differ) and the counts.
 * Reads the cache only; never the network. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache.h"
#include "cache/session.h"
#include "cli/cli.h"
#include "metrics/metrics.h"
#include "metrics/procprefix.h"

#define RT_SHOW_DEFAULT 50
#define RT_INSTANCES_MAX 64

struct rt_ctx {
    const char *where; /* "line 12" or "algo-1 12:00:01" of the line being read */
    unsigned long long values, unparsed, repaired, lines_matched, shown;
    unsigned long long max_show;
    int matched_this_line;
    struct procsel sel;
    bool all_hosts; /* --instance all */
};

static void print_raw(const char *s, size_t n)
{
    size_t i;

    putchar('"');
    for (i = 0; i < n && i < 80; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
    if (n > 80)
        fputs("...", stdout);
    putchar('"');
}

static int rt_point(const struct mpoint *p, void *ctx)
{
    struct rt_ctx *r = ctx;

    if (!procsel_match(&r->sel, p->rank, p->rank_local, p->instance))
        return 0;
    if (!r->matched_this_line) {
        r->matched_this_line = 1;
        r->lines_matched++;
    }
    if (p->flags & MPOINT_UNPARSED)
        r->unparsed++;
    else
        r->values++;
    if (p->flags & (MPOINT_REPAIRED_NUMBER | MPOINT_REPAIRED_SIGN))
        r->repaired++;
    if (r->shown >= r->max_show)
        return 0;
    r->shown++;
    if (p->rank >= 0)
        printf("%s %s%d: ", r->where, p->rank_local ? "local" : "rank", p->rank);
    else
        printf("%s: ", r->where);
    if (p->flags & MPOINT_UNPARSED)
        fputs("unparsed ", stdout);
    else
        printf("%.10g ", p->value);
    print_raw(p->raw, p->raw_len);
    if (p->flags & MPOINT_DURATION)
        fputs("  (duration in seconds; SageMaker stores nothing)", stdout);
    if (p->flags & MPOINT_REPAIRED_NUMBER)
        printf("  (repaired: the capture is only part of the number; SageMaker stores %.10g)",
               p->sagemaker_value);
    if (p->flags & MPOINT_REPAIRED_SIGN)
        printf("  (repaired: \\D* ate the minus sign; SageMaker stores %.10g)",
               p->sagemaker_value);
    if (p->flags & MPOINT_UNPARSED)
        fputs("  (not a number: SageMaker stores nothing)", stdout);
    if (p->step >= 0 || !isnan(p->epoch)) {
        fputs("  [", stdout);
        if (p->step >= 0)
            printf("step %lld%s", (long long)p->step, isnan(p->epoch) ? "" : ", ");
        if (!isnan(p->epoch))
            printf("epoch %g", p->epoch);
        putchar(']');
    }
    putchar('\n');
    return 0;
}

static void rt_stdin(struct mset *ms, struct rt_ctx *r, unsigned long long *lines)
{
    struct mextract_state st;
    char *line = NULL, where[48];
    size_t cap = 0;
    ssize_t n;
    unsigned long long no = 0;

    mextract_state_init(&st, NULL);
    r->where = where;
    while ((n = getline(&line, &cap, stdin)) >= 0 && !cli_interrupted) {
        no++;
        snprintf(where, sizeof(where), "line %llu", no);
        r->matched_this_line = 0;
        mset_extract(ms, &st, line, (size_t)n, 0, rt_point, r);
    }
    free(line);
    *lines = no;
}

struct rt_instance {
    char name[MINSTANCE_MAX];
    struct mextract_state st;
};

static struct mextract_state *state_for(struct rt_instance *v, size_t *n, const char *name)
{
    size_t i;

    for (i = 0; i < *n; i++)
        if (strcmp(v[i].name, name) == 0)
            return &v[i].st;
    if (*n == RT_INSTANCES_MAX)
        return &v[RT_INSTANCES_MAX - 1].st; /* more hosts than anyone runs: share the last */
    snprintf(v[*n].name, sizeof(v[*n].name), "%s", name);
    mextract_state_init(&v[*n].st, v[*n].name);
    return &v[(*n)++].st;
}

/* As sagetop metrics: without --instance, algo-1's processes when the job has that host
 * (unless a --rank names the process wherever it is). */
static void rt_default_host(struct cache *c, const char *job, struct rt_ctx *r)
{
    struct cache_kv_list inst = { 0 };

    if (r->sel.host != NULL || r->all_hosts || r->sel.rank != PROCSEL_FIRST)
        return;
    if (cache_logs_instances(c, job, &inst, NULL) == 0)
        for (size_t k = 0; k < inst.n; k++)
            if (strcmp(inst.items[k].key, "algo-1") == 0)
                r->sel.host = "algo-1";
    cache_kv_list_clean(&inst);
}

static int rt_job(const struct globals *g, const char *job, struct mset *ms, struct rt_ctx *r,
                  unsigned long long *lines, struct err *e)
{
    struct aws_options opts = { g->profile, g->region, g->endpoint_url };
    struct aws_config *cfg = aws_config_load(&opts, e);
    struct cache *c = NULL;
    struct rt_instance *inst = calloc(RT_INSTANCES_MAX, sizeof(*inst));
    struct cache_log_pos pos;
    size_t ninst = 0, i;
    int rc, first = 1;
    char where[96];

    if (cfg == NULL || inst == NULL) {
        rc = cfg == NULL ? (e->code ? e->code : ERR_CONFIG) : ERR_NOMEM;
        goto out;
    }
    rc = cache_session_open(cfg, NULL, g->cache_path, CACHE_READ_ONLY, &c, NULL, 0, e);
    if (rc != 0)
        goto out;
    rt_default_host(c, job, r);
    r->sel.per_host = cache_job_procs_per_host(c, job);
    r->where = where;
    for (;;) {
        struct cache_log_batch b;

        memset(&b, 0, sizeof(b));
        rc = cache_logs_after(c, job, first ? NULL : &pos, 4096, NULL, &b, e);
        if (rc != 0)
            goto out;
        first = 0;
        for (i = 0; i < b.n; i++) {
            const struct cache_log_line *l = &b.lines[i];
            time_t t = (time_t)(l->pos.ts_ms / 1000);
            struct tm tm;
            const char *iname = l->instance != NULL ? l->instance : "";

            gmtime_r(&t, &tm);
            snprintf(where, sizeof(where), "%s %04d-%02d-%02dT%02d:%02d:%02dZ", iname,
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec);
            r->matched_this_line = 0;
            mset_extract(ms, state_for(inst, &ninst, iname), l->text, l->len, l->pos.ts_ms,
                         rt_point, r);
            (*lines)++;
            pos = l->pos;
        }
        if (b.at_end || b.n == 0 || cli_interrupted) {
            cache_log_batch_clean(&b);
            break;
        }
        cache_log_batch_clean(&b);
    }
    if (*lines == 0)
        fprintf(stderr, "sagetop regex-test: no cached log lines for %s (run 'sagetop sync %s')\n",
                job, job);
out:
    cache_close(c);
    aws_config_free(cfg);
    free(inst);
    return rc;
}

static void usage(FILE *f)
{
    fputs("usage: sagetop regex-test REGEX [JOB] [--all] [--rank N|all] [--instance NAME|all]\n"
          "  Applies REGEX as a metric definition (PCRE2, first capture group is the value)\n"
          "  to stdin, or to JOB's cached log, and prints what it extracts.\n"
          "  --all  print every match (default: the first 50; counts are always complete)\n"
          "  --rank N|all, --instance NAME|all  which processes, as in sagetop metrics\n"
          "         (default: rank 0 on algo-1, and the lines without launcher prefix)\n"
          "  Exit status: 0 something matched, 1 nothing matched or the regex is invalid.\n",
          f);
}

int cmd_regex_test(const struct globals *g, int argc, char **argv)
{
    const char *regex = NULL, *job = NULL;
    struct rt_ctx r;
    struct mdef_list l;
    struct mset *ms = NULL;
    struct err e = { 0 };
    unsigned long long lines = 0;
    int i, rc = EXIT_OK;

    memset(&r, 0, sizeof(r));
    r.max_show = RT_SHOW_DEFAULT;
    r.sel.rank = PROCSEL_FIRST;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--all") == 0) {
            r.max_show = ~0ULL;
        } else if (strcmp(argv[i], "--rank") == 0 && i + 1 < argc) {
            if ((r.sel.rank = procsel_parse_rank(argv[++i])) == PROCSEL_FIRST)
                return cli_usage_error("regex-test", "--rank is a rank (0, 1, ...) or all, "
                                       "not '%s'", argv[i]);
        } else if (strcmp(argv[i], "--instance") == 0 && i + 1 < argc) {
            r.all_hosts = strcmp(argv[++i], "all") == 0;
            r.sel.host = r.all_hosts ? NULL : argv[i];
        } else if (strcmp(argv[i], "--") == 0 && i + 1 < argc && regex == NULL) {
            regex = argv[++i]; /* a regex that starts with '-' */
        } else if (argv[i][0] == '-' && argv[i][1] != '\0' && regex == NULL) {
            return cli_usage_error("regex-test", "unknown option '%s'", argv[i]);
        } else if (regex == NULL) {
            regex = argv[i];
        } else if (job == NULL) {
            job = argv[i];
        } else {
            return cli_usage_error("regex-test", "unexpected argument '%s'", argv[i]);
        }
    }
    if (regex == NULL)
        return cli_usage_error("regex-test", "missing REGEX");

    mdef_list_init(&l);
    l.preset_hf = false;
    if (mdef_list_add(&l, "regex", regex, MDEF_CLI, &e) != 0) {
        mdef_list_clean(&l);
        return cli_fail(&e);
    }
    ms = mset_new(&l, &e);
    mdef_list_clean(&l);
    if (ms == NULL)
        return cli_fail(&e);
    if (mset_error_count(ms) > 0) {
        const struct mdef_error *d = mset_error(ms, 0);
        fprintf(stderr, "sagetop regex-test: invalid regex: %s at offset %zu\n  %s\n  %*s^\n",
                d->msg, d->offset, regex, (int)d->offset, "");
        mset_free(ms);
        return EXIT_ERROR;
    }
    if (job == NULL) {
        rt_stdin(ms, &r, &lines);
    } else if (rt_job(g, job, ms, &r, &lines, &e) != 0) {
        mset_free(ms);
        return cli_fail(&e);
    }
    if (r.shown < r.values + r.unparsed)
        printf("... %llu more (--all shows every match)\n", r.values + r.unparsed - r.shown);
    printf("%llu lines read, %llu matched: %llu values, %llu unparsed, %llu repaired\n", lines,
           r.lines_matched, r.values, r.unparsed, r.repaired);
    mset_free(ms);
    if (r.lines_matched == 0)
        rc = EXIT_ERROR;
    return rc;
}
