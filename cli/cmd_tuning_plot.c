/* cmd_tuning_plot.c: `sagetop tuning plot NAME [--by HP]`: a tuning job's objective as a chart
 * on stdout. Without --by: each trial's final objective over completion order (a scatter) with
 * the running best as a step line. With --by HP: objective vs that hyperparameter (a scatter;
 * x is log10 of the value when the range is logarithmic, the value's position for a
 * categorical one). Points come from the cache after tuning_session_open(); the raster is
 * chart_render_text() of tui/chart.c, the curses-free path `sagetop plot` uses. */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "aws/dynbuf.h"
#include "cli/tuning_internal.h"
#include "metrics/series.h"
#include "tui/chart.h"

struct tplot_args {
    const char *name;
    const char *by;
    int width, height;
    bool ascii;
};

/* The x of a trial for --by (NAN: not plotted). */
static double by_x(const struct cache_trial *t, const char *hp,
                   const struct cache_tuning_range *r)
{
    const char *v = NULL;
    char *end;
    double x;
    size_t i;

    for (i = 0; i < t->n_hps; i++)
        if (strcmp(t->hps[i].key, hp) == 0)
            v = t->hps[i].value;
    if (v == NULL)
        return NAN;
    if (r != NULL && strcmp(r->kind, "categorical") == 0) {
        /* the value's 1-based position in the range's list */
        const char *p = r->values;
        size_t n = strlen(v);

        for (i = 1; *p != '\0'; i++) {
            if (strncmp(p, v, n) == 0 && (p[n] == ',' || p[n] == '\0'))
                return (double)i;
            p = strchr(p, ',');
            if (p == NULL)
                break;
            p++;
        }
        return NAN;
    }
    x = strtod(v, &end);
    if (end == v || !isfinite(x))
        return NAN;
    if (r != NULL && strcmp(r->scaling, "Logarithmic") == 0)
        return x > 0 ? log10(x) : NAN;
    return x;
}

static int fill_series(const struct cache_tuning *tj, const struct cache_trial_list *l,
                       const struct tplot_args *a, const struct cache_tuning_range *r,
                       struct series *pts, struct series *best, struct err *e)
{
    bool maximize = strcmp(tj->objective_type, "Maximize") == 0;
    double cur = NAN, x;
    size_t i, k = 0;
    int rc = 0;

    for (i = 0; rc == 0 && i < l->n; i++) {
        const struct cache_trial *t = &l->items[i];

        if (!t->has_objective || !isfinite(t->objective))
            continue;
        if (a->by != NULL) {
            x = by_x(t, a->by, r);
            if (isfinite(x))
                rc = series_push(pts, x, t->objective, e);
            continue;
        }
        x = (double)++k;
        rc = series_push(pts, x, t->objective, e);
        /* a step: the old best up to this trial, then the new one */
        if (rc == 0 && isfinite(cur))
            rc = series_push(best, x, cur, e);
        if (!isfinite(cur) || (maximize ? t->objective > cur : t->objective < cur))
            cur = t->objective;
        if (rc == 0)
            rc = series_push(best, x, cur, e);
    }
    if (rc == 0)
        rc = series_sort(pts, e);
    return rc;
}

static int parse_size(const char *v, int lo, int hi, int *out)
{
    char *end;
    long n = strtol(v, &end, 10);

    if (end == v || *end != '\0' || n < lo || n > hi)
        return -1;
    *out = (int)n;
    return 0;
}

static int tplot_args(int argc, char **argv, struct tplot_args *a)
{
    struct winsize ws;
    const char *v;
    int i, r;

    memset(a, 0, sizeof(*a));
    a->width = isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
               ws.ws_col >= 20 ? ws.ws_col : 100;
    a->height = 20;
    for (i = 1; i < argc; i++) {
        if ((r = cli_take_value(argc, argv, &i, "--by", &a->by)) != 0) {
            if (r < 0)
                return cli_usage_error("tuning", "--by needs a hyperparameter name");
        } else if ((r = cli_take_value(argc, argv, &i, "--width", &v)) != 0) {
            if (r < 0 || parse_size(v, 20, 2000, &a->width) != 0)
                return cli_usage_error("tuning", "--width is 20..2000");
        } else if ((r = cli_take_value(argc, argv, &i, "--height", &v)) != 0) {
            if (r < 0 || parse_size(v, 5, 2000, &a->height) != 0)
                return cli_usage_error("tuning", "--height is 5..2000");
        } else if (strcmp(argv[i], "--ascii") == 0) {
            a->ascii = true;
        } else if (argv[i][0] != '-' && a->name == NULL) {
            a->name = argv[i];
        } else {
            return cli_usage_error("tuning", "unknown argument '%s'", argv[i]);
        }
    }
    if (a->name == NULL)
        return cli_usage_error("tuning", "which tuning job? sagetop tuning plot NAME [--by HP]");
    if (a->by != NULL && strncmp(a->by, "hp.", 3) == 0)
        a->by += 3;
    return 0;
}

