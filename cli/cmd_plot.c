/* cmd_plot.c: `sagetop plot`: one metric of one or more jobs as a chart on stdout.
 *
 * Owns argument parsing and where the points come from: a long CSV (--csv, the format
 * `sagetop metrics --format csv` prints) or the local cache (JOB arguments; read as it is,
 * no sync: `sagetop sync` or the TUI fill it), and which processes of a distributed job are drawn
 * (--instance, --rank: metrics/procprefix.h, as `sagetop metrics` selects). The chart itself is
 * chart_plot_text() in tui/chart.c, a curses-free raster, so this file never touches curses.
 * Prints the chart to stdout, one error line to stderr.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cache/session.h"
#include "aws/dynbuf.h"
#include "cli/cli.h"
#include "metrics/procprefix.h"
#include "metrics/series.h"
#include "tui/chart.h"

#define PLOT_CSV_MAX_BYTES ((size_t)1 << 30)
#define PLOT_MAX_JOBS 64
#define PLOT_MAX_PROCS 64      /* series per job: hosts or ranks */

struct plot_args {
    const char *metric;
    const char *csv;
    const char *jobs[PLOT_MAX_JOBS];
    size_t n_jobs;
    enum series_x_kind x_kind;
    bool x_auto;          /* no --x: step, or epoch when no point has a step */
    int width, height;
    enum chart_glyphs glyphs;
    double ema;
    bool log_y, no_legend, no_markers;
    double cursor_x;
    const char *instance;  /* --instance algo-N; NULL: every host (also for "all") */
    int rank;              /* --rank: PROCSEL_FIRST (each host's first process), _ALL or N */
};

static void plot_usage(FILE *f)
{
    fprintf(f,
        "usage: sagetop plot JOB... --metric NAME [options]\n"
        "       sagetop plot --csv FILE [--metric NAME] [JOB...] [options]\n"
        "\n"
        "Draws a metric of one or more jobs as a chart on stdout.\n"
        "\n"
        "options:\n"
        "  --metric NAME        the metric to draw (required with JOB arguments; with --csv,\n"
        "                       every metric when omitted)\n"
        "  --x step|epoch|time|elapsed\n"
        "                       the x axis: training step, epoch, wall time or time since\n"
        "                       the job started (default: step, or epoch for a metric logged\n"
        "                       per epoch without steps)\n"
        "  --width W            chart width in cells (default: the terminal's, else 100)\n"
        "  --height H           chart height in cells (default 24)\n"
        "  --ascii              7-bit characters only (same as --glyphs ascii)\n"
        "  --glyphs braille|block|ascii\n"
        "                       dot characters (default: from the locale and TERM)\n"
        "  --ema F              smooth with an exponential moving average, 0 <= F < 1\n"
        "  --log                log-scale y axis\n"
        "  --cursor X           read out every series at x = X in the legend\n"
        "  --no-legend          no legend lines\n"
        "  --no-markers         no min/max/last markers\n"
        "  --instance NAME|all  which host's points (default: each host's first process, one\n"
        "                       series per host)\n"
        "  --rank N|all         which process of a launcher (mpirun, torchrun) by global rank;\n"
        "                       all: one series per process\n"
        "  --csv FILE           read points from FILE ('-' for stdin): the long CSV of\n"
        "                       'sagetop metrics --format csv' (job,metric,timestamp,step,epoch,"
        "value);\n"
        "                       JOB arguments then pick and order the jobs\n"
        "  --help               print this help\n");
}

static bool parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static int default_width(void)
{
    struct winsize ws;

    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 100;
}

