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
    char xname[300];
    char *text = NULL;
    size_t len = 0;
    int rc;

    chart_opts_init(&o, a->width, a->height);
    o.glyphs = a->ascii ? CHART_GLYPHS_ASCII : CHART_GLYPHS_AUTO;
    o.markers = false;
    o.x_kind = SERIES_X_STEP;
    /* the x axis says what x is: the trial's rank, or the value (log10 of it) */
    snprintf(xname, sizeof(xname), "%s%s%s", cache_tuning_range_log(r) ? "log10 " : "",
             a->by != NULL ? a->by : "trial",
             r != NULL && strcmp(r->kind, "categorical") == 0 ? " (value #)" : "");
    o.x_name = xname;
    dynbuf_init(&title, 4096);
    cache_tuning_plot_title(tj, a->by, r, &title);
    o.title = dynbuf_str(&title);
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
    if (rc == 0 && a.by != NULL && (r = cache_tuning_range_find(&rl, a.by)) == NULL)
        fprintf(stderr, "sagetop tuning plot: %s is not one of the tuned ranges; its values "
                "are plotted as numbers\n", a.by);
    if (rc == 0)
        rc = cache_tuning_objective_series(&tj, &l, a.by, r, pts, best, &e);
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