/* The range of --by (NULL when the tuning job has none of that name: plotted as numbers). */
static const struct cache_tuning_range *find_range(const struct cache_tuning_range_list *rl,
                                                   const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < rl->n; i++)
        if (strcmp(rl->items[i].name, name) == 0)
            return &rl->items[i];
    return NULL;
}

static int render(const struct cache_tuning *tj, const struct tplot_args *a,
                  const struct cache_tuning_range *r, struct series *pts, struct series *best,
                  bool ansi, struct err *e)
{
    struct chart_line lines[2] = {
        { .s = pts, .label = "objective", .run = 0, .points = true },
        { .s = best, .label = "best so far", .run = 1 },
    };
    struct chart_opts o;
    struct dynbuf title;
    bool cat = r != NULL && strcmp(r->kind, "categorical") == 0;
    char *text = NULL;
    size_t len = 0;
    int rc;

    chart_opts_init(&o, a->width, a->height);
    o.glyphs = a->ascii ? CHART_GLYPHS_ASCII : CHART_GLYPHS_AUTO;
    o.markers = false;
    o.x_kind = SERIES_X_STEP;
    dynbuf_init(&title, 4096);
    dynbuf_printf(&title, "%s: %s (%s) ", tj->name, tj->objective_metric, tj->objective_type);
    if (a->by == NULL)
        dynbuf_addstr(&title, "by completion order");
    else
        dynbuf_printf(&title, "vs %s%s%s%s%s",
                      r != NULL && strcmp(r->scaling, "Logarithmic") == 0 ? "log10 " : "",
                      a->by, cat ? " (1.. = " : "", cat ? r->values : "", cat ? ")" : "");
    o.title = dynbuf_str(&title);
    o.x_name = a->by == NULL ? "trial" : cat ? "value #" : a->by;
    rc = chart_render_text(lines, a->by == NULL ? 2 : 1, &o, ansi, &text, &len, e);
    if (rc == 0 && fwrite(text, 1, len, stdout) != len)
        rc = err_set(e, ERR_IO, "writing the chart");
    free(text);
    dynbuf_free(&title);
    return rc;
}

int cmd_tuning_plot(const struct globals *g, int argc, char **argv)
{
    struct tplot_args a;
    struct tuning_session ts;
    struct cache_tuning tj;
    struct cache_trial_list l = { 0 };
    struct cache_tuning_range_list rl = { 0 };
    const struct cache_tuning_range *r = NULL;
    struct series *pts = series_new("objective"), *best = series_new("best so far");
    struct err e = { 0 };
    int rc;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: sagetop tuning plot NAME [--by HP] [--width W] [--height H] "
               "[--ascii]\n");
        rc = EXIT_OK;
        goto done;
    }
    if ((rc = tplot_args(argc, argv, &a)) != 0)
        goto done;
    if (pts == NULL || best == NULL) {
        rc = cli_fail(&(struct err){ ERR_NOMEM, "out of memory" });
        goto done;
    }
    setlocale(LC_CTYPE, "");
    if ((rc = tuning_session_open(g, "plot", &ts, &e)) != 0) {
        rc = cli_fail(&e);
        goto done;
    }
    if ((rc = cache_tuning_get(ts.cache, a.name, &tj, &e)) == 0 &&
        (rc = cache_tuning_ranges(ts.cache, a.name, &rl, &e)) == 0)
        rc = cache_tuning_trials(ts.cache, a.name, CACHE_TRIALS_BY_COMPLETION, &l, &e);
    tuning_session_close(&ts);
    if (rc == 0 && a.by != NULL && (r = find_range(&rl, a.by)) == NULL)
        fprintf(stderr, "sagetop tuning plot: %s is not one of the tuned ranges; its values "
                "are plotted as numbers\n", a.by);
    if (rc == 0)
        rc = fill_series(&tj, &l, &a, r, pts, best, &e);
    if (rc == 0)
        rc = render(&tj, &a, r, pts, best, isatty(STDOUT_FILENO) && !g->no_color &&
                    getenv("NO_COLOR") == NULL, &e);
    rc = cli_stdout_finish(rc, &e);
done:
    cache_trial_list_clean(&l);
    cache_tuning_range_list_clean(&rl);
    series_free(pts);
    series_free(best);
    return rc;
}