/* 0 ok, or an exit status (usage errors print themselves). */
static int parse_args(int argc, char **argv, struct plot_args *a, bool *help)
{
    int i, r;

    memset(a, 0, sizeof(*a));
    a->x_kind = SERIES_X_STEP;
    a->x_auto = true;
    a->height = 24;
    a->glyphs = CHART_GLYPHS_AUTO;
    a->cursor_x = NAN;
    a->rank = PROCSEL_FIRST;
    *help = false;
    for (i = 1; i < argc; i++) {
        const char *v = NULL, *arg = argv[i];

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            *help = true;
            return 0;
        }
        if (strcmp(arg, "--ascii") == 0) {
            a->glyphs = CHART_GLYPHS_ASCII;
        } else if (strcmp(arg, "--log") == 0) {
            a->log_y = true;
        } else if (strcmp(arg, "--no-legend") == 0) {
            a->no_legend = true;
        } else if (strcmp(arg, "--no-markers") == 0) {
            a->no_markers = true;
        } else if ((r = cli_take_value(argc, argv, &i, "--metric", &v)) != 0) {
            if (r < 0)
                return cli_usage_error("plot", "--metric needs a name");
            a->metric = v;
        } else if ((r = cli_take_value(argc, argv, &i, "--csv", &v)) != 0) {
            if (r < 0)
                return cli_usage_error("plot", "--csv needs a file name (or - for stdin)");
            a->csv = v;
        } else if ((r = cli_take_value(argc, argv, &i, "--x", &v)) != 0) {
            if (r < 0)
                return cli_usage_error("plot", "--x needs step, epoch, time or elapsed");
            a->x_auto = false;
            if (strcmp(v, "step") == 0)
                a->x_kind = SERIES_X_STEP;
            else if (strcmp(v, "epoch") == 0)
                a->x_kind = SERIES_X_EPOCH;
            else if (strcmp(v, "time") == 0 || strcmp(v, "wall") == 0)
                a->x_kind = SERIES_X_WALL;
            else if (strcmp(v, "elapsed") == 0)
                a->x_kind = SERIES_X_ELAPSED;
            else
                return cli_usage_error("plot", "--x %s: use step, epoch, time or elapsed", v);
        } else if ((r = cli_take_value(argc, argv, &i, "--width", &v)) != 0) {
            if (r < 0 || !parse_int(v, 20, 2000, &a->width))
                return cli_usage_error("plot", "--width needs a number from 20 to 2000");
        } else if ((r = cli_take_value(argc, argv, &i, "--height", &v)) != 0) {
            if (r < 0 || !parse_int(v, 5, 2000, &a->height))
                return cli_usage_error("plot", "--height needs a number from 5 to 2000");
        } else if ((r = cli_take_value(argc, argv, &i, "--glyphs", &v)) != 0) {
            if (r < 0)
                return cli_usage_error("plot", "--glyphs needs braille, block or ascii");
            if (strcmp(v, "braille") == 0)
                a->glyphs = CHART_GLYPHS_BRAILLE;
            else if (strcmp(v, "block") == 0)
                a->glyphs = CHART_GLYPHS_BLOCK;
            else if (strcmp(v, "ascii") == 0)
                a->glyphs = CHART_GLYPHS_ASCII;
            else
                return cli_usage_error("plot", "--glyphs %s: use braille, block or ascii", v);
        } else if ((r = cli_take_value(argc, argv, &i, "--ema", &v)) != 0) {
            if (r < 0 || !parse_double(v, &a->ema) || a->ema < 0 || a->ema >= 1)
                return cli_usage_error("plot", "--ema needs a factor F with 0 <= F < 1");
        } else if ((r = cli_take_value(argc, argv, &i, "--instance", &v)) != 0) {
            if (r < 0)
                return cli_usage_error("plot", "--instance needs a host (algo-1, ...) or all");
            a->instance = strcmp(v, "all") == 0 ? NULL : v;
        } else if ((r = cli_take_value(argc, argv, &i, "--rank", &v)) != 0) {
            if (r < 0 || (a->rank = procsel_parse_rank(v)) == PROCSEL_FIRST)
                return cli_usage_error("plot", "--rank is a rank (0, 1, ...) or all, not '%s'",
                                       r < 0 ? "" : v);
        } else if ((r = cli_take_value(argc, argv, &i, "--cursor", &v)) != 0) {
            if (r < 0 || !parse_double(v, &a->cursor_x))
                return cli_usage_error("plot", "--cursor needs an x value");
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return cli_usage_error("plot", "unknown option %s", arg);
        } else {
            if (a->n_jobs == PLOT_MAX_JOBS)
                return cli_usage_error("plot", "at most %d jobs", PLOT_MAX_JOBS);
            a->jobs[a->n_jobs++] = arg;
        }
    }
    if (a->csv == NULL && a->n_jobs == 0)
        return cli_usage_error("plot", "name at least one JOB, or read points with --csv FILE");
    if (a->csv == NULL && a->metric == NULL)
        return cli_usage_error("plot", "--metric NAME is required with JOB arguments");
    if (a->csv != NULL && (a->instance != NULL || a->rank != PROCSEL_FIRST))
        return cli_usage_error("plot", "--instance and --rank select cached points, not --csv");
    if (a->width == 0)
        a->width = default_width();
    return 0;
}

/* Reads all of FILE ('-' = stdin) up to PLOT_CSV_MAX_BYTES. */
static int read_all(const char *path, char **out, size_t *len, struct err *e)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    struct dynbuf b;
    char chunk[1 << 16], *text = NULL;
    size_t got, n;
    int rc = 0;

    if (f == NULL)
        return err_set(e, ERR_IO, "cannot open %s: %s", path, strerror(errno));
    dynbuf_init(&b, PLOT_CSV_MAX_BYTES + 1);
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0 && dynbuf_add(&b, chunk, got) == 0)
        ;
    if (b.err == ERR_TOOBIG)
        rc = err_set(e, ERR_TOOBIG, "%s: larger than %zu MB", path, PLOT_CSV_MAX_BYTES >> 20);
    else if (b.err != 0)
        rc = err_set(e, ERR_NOMEM, "out of memory reading %s", path);
    else if (ferror(f))
        rc = err_set(e, ERR_IO, "cannot read %s: %s", path, strerror(errno));
    if (f != stdin)
        fclose(f);
    n = b.len;
    if (rc == 0 && (text = dynbuf_take(&b)) == NULL)
        rc = err_set(e, ERR_NOMEM, "out of memory reading %s", path);
    dynbuf_free(&b);
    if (rc < 0)
        return rc;
    *out = text;
    *len = n;
    return 0;
}

/* The CSV path: every job in file order, or the JOB arguments in their order. */
static int load_csv(struct plot_args *a, struct series_set *set, struct err *e)
{
    struct series_set all;
    char *buf = NULL;
    size_t len = 0, i, j;
    int rc;

    series_set_init(&all);
    rc = read_all(a->csv, &buf, &len, e);
    if (rc < 0)
        return rc;
    rc = series_csv_parse(buf, len, a->metric, a->x_kind, &all, e);
    if (rc < 0 && a->x_auto) {
        /* no step anywhere (an eval metric logged per epoch): epochs, and the axis says so */
        struct err e2 = { 0 };

        if (series_csv_parse(buf, len, a->metric, SERIES_X_EPOCH, &all, &e2) == 0) {
            a->x_kind = SERIES_X_EPOCH;
            rc = 0;
        }
    }
    free(buf);
    if (rc < 0) {
        err_prefix(e, "%s", strcmp(a->csv, "-") == 0 ? "stdin" : a->csv);
        goto out;
    }
    if (a->n_jobs == 0) {
        *set = all;
        return 0;
    }
    for (i = 0; i < a->n_jobs; i++) {
        struct series *s = NULL;

        for (j = 0; j < all.len; j++) {
            if (all.v[j] == NULL)
                continue;
            /* without --metric, series are "job/metric": match the job part */
            if (strcmp(all.v[j]->name, a->jobs[i]) == 0 ||
                (a->metric == NULL && strncmp(all.v[j]->name, a->jobs[i],
                                              strlen(a->jobs[i])) == 0 &&
                 all.v[j]->name[strlen(a->jobs[i])] == '/')) {
                s = all.v[j];
                all.v[j] = NULL;
                rc = series_set_take(set, s, e);
                if (rc < 0)
                    goto out;
                if (a->metric != NULL)
                    break;
            }
        }
        if (s == NULL) {
            rc = err_set(e, ERR_NOTFOUND, "%s: no points of %s%s for job %s", a->csv,
                         a->metric != NULL ? "metric " : "any metric",
                         a->metric != NULL ? a->metric : "", a->jobs[i]);
            goto out;
        }
    }
    rc = 0;
out:
    for (j = 0; j < all.len; j++)
        series_free(all.v[j]);
    all.len = 0;
    series_set_clean(&all);
    return rc;
}

/* x of a cached point for the chosen kind; NaN when the point does not carry it (a step or
 * epoch the log never gave). */
static double point_x(const struct cache_point *p, enum series_x_kind kind, double start)
{
    struct series_sample smp = {
        .time_s = (double)p->ts_ms / 1000.0,
        .step = p->step >= 0 ? (double)p->step : NAN,
        .epoch = p->epoch,
        .value = p->value,
    };

    return series_sample_x(&smp, kind, start);
}

/* The points of the metric the selection holds: by default each host's first process
 * (cache_job_metric_points), else what --instance and --rank select. */
static int select_points(struct cache *c, const struct plot_args *a, const char *job,
                         struct procsel *sel, struct cache_point_list *pl, struct err *e)
{
    struct cache_point_query q = { 0 };

    sel->rank = a->rank;
    sel->host = a->instance;
    sel->per_host = cache_job_procs_per_host(c, job);
    if (a->rank == PROCSEL_FIRST && a->instance == NULL)
        return cache_job_metric_points(c, job, a->metric, NULL, pl, e);
    q.procs = sel;
    return cache_job_metric_points_query(c, job, a->metric, &q, pl, e);
}

/* The series a point belongs to: its host (one process per host) or its process
 * ("algo-2/rank8"), as `sagetop metrics` labels them. */
static void point_label(const struct procsel *sel, const struct cache_point_list *pl,
                        const struct cache_point *p, char *out, size_t size)
{
    const char *host = p->instance >= 0 && (size_t)p->instance < pl->n_instances
                           ? pl->instances[p->instance]
                           : "";

    procsel_label(sel, p->rank, p->rank_local, host, out, size);
}

/* Appends one series per process of pl (named JOB/LABEL, or JOB alone when the default
 * selection finds one host) on the chosen x, each sorted. */
static int push_groups(struct plot_args *a, const char *job, const struct procsel *sel,
                       const struct cache_point_list *pl, double start, struct series_set *set,
                       struct err *e)
{
    char labels[PLOT_MAX_PROCS][48], label[48];
    struct series *groups[PLOT_MAX_PROCS];
    size_t i, g, n = 0, first = set->len;
    bool dflt = a->rank == PROCSEL_FIRST && a->instance == NULL;
    int rc;

    for (i = 0; i < pl->n; i++) {
        double x = point_x(&pl->items[i], a->x_kind, start);

        if (!isfinite(x))
            continue;
        point_label(sel, pl, &pl->items[i], label, sizeof(label));
        for (g = 0; g < n && strcmp(labels[g], label) != 0; g++)
            ;
        if (g == n) {
            char name[CACHE_JOB_NAME_MAX + 64];

            if (n == PLOT_MAX_PROCS)
                continue;   /* more processes than a legend can tell apart */
            snprintf(labels[n], sizeof(labels[n]), "%s", label);
            snprintf(name, sizeof(name), "%s/%s", job, label);
            if ((groups[n] = series_new(name)) == NULL)
                return err_set(e, ERR_NOMEM, "out of memory");
            if ((rc = series_set_take(set, groups[n], e)) < 0)
                return rc;
            n++;
        }
        if ((rc = series_push(groups[g], x, pl->items[i].value, e)) < 0)
            return rc;
    }
    if (dflt && n == 1) {
        /* one host: the job names its series, as it always did */
        char *name = strdup(job);

        if (name == NULL)
            return err_set(e, ERR_NOMEM, "out of memory");
        free(groups[0]->name);
        groups[0]->name = name;
    }
    for (i = first; i < set->len; i++)
        if ((rc = series_sort(set->v[i], e)) < 0)
            return rc;
    return 0;
}

/* What a selection is called in a message: "", " of algo-2", " of rank 8", ... */
static void selection_name(const struct plot_args *a, char *buf, size_t size)
{
    int n = 0;

    buf[0] = '\0';
    if (a->instance != NULL)
        n = snprintf(buf, size, " on %s", a->instance);
    if (a->rank >= 0 && n >= 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, " of rank %d", a->rank);
}

/* One job's points of the metric from the cache, one series per host (or per process with
 * --rank all) when there are several, on the chosen x (points without that x are left out;
 * none at all is an error). */
static int load_job(struct cache *c, struct plot_args *a, const char *job,
                    struct series_set *set, struct err *e)
{
    struct cache_point_list pl;
    struct cache_job cj;
    struct procsel sel;
    double start = NAN;
    size_t i, first = set->len, with_x = 0;
    char what[64];
    int rc;

    memset(&pl, 0, sizeof(pl));
    rc = cache_job_get(c, job, &cj, e);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_NOTFOUND, "%s is not in the cache (run 'sagetop sync %s' first)",
                       job, job);
    if (rc < 0)
        return rc;
    rc = select_points(c, a, job, &sel, &pl, e);
    if (rc < 0)
        return rc;
    if (pl.n == 0) {
        selection_name(a, what, sizeof(what));
        rc = err_set(e, ERR_NOTFOUND,
                     "%s has no points of %s%s in the cache (see 'sagetop metrics %s', or "
                     "'sagetop sync %s' to fetch its logs)",
                     job, a->metric, what, job, job);
        goto out;
    }
    if (cj.start_time > 0)
        start = cj.start_time;
    else
        start = (double)pl.items[0].ts_ms / 1000.0;
    for (i = 0; i < pl.n; i++)
        with_x += isfinite(point_x(&pl.items[i], a->x_kind, start));
    if (with_x == 0 && a->x_auto && a->x_kind == SERIES_X_STEP && set->len == 0) {
        /* the first job decides: epochs for a metric logged per epoch without steps */
        a->x_kind = SERIES_X_EPOCH;
        for (i = 0; i < pl.n; i++)
            with_x += isfinite(point_x(&pl.items[i], a->x_kind, start));
        if (with_x == 0)
            a->x_kind = SERIES_X_STEP;
    }
    if (with_x == 0) {
        rc = err_set(e, ERR_NOTFOUND,
                     "%s: no point of %s carries %s %s (the log never gave one); use --x "
                     "elapsed or --x time",
                     job, a->metric, a->x_kind == SERIES_X_STEP ? "a" : "an",
                     a->x_kind == SERIES_X_STEP ? "step" : "epoch");
        goto out;
    }
    rc = push_groups(a, job, &sel, &pl, start, set, e);
out:
    if (rc < 0) {
        for (i = first; i < set->len; i++)
            series_free(set->v[i]);
        set->len = first;
    }
    cache_point_list_clean(&pl);
    return rc;
}

/* The cache path: the jobs in the order given, read from the local cache without syncing. */
static int load_cache(const struct globals *g, struct plot_args *a, struct series_set *set,
                      struct err *e)
{
    struct cli_aws aws;
    struct cache *c = NULL;
    size_t i;
    int rc;

    rc = cli_aws_open(g, &aws, e);
    if (rc < 0)
        return rc;
    rc = cache_session_open(aws.cfg, g->offline ? NULL : aws.client, g->cache_path,
                            g->reset_cache ? CACHE_RESET : 0, &c, NULL, 0, e);
    for (i = 0; rc == 0 && i < a->n_jobs; i++)
        rc = strncmp(a->metric, "sys.", 4) == 0
                 ? cli_sys_series(c, a->jobs[i], a->metric + 4, (int)a->x_kind, set, e)
                 : load_job(c, a, a->jobs[i], set, e);
    cache_close(c);
    cli_aws_close(&aws);
    return rc;
}

int cmd_plot(const struct globals *g, int argc, char **argv)
{
    struct plot_args a;
    struct series_set set;
    struct chart_opts o;
    struct err e = { 0 };
    char *text = NULL;
    size_t len = 0;
    bool help, ansi;
    int rc;

    rc = parse_args(argc, argv, &a, &help);
    if (rc != 0)
        return rc;
    if (help) {
        plot_usage(stdout);
        return EXIT_OK;
    }
    /* host metrics have no step: they are drawn over the job's elapsed time by default */
    if (a.metric != NULL && strncmp(a.metric, "sys.", 4) == 0 && a.x_kind == SERIES_X_STEP)
        a.x_kind = SERIES_X_ELAPSED;
    setlocale(LC_CTYPE, "");
    series_set_init(&set);
    if (a.csv != NULL)
        rc = load_csv(&a, &set, &e);
    else
        rc = load_cache(g, &a, &set, &e);
    if (rc < 0)
        goto out;

    chart_opts_init(&o, a.width, a.height);
    o.glyphs = a.glyphs;
    o.x_kind = a.x_kind;
    o.log_y = a.log_y;
    o.legend = !a.no_legend;
    o.markers = !a.no_markers;
    o.cursor_x = a.cursor_x;
    ansi = isatty(STDOUT_FILENO) && !g->no_color && getenv("NO_COLOR") == NULL;
    rc = chart_plot_text(set.v, set.len, a.metric, a.ema, &o, ansi, &text, &len, &e);
    if (rc < 0)
        goto out;
    if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0)
        rc = err_set(&e, ERR_IO, "writing the chart: %s", strerror(errno));
out:
    free(text);
    series_set_clean(&set);
    return cli_stdout_finish(rc < 0 ? rc : 0, &e);
}
